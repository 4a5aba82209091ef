-- The value a new session of role %(role)s in this database starts with, per setting:
-- ALTER ROLE ... IN DATABASE, else ALTER ROLE, else ALTER DATABASE, else the server's
-- (the value this session started with: our own connection sets none of these).
WITH config AS (
    SELECT s.setrole, s.setdatabase,
           lower(split_part(c, '=', 1)) AS name,
           substr(c, strpos(c, '=') + 1) AS value
    FROM pg_db_role_setting s, unnest(s.setconfig) AS c
), here AS (
    SELECT (SELECT oid FROM pg_database WHERE datname = current_database()) AS db,
           (SELECT oid FROM pg_roles WHERE rolname = %(role)s) AS role
)
SELECT p.name,
       coalesce(
           (SELECT value FROM config c WHERE c.name = lower(p.name)
              AND c.setrole = here.role AND c.setdatabase = here.db),
           (SELECT value FROM config c WHERE c.name = lower(p.name)
              AND c.setrole = here.role AND c.setdatabase = 0),
           (SELECT value FROM config c WHERE c.name = lower(p.name)
              AND c.setrole = 0 AND c.setdatabase = here.db),
           p.reset_val
       ) AS value,
       CASE
           WHEN EXISTS (SELECT 1 FROM config c WHERE c.name = lower(p.name)
                        AND c.setrole = here.role AND c.setdatabase = here.db)
               THEN 'ALTER ROLE ... IN DATABASE'
           WHEN EXISTS (SELECT 1 FROM config c WHERE c.name = lower(p.name)
                        AND c.setrole = here.role AND c.setdatabase = 0)
               THEN 'ALTER ROLE'
           WHEN EXISTS (SELECT 1 FROM config c WHERE c.name = lower(p.name)
                        AND c.setrole = 0 AND c.setdatabase = here.db)
               THEN 'ALTER DATABASE'
           ELSE 'server'
       END AS origin,
       p.unit
FROM pg_settings p, here
WHERE p.name = ANY(%(names)s)
ORDER BY p.name
