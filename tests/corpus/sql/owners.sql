-- The owner of every schema, relation (not indexes), function and user-defined type in the
-- given schemas; extension members are left out (CREATE EXTENSION makes them anew).
WITH ext_member AS (
    SELECT d.classid, d.objid FROM pg_catalog.pg_depend AS d WHERE d.deptype = 'e'
)
SELECT 'schema ' || format('%%I', n.nspname) AS object, pg_catalog.pg_get_userbyid(n.nspowner) AS owner
FROM pg_catalog.pg_namespace AS n
WHERE n.nspname = ANY(%(schemas)s)
UNION ALL
SELECT CASE c.relkind WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
                      WHEN 'f' THEN 'foreign table ' ELSE 'table ' END
       || format('%%I.%%I', n.nspname, c.relname),
       pg_catalog.pg_get_userbyid(c.relowner)
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND (('pg_catalog.pg_class'::regclass::oid, c.oid) NOT IN (SELECT classid, objid FROM ext_member))
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' ELSE 'function ' END
       || format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)),
       pg_catalog.pg_get_userbyid(p.proowner)
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND (('pg_catalog.pg_proc'::regclass::oid, p.oid) NOT IN (SELECT classid, objid FROM ext_member))
UNION ALL
SELECT 'type ' || format('%%I.%%I', n.nspname, t.typname), pg_catalog.pg_get_userbyid(t.typowner)
FROM pg_catalog.pg_type AS t
JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_class AS c ON c.oid = t.typrelid
WHERE n.nspname = ANY(%(schemas)s)
  AND t.typtype IN ('e', 'd', 'r', 'c')
  AND (t.typtype <> 'c' OR c.relkind = 'c')
  AND (('pg_catalog.pg_type'::regclass::oid, t.oid) NOT IN (SELECT classid, objid FROM ext_member))
ORDER BY 1
