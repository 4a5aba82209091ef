-- Every extension: its schema, version, and whether an object of the given schemas
-- depends on one of its member objects (a default calling extensions.uuid_generate_v4(),
-- a column of type extensions.citext) or on the extension itself.
SELECT e.extname AS name,
       n.nspname AS schema,
       e.extversion AS version,
       EXISTS (
           SELECT 1
           FROM pg_depend member
           JOIN pg_depend use ON use.refclassid = member.classid AND use.refobjid = member.objid
           WHERE member.refclassid = 'pg_extension'::regclass AND member.refobjid = e.oid
             AND member.deptype = 'e' AND use.deptype IN ('n', 'a')
             AND NOT EXISTS (SELECT 1 FROM pg_depend own
                             WHERE own.classid = use.classid AND own.objid = use.objid
                               AND own.refclassid = 'pg_extension'::regclass AND own.deptype = 'e')
             AND (pg_identify_object(use.classid, use.objid, 0)).schema = ANY(%(schemas)s)
       ) OR EXISTS (
           SELECT 1 FROM pg_depend use
           WHERE use.refclassid = 'pg_extension'::regclass AND use.refobjid = e.oid
             AND use.deptype IN ('n', 'a')
             AND (pg_identify_object(use.classid, use.objid, 0)).schema = ANY(%(schemas)s)
       ) AS used
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
ORDER BY 1
