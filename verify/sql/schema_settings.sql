-- ALTER DATABASE / ALTER ROLE ... SET that apply to this database (role '' is the database
-- itself); roles are filtered to the application's in Python.
SELECT coalesce(r.rolname::text, '') AS role,
       s.setdatabase <> 0 AS in_database,
       s.setconfig AS settings
FROM pg_db_role_setting s
LEFT JOIN pg_roles r ON r.oid = s.setrole
WHERE s.setdatabase = 0
   OR s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY 1, 2
