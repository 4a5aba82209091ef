-- Views and materialized views: definition, options (security_invoker, security_barrier,
-- check_option), owner, and for a materialized view whether it holds data.
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS kind,
       pg_get_viewdef(c.oid) AS definition,
       coalesce(c.reloptions, '{}') AS options,
       pg_get_userbyid(c.relowner) AS owner,
       c.relispopulated AS populated
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
