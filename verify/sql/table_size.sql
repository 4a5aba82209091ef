-- Estimated rows and bytes of a table's leaves (a partitioned parent has none of its own).
SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint AS est_rows,
       coalesce(sum(pg_relation_size(c.oid)), 0)::bigint AS bytes
FROM pg_partition_tree(%(relation)s::regclass) AS p
JOIN pg_class c ON c.oid = p.relid
WHERE p.isleaf
