-- (from, to) pairs of schemas: an object in `from` depends on an object in `to`. One pass
-- over pg_depend sees every kind of reference (a foreign key, a column type, a view, a
-- function a default or policy calls). pg_identify_object names no schema for a column
-- default, trigger, policy or rewrite rule, so those take the schema of their table.
SELECT DISTINCT
       coalesce(owner_ns.nspname, (pg_identify_object(d.classid, d.objid, 0)).schema) AS from_schema,
       (pg_identify_object(d.refclassid, d.refobjid, 0)).schema AS to_schema
FROM pg_depend d
LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
LEFT JOIN pg_policy po ON d.classid = 'pg_policy'::regclass AND po.oid = d.objid
LEFT JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
LEFT JOIN pg_class owner_rel ON owner_rel.oid = coalesce(ad.adrelid, tg.tgrelid, po.polrelid, rw.ev_class)
LEFT JOIN pg_namespace owner_ns ON owner_ns.oid = owner_rel.relnamespace
WHERE d.deptype IN ('n', 'a')
ORDER BY 1, 2
