-- Schemas that objects of the given (user) schemas depend on. pg_identify_object names no
-- schema for a column default, trigger, policy or rewrite rule, so those are resolved to the
-- schema of their table: a DEFAULT extensions.gen_random_uuid() then brings `extensions`.
SELECT DISTINCT (pg_identify_object(d.refclassid, d.refobjid, 0)).schema AS name
FROM pg_depend d
LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
LEFT JOIN pg_policy po ON d.classid = 'pg_policy'::regclass AND po.oid = d.objid
LEFT JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
LEFT JOIN pg_class owner ON owner.oid = coalesce(ad.adrelid, tg.tgrelid, po.polrelid, rw.ev_class)
LEFT JOIN pg_namespace n ON n.oid = owner.relnamespace
WHERE d.deptype IN ('n', 'a')
  AND coalesce(n.nspname, (pg_identify_object(d.classid, d.objid, 0)).schema) = ANY(%(schemas)s)
ORDER BY 1
