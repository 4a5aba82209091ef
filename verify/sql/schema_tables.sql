-- Tables (plain, partitioned, foreign) with kind, persistence, partitioning, RLS flags,
-- options and the column order (a note, never compared).
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS kind,
       c.relpersistence::text AS persistence,
       pg_get_userbyid(c.relowner) AS owner,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       (SELECT string_agg(pn.nspname || '.' || pc.relname, ', ' ORDER BY pn.nspname, pc.relname)
          FROM pg_inherits i
          JOIN pg_class pc ON pc.oid = i.inhparent
          JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = c.oid) AS parent,
       coalesce(c.reloptions, '{}') AS options,
       c.relreplident::text AS replica_identity,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       array(SELECT a.attname::text FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum) AS column_order
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'f') AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
