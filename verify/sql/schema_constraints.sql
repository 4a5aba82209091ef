-- Table constraints: primary key, unique, check, exclusion, foreign key, constraint trigger.
-- NOT NULL constraints (pg_constraint rows from PostgreSQL 18) are column nullability and
-- are compared with the columns. A foreign key to a partitioned table leaves one clone per
-- referenced partition under the same name and table: those are the parent's, not objects.
SELECT n.nspname AS schema,
       c.relname AS table_name,
       con.conname AS name,
       con.contype::text AS type,
       pg_get_constraintdef(con.oid) AS definition,
       con.convalidated AS validated,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x', 't') AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint p
                  WHERE p.oid = con.conparentid AND p.conrelid = con.conrelid)
ORDER BY 1, 2, 3
