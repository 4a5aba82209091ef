-- The attributes of the given roles that change what they may see or do, the roles each
-- is a member of, and its settings (ALTER ROLE ... SET, global and in this database).
SELECT r.rolname AS name,
       r.rolsuper AS superuser,
       r.rolcanlogin AS login,
       r.rolinherit AS inherit,
       r.rolcreaterole AS createrole,
       r.rolcreatedb AS createdb,
       r.rolreplication AS replication,
       r.rolbypassrls AS bypassrls,
       r.rolconnlimit AS connection_limit,
       coalesce((SELECT array_agg(g.rolname::text ORDER BY g.rolname)
                 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                 WHERE m.member = r.oid), '{}') AS member_of,
       coalesce((SELECT array_agg(u.rolname::text ORDER BY u.rolname)
                 FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member
                 WHERE m.roleid = r.oid), '{}') AS members,
       coalesce((SELECT array_agg(cfg ORDER BY cfg) FROM pg_db_role_setting s, unnest(s.setconfig) cfg
                 WHERE s.setrole = r.oid AND s.setdatabase = 0), '{}') AS settings,
       coalesce((SELECT array_agg(cfg ORDER BY cfg) FROM pg_db_role_setting s, unnest(s.setconfig) cfg
                 WHERE s.setrole = r.oid
                   AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())),
                '{}') AS database_settings
FROM pg_roles r
WHERE r.rolname = ANY(%(roles)s)
ORDER BY 1
