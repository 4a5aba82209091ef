-- Names that break naive code (quoting, case, spaces, reserved words, dots, 63-byte
-- identifiers, Cyrillic) and values that break naive text handling (quotes, backslashes,
-- newlines, COPY's own markers, emoji, long text).
--
-- Sections ("-- corpus: <name>") run in order, each in its own transaction. Every row
-- is a function of its row number.

-- corpus: roles
-- Cluster-wide and possibly made already by another database on this server: tolerate
-- the duplicate, then set the attributes (idempotent).
DO $corpus$
DECLARE
    spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        ['Report Reader', 'NOLOGIN INHERIT'],
        ['AppUser', 'LOGIN NOINHERIT CONNECTION LIMIT 20']
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
GRANT "Report Reader" TO "AppUser";
ALTER ROLE "AppUser" SET search_path = "Sales Data", public;
ALTER ROLE "Report Reader" SET statement_timeout = '1min';

-- corpus: types
CREATE SCHEMA "Sales Data";
COMMENT ON SCHEMA "Sales Data" IS 'A schema whose name needs quotes';
CREATE TYPE "Sales Data"."Order Status" AS ENUM (
    'new', 'it''s shipped', 'with space', 'comma,here', '"quoted"', 'back\slash', 'ÜMLAUT', 'NULL', 'эмодзи 🎉'
);

-- corpus: tables
CREATE TABLE "Sales Data"."MixedCase" (
    "Id" integer PRIMARY KEY,
    "CamelColumn" text,
    lower_col text,
    "UPPER" text NOT NULL DEFAULT 'It''s "default"',
    "say ""hi""" text,
    "a.b" integer,
    "$dollar" numeric(12, 2),
    "trailing space " text,
    "Status" "Sales Data"."Order Status" NOT NULL DEFAULT 'new'
);
COMMENT ON COLUMN "Sales Data"."MixedCase"."say ""hi""" IS 'A column name holding double quotes';

CREATE TABLE "Sales Data"."order items" (
    "order id" integer NOT NULL REFERENCES "Sales Data"."MixedCase" ("Id") ON DELETE CASCADE,
    "line no" integer NOT NULL,
    "unit price" numeric(10, 2) NOT NULL,
    qty integer NOT NULL DEFAULT 1,
    "Status" "Sales Data"."Order Status" NOT NULL,
    PRIMARY KEY ("order id", "line no")
);

CREATE TABLE public."select" (
    "order" integer PRIMARY KEY,
    "from" text,
    "user" text,
    "group" text,
    "table" jsonb,
    "check" boolean,
    "null" text
);
COMMENT ON TABLE public."select" IS 'It''s a "reserved" word; back\slash; новая строка:
вторая';

-- The 63-byte maximum for a table, a column, an index and a constraint.
CREATE TABLE public.table_name_at_the_sixty_three_byte_limit_of_postgres_identifier (
    column_name_at_the_sixty_three_byte_limit_of_postgres_identifie integer PRIMARY KEY,
    value text,
    CONSTRAINT check_name_at_the_sixty_three_byte_limit_of_postgres_identifier
        CHECK (column_name_at_the_sixty_three_byte_limit_of_postgres_identifie > 0)
);
CREATE INDEX index_name_at_the_sixty_three_byte_limit_of_postgres_identifier
    ON public.table_name_at_the_sixty_three_byte_limit_of_postgres_identifier (value);

CREATE TABLE public."клиенты" (
    "ид" serial PRIMARY KEY,
    "имя" text NOT NULL,
    "телефон" text,
    "заметки" jsonb,
    CONSTRAINT "имя_не_пустое" CHECK ("имя" <> '')
);
-- 63 bytes of mostly two-byte letters: a truncation that cuts a letter in half breaks it.
CREATE INDEX "индекс_клиентов_по_имени_xxxxxxxxxxxxxxxxx" ON public."клиенты" ("имя");

CREATE TABLE public."dotted.name" (id integer PRIMARY KEY, "x.y" text);

CREATE SEQUENCE "Sales Data"."Invoice Numbers" START 1000;

-- corpus: data
INSERT INTO "Sales Data"."MixedCase"
SELECT n,
       CASE n % 10
           WHEN 0 THEN 'plain ' || n
           WHEN 1 THEN 'single '' quote ' || n
           WHEN 2 THEN 'double " quote ' || n
           WHEN 3 THEN E'back\\slash \\N ' || n
           WHEN 4 THEN E'new\nline\r\nand\ttab ' || n
           WHEN 5 THEN E'copy end marker\n\\.\nafter ' || n
           WHEN 6 THEN 'emoji 🎉👩‍👩‍👧 ' || n
           WHEN 7 THEN 'combining é vs é, RTL مرحبا ' || n
           WHEN 8 THEN 'NULL'
           ELSE ''
       END,
       CASE WHEN n % 7 = 0 THEN NULL ELSE lower('Lower ' || n) END,
       upper('upper ' || n),
       '"' || n || '"',
       n % 13,
       n * 10.25,
       CASE WHEN n % 2 = 0 THEN ' padded ' || n || '  ' END,
       (enum_range(NULL::"Sales Data"."Order Status"))[1 + n % 9]
FROM generate_series(1, 400) AS n;
-- One long value, stored out of line (TOAST).
UPDATE "Sales Data"."MixedCase" SET lower_col = repeat('long ✓ ', 20000) WHERE "Id" = 400;

INSERT INTO "Sales Data"."order items"
SELECT 1 + (n - 1) / 3, 1 + (n - 1) % 3, round(n * 0.37, 2), 1 + n % 4,
       (enum_range(NULL::"Sales Data"."Order Status"))[1 + n % 9]
FROM generate_series(1, 1200) AS n;

INSERT INTO public."select"
SELECT n, 'from ' || n, CASE WHEN n % 3 = 0 THEN 'user "' || n || '"' END, 'group\' || n,
       jsonb_build_object('select', n, 'from', 'where', 'quote''s', E'line\nbreak', 'nested', jsonb_build_object('"k"', NULL)),
       CASE WHEN n % 4 = 0 THEN NULL ELSE n % 2 = 0 END,
       CASE n % 3 WHEN 0 THEN 'NULL' WHEN 1 THEN NULL ELSE '\N' END
FROM generate_series(1, 300) AS n;

INSERT INTO public.table_name_at_the_sixty_three_byte_limit_of_postgres_identifier
SELECT n, 'value ' || n FROM generate_series(1, 200) AS n;

INSERT INTO public."клиенты" ("имя", "телефон", "заметки")
SELECT (ARRAY['Анна', 'Пётр', 'Ёлка', 'Юлия', 'Щукин', 'Эльвира', 'Ярослав'])[1 + n % 7] || ' ' || n,
       CASE WHEN n % 5 = 0 THEN NULL ELSE '+7 (9' || lpad((n * 37 % 100)::text, 2, '0') || ') ' || lpad((n * 7919 % 10000000)::text, 7, '0') END,
       jsonb_build_object('комментарий', 'клиент №' || n, 'теги', jsonb_build_array('постоянный', n % 2 = 0))
FROM generate_series(1, 500) AS n;

INSERT INTO public."dotted.name" SELECT n, 'x.' || n || '.y' FROM generate_series(1, 50) AS n;

SELECT setval('"Sales Data"."Invoice Numbers"', 1234);

-- corpus: objects
CREATE FUNCTION "Sales Data"."Compute Total!"("order id" integer, "Мультипликатор" numeric DEFAULT 1)
    RETURNS numeric
    LANGUAGE sql STABLE
    AS $$
    SELECT sum(i."unit price" * i.qty) * "Мультипликатор"
    FROM "Sales Data"."order items" AS i
    WHERE i."order id" = "Compute Total!"."order id"
$$;
COMMENT ON FUNCTION "Sales Data"."Compute Total!"(integer, numeric) IS 'Name with a space and "!"';

CREATE FUNCTION "Sales Data"."Touch ""Row"""() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW."UPPER" := upper(NEW."UPPER");
    RETURN NEW;
END
$$;
CREATE TRIGGER "Touch ""Row""" BEFORE UPDATE ON "Sales Data"."MixedCase"
    FOR EACH ROW EXECUTE FUNCTION "Sales Data"."Touch ""Row"""();

CREATE VIEW "Sales Data"."v: open lines" AS
SELECT i."order id", i."line no", i."unit price" * i.qty AS "line total", m."CamelColumn"
FROM "Sales Data"."order items" AS i JOIN "Sales Data"."MixedCase" AS m ON m."Id" = i."order id"
WHERE i."Status" IN ('new', 'it''s shipped');

CREATE MATERIALIZED VIEW "Sales Data"."Monthly Report (v2)" AS
SELECT i."Status", count(*) AS "Lines", sum(i."unit price" * i.qty) AS "Total, RUB"
FROM "Sales Data"."order items" AS i
GROUP BY i."Status";
CREATE UNIQUE INDEX "Monthly Report (v2) key" ON "Sales Data"."Monthly Report (v2)" ("Status");

ALTER TABLE "Sales Data"."order items" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Readers see 'new' lines" ON "Sales Data"."order items"
    FOR SELECT TO "Report Reader" USING ("Status" = 'new');

GRANT USAGE ON SCHEMA "Sales Data" TO "Report Reader", "AppUser";
GRANT SELECT ON "Sales Data"."MixedCase", "Sales Data"."Monthly Report (v2)", public."клиенты" TO "Report Reader";
GRANT SELECT ("order id", "unit price") ON "Sales Data"."order items" TO "Report Reader";
GRANT INSERT, UPDATE ON "Sales Data"."MixedCase" TO "AppUser";
GRANT USAGE ON SEQUENCE "Sales Data"."Invoice Numbers" TO "AppUser";
GRANT EXECUTE ON FUNCTION "Sales Data"."Compute Total!"(integer, numeric) TO "AppUser";
ALTER TABLE public."select" OWNER TO "AppUser";

ANALYZE;
