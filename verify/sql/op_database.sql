-- The current database's encoding and locale, as the application's sessions get them.
-- to_jsonb reads columns that differ by version (daticulocale 15-16, datlocale 17+).
SELECT pg_encoding_to_char(d.encoding) AS encoding,
       d.datcollate::text AS collate,
       d.datctype::text AS ctype,
       coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') AS provider,
       coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale', '') AS locale
FROM pg_database d
WHERE d.datname = current_database()
