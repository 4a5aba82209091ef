-- Privileges on relations (and their columns), functions and schemas in scope, one row per
-- privilege. A NULL ACL reads as the default it stands for; an empty ACL still gives one row
-- (grantee NULL) so that "everything revoked" is seen. `owner_privilege` marks privileges
-- that come with ownership (compared with the owner, not as grants). `extension_member`:
-- the object belongs to an extension, whose owner is whoever ran CREATE EXTENSION there.
WITH members AS (
    SELECT d.classid, d.objid FROM pg_depend d
    WHERE d.deptype = 'e' AND d.classid IN ('pg_class'::regclass, 'pg_proc'::regclass)
),
objects AS (
    SELECT n.nspname || '.' || c.relname AS name, NULL::text AS column_name,
           CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char" AS kind, c.relowner AS owner,
           coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char",
                                         c.relowner)) AS acl,
           EXISTS (SELECT 1 FROM members m
                   WHERE m.classid = 'pg_class'::regclass AND m.objid = c.oid) AS extension_member
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT n.nspname || '.' || c.relname, a.attname::text, NULL::"char", c.relowner, a.attacl,
           false
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
      AND n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT p.oid::regprocedure::text, NULL, 'f'::"char", p.proowner,
           coalesce(p.proacl, acldefault('f', p.proowner)),
           EXISTS (SELECT 1 FROM members m
                   WHERE m.classid = 'pg_proc'::regclass AND m.objid = p.oid)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY(%(schemas)s)
)
SELECT o.name,
       o.column_name,
       CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE r.rolname::text END AS grantee,
       e.privilege_type AS privilege,
       e.is_grantable AS grantable,
       pg_get_userbyid(o.owner) AS owner,
       (o.kind IS NOT NULL
        AND e.privilege_type IN (SELECT d.privilege_type
                                 FROM aclexplode(acldefault(o.kind, o.owner)) d
                                 WHERE d.grantee = o.owner)) AS owner_privilege,
       o.extension_member
FROM objects o
LEFT JOIN LATERAL aclexplode(o.acl) e ON true
LEFT JOIN pg_roles r ON r.oid = e.grantee
ORDER BY 1, 2, 3, 4
