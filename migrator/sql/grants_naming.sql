-- Grants and policies in the given schemas that name any of the given roles: what
-- `--supabase-roles skip` leaves out, listed in the plan so nothing is dropped silently.
WITH acl AS (
    SELECT 'TABLE ' || n.nspname || '.' || c.relname AS object, (aclexplode(c.relacl)).*
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND c.relacl IS NOT NULL
    UNION ALL
    SELECT 'SCHEMA ' || n.nspname, (aclexplode(n.nspacl)).*
    FROM pg_namespace n
    WHERE n.nspname = ANY(%(schemas)s) AND n.nspacl IS NOT NULL
    UNION ALL
    SELECT 'FUNCTION ' || n.nspname || '.' || p.proname || '()', (aclexplode(p.proacl)).*
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY(%(schemas)s) AND p.proacl IS NOT NULL
)
SELECT 'grant ' || string_agg(DISTINCT a.privilege_type, ', ') || ' ON ' || a.object
       || ' TO ' || r.rolname AS item
FROM acl a JOIN pg_roles r ON r.oid = a.grantee
WHERE r.rolname = ANY(%(roles)s)
GROUP BY a.object, r.rolname
UNION ALL
SELECT 'policy ' || pol.polname || ' ON ' || n.nspname || '.' || c.relname
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = ANY(pol.polroles) AND r.rolname = ANY(%(roles)s))
ORDER BY 1
