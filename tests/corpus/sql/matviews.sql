-- Whether each materialized view in the given schemas holds data.
SELECT format('%%I.%%I', n.nspname, c.relname) AS name, c.relispopulated AS populated
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind = 'm'
ORDER BY 1
