-- What a schema left on the source holds: its tables (with their size, to decide whether
-- to count rows exactly) and its row-level security policies.
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relkind = 'r' AS holds_rows,
       pg_relation_size(c.oid) AS bytes,
       greatest(c.reltuples, 0)::bigint AS est_rows,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%(schemas)s)
ORDER BY 1, 2
