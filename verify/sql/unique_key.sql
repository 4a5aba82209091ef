-- The narrowest valid unique index of one relation whose columns are plain (no expressions,
-- no predicate) and all NOT NULL: a row key when the table has no primary key. A
-- materialized view's columns are never NOT NULL, so for one (%(nullable)s) any such index
-- will do: rows whose key holds a NULL are then compared as whole rows.
SELECT i.indexrelid::regclass::text AS index_name,
       array_agg(a.attname ORDER BY k.ord) AS columns
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE n.nspname = %(schema)s AND c.relname = %(table)s
  AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
  AND k.ord <= i.indnkeyatts
GROUP BY i.indexrelid
HAVING bool_and(a.attnotnull) OR %(nullable)s
ORDER BY count(*), 1
LIMIT 1
