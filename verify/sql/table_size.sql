-- Estimated rows and bytes of a table: its own for a plain table or a partition, its
-- leaves' for a partitioned parent (which holds no rows itself).
SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint AS est_rows,
       coalesce(sum(pg_relation_size(c.oid)), 0)::bigint AS bytes
FROM pg_class c
WHERE (c.oid = %(relation)s::regclass AND c.relkind <> 'p')
   OR c.oid IN (SELECT relid FROM pg_partition_tree(%(relation)s::regclass) WHERE isleaf)
