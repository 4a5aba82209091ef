-- Privileges on the member functions, tables, views and sequences of the extensions
-- installed in the given schemas (a NULL ACL spelled out as its default).
SELECT e.extname AS extension,
       format('%%I.%%I(%%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) AS object,
       pg_catalog.pg_get_userbyid(p.proowner) AS owner,
       array(
           SELECT coalesce(g.rolname, 'PUBLIC') || '=' || a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END
           FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS a
           LEFT JOIN pg_catalog.pg_roles AS g ON g.oid = a.grantee
           ORDER BY 1
       ) AS acl
FROM pg_catalog.pg_extension AS e
JOIN pg_catalog.pg_namespace AS en ON en.oid = e.extnamespace
JOIN pg_catalog.pg_depend AS d
  ON d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
 AND d.classid = 'pg_catalog.pg_proc'::regclass
JOIN pg_catalog.pg_proc AS p ON p.oid = d.objid
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
WHERE en.nspname = ANY(%(schemas)s)
UNION ALL
SELECT e.extname,
       format('%%I.%%I', n.nspname, c.relname),
       pg_catalog.pg_get_userbyid(c.relowner),
       array(
           SELECT coalesce(g.rolname, 'PUBLIC') || '=' || a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END
           FROM pg_catalog.aclexplode(coalesce(c.relacl,
                    pg_catalog.acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))) AS a
           LEFT JOIN pg_catalog.pg_roles AS g ON g.oid = a.grantee
           ORDER BY 1
       )
FROM pg_catalog.pg_extension AS e
JOIN pg_catalog.pg_namespace AS en ON en.oid = e.extnamespace
JOIN pg_catalog.pg_depend AS d
  ON d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
 AND d.classid = 'pg_catalog.pg_class'::regclass
JOIN pg_catalog.pg_class AS c ON c.oid = d.objid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE en.nspname = ANY(%(schemas)s)
ORDER BY 1, 2
