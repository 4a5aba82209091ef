-- Roles that grants and policies in the given schemas name (not PUBLIC, not built-in).
WITH acl_roles AS (
    SELECT (aclexplode(c.relacl)).grantee AS oid
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND c.relacl IS NOT NULL
    UNION
    SELECT (aclexplode(n.nspacl)).grantee FROM pg_namespace n
    WHERE n.nspname = ANY(%(schemas)s) AND n.nspacl IS NOT NULL
    UNION
    SELECT (aclexplode(p.proacl)).grantee
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY(%(schemas)s) AND p.proacl IS NOT NULL
    UNION
    SELECT unnest(pol.polroles)
    FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s)
)
SELECT DISTINCT r.rolname AS name
FROM acl_roles a JOIN pg_roles r ON r.oid = a.oid
WHERE a.oid <> 0 AND r.rolname NOT LIKE 'pg\_%%' AND r.rolname <> current_user
ORDER BY 1
