-- Extensions installed in the given schemas (pg_dump --schema leaves them out, so the
-- migrator recreates them with CREATE EXTENSION); plpgsql lives in pg_catalog and is left out.
SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE n.nspname = ANY(%(schemas)s)
ORDER BY 1
