-- Every schema that is not PostgreSQL's own, with whether user-schema objects depend on it.
-- pg_identify_object names the schema of any dependent object (a constraint, a default,
-- a policy, a view), so one pass over pg_depend finds every kind of reference.
WITH refs AS (
    SELECT DISTINCT (pg_identify_object(d.refclassid, d.refobjid, 0)).schema AS used,
                    (pg_identify_object(d.classid, d.objid, 0)).schema AS user_schema
    FROM pg_depend d
    WHERE d.deptype IN ('n', 'a')
)
SELECT n.nspname AS name,
       array_remove(array_agg(DISTINCT r.user_schema), NULL) AS used_by
FROM pg_namespace n
LEFT JOIN refs r ON r.used = n.nspname AND r.user_schema IS DISTINCT FROM n.nspname
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
GROUP BY n.nspname
ORDER BY n.nspname
