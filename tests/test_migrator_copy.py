"""The copy: split units under one snapshot, verified clean; roles, extensions, re-runs."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from migrator.copy import triggers_off
from migrator.job import CopyOptions, run_copy
from reports.gate import read_results
from tests.fix_cli import pgcutover as cli
from tests.fix_contracts import RunContracts, failed_ids
from tests.fix_servers import execute
from tests.migrator_helpers import fingerprints, scalar
from verify.catalog import read_tables
from verify.connect import Endpoint, connect
from verify.plan import read_recorded_plan

SMALL_SPLIT = 100_000  # bytes: splits clients (integer key ranges) and whatsapp_keys (hash)


def test_split_parallel_copy_is_verified_clean_by_the_contracts(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    report = run_copy(source_db, empty_target, options=CopyOptions(jobs=2, split_bytes=SMALL_SPLIT))
    units = scalar(
        empty_target, "SELECT string_agg(method, ',' ORDER BY unit) FROM pgcutover.units"
    )
    assert "range" in str(units) and "hash" in str(units)
    assert fingerprints(source_db) == fingerprints(empty_target)
    assert report.rows == sum(n for n, _ in fingerprints(source_db).values())
    outcome = verify_pair(source_db, empty_target)
    assert failed_ids(outcome) == set()
    assert outcome.verdict.go


def test_sequences_are_set_from_the_source(source_db: Endpoint, empty_target: Endpoint) -> None:
    run_copy(source_db, empty_target)
    query = "SELECT last_value FROM public.clients_id_seq"
    assert scalar(empty_target, query) == scalar(source_db, query)


def test_rerun_on_a_finished_target_copies_nothing_and_says_so(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    first = cli("copy", "--source", source_db.url, "--target", empty_target.url)
    assert first.returncode == 0, first.stderr
    before = scalar(empty_target, "SELECT string_agg(xmin::text, ',') FROM public.clients")
    again = cli("copy", "--source", source_db.url, "--target", empty_target.url)
    assert again.returncode == 0, again.stderr
    assert "already a complete copy" in again.stdout and "nothing to copy" in again.stdout
    assert scalar(empty_target, "SELECT string_agg(xmin::text, ',') FROM public.clients") == before


def test_cleanup_drops_only_the_pgcutover_schema(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    run_copy(source_db, empty_target)
    result = cli("cleanup", "--target", empty_target.url)
    assert result.returncode == 0 and "dropped schema pgcutover" in result.stdout
    assert scalar(empty_target, "SELECT to_regnamespace('pgcutover')") is None
    assert scalar(empty_target, "SELECT count(*) FROM public.clients") == 1299
    again = cli("cleanup", "--target", empty_target.url)
    assert "nothing to clean" in again.stdout


def test_supabase_roles_skip_drops_and_lists_grants_and_policies(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    result = cli(
        "copy", "--source", source_db.url, "--target", empty_target.url, "--supabase-roles", "skip"
    )
    assert result.returncode == 0, result.stderr
    assert "left out of the restore: 48 grants, 5 policies" in result.stdout
    with connect(empty_target, role="target", read_only=True) as conn:
        plan = read_recorded_plan(conn)
    assert plan is not None
    assert "CREATE POLICY clients_own_row ON public.clients" in plan.dropped
    assert scalar(empty_target, "SELECT count(*) FROM pg_policies WHERE schemaname = 'public'") == 0
    granted = scalar(
        empty_target,
        "SELECT count(*) FROM information_schema.role_table_grants"
        " WHERE grantee IN ('anon', 'authenticated', 'service_role')",
    )
    assert granted == 0
    assert scalar(
        empty_target, "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.clients'::regclass"
    )


def test_extension_schema_is_recreated_by_create_extension(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    execute(
        source_db,
        "CREATE SCHEMA extensions",
        "CREATE EXTENSION citext WITH SCHEMA extensions",
        "ALTER TABLE public.companies ADD COLUMN slug extensions.citext",
        "UPDATE public.companies SET slug = 'Salon-One'",
    )
    plan = cli("plan", "--source", source_db.url, "--json")
    assert '"name": "citext"' in plan.stdout
    run_copy(source_db, empty_target)
    assert (
        scalar(
            empty_target,
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'citext'",
        )
        == "extensions"
    )
    assert scalar(empty_target, "SELECT string_agg(slug::text, ',') FROM public.companies") == (
        "Salon-One"
    )
    slug_type = scalar(
        empty_target,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = 'public.companies'::regclass AND attname = 'slug'",
    )
    assert slug_type == "extensions.citext"


def test_copy_refuses_a_target_with_any_relation_in_a_moved_schema_and_no_state(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    # Tables that do not clash by name are refused too: a copy never mixes with other data.
    execute(
        empty_target,
        "CREATE TABLE public.notes (id int)",
        "CREATE VIEW public.notes_view AS SELECT * FROM public.notes",
    )
    result = cli("copy", "--source", source_db.url, "--target", empty_target.url)
    assert result.returncode == 2
    assert "target already holds public.notes and 1 more" in result.stderr
    assert scalar(empty_target, "SELECT to_regnamespace('pgcutover')") is None


def _trigger_state(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    row = conn.execute(
        "SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'clients_set_updated_at'"
    ).fetchone()
    return str(row[0]) if row else "?"


def test_triggers_disabled_during_a_failed_load_are_restored(target_db: Endpoint) -> None:
    with connect(target_db, role="target", read_only=False, autocommit=True) as conn:
        clients = next(t for t in read_tables(conn, ("public",)) if t.name == "clients")
        with (
            pytest.raises(psycopg.errors.CheckViolation),
            conn.transaction(),
            triggers_off(conn, [clients], allow_replica=False) as how,
        ):
            assert how == "disable"
            assert _trigger_state(conn) == "D"
            conn.execute("UPDATE public.clients SET balance = -1 WHERE id = 1")
        assert _trigger_state(conn) == "O"
        with conn.transaction(), triggers_off(conn, [clients], allow_replica=False):
            conn.execute("UPDATE public.clients SET name = name WHERE id = 1")
        assert _trigger_state(conn) == "O"


def test_replica_role_keeps_triggers_from_firing(target_db: Endpoint) -> None:
    with connect(target_db, role="target", read_only=False, autocommit=True) as conn:
        clients = next(t for t in read_tables(conn, ("public",)) if t.name == "clients")
        before = conn.execute("SELECT updated_at FROM public.clients WHERE id = 1").fetchone()
        with conn.transaction(), triggers_off(conn, [clients]) as how:
            assert how == "replica"
            conn.execute("UPDATE public.clients SET name = name || 'x' WHERE id = 1")
        after = conn.execute("SELECT updated_at FROM public.clients WHERE id = 1").fetchone()
        assert before == after


def test_copy_carries_database_and_role_settings(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    src = sql.Identifier(source_db.dbname)
    execute(
        source_db,
        sql.SQL("ALTER DATABASE {} SET statement_timeout = '30s'").format(src),
        sql.SQL("""ALTER DATABASE {} SET search_path = "$user", public, auth""").format(src),
        sql.SQL("ALTER ROLE anon IN DATABASE {} SET statement_timeout = '3s'").format(src),
    )
    report = run_copy(source_db, empty_target)
    assert report.refused == []
    settings = scalar(
        empty_target,
        "SELECT array_agg(coalesce(r.rolname, '') || ':' || c ORDER BY 1) FROM pg_db_role_setting s"
        " LEFT JOIN pg_roles r ON r.oid = s.setrole CROSS JOIN unnest(s.setconfig) c"
        " WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    assert set(settings) == {
        ":statement_timeout=30s",
        ':search_path="$user", public, auth',
        "anon:statement_timeout=3s",
    }
    outcome = verify_pair(source_db, empty_target, "-k", "test_settings or test_role")
    assert failed_ids(outcome) == set()
    assert "test_role[anon]" in {r.name for r in read_results(outcome.alluredir)}
    assert outcome.verdict.counts["passed"] >= 2
