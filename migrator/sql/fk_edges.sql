-- Foreign keys between tables of the given schemas: (child, parent), for the plan's order.
-- A partition's inherited copy of its parent's key is left out: the parent carries it.
SELECT cn.nspname AS child_schema, c.relname AS child_name,
       pn.nspname AS parent_schema, p.relname AS parent_name
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace cn ON cn.oid = c.relnamespace
JOIN pg_class p ON p.oid = con.confrelid
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE con.contype = 'f' AND con.conparentid = 0
  AND cn.nspname = ANY(%(schemas)s) AND pn.nspname = ANY(%(schemas)s)
ORDER BY 1, 2, 3, 4
