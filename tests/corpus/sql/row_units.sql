-- Tables holding rows (plain tables and leaf partitions) and populated materialized views
-- in the given schemas, with their columns in order; extension members left out.
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       array_agg(a.attname::text ORDER BY a.attnum) AS columns
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = ANY(%(schemas)s)
  AND (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated))
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend AS d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  )
GROUP BY 1, 2, 3
ORDER BY 1, 2
