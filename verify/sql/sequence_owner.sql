-- The table column a sequence belongs to (serial or identity), if any.
SELECT tn.nspname AS schema, t.relname AS table_name, a.attname AS column_name,
       s.seqincrement AS increment
FROM pg_class sc
JOIN pg_namespace sn ON sn.oid = sc.relnamespace
JOIN pg_sequence s ON s.seqrelid = sc.oid
LEFT JOIN pg_depend d ON d.objid = sc.oid AND d.classid = 'pg_class'::regclass
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE sn.nspname = %(schema)s AND sc.relname = %(sequence)s
