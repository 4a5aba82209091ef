-- Key paths of one JSON column in a sample of rows (the first rows the scan meets: cheap,
-- and the same rows each run while the table does not change), with how many sampled rows
-- hold each path and how many of its string values look like a phone number or an e-mail
-- (a WhatsApp id is not an e-mail). A key that is data rather than a
-- name (a base64 id, a phone number) stands as * in the path.
-- {relation} and {column} are composed as identifiers; %(rows)s bounds the sample.
WITH RECURSIVE sample AS (
    SELECT row_number() OVER () AS rid, {column}::jsonb AS doc
    FROM (SELECT {column} FROM {relation} WHERE {column} IS NOT NULL LIMIT %(rows)s) s
), walk(rid, path, key, value, depth) AS (
    SELECT rid, ''::text, NULL::text, doc, 0 FROM sample
    UNION ALL
    SELECT w.rid,
           CASE WHEN c.key IS NULL THEN w.path || '[]'
                ELSE w.path || CASE WHEN w.path = '' THEN '' ELSE '.' END
                     || CASE WHEN c.key ~ '^[A-Za-z_][A-Za-z0-9_]*$' THEN c.key ELSE '*' END
           END,
           coalesce(c.key, w.key),
           c.value,
           w.depth + 1
    FROM walk w
    CROSS JOIN LATERAL (
        SELECT e.key, e.value
        FROM jsonb_each(CASE WHEN jsonb_typeof(w.value) = 'object' THEN w.value END) e
        UNION ALL
        SELECT NULL, a.value
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(w.value) = 'array' THEN w.value END) a
    ) c
    WHERE w.depth < 8
)
SELECT path,
       key,
       count(DISTINCT rid) AS rows,
       count(*) FILTER (WHERE jsonb_typeof(value) = 'string') AS strings,
       count(*) FILTER (WHERE jsonb_typeof(value) IN ('string', 'number')) AS scalars,
       count(*) FILTER (WHERE jsonb_typeof(value) = 'string' AND value #>> '{{}}' ~ %(phone)s) AS phones,
       count(*) FILTER (WHERE jsonb_typeof(value) = 'string' AND value #>> '{{}}' ~ %(email)s
                             AND value #>> '{{}}' !~ %(whatsapp)s) AS emails
FROM walk
WHERE depth > 0
GROUP BY path, key
ORDER BY path
LIMIT 1000
