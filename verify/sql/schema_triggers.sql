-- User triggers (not the internal ones behind foreign keys): definition and enabled state
-- (O origin, D disabled, R replica, A always).
SELECT n.nspname AS schema,
       c.relname AS table_name,
       t.tgname AS name,
       pg_get_triggerdef(t.oid) AS definition,
       t.tgenabled::text AS enabled
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND n.nspname = ANY(%(schemas)s)
ORDER BY 1, 2, 3
