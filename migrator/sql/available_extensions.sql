-- Extensions this server can create (its installed control files) and those already created.
SELECT name, installed_version IS NOT NULL AS installed
FROM pg_available_extensions
ORDER BY 1
