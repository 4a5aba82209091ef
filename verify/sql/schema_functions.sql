-- Functions and procedures in scope (not those an extension owns), by signature. The body
-- is prosrc, or for a SQL-standard body (BEGIN ATOMIC) its deparsed text.
SELECT n.nspname AS schema,
       p.oid::regprocedure::text AS signature,
       p.prokind::text AS kind,
       l.lanname AS language,
       pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result,
       CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid)
            ELSE p.prosrc END AS body,
       p.provolatile::text AS volatility,
       p.prosecdef AS security_definer,
       p.proisstrict AS strict,
       p.proleakproof AS leakproof,
       p.proparallel::text AS parallel,
       coalesce(p.proconfig, '{}') AS config,
       pg_get_userbyid(p.proowner) AS owner
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 2
