-- ALTER DATABASE ... SET of this database (per-role settings are test_role's).
SELECT s.setconfig AS settings
FROM pg_db_role_setting s
WHERE s.setrole = 0
  AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
