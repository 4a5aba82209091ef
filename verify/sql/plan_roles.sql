-- Roles that objects of the given schemas name, and how: as owner, in a grant, in a policy,
-- in default privileges (as the role whose new objects they apply to, or as grantee).
-- An owner's own entry in an ACL is its implicit privilege, not a grant (pg_dump writes no
-- GRANT for it). PUBLIC and PostgreSQL's predefined roles (pg_*) are everyone's.
WITH acls AS (
    SELECT n.nspowner AS owner, n.nspacl AS acl FROM pg_namespace n
    WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT c.relowner, c.relacl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    UNION ALL
    SELECT c.relowner, a.attacl
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND a.attacl IS NOT NULL
    UNION ALL
    SELECT p.proowner, p.proacl FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY(%(schemas)s)
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
    SELECT t.typowner, t.typacl FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND t.typtype IN ('e', 'd', 'r', 'm', 'c')
      AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_class c
                                       WHERE c.oid = t.typrelid AND c.relkind = 'c'))
),
named AS (
    SELECT owner AS oid, 'owner' AS how FROM acls
    UNION
    SELECT e.grantee, 'grant' FROM acls, LATERAL aclexplode(acls.acl) e
    WHERE acls.acl IS NOT NULL AND e.grantee <> acls.owner
    UNION
    SELECT unnest(pol.polroles), 'policy'
    FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s)
    UNION
    SELECT da.defaclrole, 'default privileges'
    FROM pg_default_acl da LEFT JOIN pg_namespace n ON n.oid = da.defaclnamespace
    WHERE n.nspname = ANY(%(schemas)s) OR da.defaclnamespace = 0
    UNION
    SELECT e.grantee, 'default privileges'
    FROM pg_default_acl da LEFT JOIN pg_namespace n ON n.oid = da.defaclnamespace,
         LATERAL aclexplode(da.defaclacl) e
    WHERE (n.nspname = ANY(%(schemas)s) OR da.defaclnamespace = 0)
      AND e.grantee <> da.defaclrole
)
SELECT r.rolname AS name, array_agg(DISTINCT named.how ORDER BY named.how) AS named_by
FROM named JOIN pg_roles r ON r.oid = named.oid
WHERE named.oid <> 0 AND r.rolname NOT LIKE 'pg\_%%'
GROUP BY r.rolname
ORDER BY 1
