-- Default privileges (ALTER DEFAULT PRIVILEGES): for objects a role creates, globally or in
-- a schema in scope.
SELECT pg_get_userbyid(d.defaclrole) AS role,
       n.nspname AS schema,
       d.defaclobjtype::text AS object_type,
       CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE r.rolname::text END AS grantee,
       e.privilege_type AS privilege,
       e.is_grantable AS grantable
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
LEFT JOIN LATERAL aclexplode(d.defaclacl) e ON true
LEFT JOIN pg_roles r ON r.oid = e.grantee
WHERE d.defaclnamespace = 0 OR n.nspname = ANY(%(schemas)s)
ORDER BY 1, 2, 3, 4, 5
