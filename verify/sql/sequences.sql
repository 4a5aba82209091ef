-- Sequences in the given schemas.
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' AND n.nspname = ANY(%(schemas)s)
ORDER BY 1, 2
