-- Columns of tables in scope, everything a column's definition holds. The default of a
-- generated column is its generation expression.
SELECT n.nspname AS schema,
       c.relname AS table_name,
       a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS expression,
       a.attgenerated::text AS generated,
       a.attidentity::text AS identity,
       CASE WHEN a.attcollation = 0 THEN NULL
            ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE c.relkind IN ('r', 'p', 'f') AND n.nspname = ANY(%(schemas)s)
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2, a.attnum
