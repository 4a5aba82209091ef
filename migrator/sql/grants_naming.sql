-- What `--supabase-roles skip` and a missing role leave out, listed in the plan so nothing
-- is dropped silently: grants and policies in the given schemas naming any of %(roles)s,
-- and default privileges that name one of %(roles)s or are FOR ROLE one of %(owners)s.
WITH acl AS (
    SELECT 'TABLE ' || n.nspname || '.' || c.relname AS object, c.relowner AS owner,
           (aclexplode(c.relacl)).*
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND c.relacl IS NOT NULL
    UNION ALL
    SELECT 'SCHEMA ' || n.nspname, n.nspowner, (aclexplode(n.nspacl)).*
    FROM pg_namespace n
    WHERE n.nspname = ANY(%(schemas)s) AND n.nspacl IS NOT NULL
    UNION ALL
    SELECT 'FUNCTION ' || p.oid::regprocedure::text, p.proowner, (aclexplode(p.proacl)).*
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY(%(schemas)s) AND p.proacl IS NOT NULL
)
SELECT 'grant ' || string_agg(DISTINCT a.privilege_type, ', ') || ' ON ' || a.object
       || ' TO ' || r.rolname AS item
FROM acl a JOIN pg_roles r ON r.oid = a.grantee
WHERE r.rolname = ANY(%(roles)s) AND a.grantee <> a.owner
GROUP BY a.object, r.rolname
UNION ALL
SELECT 'policy ' || pol.polname || ' ON ' || n.nspname || '.' || c.relname
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = ANY(pol.polroles) AND r.rolname = ANY(%(roles)s))
UNION ALL
SELECT DISTINCT 'default privileges FOR ROLE ' || owner.rolname
       || coalesce(' IN SCHEMA ' || n.nspname, '') || ' ON '
       || CASE da.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'
               WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END
       || ' TO ' || grantee.rolname
FROM pg_default_acl da
JOIN pg_roles owner ON owner.oid = da.defaclrole
LEFT JOIN pg_namespace n ON n.oid = da.defaclnamespace
CROSS JOIN LATERAL aclexplode(da.defaclacl) e
JOIN pg_roles grantee ON grantee.oid = e.grantee
WHERE (n.nspname = ANY(%(schemas)s) OR da.defaclnamespace = 0)
  AND e.grantee <> da.defaclrole
  AND (grantee.rolname = ANY(%(roles)s) OR owner.rolname = ANY(%(owners)s))
ORDER BY 1
