-- Enums (labels in order) and domains (base type, nullability, default, collation and
-- constraints) in scope, not those an extension owns. NOT NULL of a domain is typnotnull
-- (PostgreSQL 17+ also lists it in pg_constraint).
SELECT n.nspname AS schema,
       t.typname AS name,
       t.typtype::text AS kind,
       pg_get_userbyid(t.typowner) AS owner,
       array(SELECT e.enumlabel::text FROM pg_enum e
              WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       t.typnotnull AS not_null,
       t.typdefault AS default_expr,
       CASE WHEN t.typcollation = 0 THEN NULL
            ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
       coalesce((SELECT jsonb_object_agg(con.conname, jsonb_build_object(
                        'definition', pg_get_constraintdef(con.oid),
                        'validated', con.convalidated))
                   FROM pg_constraint con
                  WHERE con.contypid = t.oid AND con.contype <> 'n'), '{}') AS constraints
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE t.typtype IN ('e', 'd') AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY 1, 2
