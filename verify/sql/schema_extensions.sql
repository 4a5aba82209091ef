-- Installed extensions: version and schema.
SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
ORDER BY 1
