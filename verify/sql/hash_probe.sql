-- One fixed row of the types tables hold most, hashed by value: the same number on two
-- servers means their typed row hashes can be compared.
SELECT pg_catalog.hash_record_extended(ROW(
    9007199254740993::bigint, 'Ёлка ❤️ '::text, 10.50::numeric(10, 2),
    '2026-11-19 18:42:07.123456+00'::timestamptz, '{"b": [1.10, null], "a": "x"}'::jsonb::text,
    ARRAY['a', NULL, '']::text[], '\x00ff5c'::bytea, 0.30000000000000004::float8, true,
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL::text, 42::int4, 7::int2,
    '2026-11-20'::date, '10:30:00.000001'::time, '2026-11-20 10:00'::timestamp,
    'x'::varchar(10), 1.5::float4
), 0) AS probe
