-- ALTER DATABASE / ALTER ROLE ... SET entries that apply to the current database:
-- the database's own (role ''), and each role's, global or IN DATABASE.
SELECT coalesce(r.rolname::text, '') AS role,
       s.setdatabase <> 0 AS in_database,
       s.setconfig AS settings
FROM pg_db_role_setting s
LEFT JOIN pg_roles r ON r.oid = s.setrole
WHERE s.setdatabase = 0 AND s.setrole <> 0
   OR s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY 1, 2
