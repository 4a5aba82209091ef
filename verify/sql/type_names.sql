-- Each result column's type by name, as the server writes it: schema-qualified where the
-- (empty) search_path does not reach it, so enums, domains and arrays of them compare
-- across servers, where their OIDs differ.
SELECT pg_catalog.format_type(t.oid, NULL) AS name
FROM unnest(%(oids)s::pg_catalog.oid[]) WITH ORDINALITY AS t(oid, n)
ORDER BY t.n
