-- Indexes of relations in scope: definition, uniqueness, and whether usable (valid, ready).
SELECT n.nspname AS schema,
       i.relname AS name,
       t.relname AS table_name,
       pg_get_indexdef(i.oid) AS definition,
       x.indisunique AS unique,
       x.indisprimary AS primary,
       x.indisvalid AS valid,
       x.indisready AS ready
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = i.relnamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
