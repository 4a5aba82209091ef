"""Each schema contract fails on its injected fault, naming the object; a clean copy passes.

Every case damages a fresh clone of a correctly migrated target (sometimes the
source clone too, to give it an object the target then lacks), runs the real
contracts, and checks the gate's failed ids: each expected contract fails with
a message naming what differs, and nothing else in the schema family fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from psycopg import sql

from pgcutover.runner import ContractsDidNotRun
from reports.gate import read_results
from tests.fix_contracts import RunContracts, failed_ids, failure
from verify.catalog import SCHEMA_KINDS
from verify.connect import Endpoint, connect

SCHEMA_CONTRACTS = tuple(f"test_{kind}[" for kind in SCHEMA_KINDS)


def run_sql(db: Endpoint, *statements: str | sql.Composable) -> None:
    """Run statements on a database as its superuser, in one transaction."""
    with connect(db, role="test", read_only=False, autocommit=True) as conn, conn.transaction():
        for statement in statements:
            conn.execute(statement)


def schema_failures(failed: set[str]) -> set[str]:
    """The failed ids that belong to the schema family."""
    return {f for f in failed if f.startswith(SCHEMA_CONTRACTS)}


@dataclass(frozen=True)
class Fault:
    """Damage to inject, and each contract that must fail with a fragment of its message."""

    name: str
    target_sql: tuple[str, ...]
    expected: dict[str, str]
    source_sql: tuple[str, ...] = ()
    # Faults whose damage reaches further (a dropped partition) list only the contracts
    # that must fail; the rest insist that nothing else in the family fails.
    exact: bool = True


FAULTS = [
    Fault(
        "extra schema with a leftover copy of a personal-data table",
        (
            "CREATE SCHEMA leftover",
            "CREATE TABLE leftover.clients_copy AS SELECT * FROM public.clients",
        ),
        {
            "test_schema[leftover]": "extra schema leftover on the target",
            "test_table[leftover.clients_copy]": "extra table leftover.clients_copy",
            "test_columns[leftover.clients_copy]": "extra columns",
        },
        exact=False,
    ),
    Fault(
        "table made unlogged",
        ("ALTER TABLE public.sync_status SET UNLOGGED",),
        {"test_table[public.sync_status]": "persistence: 'logged' on the source, 'unlogged'"},
    ),
    Fault(
        "partition dropped",
        ("DROP TABLE public.messages_2026_11",),
        {
            "test_table[public.messages_2026_11]": "missing on the target",
            "test_columns[public.messages_2026_11]": "missing on the target",
            "test_index[public.messages_2026_11_pkey]": "missing on the target",
        },
        exact=False,
    ),
    Fault(
        "partition detached",
        ("ALTER TABLE public.messages DETACH PARTITION public.messages_2026_10",),
        {"test_table[public.messages_2026_10]": "partition_bound"},
        exact=False,
    ),
    Fault(
        "column type, numeric scale, nullability, default and collation changed",
        (
            "ALTER TABLE public.schema_migrations ALTER COLUMN version TYPE varchar(64)",
            "ALTER TABLE public.services ALTER COLUMN price TYPE numeric(10,3)",
            "ALTER TABLE public.clients ALTER COLUMN name DROP NOT NULL",
            "ALTER TABLE public.companies ALTER COLUMN timezone SET DEFAULT 'UTC'",
            'ALTER TABLE public.staff ALTER COLUMN position TYPE text COLLATE "C"',
            "ALTER TABLE public.whatsapp_auth ADD COLUMN leftover text",
        ),
        {
            "test_columns[public.schema_migrations]": "version.type: 'text' on the source, "
            "'character varying(64)' on the target",
            "test_columns[public.services]": "price.type: 'numeric(10,2)' on the source, "
            "'numeric(10,3)'",
            "test_columns[public.clients]": "name.not_null: True on the source, False",
            "test_columns[public.companies]": "timezone.default",
            "test_columns[public.staff]": "position.collation",
            "test_columns[public.whatsapp_auth]": "leftover extra on the target",
        },
    ),
    Fault(
        "foreign key dropped, constraint left NOT VALID, foreign key action changed",
        (
            "ALTER TABLE public.bookings DROP CONSTRAINT bookings_client_id_fkey",
            "ALTER TABLE public.clients DROP CONSTRAINT clients_balance_check",
            "ALTER TABLE public.clients ADD CONSTRAINT clients_balance_check"
            " CHECK (balance >= 0) NOT VALID",
            "ALTER TABLE public.staff DROP CONSTRAINT staff_user_id_fkey",
            "ALTER TABLE public.staff ADD CONSTRAINT staff_user_id_fkey FOREIGN KEY (user_id)"
            " REFERENCES auth.users (id) ON DELETE CASCADE",
        ),
        {
            "test_constraint[public.bookings.bookings_client_id_fkey]": "missing on the target",
            "test_constraint[public.clients.clients_balance_check]": "validated: True on the "
            "source, False on the target",
            "test_constraint[public.staff.staff_user_id_fkey]": "ON DELETE CASCADE",
        },
    ),
    Fault(
        "index dropped, index left INVALID",
        (
            "DROP INDEX public.bookings_client_id_idx",
            "UPDATE pg_index SET indisvalid = false"
            " WHERE indexrelid = 'public.clients_updated_at_idx'::regclass",
        ),
        {
            "test_index[public.bookings_client_id_idx]": "missing on the target",
            "test_index[public.clients_updated_at_idx]": "valid: True on the source, False",
        },
    ),
    Fault(
        "view changed, view made security_invoker",
        (
            """CREATE OR REPLACE VIEW public.upcoming_bookings AS
               SELECT b.id, b.company_id, b.start_at, b.end_at, b.status,
                      c.name AS client_name, c.phone AS client_phone,
                      s.name AS service_name, st.name AS staff_name
                 FROM public.bookings b
                 JOIN public.clients c ON c.id = b.client_id
                 JOIN public.services s ON s.id = b.service_id
                 LEFT JOIN public.staff st ON st.id = b.staff_id
                WHERE b.status = 'pending'""",
            "ALTER VIEW public.upcoming_bookings SET (security_invoker = true)",
        ),
        {"test_view[public.upcoming_bookings]": "definition"},
    ),
    Fault(
        "function made SECURITY DEFINER and its body changed",
        (
            """CREATE OR REPLACE FUNCTION public.set_updated_at() RETURNS trigger
               LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN RETURN NEW; END $$""",
        ),
        {"test_function[public.set_updated_at()]": "security_definer: False on the source"},
    ),
    Fault(
        "trigger dropped, trigger disabled",
        (
            "DROP TRIGGER clients_set_updated_at ON public.clients",
            "ALTER TABLE public.bookings DISABLE TRIGGER bookings_set_updated_at",
        ),
        {
            "test_trigger[public.clients.clients_set_updated_at]": "missing on the target",
            "test_trigger[public.bookings.bookings_set_updated_at]": "enabled: 'enabled' on the "
            "source, 'disabled' on the target",
        },
    ),
    Fault(
        "enum labels reordered",
        (
            "UPDATE pg_enum SET enumsortorder = -1"
            " WHERE enumtypid = 'public.booking_status'::regtype AND enumlabel = 'completed'",
            "UPDATE pg_enum SET enumsortorder = 3"
            " WHERE enumtypid = 'public.booking_status'::regtype AND enumlabel = 'cancelled'",
            "UPDATE pg_enum SET enumsortorder = 4"
            " WHERE enumtypid = 'public.booking_status'::regtype AND enumlabel = 'completed'",
        ),
        {"test_enum[public.booking_status]": "labels"},
    ),
    Fault(
        "domain constraint dropped",
        ("ALTER DOMAIN public.phone_e164 DROP CONSTRAINT phone_e164_check",),
        {"test_domain[public.phone_e164]": "constraints.phone_e164_check missing on the target"},
    ),
    Fault(
        "sequence increment changed",
        ("ALTER SEQUENCE public.clients_id_seq INCREMENT BY 2",),
        {"test_sequence[public.clients_id_seq]": "increment: 1 on the source, 2 on the target"},
    ),
    Fault(
        "extension missing on the target, extra extension on the target",
        ("CREATE EXTENSION citext SCHEMA public",),
        {
            "test_extension[hstore]": "extension hstore is missing on the target",
            "test_extension[citext]": "extra extension citext on the target",
        },
        source_sql=("CREATE EXTENSION hstore SCHEMA public",),
    ),
    Fault(
        "row-level security disabled, forced",
        (
            "ALTER TABLE public.clients DISABLE ROW LEVEL SECURITY",
            "ALTER TABLE public.bookings FORCE ROW LEVEL SECURITY",
        ),
        {
            "test_rls[public.clients]": "enabled: True on the source, False on the target",
            "test_rls[public.bookings]": "forced: False on the source, True on the target",
        },
    ),
    Fault(
        "policy dropped, policy roles changed",
        (
            "DROP POLICY clients_own_row ON public.clients",
            "ALTER POLICY bookings_service_role ON public.bookings TO authenticated",
        ),
        {
            "test_policy[public.clients.clients_own_row]": "missing on the target",
            "test_policy[public.bookings.bookings_service_role]": "roles",
        },
    ),
    Fault(
        "grants revoked on a table, a sequence and a function; a column granted",
        (
            "REVOKE SELECT ON public.companies FROM anon",
            "REVOKE USAGE ON SEQUENCE public.clients_id_seq FROM authenticated",
            "REVOKE EXECUTE ON FUNCTION auth.uid() FROM anon",
            "GRANT SELECT (phone) ON public.clients TO anon",
        ),
        {
            "test_grants[public.companies]": "privileges.anon missing on the target",
            "test_grants[public.clients_id_seq]": "privileges.authenticated",
            "test_grants[auth.uid()]": "privileges.anon missing on the target",
            "test_grants[public.clients]": "column privileges extra on the target",
        },
    ),
    Fault(
        "default privileges added",
        ("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO anon",),
        {
            "test_default_privileges[public.tables.postgres]": "extra default_privileges "
            "public.tables.postgres on the target"
        },
    ),
    Fault(
        "comments removed and changed",
        (
            "COMMENT ON TABLE public.clients IS NULL",
            "COMMENT ON COLUMN public.clients.phone IS 'phone'",
        ),
        {
            "test_comment[table public.clients]": "missing on the target",
            "test_comment[table column public.clients.phone]": "text:",
        },
    ),
    Fault(
        "owner changed",
        ("ALTER TABLE public.companies OWNER TO service_role",),
        {
            "test_table[public.companies]": "owner: 'postgres' on the source, 'service_role'",
            "test_grants[public.companies]": "privileges",
        },
    ),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_schema_contract_fails_naming_the_damaged_object(
    fault: Fault, source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    if fault.source_sql:
        run_sql(source_db, *fault.source_sql)
    run_sql(target_db, *fault.target_sql)
    outcome = verify_pair(source_db, target_db)
    failed = failed_ids(outcome)
    assert set(fault.expected) <= failed, f"not failed: {set(fault.expected) - failed}"
    if fault.exact:
        assert schema_failures(failed) == set(fault.expected)
    for test_id, fragment in fault.expected.items():
        assert fragment in failure(outcome, test_id).message, failure(outcome, test_id).message
    assert not outcome.verdict.go


def test_clean_copy_passes_every_schema_contract(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    outcome = verify_pair(source_db, target_db)
    results = read_results(outcome.alluredir)
    schema = [r for r in results if r.feature == "Schema"]
    assert failed_ids(outcome) == set()
    assert outcome.verdict.go, outcome.verdict.reason
    ran_kinds = {r.name.split("[")[0] for r in schema if r.status == "passed"}
    # Every kind the demo has an instance of ran and passed (default privileges and
    # settings beyond the database's own are absent from the demo).
    assert ran_kinds == {f"test_{k}" for k in SCHEMA_KINDS} - {"test_default_privileges"}
    assert 150 < len(schema) < 500


def test_settings_of_the_database_and_an_app_role_are_compared(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    database = sql.Identifier(target_db.dbname)
    run_sql(
        target_db,
        sql.SQL("ALTER DATABASE {} SET statement_timeout = '5s'").format(database),
        sql.SQL("ALTER ROLE anon IN DATABASE {} SET statement_timeout = '3s'").format(database),
    )
    outcome = verify_pair(source_db, target_db)
    assert schema_failures(failed_ids(outcome)) == {
        "test_settings[database]",
        "test_settings[role anon in database]",
    }
    assert "settings.statement_timeout extra on the target" in (
        failure(outcome, "test_settings[database]").message
    )


def test_tool_schema_on_the_target_is_ignored(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    run_sql(target_db, "CREATE SCHEMA pgcutover", "CREATE TABLE pgcutover.progress (unit text)")
    outcome = verify_pair(source_db, target_db)
    assert failed_ids(outcome) == set()
    assert not any("pgcutover." in r.name for r in read_results(outcome.alluredir))


def _write_config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pgcutover.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_accepted_difference_is_reported_as_accepted_not_failed(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts, tmp_path: Path
) -> None:
    run_sql(target_db, "DROP POLICY clients_own_row ON public.clients")
    config = _write_config(
        tmp_path,
        '[[schema.accepted]]\nobject = "policy public.clients.clients_own_row"\n'
        'reason = "the target has no auth.uid()"\n',
    )
    outcome = verify_pair(source_db, target_db, "--config", config)
    assert failed_ids(outcome) == set()
    result = next(
        r
        for r in read_results(outcome.alluredir)
        if r.name == "test_policy[public.clients.clients_own_row]"
    )
    assert result.status == "skipped"
    assert "accepted: the target has no auth.uid()" in result.message
    assert "missing on the target" in result.message
    raw = [json.loads(p.read_text()) for p in outcome.alluredir.glob("*-result.json")]
    labels = next(r["labels"] for r in raw if r["name"] == result.name)
    assert {"name": "tag", "value": "accepted"} in labels


def test_excluded_and_unused_supabase_schemas_are_listed_not_compared(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts, tmp_path: Path
) -> None:
    run_sql(source_db, "CREATE SCHEMA storage", "CREATE TABLE storage.objects (id int)")
    run_sql(target_db, "ALTER FUNCTION auth.uid() SECURITY DEFINER")
    config = _write_config(tmp_path, '[schema]\nexclude_schemas = ["auth"]\n')
    outcome = verify_pair(source_db, target_db, "--config", config)
    assert schema_failures(failed_ids(outcome)) == set()
    skipped = {r.name: r.message for r in read_results(outcome.alluredir) if r.status == "skipped"}
    assert "pgcutover.toml" in skipped["test_schema[auth]"]
    assert "Supabase-managed" in skipped["test_schema[storage]"]
    environment = (outcome.alluredir / "environment.properties").read_text()
    assert "schema.excluded=auth, storage" in environment


def test_owners_compare_through_the_role_map(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts, tmp_path: Path
) -> None:
    # service_role stands in for a target whose owner role has another name.
    run_sql(
        target_db,
        """DO $$
           DECLARE r record;
           BEGIN
             FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname IN ('public', 'auth') AND c.relkind IN ('r', 'p', 'v')
             LOOP EXECUTE format('ALTER TABLE %s OWNER TO service_role', r.rel); END LOOP;
             FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
                      JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname IN ('public', 'auth')
             LOOP EXECUTE format('ALTER FUNCTION %s OWNER TO service_role', r.fn); END LOOP;
           END $$""",
        "ALTER TYPE public.booking_status OWNER TO service_role",
        "ALTER DOMAIN public.phone_e164 OWNER TO service_role",
        "ALTER SCHEMA auth OWNER TO service_role",
    )
    unmapped = verify_pair(source_db, target_db)
    assert "test_table[public.clients]" in failed_ids(unmapped)
    assert "owner: 'postgres' on the source, 'service_role'" in (
        failure(unmapped, "test_table[public.clients]").message
    )
    config = _write_config(tmp_path, '[schema]\nrole_map = { postgres = "service_role" }\n')
    mapped = verify_pair(source_db, target_db, "--config", config)
    assert schema_failures(failed_ids(mapped)) == set()


def test_bad_config_stops_the_run_with_one_line(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts, tmp_path: Path
) -> None:
    config = _write_config(tmp_path, '[[schema.accepted]]\nobject = "index public.x"\n')
    with pytest.raises(ContractsDidNotRun, match="needs both object and reason"):
        verify_pair(source_db, target_db, "--config", config)


def test_an_older_extension_warns_and_grants_to_supabase_roles_are_left_out(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    run_sql(source_db, "CREATE EXTENSION hstore SCHEMA public")
    run_sql(
        target_db,
        """DO $$ BEGIN CREATE ROLE dashboard_user NOLOGIN;
           EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""",
    )
    run_sql(
        target_db,
        "CREATE EXTENSION hstore SCHEMA public VERSION '1.4'",
        "GRANT ALL ON public.clients TO dashboard_user",
    )
    outcome = verify_pair(source_db, target_db)
    assert failed_ids(outcome) == set()
    statuses = {r.name: r.status for r in read_results(outcome.alluredir)}
    assert statuses["test_extension[hstore]"] == "passed"
    assert statuses["test_grants[public.clients]"] == "passed"
    assert "extension hstore: version 1.8 on the source, 1.4 on the target" in (
        outcome.log.read_text()
    )
