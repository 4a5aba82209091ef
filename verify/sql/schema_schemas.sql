-- Schemas in scope: owner and privileges (a NULL ACL reads as the default it stands for).
SELECT n.nspname AS name,
       pg_get_userbyid(n.nspowner) AS owner,
       coalesce(r.rolname, 'PUBLIC') AS grantee,
       e.privilege_type AS privilege,
       e.is_grantable AS grantable
FROM pg_namespace n
CROSS JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) e
LEFT JOIN pg_roles r ON r.oid = e.grantee
WHERE n.nspname = ANY(%(schemas)s)
ORDER BY 1
