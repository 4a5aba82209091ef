-- A Supabase project as its own init scripts and migrations leave it (supabase/postgres,
-- migrations/db/init-scripts/*.sql and migrations/db/migrations/*.sql), with a small
-- booking application on top in public.
--
-- Sections ("-- corpus: <name> [when contrib|core]") run in order, each in its own
-- transaction; `when contrib` sections run only on servers with pgcrypto and uuid-ossp
-- (Debian's PostgreSQL, not the embedded wheel), `when core` ones only on the others.
-- Every row is a function of its row number: no random(), no now() in data.

-- corpus: roles
-- Roles are cluster-wide and another database on this server may have made them already
-- (or be making them right now: the second CREATE then fails with unique_violation once
-- the first commits). Either way the role exists; attributes are then set idempotently.
DO $corpus$
DECLARE
    spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        -- 00000000000000-initial-schema.sql: "alter user supabase_admin with superuser ..."
        ['supabase_admin', 'SUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS LOGIN'],
        ['supabase_replication_admin', 'LOGIN REPLICATION'],
        ['supabase_read_only_user', 'LOGIN BYPASSRLS'],
        -- 20230529180330_alter_api_roles_for_inherit.sql made the API roles INHERIT
        ['anon', 'NOLOGIN INHERIT'],
        ['authenticated', 'NOLOGIN INHERIT'],
        ['service_role', 'NOLOGIN INHERIT BYPASSRLS'],
        ['authenticator', 'LOGIN NOINHERIT'],
        -- 00000000000001-auth-schema.sql and -02-storage-schema.sql
        ['supabase_auth_admin', 'LOGIN NOINHERIT CREATEROLE NOREPLICATION'],
        ['supabase_storage_admin', 'LOGIN NOINHERIT CREATEROLE NOREPLICATION'],
        -- 00000000000003-post-setup.sql
        ['dashboard_user', 'NOLOGIN NOSUPERUSER CREATEDB CREATEROLE REPLICATION']
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

GRANT pg_read_all_data TO supabase_read_only_user;
GRANT anon, authenticated, service_role TO authenticator;
-- 20231013070755_grant_authenticator_to_supabase_storage_admin.sql
GRANT authenticator TO supabase_storage_admin;
-- 20220609081115_... and 20230201083204_grant_auth_roles_to_postgres.sql
GRANT supabase_auth_admin, supabase_storage_admin TO postgres;
GRANT anon, authenticated, service_role TO postgres;

ALTER ROLE anon SET statement_timeout = '3s';
ALTER ROLE authenticated SET statement_timeout = '8s';
-- 20221028101028_set_authenticator_timeout.sql, 20231130133139_set_lock_timeout_...
ALTER ROLE authenticator SET statement_timeout = '8s';
ALTER ROLE authenticator SET lock_timeout = '8s';
ALTER ROLE supabase_auth_admin SET search_path = auth;
ALTER ROLE supabase_storage_admin SET search_path = storage;
ALTER ROLE supabase_admin SET search_path = "$user", public, auth, extensions;
-- Set on every Supabase project (post-setup), contrib or not: a cluster-wide setting that
-- depended on which corpus database was built first would make the checks order-dependent.
ALTER ROLE postgres SET search_path = "$user", public, extensions;

-- corpus: platform
-- Supabase runs its init scripts as supabase_admin: what they create is supabase_admin's
-- unless they hand it over (ALTER ... OWNER TO supabase_auth_admin, ...).
SET LOCAL ROLE supabase_admin;

CREATE PUBLICATION supabase_realtime;

CREATE SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA extensions TO dashboard_user, postgres;

GRANT USAGE ON SCHEMA public TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;

CREATE SCHEMA auth AUTHORIZATION supabase_admin;

CREATE TABLE auth.users (
    instance_id uuid NULL,
    id uuid NOT NULL UNIQUE,
    aud varchar(255) NULL,
    "role" varchar(255) NULL,
    email varchar(255) NULL UNIQUE,
    encrypted_password varchar(255) NULL,
    confirmed_at timestamptz NULL,
    invited_at timestamptz NULL,
    confirmation_token varchar(255) NULL,
    confirmation_sent_at timestamptz NULL,
    recovery_token varchar(255) NULL,
    recovery_sent_at timestamptz NULL,
    email_change_token varchar(255) NULL,
    email_change varchar(255) NULL,
    email_change_sent_at timestamptz NULL,
    last_sign_in_at timestamptz NULL,
    raw_app_meta_data jsonb NULL,
    raw_user_meta_data jsonb NULL,
    is_super_admin bool NULL,
    created_at timestamptz NULL,
    updated_at timestamptz NULL,
    phone text NULL UNIQUE DEFAULT NULL,
    phone_confirmed_at timestamptz NULL,
    banned_until timestamptz NULL,
    deleted_at timestamptz NULL,
    is_anonymous boolean NOT NULL DEFAULT false,
    CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE INDEX users_instance_id_email_idx ON auth.users USING btree (instance_id, email);
CREATE INDEX users_instance_id_idx ON auth.users USING btree (instance_id);
COMMENT ON TABLE auth.users IS 'Auth: Stores user login data within a secure schema.';

CREATE TABLE auth.refresh_tokens (
    instance_id uuid NULL,
    id bigserial NOT NULL,
    "token" varchar(255) NULL,
    user_id varchar(255) NULL,
    revoked bool NULL,
    created_at timestamptz NULL,
    updated_at timestamptz NULL,
    parent varchar(255) NULL,
    CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id)
);
CREATE INDEX refresh_tokens_instance_id_idx ON auth.refresh_tokens USING btree (instance_id);
CREATE INDEX refresh_tokens_instance_id_user_id_idx ON auth.refresh_tokens USING btree (instance_id, user_id);
CREATE INDEX refresh_tokens_token_idx ON auth.refresh_tokens USING btree (token);
COMMENT ON TABLE auth.refresh_tokens IS 'Auth: Store of tokens used to refresh JWT tokens once they expire.';

CREATE TABLE auth.instances (
    id uuid NOT NULL,
    uuid uuid NULL,
    raw_base_config text NULL,
    created_at timestamptz NULL,
    updated_at timestamptz NULL,
    CONSTRAINT instances_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE auth.instances IS 'Auth: Manages users across multiple sites.';

CREATE TABLE auth.audit_log_entries (
    instance_id uuid NULL,
    id uuid NOT NULL,
    payload json NULL,
    created_at timestamptz NULL,
    ip_address varchar(64) NOT NULL DEFAULT '',
    CONSTRAINT audit_log_entries_pkey PRIMARY KEY (id)
);
CREATE INDEX audit_logs_instance_id_idx ON auth.audit_log_entries USING btree (instance_id);
COMMENT ON TABLE auth.audit_log_entries IS 'Auth: Audit trail for user actions.';

CREATE TABLE auth.schema_migrations (
    "version" varchar(255) NOT NULL,
    CONSTRAINT schema_migrations_pkey PRIMARY KEY ("version")
);
COMMENT ON TABLE auth.schema_migrations IS 'Auth: Manages updates to the auth system.';

-- The identities table as GoTrue's later migrations shape it (provider_id, generated email).
CREATE TABLE auth.identities (
    provider_id text NOT NULL,
    user_id uuid NOT NULL,
    identity_data jsonb NOT NULL,
    provider text NOT NULL,
    last_sign_in_at timestamptz NULL,
    created_at timestamptz NULL,
    updated_at timestamptz NULL,
    email text GENERATED ALWAYS AS (lower(identity_data ->> 'email')) STORED,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    CONSTRAINT identities_pkey PRIMARY KEY (id),
    CONSTRAINT identities_provider_id_provider_unique UNIQUE (provider_id, provider),
    CONSTRAINT identities_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE
);
CREATE INDEX identities_user_id_idx ON auth.identities USING btree (user_id);
CREATE INDEX identities_email_idx ON auth.identities USING btree (email text_pattern_ops);
COMMENT ON TABLE auth.identities IS 'Auth: Stores identities associated to a user.';
COMMENT ON COLUMN auth.identities.email IS 'Auth: Email is a generated column that references the optional email property in the identity_data';

CREATE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;
CREATE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;
CREATE FUNCTION auth.email() RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;
COMMENT ON FUNCTION auth.uid() IS 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT ALL PRIVILEGES ON SCHEMA auth TO supabase_auth_admin;
GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA auth TO supabase_auth_admin;
GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA auth TO supabase_auth_admin;
ALTER TABLE auth.users OWNER TO supabase_auth_admin;
ALTER TABLE auth.refresh_tokens OWNER TO supabase_auth_admin;
ALTER TABLE auth.audit_log_entries OWNER TO supabase_auth_admin;
ALTER TABLE auth.instances OWNER TO supabase_auth_admin;
ALTER TABLE auth.schema_migrations OWNER TO supabase_auth_admin;
ALTER TABLE auth.identities OWNER TO supabase_auth_admin;
-- 20211124212715_update-auth-owner.sql
ALTER FUNCTION auth.uid() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.role() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;
-- 20211115181400_update-auth-permissions.sql, 10000000000000_demote-postgres.sql
GRANT ALL ON SCHEMA auth TO postgres, dashboard_user;
GRANT ALL ON ALL TABLES IN SCHEMA auth TO postgres, dashboard_user;
GRANT ALL ON ALL SEQUENCES IN SCHEMA auth TO postgres, dashboard_user;
GRANT ALL ON ALL ROUTINES IN SCHEMA auth TO postgres, dashboard_user;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_auth_admin IN SCHEMA auth GRANT ALL ON TABLES TO postgres, dashboard_user;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_auth_admin IN SCHEMA auth GRANT ALL ON SEQUENCES TO postgres, dashboard_user;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_auth_admin IN SCHEMA auth GRANT ALL ON ROUTINES TO postgres, dashboard_user;

CREATE SCHEMA storage AUTHORIZATION supabase_admin;
GRANT USAGE ON SCHEMA storage TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA storage GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA storage GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA storage GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;

CREATE TABLE storage.buckets (
    id text NOT NULL,
    name text NOT NULL,
    owner uuid,
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now(),
    public boolean DEFAULT false,
    CONSTRAINT buckets_owner_fkey FOREIGN KEY (owner) REFERENCES auth.users (id),
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX bname ON storage.buckets USING btree (name);

CREATE TABLE storage.objects (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    bucket_id text,
    name text,
    owner uuid,
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now(),
    last_accessed_at timestamptz DEFAULT now(),
    metadata jsonb,
    CONSTRAINT "objects_bucketId_fkey" FOREIGN KEY (bucket_id) REFERENCES storage.buckets (id),
    CONSTRAINT objects_owner_fkey FOREIGN KEY (owner) REFERENCES auth.users (id),
    PRIMARY KEY (id)
);
CREATE UNIQUE INDEX bucketid_objname ON storage.objects USING btree (bucket_id, name);
CREATE INDEX name_prefix_search ON storage.objects (name text_pattern_ops);
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION storage.foldername(name text) RETURNS text[]
    LANGUAGE plpgsql
    AS $function$
DECLARE
    _parts text[];
BEGIN
    SELECT string_to_array(name, '/') INTO _parts;
    RETURN _parts[1:array_length(_parts, 1) - 1];
END
$function$;

CREATE FUNCTION storage.filename(name text) RETURNS text
    LANGUAGE plpgsql
    AS $function$
DECLARE
    _parts text[];
BEGIN
    SELECT string_to_array(name, '/') INTO _parts;
    RETURN _parts[array_length(_parts, 1)];
END
$function$;

CREATE FUNCTION storage.extension(name text) RETURNS text
    LANGUAGE plpgsql
    AS $function$
DECLARE
    _parts text[];
    _filename text;
BEGIN
    SELECT string_to_array(name, '/') INTO _parts;
    SELECT _parts[array_length(_parts, 1)] INTO _filename;
    RETURN split_part(_filename, '.', 2);
END
$function$;

CREATE FUNCTION storage.search(prefix text, bucketname text, limits int DEFAULT 100,
                               levels int DEFAULT 1, offsets int DEFAULT 0)
    RETURNS TABLE (name text, id uuid, updated_at timestamptz, created_at timestamptz,
                   last_accessed_at timestamptz, metadata jsonb)
    LANGUAGE sql STABLE
    AS $function$
    SELECT o.name, o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata
    FROM storage.objects AS o
    WHERE o.bucket_id = bucketname AND o.name LIKE prefix || '%'
    ORDER BY o.name
    LIMIT limits OFFSET offsets
$function$;

CREATE TABLE storage.migrations (
    id integer PRIMARY KEY,
    name varchar(100) UNIQUE NOT NULL,
    hash varchar(40) NOT NULL,
    executed_at timestamp DEFAULT current_timestamp
);

GRANT ALL PRIVILEGES ON SCHEMA storage TO supabase_storage_admin;
GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA storage TO supabase_storage_admin;
GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA storage TO supabase_storage_admin;
ALTER TABLE storage.objects OWNER TO supabase_storage_admin;
ALTER TABLE storage.buckets OWNER TO supabase_storage_admin;
ALTER TABLE storage.migrations OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.foldername(text) OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.filename(text) OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.extension(text) OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.search(text, text, int, int, int) OWNER TO supabase_storage_admin;
GRANT ALL ON SCHEMA storage TO postgres, dashboard_user;
GRANT ALL ON ALL TABLES IN SCHEMA storage TO postgres;
GRANT ALL ON ALL SEQUENCES IN SCHEMA storage TO postgres, dashboard_user;
GRANT ALL ON ALL ROUTINES IN SCHEMA storage TO postgres, dashboard_user;

-- post-setup: the pg_cron grant hook lives in extensions (an event trigger: database-wide,
-- so it stays on the source whatever moves).
CREATE FUNCTION extensions.grant_pg_cron_access() RETURNS event_trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    schema_is_cron bool;
BEGIN
    schema_is_cron = (
        SELECT n.nspname = 'cron'
        FROM pg_event_trigger_ddl_commands() AS ev
        LEFT JOIN pg_catalog.pg_namespace AS n ON ev.objid = n.oid
    );
    IF schema_is_cron THEN
        GRANT USAGE ON SCHEMA cron TO postgres WITH GRANT OPTION;
    END IF;
END;
$$;
COMMENT ON FUNCTION extensions.grant_pg_cron_access() IS 'Grants access to pg_cron';
CREATE EVENT TRIGGER issue_pg_cron_access ON ddl_command_end WHEN TAG IN ('CREATE SCHEMA')
    EXECUTE FUNCTION extensions.grant_pg_cron_access();

-- Both the wheel and Debian's PostgreSQL ship pg_stat_statements; elsewhere it is skipped.
DO $corpus$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_stat_statements') THEN
        CREATE EXTENSION pg_stat_statements WITH SCHEMA extensions;
    END IF;
END
$corpus$;

-- corpus: platform-contrib when contrib
SET LOCAL ROLE supabase_admin;
CREATE EXTENSION "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION pgcrypto WITH SCHEMA extensions;
ALTER TABLE storage.objects ALTER COLUMN id SET DEFAULT extensions.uuid_generate_v4();

-- corpus: platform-grants
SET LOCAL ROLE supabase_admin;
-- 20230224042246_grant_extensions_perms_for_postgres.sql and post-setup's dashboard_user
GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA extensions TO postgres WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON ALL ROUTINES IN SCHEMA extensions TO postgres WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA extensions TO postgres WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA extensions GRANT ALL ON TABLES TO postgres WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA extensions GRANT ALL ON ROUTINES TO postgres WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA extensions GRANT ALL ON SEQUENCES TO postgres WITH GRANT OPTION;
GRANT ALL ON ALL TABLES IN SCHEMA extensions TO dashboard_user;
GRANT ALL ON ALL SEQUENCES IN SCHEMA extensions TO dashboard_user;
GRANT ALL ON ALL ROUTINES IN SCHEMA extensions TO dashboard_user;
-- What a Supabase dump shows for the projects' own role: tables the dashboard's
-- postgres creates in public are the API roles' too (RLS decides what they see).
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;

-- corpus: app
-- The application: a booking service for small businesses, made by `postgres` in the
-- dashboard. It depends on auth (foreign keys, policies calling auth.uid(), a trigger on
-- auth.users) and, on contrib servers, on extensions (defaults); nothing of it depends
-- on storage, so storage stays behind.
CREATE TYPE public.booking_status AS ENUM ('pending', 'confirmed', 'done', 'cancelled', 'no_show');

CREATE TABLE public.companies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{3,40}$'),
    name text NOT NULL,
    timezone text NOT NULL DEFAULT 'Europe/Moscow',
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.profiles (
    id uuid NOT NULL PRIMARY KEY REFERENCES auth.users ON DELETE CASCADE,
    company_id uuid REFERENCES public.companies,
    full_name text,
    username text UNIQUE,
    phone text,
    avatar_url text,
    website text,
    updated_at timestamptz,
    CONSTRAINT username_length CHECK (char_length(username) >= 3)
);

CREATE TABLE public.clients (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES public.companies,
    full_name text NOT NULL,
    phone text NOT NULL,
    email text,
    birthday date,
    tags text[] NOT NULL DEFAULT '{}',
    notes jsonb,
    created_by uuid REFERENCES auth.users,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, phone)
);
CREATE INDEX clients_lower_name_idx ON public.clients (lower(full_name));

CREATE TABLE public.services (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES public.companies,
    title text NOT NULL,
    duration interval NOT NULL,
    price numeric(10, 2) NOT NULL CHECK (price >= 0)
);

CREATE TABLE public.bookings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id uuid NOT NULL REFERENCES public.companies,
    client_id bigint NOT NULL REFERENCES public.clients,
    staff_id uuid REFERENCES public.profiles,
    service_id integer NOT NULL REFERENCES public.services,
    starts_at timestamptz NOT NULL,
    status public.booking_status NOT NULL DEFAULT 'pending',
    price numeric(10, 2) NOT NULL,
    meta jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_company_starts_idx ON public.bookings (company_id, starts_at);
CREATE INDEX bookings_open_idx ON public.bookings (starts_at) WHERE status IN ('pending', 'confirmed');

CREATE TABLE public.api_keys (
    id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES public.companies,
    label text NOT NULL,
    token text NOT NULL DEFAULT encode(sha256(random()::text::bytea), 'hex'),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Supabase's documented pattern: a profile for every new auth user, made by a trigger
-- on auth.users (SECURITY DEFINER, empty search_path). Values come from the new row only.
CREATE FUNCTION public.handle_new_user() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
    AS $$
BEGIN
    INSERT INTO public.profiles (id, company_id, full_name, username, phone, updated_at)
    VALUES (
        NEW.id,
        (NEW.raw_user_meta_data ->> 'company_id')::uuid,
        NEW.raw_user_meta_data ->> 'full_name',
        NEW.raw_user_meta_data ->> 'user_name',
        NEW.phone,
        NEW.created_at
    );
    RETURN NEW;
END
$$;
CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users
    FOR EACH ROW EXECUTE FUNCTION public.handle_new_user();

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER bookings_touch BEFORE UPDATE ON public.bookings
    FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE FUNCTION public.my_company() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
    AS $$
    SELECT p.company_id FROM public.profiles AS p WHERE p.id = (SELECT auth.uid())
$$;
REVOKE EXECUTE ON FUNCTION public.my_company() FROM anon;

ALTER TABLE public.companies ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.services ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.bookings ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;

CREATE POLICY "Companies are visible to everyone." ON public.companies
    FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY "Public profiles are viewable by everyone." ON public.profiles
    FOR SELECT USING (true);
CREATE POLICY "Users can insert their own profile." ON public.profiles
    FOR INSERT WITH CHECK ((SELECT auth.uid()) = id);
CREATE POLICY "Users can update own profile." ON public.profiles
    FOR UPDATE USING ((SELECT auth.uid()) = id);
CREATE POLICY "Staff read their company's clients" ON public.clients
    FOR SELECT TO authenticated USING (company_id = public.my_company());
CREATE POLICY "Staff add clients" ON public.clients
    FOR INSERT TO authenticated WITH CHECK (created_by = (SELECT auth.uid()));
CREATE POLICY "Services are public" ON public.services
    FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY "Staff manage their bookings" ON public.bookings
    FOR ALL TO authenticated USING (staff_id = (SELECT auth.uid()))
    WITH CHECK (company_id = public.my_company());
-- api_keys: no policy at all; only service_role (BYPASSRLS) reads them.

-- The application's own policies on storage.objects (Supabase's avatar quickstart). They
-- live on storage's table: the application depends on nothing in storage for them.
CREATE POLICY "Avatar images are publicly accessible." ON storage.objects
    FOR SELECT USING (bucket_id = 'avatars');
CREATE POLICY "Anyone can upload an avatar." ON storage.objects
    FOR INSERT WITH CHECK (bucket_id = 'avatars');
CREATE POLICY "Users can update own avatar." ON storage.objects
    FOR UPDATE TO authenticated USING ((SELECT auth.uid()) = owner)
    WITH CHECK (bucket_id = 'avatars');

-- corpus: app-contrib when contrib
ALTER TABLE public.companies ALTER COLUMN id SET DEFAULT extensions.uuid_generate_v4();
ALTER TABLE public.bookings ALTER COLUMN id SET DEFAULT extensions.gen_random_uuid();
ALTER TABLE public.api_keys ALTER COLUMN token SET DEFAULT encode(extensions.gen_random_bytes(24), 'hex');

-- corpus: data
INSERT INTO auth.instances (id, uuid, raw_base_config, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000000', '8c2b5b2e-0d1e-4a44-9a43-4a0d6b2f9b11',
        '{"site_url":"https://booking.example.ru"}',
        '2023-11-01 09:00:00+00', '2023-11-01 09:00:00+00');

INSERT INTO auth.schema_migrations (version)
SELECT to_char(timestamp '2021-01-01 00:00:00' + n * interval '9 days 3 hours 17 minutes', 'YYYYMMDDHH24MISS')
FROM generate_series(1, 40) AS n;

INSERT INTO public.companies (id, slug, name, timezone, settings, created_at) VALUES
    ('5e1b2a10-0000-4000-8000-000000000001', 'studio-lotos', 'Студия «Лотос»', 'Europe/Moscow',
     '{"currency": "RUB", "reminders": {"hours_before": [24, 2]}, "whatsapp": true}', '2023-11-02 10:00:00+00'),
    ('5e1b2a10-0000-4000-8000-000000000002', 'barber-north', 'Barber North', 'Asia/Yekaterinburg',
     '{"currency": "RUB", "reminders": {"hours_before": [3]}, "whatsapp": false, "rating": 4.80}', '2023-12-15 07:30:00+00'),
    ('5e1b2a10-0000-4000-8000-000000000003', 'nails-and-co', 'Nails & Co', 'Europe/Kaliningrad',
     '{"currency": "EUR", "reminders": null, "tags": []}', '2024-02-01 12:00:00+00');

INSERT INTO public.services (company_id, title, duration, price)
SELECT ('5e1b2a10-0000-4000-8000-00000000000' || (1 + n % 3))::uuid,
       (ARRAY['Стрижка', 'Окрашивание', 'Маникюр', 'Педикюр', 'Укладка', 'Массаж'])[1 + n % 6] || ' #' || n,
       make_interval(mins => 30 + 15 * (n % 5)),
       round(900 + n * 137.5, 2)
FROM generate_series(1, 30) AS n;

-- 600 users; the trigger gives each a profile.
INSERT INTO auth.users (instance_id, id, aud, role, email, encrypted_password, confirmed_at,
    confirmation_token, last_sign_in_at, raw_app_meta_data, raw_user_meta_data, is_super_admin,
    created_at, updated_at, phone, phone_confirmed_at)
SELECT '00000000-0000-0000-0000-000000000000',
       md5('auth.users/' || n)::uuid,
       'authenticated', 'authenticated',
       'user' || n || '@' || (ARRAY['mail.ru', 'yandex.ru', 'example.com', 'gmail.com'])[1 + n % 4],
       '$2a$10$' || substr(md5('pw/' || n) || md5('salt/' || n), 1, 53),
       CASE WHEN n % 7 = 0 THEN NULL ELSE timestamptz '2024-01-01 08:00:00+00' + n * interval '97 minutes' END,
       '',
       timestamptz '2024-06-01 00:00:00+00' + n * interval '13 minutes',
       jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')),
       jsonb_build_object(
           'full_name', (ARRAY['Анна', 'Мария', 'Елена', 'Ольга', 'Ирина', 'Дмитрий', 'Алексей', 'Сергей', 'Иван', 'Павел', 'Zoë', 'John'])[1 + n % 12]
               || ' ' || (ARRAY['Иванова', 'Петрова', 'Смирнова', 'Кузнецова', 'Попов', 'Соколов', 'Лебедев', 'O''Brien', 'Müller'])[1 + (n * 7) % 9],
           'user_name', 'user_' || n,
           'company_id', '5e1b2a10-0000-4000-8000-00000000000' || (1 + n % 3),
           'email_verified', n % 7 <> 0
       ),
       n = 1,
       timestamptz '2024-01-01 08:00:00+00' + n * interval '97 minutes',
       timestamptz '2024-01-01 08:00:00+00' + n * interval '97 minutes' + interval '1 day',
       '79' || lpad(((n * 7919) % 1000000000)::text, 9, '0'),
       CASE WHEN n % 3 = 0 THEN timestamptz '2024-01-02 08:00:00+00' + n * interval '97 minutes' END
FROM generate_series(1, 600) AS n;

UPDATE public.profiles
SET avatar_url = 'avatars/' || id || '.png', website = 'https://example.com/~' || username
WHERE right(username, 1) IN ('1', '5');

INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, id)
SELECT u.id::text, u.id,
       jsonb_build_object('sub', u.id::text, 'email', upper(u.email), 'email_verified', u.confirmed_at IS NOT NULL, 'phone_verified', false),
       'email', u.last_sign_in_at, u.created_at, u.updated_at,
       md5('auth.identities/' || u.email)::uuid
FROM auth.users AS u;

INSERT INTO auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent)
SELECT '00000000-0000-0000-0000-000000000000',
       substr(md5('token/' || n), 1, 22),
       md5('auth.users/' || (1 + n % 600))::uuid::text,
       n % 4 = 0,
       timestamptz '2024-06-01 00:00:00+00' + n * interval '7 minutes',
       timestamptz '2024-06-01 00:00:00+00' + n * interval '7 minutes',
       CASE WHEN n > 600 THEN substr(md5('token/' || (n - 600)), 1, 22) END
FROM generate_series(1, 900) AS n;

INSERT INTO auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
SELECT '00000000-0000-0000-0000-000000000000',
       md5('audit/' || n)::uuid,
       json_build_object('action', (ARRAY['login', 'logout', 'token_refreshed', 'user_signedup'])[1 + n % 4],
                         'actor_id', md5('auth.users/' || (1 + n % 600))::uuid,
                         'log_type', 'account', 'traits', json_build_object('provider', 'email')),
       timestamptz '2024-06-01 00:00:00+00' + n * interval '11 minutes',
       '10.0.' || (n % 256) || '.' || (n * 3 % 256)
FROM generate_series(1, 300) AS n;

INSERT INTO public.clients (company_id, full_name, phone, email, birthday, tags, notes, created_by, created_at)
SELECT ('5e1b2a10-0000-4000-8000-00000000000' || (1 + n % 3))::uuid,
       (ARRAY['Анна', 'Мария', 'Елена', 'Ольга', 'Ирина', 'Наталья', 'Татьяна', 'Светлана', 'Дмитрий', 'Алексей', 'Сергей', 'Андрей'])[1 + n % 12]
           || ' ' || (ARRAY['Иванова', 'Петрова', 'Смирнова', 'Кузнецова', 'Попова', 'Соколова', 'Лебедева', 'Козлова', 'Новикова', 'Морозова', 'Волкова'])[1 + (n * 5) % 11],
       '+7 9' || lpad(((n * 104729) % 1000000000)::text, 9, '0'),
       CASE WHEN n % 5 = 0 THEN NULL ELSE 'client' || n || '@example.ru' END,
       CASE WHEN n % 4 = 0 THEN NULL ELSE date '1960-01-01' + (n * 37) % 18000 END,
       CASE n % 3 WHEN 0 THEN '{}'::text[] WHEN 1 THEN ARRAY['vip'] ELSE ARRAY['new', 'whatsapp'] END,
       CASE WHEN n % 6 = 0 THEN NULL
            ELSE jsonb_build_object('allergies', CASE WHEN n % 2 = 0 THEN '[]'::jsonb ELSE '["латекс"]'::jsonb END,
                                    'visits', n % 17, 'discount', (n % 10) / 100.0, 'source', 'whatsapp') END,
       md5('auth.users/' || (1 + n % 600))::uuid,
       timestamptz '2024-01-05 09:00:00+00' + n * interval '53 minutes'
FROM generate_series(1, 1500) AS n;

INSERT INTO public.bookings (id, company_id, client_id, staff_id, service_id, starts_at, status, price, meta, updated_at)
SELECT md5('public.bookings/' || n)::uuid,
       c.company_id, c.id,
       md5('auth.users/' || (1 + (n * 13) % 600))::uuid,
       s.id,
       timestamptz '2024-03-01 07:00:00+00' + n * interval '2 hours 10 minutes',
       (ARRAY['pending', 'confirmed', 'done', 'done', 'cancelled', 'no_show'])[1 + n % 6]::public.booking_status,
       s.price,
       jsonb_build_object('channel', (ARRAY['whatsapp', 'web', 'phone'])[1 + n % 3], 'reminded', n % 2 = 0),
       timestamptz '2024-02-28 12:00:00+00' + n * interval '2 hours'
FROM generate_series(1, 2400) AS n
JOIN public.clients AS c ON c.id = 1 + (n * 7) % 1500
JOIN LATERAL (
    SELECT sv.id, sv.price FROM public.services AS sv
    WHERE sv.company_id = c.company_id ORDER BY sv.id OFFSET n % 10 LIMIT 1
) AS s ON true;

INSERT INTO public.api_keys (company_id, label, token, created_at)
SELECT ('5e1b2a10-0000-4000-8000-00000000000' || (1 + n % 3))::uuid,
       'key ' || n, md5('api-key/' || n) || md5('api-key-2/' || n),
       timestamptz '2024-04-01 00:00:00+00' + n * interval '1 day'
FROM generate_series(1, 6) AS n;

INSERT INTO storage.buckets (id, name, owner, created_at, updated_at, public) VALUES
    ('avatars', 'avatars', NULL, '2023-11-02 10:05:00+00', '2023-11-02 10:05:00+00', true),
    ('documents', 'documents', md5('auth.users/1')::uuid, '2023-11-03 10:05:00+00', '2023-11-03 10:05:00+00', false);

INSERT INTO storage.objects (id, bucket_id, name, owner, created_at, updated_at, last_accessed_at, metadata)
SELECT md5('storage.objects/' || n)::uuid,
       CASE WHEN n <= 700 THEN 'avatars' ELSE 'documents' END,
       CASE WHEN n <= 700 THEN 'public/' || md5('auth.users/' || (1 + n % 600))::uuid || '/avatar-' || n || '.png'
            ELSE 'contracts/2024/contract-' || n || '.pdf' END,
       md5('auth.users/' || (1 + n % 600))::uuid,
       timestamptz '2024-05-01 00:00:00+00' + n * interval '17 minutes',
       timestamptz '2024-05-01 00:00:00+00' + n * interval '17 minutes',
       timestamptz '2024-05-02 00:00:00+00' + n * interval '17 minutes',
       jsonb_build_object('size', 1000 + n * 31, 'mimetype', CASE WHEN n <= 700 THEN 'image/png' ELSE 'application/pdf' END,
                          'eTag', '"' || md5('etag/' || n) || '"', 'cacheControl', 'max-age=3600')
FROM generate_series(1, 750) AS n;

INSERT INTO storage.migrations (id, name, hash, executed_at)
SELECT n, (ARRAY['create-migrations-table', 'initialmigration', 'storage-schema', 'pathtoken-column', 'add-migrations-rls', 'add-size-functions'])[n + 1],
       substr(md5('storage-migration/' || n), 1, 40), timestamp '2023-11-01 09:00:00' + n * interval '1 minute'
FROM generate_series(0, 5) AS n;

-- corpus: views
CREATE VIEW public.client_overview WITH (security_invoker = true) AS
SELECT c.id, c.company_id, c.full_name, c.phone, count(b.id) AS bookings, max(b.starts_at) AS last_visit
FROM public.clients AS c
LEFT JOIN public.bookings AS b ON b.client_id = c.id
GROUP BY c.id;

-- Populated: the dashboard's revenue chart reads it.
CREATE MATERIALIZED VIEW public.company_daily_revenue AS
SELECT b.company_id, (b.starts_at AT TIME ZONE 'UTC')::date AS day, count(*) AS bookings, sum(b.price) AS revenue
FROM public.bookings AS b
WHERE b.status IN ('confirmed', 'done')
GROUP BY 1, 2;
CREATE UNIQUE INDEX company_daily_revenue_key ON public.company_daily_revenue (company_id, day);

-- Never populated on the source: a copy must not populate it either.
CREATE MATERIALIZED VIEW public.client_search AS
SELECT c.id, c.company_id, to_tsvector('simple', c.full_name || ' ' || coalesce(c.email, '')) AS doc
FROM public.clients AS c
WITH NO DATA;

ANALYZE;
