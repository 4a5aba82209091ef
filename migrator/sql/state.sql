-- The migrator's own bookkeeping on the target, in schema pgcutover (contracts ignore it;
-- `pgcutover cleanup` drops it). One job per target database.
CREATE SCHEMA IF NOT EXISTS pgcutover;
CREATE TABLE IF NOT EXISTS pgcutover.job (
    id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    source_system_id text NOT NULL,
    source_db text NOT NULL,
    include_schemas text[] NOT NULL,
    exclude_schemas text[] NOT NULL,
    schema_dump bytea NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    post_data_at timestamptz,
    finished_at timestamptz
);
-- The plan the copy carried out (verify.plan.plan_to_json), so verify checks exactly what
-- moved; and when the materialized views were refreshed.
ALTER TABLE pgcutover.job ADD COLUMN IF NOT EXISTS plan jsonb;
ALTER TABLE pgcutover.job ADD COLUMN IF NOT EXISTS matviews_at timestamptz;
CREATE TABLE IF NOT EXISTS pgcutover.units (
    unit text PRIMARY KEY,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    part int NOT NULL,
    parts int NOT NULL,
    method text NOT NULL,
    key_column text,
    lower_bound bigint,
    upper_bound bigint,
    est_rows bigint NOT NULL,
    done boolean NOT NULL DEFAULT false,
    rows bigint,
    bytes bigint,
    seconds double precision,
    attempts int NOT NULL DEFAULT 0,
    source_snapshot text,
    source_time timestamptz,
    finished_at timestamptz
);
CREATE TABLE IF NOT EXISTS pgcutover.sync_marks (
    table_name text PRIMARY KEY,
    change_column text NOT NULL,
    mark timestamptz NOT NULL,
    synced_at timestamptz NOT NULL DEFAULT now()
);
