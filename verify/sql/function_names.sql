-- The functions of the given schemas, by name (an API call names a function without its
-- arguments).
SELECT DISTINCT n.nspname AS schema, p.proname AS name
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY(%(schemas)s)
ORDER BY 1, 2
