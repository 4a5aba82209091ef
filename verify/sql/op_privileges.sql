-- What role %(role)s may do with each table, view and schema of the given schemas
-- (through its memberships too, as the server decides it).
SELECT 'schema ' || quote_ident(n.nspname) AS object,
       ARRAY(SELECT p FROM unnest(ARRAY['USAGE']) AS p
             WHERE has_schema_privilege(%(role)s, n.oid, p)) AS privileges
FROM pg_namespace n
WHERE n.nspname = ANY(%(schemas)s)
UNION ALL
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       ARRAY(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p
             WHERE has_table_privilege(%(role)s, c.oid, p))
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname = ANY(%(schemas)s)
ORDER BY 1
