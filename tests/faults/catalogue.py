"""The fault catalogue: faults and benign changes per database, and how a run is judged.

Each fault damages one object of a correct copy and names the contract family that must
catch it and the object its failure must name (the id's bracket: `public.clients`,
`public.services.services_duration_check`, `client_ratings` for a query). Faults of one
database touch disjoint (family, object) pairs, so one verify of a target holding all of
them attributes every failure to exactly one fault; a failure no fault accounts for is a
false positive. Benign changes (the same Buffer bytes in another shape, a VACUUM FULL, a
sequence ahead of its data, ...) go together into another copy, whose verify must be GO.

A fault whose family (or the behaviour that catches it) is not on main yet carries the
issue that brings it (`pending`): its row says so and its test is an expected failure
until that issue lands.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from psycopg import sql

from pgcutover.runner import contracts_dir
from verify.connect import Endpoint

Statement = str | Callable[[Endpoint], sql.Composable]
Pair = tuple[str, str]  # (family, object)

ROWS = "Row parity"
BUFFERS = "Buffer parity"
SCHEMA = "Schema"
SEQUENCES = "Sequences"
QUERIES = "Queries"
ROLES = "Roles"
RESIDENCY = "Residency"
OPERATIONAL = "Operational readiness"

ISSUE_11 = "issue 11 (residency and operational contracts) is not on main yet"


def family_landed(family: str) -> bool:
    """Whether main has the contracts of `family` (those of issue 11 come in files of
    their own)."""
    files = {RESIDENCY: "test_residency.py", OPERATIONAL: "test_operational.py"}
    return family not in files or (contracts_dir() / files[family]).exists()


@dataclass(frozen=True)
class Fault:
    """Damage to one object and the family that must catch it, naming that object."""

    name: str
    family: str
    obj: str
    target: tuple[Statement, ...]
    source: tuple[Statement, ...] = ()  # to give the source the value the target then lacks
    also: tuple[Pair, ...] = ()  # other failures the damage may cause, (family, object)
    role: str | None = None  # a cluster-wide role the damage changes: restored afterwards
    pending: str | None = None  # the issue that brings what catches it, while not on main
    versions: tuple[str, ...] = ("same", "cross")

    def expected_pending(self) -> str | None:
        """Why this fault may go uncaught on this checkout, or None."""
        if not family_landed(self.family):
            return ISSUE_11
        return self.pending

    def allowed(self) -> set[Pair]:
        """Every (family, object) failure this fault accounts for: its own, the declared
        ones, and residency of a table whose rows it changes (every personal-data table is
        row-complete only when its row parity passes)."""
        pairs = {(self.family, self.obj), *self.also}
        pairs |= {(RESIDENCY, obj) for fam, obj in pairs if fam == ROWS}
        return pairs


@dataclass(frozen=True)
class Benign:
    """A change the gate must not fail on, and where a false alarm would show."""

    name: str
    objects: tuple[Pair, ...]
    target: tuple[Statement, ...] = ()
    source: tuple[Statement, ...] = ()
    outside: tuple[str, ...] = ()  # statements that refuse a transaction (VACUUM FULL)
    accepted: tuple[tuple[str, str], ...] = ()  # [[schema.accepted]] (object, reason)
    pending: str | None = None


@dataclass(frozen=True)
class Catalogue:
    """One database's faults and benign changes."""

    db: str
    faults: tuple[Fault, ...]
    benign: tuple[Benign, ...]
    verify_flags: tuple[str, ...] = ()

    def faults_for(self, version: str) -> tuple[Fault, ...]:
        """The faults that apply to a version ("same" or "cross")."""
        return tuple(f for f in self.faults if version in f.versions)


def alter_database(setting: str) -> Callable[[Endpoint], sql.Composable]:
    """`ALTER DATABASE <the damaged database> SET <setting>`."""
    return lambda ep: sql.SQL("ALTER DATABASE {} SET {}").format(
        sql.Identifier(ep.dbname), sql.SQL(setting)
    )


def _one(table: str, where: str = "true", order: str = "ctid") -> str:
    """A predicate picking one row of `table`: `ctid = (SELECT ctid ... LIMIT 1)`."""
    return f"ctid = (SELECT ctid FROM {table} WHERE {where} ORDER BY {order} LIMIT 1)"


