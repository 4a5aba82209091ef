-- Comments on objects in scope, named by pg_identify_object (type and qualified identity).
-- Only user objects (OID >= 16384) and schemas: the built-in catalog's thousands of
-- comments are nobody's migration; nor are an extension's own (its version is compared).
SELECT o.type, o.identity, d.description
FROM pg_description d
CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) AS o
WHERE (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass)
  AND (o.schema = ANY(%(schemas)s) OR (o.type = 'schema' AND o.identity = ANY(%(schemas)s)))
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = d.classoid AND e.objid = d.objoid AND e.deptype = 'e')
ORDER BY 1, 2
