-- User schemas of this database (system schemas and pgcutover's bookkeeping left out).
SELECT n.nspname AS name, pg_catalog.pg_get_userbyid(n.nspowner) AS owner
FROM pg_catalog.pg_namespace AS n
WHERE n.nspname NOT LIKE 'pg\_%%'
  AND n.nspname NOT IN ('information_schema', 'pgcutover')
ORDER BY 1
