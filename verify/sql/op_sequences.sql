-- Each sequence of the given schemas: what role %(role)s may do with it, and whether a
-- table it may INSERT into takes a default from it (nextval needs USAGE; an identity
-- column needs none).
SELECT quote_ident(n.nspname) || '.' || quote_ident(s.relname) AS sequence,
       ARRAY(SELECT p FROM unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) AS p
             WHERE has_sequence_privilege(%(role)s, s.oid, p)) AS privileges,
       ARRAY(
           SELECT DISTINCT quote_ident(tn.nspname) || '.' || quote_ident(t.relname)
           FROM pg_depend d
           JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
           JOIN pg_class t ON t.oid = ad.adrelid
           JOIN pg_namespace tn ON tn.oid = t.relnamespace
           WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = s.oid
             AND has_table_privilege(%(role)s, t.oid, 'INSERT')
       ) AS default_of_insertable
FROM pg_class s
JOIN pg_namespace n ON n.oid = s.relnamespace
WHERE s.relkind = 'S' AND n.nspname = ANY(%(schemas)s)
ORDER BY 1