# --- the demo ---------------------------------------------------------------------------
DEMO_FAULTS = (
    Fault(
        "row deleted",
        ROWS,
        "public.staff_schedules",
        (f"DELETE FROM public.staff_schedules WHERE {_one('public.staff_schedules', order='id')}",),
    ),
    Fault(
        "row added",
        ROWS,
        "public.companies",
        ("INSERT INTO public.companies (id, name) VALUES ('rogue-tenant', 'Rogue')",),
    ),
    Fault(
        "text changed",
        ROWS,
        "public.services",
        (
            "UPDATE public.services SET description = coalesce(description, '') || ' (edited)'"
            f" WHERE {_one('public.services', order='id')}",
        ),
    ),
    Fault(
        "NULL became ''",
        ROWS,
        "public.bookings",
        (
            "UPDATE public.bookings SET comment = ''"
            f" WHERE {_one('public.bookings', 'comment IS NULL', 'id')}",
        ),
    ),
    Fault(
        "timestamptz one microsecond later",
        ROWS,
        "public.reminders",
        (
            "UPDATE public.reminders SET remind_at = remind_at + interval '1 microsecond'"
            f" WHERE {_one('public.reminders', order='id')}",
        ),
    ),
    Fault(
        "jsonb value changed",
        ROWS,
        "public.dialog_contexts",
        (
            """UPDATE public.dialog_contexts SET context = context || '{"step": "edited"}'"""
            f" WHERE {_one('public.dialog_contexts', order='id')}",
        ),
    ),
    Fault(
        "partition row deleted",
        ROWS,
        "public.messages_2026_10",
        (
            f"DELETE FROM public.messages_2026_10 WHERE {_one('public.messages_2026_10', order='id')}",
        ),
        also=((ROWS, "public.messages"),),
    ),
    Fault(
        "default partition row changed",
        ROWS,
        "public.messages_default",
        (
            "UPDATE public.messages_default SET body = coalesce(body, '') || '!'"
            f" WHERE {_one('public.messages_default', order='id')}",
        ),
        also=((ROWS, "public.messages"),),
    ),
    Fault(
        "keyless duplicate deleted",
        ROWS,
        "public.webhook_inbox",
        (
            "DELETE FROM public.webhook_inbox WHERE "
            + _one("public.webhook_inbox", "(payload ->> 'resource_id')::int = 700000039"),
        ),
    ),
    Fault(
        "auth e-mail changed",
        ROWS,
        "auth.users",
        (
            "UPDATE auth.users SET email = 'someone.else@example.com'"
            f" WHERE {_one('auth.users', 'email IS NOT NULL', 'id')}",
        ),
    ),
    Fault(
        "array gained a NULL element",
        ROWS,
        "public.staff",
        (
            "UPDATE public.staff SET specializations = specializations || NULL::text"
            f" WHERE {_one('public.staff', order='id')}",
        ),
    ),
    Fault(
        "Buffer byte changed",
        BUFFERS,
        "public.whatsapp_keys.value",
        (
            "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{keyData,data,0}',"
            " to_jsonb(((value #>> '{keyData,data,0}')::int + 1) % 256)) WHERE "
            + _one(
                "public.whatsapp_keys",
                "jsonb_typeof(value #> '{keyData,data}') = 'array'",
                "key_id",
            ),
        ),
        also=((ROWS, "public.whatsapp_keys"), (QUERIES, "whatsapp_keys_by_type")),
    ),
    Fault(
        "Buffer turned into a string",
        BUFFERS,
        "public.whatsapp_auth.creds",
        (
            "UPDATE public.whatsapp_auth"
            " SET creds = jsonb_set(creds, '{account,deviceSignature}', '\"cXdlcnR5\"')"
            " WHERE creds #> '{account,deviceSignature}' IS NOT NULL",
        ),
        also=((ROWS, "public.whatsapp_auth"),),
    ),
    Fault(
        "index dropped",
        SCHEMA,
        "public.bookings_client_id_idx",
        ("DROP INDEX public.bookings_client_id_idx",),
    ),
    Fault(
        "partial index predicate changed",
        SCHEMA,
        "public.reminders_due_idx",
        (
            "DROP INDEX public.reminders_due_idx",
            "CREATE INDEX reminders_due_idx ON public.reminders (remind_at) WHERE attempts = 0",
        ),
    ),
    Fault(
        "check constraint dropped",
        SCHEMA,
        "public.services.services_duration_check",
        ("ALTER TABLE public.services DROP CONSTRAINT services_duration_check",),
    ),
    Fault(
        "foreign key dropped",
        SCHEMA,
        "public.staff.staff_user_id_fkey",
        ("ALTER TABLE public.staff DROP CONSTRAINT staff_user_id_fkey",),
    ),
    Fault(
        "column type widened",
        SCHEMA,
        "public.sync_status",
        ("ALTER TABLE public.sync_status ALTER COLUMN items_synced TYPE numeric",),
        # The table's rows no longer hash alike, so neither row nor Buffer parity (which
        # shares row parity's pass, and looks at every JSON column) can judge it.
        also=((ROWS, "public.sync_status"), (BUFFERS, "public.sync_status.cursor")),
    ),
    Fault(
        "column default changed",
        SCHEMA,
        "public.companies",
        ("ALTER TABLE public.companies ALTER COLUMN timezone SET DEFAULT 'UTC'",),
    ),
    Fault(
        "function body changed",
        SCHEMA,
        "public.set_updated_at()",
        (
            "CREATE OR REPLACE FUNCTION public.set_updated_at() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        ),
    ),
    Fault(
        "trigger disabled",
        SCHEMA,
        "public.clients.clients_set_updated_at",
        ("ALTER TABLE public.clients DISABLE TRIGGER clients_set_updated_at",),
    ),
    Fault(
        "policy dropped",
        SCHEMA,
        "public.bookings.bookings_staff_read",
        ("DROP POLICY bookings_staff_read ON public.bookings",),
    ),
    Fault(
        "row-level security off",
        SCHEMA,
        "public.clients",
        ("ALTER TABLE public.clients DISABLE ROW LEVEL SECURITY",),
    ),
    Fault(
        "grant revoked",
        SCHEMA,
        "public.services",
        ("REVOKE SELECT ON public.services FROM anon",),
    ),
    Fault(
        "enum label added",
        SCHEMA,
        "public.booking_status",
        ("ALTER TYPE public.booking_status ADD VALUE 'archived'",),
    ),
    Fault(
        "domain check loosened",
        SCHEMA,
        "public.phone_e164",
        (
            "ALTER DOMAIN public.phone_e164 DROP CONSTRAINT phone_e164_check",
            "ALTER DOMAIN public.phone_e164 ADD CONSTRAINT phone_e164_check"
            " CHECK (VALUE ~ '^\\+[0-9]{6,15}$')",
        ),
    ),
    Fault(
        "view definition changed",
        SCHEMA,
        "public.upcoming_bookings",
        (
            "CREATE OR REPLACE VIEW public.upcoming_bookings AS"
            " SELECT b.id, b.company_id, b.start_at, b.end_at, b.status,"
            " c.name AS client_name, c.phone AS client_phone, s.name AS service_name,"
            " st.name AS staff_name FROM public.bookings b"
            " JOIN public.clients c ON c.id = b.client_id"
            " JOIN public.services s ON s.id = b.service_id"
            " LEFT JOIN public.staff st ON st.id = b.staff_id"
            " WHERE b.status IN ('pending', 'confirmed', 'completed') AND b.start_at >= now()",
        ),
    ),
    Fault(
        "comment changed",
        SCHEMA,
        "table public.messages",
        ("COMMENT ON TABLE public.messages IS 'WhatsApp message log'",),
    ),
    Fault(
        "table made unlogged",
        SCHEMA,
        "public.dialog_contexts",
        ("ALTER TABLE public.dialog_contexts SET UNLOGGED",),
        # An identity column's sequence follows its table's persistence (PostgreSQL 15+).
        also=((SCHEMA, "public.dialog_contexts_id_seq"),),
    ),
    Fault(
        "leftover table on the target",
        SCHEMA,
        "public.leftover_export",
        ("CREATE TABLE public.leftover_export (id int PRIMARY KEY, note text)",),
        also=(
            (SCHEMA, "public.leftover_export.leftover_export_pkey"),
            (SCHEMA, "public.leftover_export_pkey"),
        ),
    ),
    Fault(
        "default privileges added",
        SCHEMA,
        "public.tables.postgres",
        ("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO anon",),
    ),
    Fault(
        "owner changed",
        SCHEMA,
        "public.staff",
        ("ALTER TABLE public.staff OWNER TO authenticated",),
    ),
    Fault(
        "sequence reset behind its data",
        SEQUENCES,
        "public.clients_id_seq",
        ("SELECT setval('public.clients_id_seq', 1)",),
        also=((OPERATIONAL, "sequences"),),
    ),
    Fault(
        "identity reset behind its data",
        SEQUENCES,
        "public.reminders_id_seq",
        ("SELECT setval('public.reminders_id_seq', 1)",),
        also=((OPERATIONAL, "sequences"),),
    ),
    Fault(
        "role attribute gained",
        ROLES,
        "authenticated",
        ("ALTER ROLE authenticated CREATEDB",),
        role="authenticated",
    ),
    Fault(
        "float seen by a query changed",
        QUERIES,
        "client_ratings",
        (
            "UPDATE public.clients SET rating = rating + 0.5"
            f" WHERE {_one('public.clients', 'rating IS NOT NULL', 'id')}",
        ),
        also=((ROWS, "public.clients"),),
    ),
    Fault(
        "personal-data table short by a row",
        RESIDENCY,
        "public.appointments_cache",
        (
            "DELETE FROM public.appointments_cache WHERE "
            + _one("public.appointments_cache", order="external_id"),
        ),
        also=((ROWS, "public.appointments_cache"),),
    ),
    Fault(
        "TimeZone of the target database changed",
        OPERATIONAL,
        "timezone",
        (alter_database("timezone = 'Asia/Tokyo'"),),
        also=((SCHEMA, "database"),),
    ),
    Fault(
        "schema version behind",
        OPERATIONAL,
        "schema_migrations",
        (
            "DELETE FROM public.schema_migrations"
            " WHERE version = (SELECT max(version) FROM public.schema_migrations)",
        ),
        also=((ROWS, "public.schema_migrations"),),
    ),
)

# The dashboard's query reads public.clients in physical order: after the rewrite the float
# average sums in another order, equal within the query's tolerance, not bit for bit.
_REVERSE_CLIENTS = (
    "CREATE TEMP TABLE clients_copy ON COMMIT DROP AS SELECT * FROM public.clients",
    "DELETE FROM public.clients",
    "INSERT INTO public.clients SELECT * FROM clients_copy ORDER BY id DESC",
)

DEMO_BENIGN = (
    Benign(
        "the same Buffer bytes in another shape (base64 -> byte list)",
        ((BUFFERS, "public.whatsapp_auth.creds"), (ROWS, "public.whatsapp_auth")),
        target=(
            "UPDATE public.whatsapp_auth SET creds = jsonb_set(creds, '{account,details,data}',"
            " (SELECT jsonb_agg(get_byte(b, i) ORDER BY i) FROM"
            " (SELECT decode(creds #>> '{account,details,data}', 'base64') AS b) AS x,"
            " generate_series(0, length(b) - 1) AS i))"
            " WHERE jsonb_typeof(creds #> '{account,details,data}') = 'string'",
        ),
    ),
    Benign(
        "jsonb keys written in another order",
        ((ROWS, "public.companies"),),
        target=(
            "UPDATE public.companies SET settings ="
            " (SELECT jsonb_object_agg(k, v ORDER BY k DESC) FROM jsonb_each(settings) AS e(k, v))"
            " WHERE settings <> '{}'",
        ),
    ),
    Benign(
        "rows rewritten in reverse physical order",
        ((ROWS, "public.clients"), (QUERIES, "client_ratings"), (QUERIES, "client_by_phone")),
        target=_REVERSE_CLIENTS,
    ),
    Benign(
        "a row rewritten with the same values (new physical place)",
        ((ROWS, "public.services"),),
        target=(f"UPDATE public.services SET name = name WHERE {_one('public.services')}",),
    ),
    Benign(
        "an accepted difference declared in pgcutover.toml",
        ((SCHEMA, "public.clients.clients_own_row"),),
        target=("DROP POLICY clients_own_row ON public.clients",),
        accepted=(
            (
                "policy public.clients.clients_own_row",
                "the target has no auth.uid(); the API layer enforces row ownership",
            ),
        ),
    ),
    Benign(
        "rows changed at the source within the --grace window",
        ((ROWS, "public.bookings"),),
        source=(
            "UPDATE public.bookings SET comment = coalesce(comment, '') || ' (rescheduled)',"
            " updated_at = now()"
            f" WHERE {_one('public.bookings', order='id')}",
        ),
    ),
    Benign(
        "VACUUM FULL",
        ((ROWS, "public.whatsapp_keys"), (SCHEMA, "public.whatsapp_keys")),
        outside=("VACUUM FULL public.whatsapp_keys",),
    ),
    Benign(
        "an index rebuilt under the same definition",
        ((SCHEMA, "public.clients_updated_at_idx"),),
        target=(
            "DROP INDEX public.clients_updated_at_idx",
            "CREATE INDEX clients_updated_at_idx ON public.clients (updated_at)",
        ),
        outside=("REINDEX TABLE public.staff_schedules",),
    ),
    Benign(
        "statistics reset and gathered again",
        ((ROWS, "public.messages"),),
        target=("SELECT pg_stat_reset()",),
        outside=("ANALYZE",),
    ),
    Benign(
        "a sequence ahead of its data",
        ((SEQUENCES, "public.staff_schedules_id_seq"), (SCHEMA, "public.staff_schedules_id_seq")),
        target=("SELECT setval('public.staff_schedules_id_seq', 100000)",),
    ),
)


# --- the foreign corpus: supabase -----------------------------------------------------
SUPABASE_FAULTS = (
    Fault(
        "row deleted",
        ROWS,
        "auth.identities",
        (f"DELETE FROM auth.identities WHERE {_one('auth.identities', order='id')}",),
    ),
    Fault(
        "boolean flipped",
        ROWS,
        "auth.refresh_tokens",
        (
            "UPDATE auth.refresh_tokens SET revoked = NOT revoked"
            f" WHERE {_one('auth.refresh_tokens', order='id')}",
        ),
    ),
    Fault(
        "materialized view stale",
        ROWS,
        "public.company_daily_revenue",
        (
            "UPDATE public.bookings SET price = price + 100"
            " WHERE id = md5('public.bookings/3')::uuid",
            "REFRESH MATERIALIZED VIEW public.company_daily_revenue",
            "UPDATE public.bookings SET price = price - 100"
            " WHERE id = md5('public.bookings/3')::uuid",
        ),
    ),
    Fault(
        "jsonb value changed",
        ROWS,
        "public.companies",
        (
            """UPDATE public.companies SET settings = settings || '{"currency": "USD"}'"""
            " WHERE slug = 'studio-lotos'",
        ),
    ),
    Fault(
        "policy dropped",
        SCHEMA,
        "public.clients.Staff add clients",
        ('DROP POLICY "Staff add clients" ON public.clients',),
    ),
    Fault(
        "function body changed",
        SCHEMA,
        "public.my_company()",
        (
            "CREATE OR REPLACE FUNCTION public.my_company() RETURNS uuid LANGUAGE sql STABLE"
            " AS $$ SELECT NULL::uuid $$",
        ),
    ),
    Fault(
        "trigger disabled",
        SCHEMA,
        "auth.users.on_auth_user_created",
        ("ALTER TABLE auth.users DISABLE TRIGGER on_auth_user_created",),
    ),
    Fault(
        "index dropped",
        SCHEMA,
        "auth.identities_email_idx",
        ("DROP INDEX auth.identities_email_idx",),
    ),
    Fault(
        "nullability lost",
        SCHEMA,
        "public.services",
        ("ALTER TABLE public.services ALTER COLUMN title DROP NOT NULL",),
    ),
    Fault(
        "enum label renamed",
        SCHEMA,
        "public.booking_status",
        ("ALTER TYPE public.booking_status RENAME VALUE 'no_show' TO 'noshow'",),
        also=((ROWS, "public.bookings"),),
    ),
    Fault(
        "view option lost",
        SCHEMA,
        "public.client_overview",
        ("ALTER VIEW public.client_overview SET (security_invoker = false)",),
    ),
    Fault(
        "row-level security off",
        SCHEMA,
        "public.profiles",
        ("ALTER TABLE public.profiles DISABLE ROW LEVEL SECURITY",),
    ),
    Fault(
        "grant revoked",
        SCHEMA,
        "public.companies",
        ("REVOKE SELECT ON public.companies FROM anon",),
    ),
    Fault(
        "owner changed",
        SCHEMA,
        "public.api_keys",
        # Its identity sequence changes owner with it.
        ("ALTER TABLE public.api_keys OWNER TO anon",),
        also=((SCHEMA, "public.api_keys_id_seq"),),
    ),
    Fault(
        "comment dropped",
        SCHEMA,
        "table auth.refresh_tokens",
        ("COMMENT ON TABLE auth.refresh_tokens IS NULL",),
    ),
    Fault(
        "default privileges revoked",
        SCHEMA,
        "public.tables.postgres",
        ("ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM anon",),
    ),
    Fault(
        "extension dropped",
        SCHEMA,
        "pgcrypto",
        # CASCADE drops the column defaults calling it (extensions.gen_random_uuid()).
        ("DROP EXTENSION pgcrypto CASCADE",),
        also=((SCHEMA, "public.api_keys"), (SCHEMA, "public.bookings")),
        versions=("same",),
    ),
    Fault(
        "sequence reset behind its data",
        SEQUENCES,
        "public.clients_id_seq",
        ("SELECT setval('public.clients_id_seq', 1)",),
        also=((OPERATIONAL, "sequences"),),
    ),
    Fault(
        "role lost BYPASSRLS",
        ROLES,
        "service_role",
        ("ALTER ROLE service_role NOBYPASSRLS",),
        role="service_role",
    ),
    Fault(
        "personal-data table short by a row",
        RESIDENCY,
        "auth.audit_log_entries",
        (f"DELETE FROM auth.audit_log_entries WHERE {_one('auth.audit_log_entries', order='id')}",),
        also=((ROWS, "auth.audit_log_entries"),),
    ),
)

SUPABASE_BENIGN = (
    Benign(
        "jsonb keys written in another order",
        ((ROWS, "public.companies"),),
        target=(
            "UPDATE public.companies SET settings ="
            " (SELECT jsonb_object_agg(k, v ORDER BY k DESC) FROM jsonb_each(settings) AS e(k, v))",
        ),
    ),
    Benign(
        "rows changed at the source within the --grace window",
        ((ROWS, "public.bookings"), (ROWS, "public.company_daily_revenue")),
        source=(
            """UPDATE public.bookings SET meta = meta || '{"note": "moved"}', updated_at = now()"""
            f" WHERE {_one('public.bookings', order='id')}",
        ),
    ),
    Benign(
        "VACUUM FULL",
        ((ROWS, "auth.refresh_tokens"), (SCHEMA, "auth.refresh_tokens")),
        outside=("VACUUM FULL auth.refresh_tokens",),
    ),
    Benign(
        "an index rebuilt under the same definition",
        ((SCHEMA, "public.bookings_open_idx"),),
        outside=("REINDEX INDEX public.bookings_open_idx",),
    ),
    Benign(
        "statistics reset",
        ((ROWS, "auth.users"),),
        target=("SELECT pg_stat_reset()",),
    ),
    Benign(
        "a sequence ahead of its data",
        ((SEQUENCES, "public.api_keys_id_seq"), (SCHEMA, "public.api_keys_id_seq")),
        target=("SELECT setval('public.api_keys_id_seq', 100000)",),
    ),
    Benign(
        "an accepted difference declared in pgcutover.toml",
        ((SCHEMA, "public.profiles.Public profiles are viewable by everyone."),),
        target=('DROP POLICY "Public profiles are viewable by everyone." ON public.profiles',),
        accepted=(
            (
                "policy public.profiles.Public profiles are viewable by everyone.",
                "profiles are served by the API layer after the move",
            ),
        ),
    ),
)


# --- the foreign corpus: types ----------------------------------------------------------
TYPES_FAULTS = (
    Fault(
        "float 0 became NULL",
        ROWS,
        "zoo.metrics",
        ("UPDATE zoo.metrics SET value = NULL WHERE id = 7",),
        source=("UPDATE zoo.metrics SET value = 0 WHERE id = 7",),
        also=tuple((ROWS, f"zoo.metrics_{n}") for n in range(3)),
    ),
    Fault(
        "numeric NaN became NULL",
        ROWS,
        "zoo.regional",
        ("UPDATE zoo.regional SET amount = NULL WHERE id = 9",),
        source=("UPDATE zoo.regional SET amount = 'NaN' WHERE id = 9",),
        also=tuple((ROWS, f"zoo.regional_{p}") for p in ("eu", "us", "rest")),
    ),
    Fault(
        "bytea byte changed",
        ROWS,
        "zoo.scalars",
        (
            "UPDATE zoo.scalars SET b = set_byte(b, 0, (get_byte(b, 0) + 1) % 256)"
            f" WHERE {_one('zoo.scalars', 'length(b) > 0', 'id')}",
        ),
    ),
    Fault(
        "array element NULL",
        ROWS,
        "zoo.arrays",
        ("UPDATE zoo.arrays SET ia = ARRAY[10, NULL, 1] WHERE id = 10",),
    ),
    Fault(
        "citext value re-cased",
        ROWS,
        "zoo.customers",
        ("UPDATE zoo.customers SET email = lower(email::text) WHERE id = 1",),
    ),
    Fault(
        "timestamptz one microsecond later",
        ROWS,
        "zoo.events_2023",
        (
            "UPDATE zoo.events_2023 SET at = at + interval '1 microsecond'"
            f" WHERE {_one('zoo.events_2023', order='id')}",
        ),
        also=((ROWS, "zoo.events"),),
    ),
    Fault(
        "keyless duplicate deleted",
        ROWS,
        "public.pgbench_history",
        (f"DELETE FROM public.pgbench_history WHERE {_one('public.pgbench_history', 'tid = 3')}",),
    ),
    Fault(
        "materialized view stale",
        ROWS,
        "zoo.order_summary",
        (
            "UPDATE zoo.orders SET qty = qty + 1 WHERE id = 1000",
            "REFRESH MATERIALIZED VIEW zoo.order_summary",
            "UPDATE zoo.orders SET qty = qty - 1 WHERE id = 1000",
        ),
    ),
    Fault(
        "generated column expression changed",
        SCHEMA,
        "zoo.orders",
        ("ALTER TABLE zoo.orders ALTER COLUMN total SET EXPRESSION AS (qty * price + 0)",),
    ),
    Fault(
        "disabled trigger enabled",
        SCHEMA,
        "zoo.orders.orders_refuse",
        ("ALTER TABLE zoo.orders ENABLE TRIGGER orders_refuse",),
    ),
    Fault(
        "exclusion constraint dropped",
        SCHEMA,
        "zoo.rooms_booked.rooms_booked_no_overlap",
        ("ALTER TABLE zoo.rooms_booked DROP CONSTRAINT rooms_booked_no_overlap",),
        also=((SCHEMA, "zoo.rooms_booked_no_overlap"),),
    ),
    Fault(
        "domain check changed",
        SCHEMA,
        "zoo.posint",
        (
            "ALTER DOMAIN zoo.posint DROP CONSTRAINT posint_positive",
            "ALTER DOMAIN zoo.posint ADD CONSTRAINT posint_positive CHECK (VALUE >= 0)",
        ),
    ),
    Fault(
        "unlogged table made logged",
        SCHEMA,
        "zoo.cache_entries",
        ("ALTER TABLE zoo.cache_entries SET LOGGED",),
    ),
    Fault(
        "database setting added",
        SCHEMA,
        "database",
        (alter_database("work_mem = '7MB'"),),
    ),
    Fault(
        "expression index changed",
        SCHEMA,
        "zoo.customers_lower_name_idx",
        (
            "DROP INDEX zoo.customers_lower_name_idx",
            "CREATE INDEX customers_lower_name_idx ON zoo.customers (upper(name))",
        ),
    ),
    Fault(
        "column grant revoked",
        SCHEMA,
        "zoo.orders",
        ("REVOKE UPDATE (status) ON zoo.orders FROM zoo_reader",),
    ),
    Fault(
        "sequence behind the source",
        SEQUENCES,
        "zoo.ticket_seq",
        ("SELECT setval('zoo.ticket_seq', 200)",),
        also=((OPERATIONAL, "sequences"),),
    ),
    Fault(
        "role regained INHERIT",
        ROLES,
        "zoo_writer",
        ("ALTER ROLE zoo_writer INHERIT",),
        role="zoo_writer",
    ),
)

TYPES_BENIGN = (
    Benign(
        "rows rewritten in another physical order (CLUSTER)",
        ((ROWS, "zoo.customers"), (SCHEMA, "zoo.customers")),
        outside=("CLUSTER zoo.customers USING customers_email_key",),
    ),
    Benign(
        "VACUUM FULL",
        ((ROWS, "zoo.scalars"), (SCHEMA, "zoo.scalars")),
        outside=("VACUUM FULL zoo.scalars",),
    ),
    Benign(
        "an index rebuilt under the same definition",
        ((SCHEMA, "zoo.orders_total_idx"),),
        outside=("REINDEX INDEX zoo.orders_total_idx",),
    ),
    Benign(
        "rows changed at the source within the --grace window",
        ((ROWS, "zoo.orders"), (ROWS, "zoo.order_summary")),
        source=("UPDATE zoo.orders SET note = 'late edit', updated_at = now() WHERE id = 1010",),
    ),
    Benign(
        "a sequence ahead of its data",
        ((SEQUENCES, "zoo.customers_id_seq"), (SCHEMA, "zoo.customers_id_seq")),
        target=("SELECT setval('zoo.customers_id_seq', 100000)",),
    ),
    Benign(
        "statistics reset and gathered again",
        ((ROWS, "zoo.events"),),
        target=("SELECT pg_stat_reset()",),
        outside=("ANALYZE zoo.events",),
    ),
)

CATALOGUES = {
    "demo": Catalogue("demo", DEMO_FAULTS, DEMO_BENIGN),
    "supabase": Catalogue("supabase", SUPABASE_FAULTS, SUPABASE_BENIGN),
    "types": Catalogue("types", TYPES_FAULTS, TYPES_BENIGN),
}


# --- judging a run ----------------------------------------------------------------------
def named_object(contract_id: str) -> str:
    """The object a failed contract names: its id's bracket (a query's file name, without
    its parameters)."""
    inside = contract_id.partition("[")[2].removesuffix("]")
    if contract_id.startswith("test_query["):
        return inside.split("-", 1)[0]
    return inside


def failed_pairs(gate: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(family, object, contract id) of every failed or broken contract in gate.json."""
    return [(f["feature"], named_object(f["name"]), f["name"]) for f in gate["failures"]]


@dataclass
class Row:
    """One line of the table."""

    fault: str
    database: str
    versions: str
    kind: str  # fault, benign, unexplained
    expected: str  # the family that must catch it ("-" for benign)
    caught_by: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)
    verdict: str = ""
    pending: str | None = None


def judge_faults(
    faults: Iterable[Fault], failures: list[tuple[str, str, str]], db: str, versions: str
) -> list[Row]:
    """A row per fault (caught by its own family naming its object, or missed) and one per
    failure no fault accounts for (a false positive)."""
    rows = []
    faults = list(faults)
    for fault in faults:
        mine = [f for f in failures if (f[0], f[1]) in fault.allowed()]
        own = [f for f in mine if (f[0], f[1]) == (fault.family, fault.obj)]
        pending = fault.expected_pending()
        verdict = "caught" if own else "MISSED"
        if pending:
            verdict = f"{verdict} (expected to miss: pending)"
        rows.append(
            Row(
                fault.name,
                db,
                versions,
                "fault",
                fault.family,
                sorted({f[0] for f in mine}),
                sorted(f[2] for f in own) or sorted(f[2] for f in mine),
                verdict,
                pending,
            )
        )
    allowed = set().union(*(f.allowed() for f in faults)) if faults else set()
    rows += [
        Row("-", db, versions, "unexplained", "-", [family], [cid], "FALSE POSITIVE")
        for family, obj, cid in failures
        if (family, obj) not in allowed
    ]
    return rows


def judge_benign(
    benign: Iterable[Benign], failures: list[tuple[str, str, str]], db: str, versions: str
) -> list[Row]:
    """A row per benign change (passed, or the failures naming its objects) and one per
    failure no benign change explains."""
    rows = []
    benign = list(benign)
    for change in benign:
        mine = [f for f in failures if (f[0], f[1]) in set(change.objects)]
        verdict = "FALSE POSITIVE" if mine else "passed"
        if change.pending:
            verdict = f"{verdict} (pending)"
        rows.append(
            Row(
                change.name,
                db,
                versions,
                "benign",
                "-",
                sorted({f[0] for f in mine}),
                sorted(f[2] for f in mine),
                verdict,
                change.pending,
            )
        )
    known = {pair for change in benign for pair in change.objects}
    rows += [
        Row("-", db, versions, "unexplained", "-", [family], [cid], "FALSE POSITIVE")
        for family, obj, cid in failures
        if (family, obj) not in known
    ]
    return rows


def table_lines(rows: list[Row]) -> list[str]:
    """The table as Markdown (readable as plain text), then totals per database and
    versions."""
    lines = [
        "| fault | database | versions | expected family | caught by | object named | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        named = ", ".join(r.named) or "-"
        caught = ", ".join(r.caught_by) or "-"
        expected = r.expected if r.kind == "fault" else f"({r.kind})"
        lines.append(
            f"| {r.fault} | {r.database} | {r.versions} | {expected} | {caught} | "
            f"{named.replace('|', '/')} | {r.verdict} |"
        )
    lines += ["", *totals_lines(rows)]
    return lines


def totals_lines(rows: list[Row]) -> list[str]:
    """Per database and versions: faults caught / expected, benign passed, false positives."""
    lines = []
    for key in sorted({(r.database, r.versions) for r in rows}):
        mine = [r for r in rows if (r.database, r.versions) == key]
        faults = [r for r in mine if r.kind == "fault"]
        live = [r for r in faults if not r.pending]
        caught = sum(1 for r in live if r.verdict == "caught")
        pending = [r for r in faults if r.pending]
        benign = [r for r in mine if r.kind == "benign"]
        false = sum(1 for r in mine if r.verdict == "FALSE POSITIVE")
        lines.append(
            f"{key[0]} {key[1]}: {caught}/{len(live)} faults caught by their own family"
            + (f" ({len(pending)} more pending)" if pending else "")
            + f", {sum(1 for r in benign if r.verdict == 'passed')}/{len(benign)} benign passed,"
            + f" {false} false positives"
        )
    return lines


def write_table(rows: list[Row], folder: Path, stem: str) -> Path:
    """<stem>.json (the rows) and <stem>.md (the table) in `folder`; returns the .md."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.json").write_text(
        json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    path = folder / f"{stem}.md"
    path.write_text("\n".join(table_lines(rows)) + "\n", encoding="utf-8")
    return path
