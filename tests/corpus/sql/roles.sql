-- What a role lets its sessions see and do (LOGIN and the password aside): attributes,
-- role-wide settings, and the roles it is a member of (among the given ones and the
-- predefined pg_* roles).
SELECT r.rolname AS name,
       r.rolinherit AS inherit, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb,
       r.rolbypassrls AS bypassrls, r.rolconnlimit AS connlimit,
       coalesce((
           SELECT array_agg(setting ORDER BY setting)
           FROM pg_catalog.pg_db_role_setting AS s, LATERAL unnest(s.setconfig) AS setting
           WHERE s.setrole = r.oid AND s.setdatabase = 0
       ), '{}') AS settings,
       coalesce((
           SELECT array_agg(g.rolname || CASE WHEN m.admin_option THEN ' WITH ADMIN' ELSE '' END
                            ORDER BY g.rolname)
           FROM pg_catalog.pg_auth_members AS m
           JOIN pg_catalog.pg_roles AS g ON g.oid = m.roleid
           WHERE m.member = r.oid AND (g.rolname = ANY(%(roles)s) OR g.rolname LIKE 'pg\_%%')
       ), '{}') AS member_of
FROM pg_catalog.pg_roles AS r
WHERE r.rolname = ANY(%(roles)s)
ORDER BY 1
