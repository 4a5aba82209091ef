-- Schemas in scope: owner and privileges, one row per privilege. A NULL ACL reads as the
-- default it stands for; an empty ACL still gives one row (grantee NULL), so the schema
-- is seen even when everything on it was revoked. `owner_privilege` marks privileges that
-- come with ownership (compared with the owner, not as grants).
SELECT n.nspname AS name,
       pg_get_userbyid(n.nspowner) AS owner,
       CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE r.rolname::text END AS grantee,
       e.privilege_type AS privilege,
       e.is_grantable AS grantable,
       e.privilege_type IN (SELECT d.privilege_type
                            FROM aclexplode(acldefault('n', n.nspowner)) d) AS owner_privilege
FROM pg_namespace n
LEFT JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) e ON true
LEFT JOIN pg_roles r ON r.oid = e.grantee
WHERE n.nspname = ANY(%(schemas)s)
ORDER BY 1
