-- The current database's encoding and locale.
SELECT pg_encoding_to_char(d.encoding) AS encoding,
       d.datcollate::text AS collate,
       d.datctype::text AS ctype
FROM pg_database d
WHERE d.datname = current_database()
