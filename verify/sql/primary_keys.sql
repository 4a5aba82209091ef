-- Primary key columns, in key order.
SELECT n.nspname AS schema, c.relname AS table_name,
       array_agg(a.attname ORDER BY k.ord) AS columns
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE con.contype = 'p' AND n.nspname = ANY(%(schemas)s)
GROUP BY n.nspname, c.relname
