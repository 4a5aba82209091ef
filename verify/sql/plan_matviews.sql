-- Materialized views of the given schemas: whether each holds data, and the materialized
-- views it reads (so they are refreshed in dependency order).
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relispopulated AS populated,
       coalesce((SELECT array_agg(DISTINCT rn.nspname || '.' || rc.relname)
                 FROM pg_rewrite rw
                 JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                 JOIN pg_class rc ON rc.oid = d.refobjid AND rc.relkind = 'm' AND rc.oid <> c.oid
                 JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                 WHERE rw.ev_class = c.oid), '{}') AS reads
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'm' AND n.nspname = ANY(%(schemas)s)
ORDER BY 1, 2
