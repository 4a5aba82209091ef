-- Roles that objects in the given schemas name: grantees of their privileges (the owner's
-- own entry aside), roles of their policies, and roles of default privileges there.
WITH acl AS (
    SELECT n.nspowner AS owner, n.nspacl AS acl FROM pg_catalog.pg_namespace AS n
    WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT c.relowner, c.relacl FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT c.relowner, a.attacl FROM pg_catalog.pg_attribute AS a
    JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s) AND a.attacl IS NOT NULL
    UNION ALL
    SELECT p.proowner, p.proacl FROM pg_catalog.pg_proc AS p
    JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
    WHERE n.nspname = ANY(%(schemas)s)
    UNION ALL
    SELECT t.typowner, t.typacl FROM pg_catalog.pg_type AS t
    JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
    WHERE n.nspname = ANY(%(schemas)s)
), named AS (
    SELECT e.grantee AS role FROM acl, LATERAL pg_catalog.aclexplode(acl.acl) AS e
    WHERE acl.acl IS NOT NULL AND e.grantee <> acl.owner
    UNION
    SELECT unnest(pol.polroles) FROM pg_catalog.pg_policy AS pol
    JOIN pg_catalog.pg_class AS c ON c.oid = pol.polrelid
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY(%(schemas)s)
    UNION
    SELECT d.defaclrole FROM pg_catalog.pg_default_acl AS d
    JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace
    WHERE n.nspname = ANY(%(schemas)s)
    UNION
    SELECT e.grantee FROM pg_catalog.pg_default_acl AS d
    JOIN pg_catalog.pg_namespace AS n ON n.oid = d.defaclnamespace,
    LATERAL pg_catalog.aclexplode(d.defaclacl) AS e
    WHERE n.nspname = ANY(%(schemas)s)
)
SELECT r.rolname AS name FROM named JOIN pg_catalog.pg_roles AS r ON r.oid = named.role
ORDER BY 1
