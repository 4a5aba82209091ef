"""sync: moves only what changed (inserted, updated, deleted rows), writes nothing otherwise."""

from __future__ import annotations

import signal

import pytest

from migrator.job import run_copy
from migrator.sync import SyncOptions, run_sync
from tests.fix_cli import pgcutover as cli
from tests.fix_servers import execute
from tests.migrator_helpers import fingerprints, scalar
from verify.connect import Endpoint

TABLES = ("public.clients", "public.reminders", "public.whatsapp_keys")


def _row_versions(endpoint: Endpoint) -> object:
    return scalar(
        endpoint,
        "SELECT md5(string_agg(xmin::text || ':' || xmax::text, ',' ORDER BY id))"
        " FROM public.clients",
    )


def _change_source(source: Endpoint) -> None:
    execute(
        source,
        "INSERT INTO public.clients (company_id, name, phone)"
        " SELECT id, 'Новый Клиент', '+79990000001' FROM public.companies LIMIT 1",
        "UPDATE public.clients SET name = 'Изменённое Имя' WHERE id = 2",
        "DELETE FROM public.reminders WHERE id = (SELECT min(id) FROM public.reminders)",
        "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{n}', '1')"
        " WHERE (company_id, key_type, key_id) = (SELECT company_id, key_type, key_id"
        " FROM public.whatsapp_keys ORDER BY 1, 2, 3 LIMIT 1)",
    )


def _only(prints: dict[str, tuple[int, str]]) -> dict[str, tuple[int, str]]:
    return {k: v for k, v in prints.items() if k in TABLES}


def test_sync_moves_inserted_and_updated_rows_and_reports_deletes(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    run_copy(source_db, empty_target)
    _change_source(source_db)
    # batch_rows=1: every changed row is its own upsert statement (the batched path).
    report = run_sync(source_db, empty_target, options=SyncOptions(tables=TABLES, batch_rows=1))
    by_table = {t.table: t for t in report.tables}
    assert (by_table["public.clients"].inserted, by_table["public.clients"].updated) == (1, 1)
    assert by_table["public.whatsapp_keys"].updated == 1
    assert by_table["public.reminders"].deleted_at_source == 1
    assert by_table["public.reminders"].deleted == 0
    assert report.pending_deletes == 1
    assert by_table["public.clients"].path == "change-column"
    assert scalar(empty_target, "SELECT name FROM public.clients WHERE id = 2") == "Изменённое Имя"
    # The target's own updated_at trigger did not fire: the row equals the source's.
    prints_src, prints_tgt = _only(fingerprints(source_db)), _only(fingerprints(empty_target))
    assert prints_tgt["public.clients"] == prints_src["public.clients"]
    assert prints_tgt["public.whatsapp_keys"] == prints_src["public.whatsapp_keys"]
    assert prints_tgt["public.reminders"] != prints_src["public.reminders"]

    removed = run_sync(source_db, empty_target, options=SyncOptions(tables=TABLES, delete=True))
    assert {t.table: t.deleted for t in removed.tables}["public.reminders"] == 1
    assert _only(fingerprints(empty_target)) == _only(fingerprints(source_db))
    query = "SELECT last_value FROM public.clients_id_seq"
    assert scalar(empty_target, query) == scalar(source_db, query)


def test_sync_on_an_identical_target_writes_no_row(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    run_copy(source_db, empty_target)
    before = _row_versions(empty_target)
    result = cli(
        "sync",
        "--source",
        source_db.url,
        "--target",
        empty_target.url,
        *[a for t in TABLES for a in ("--table", t)],
    )
    assert result.returncode == 0, result.stderr
    assert "target is up to date: no row written" in result.stdout
    assert _row_versions(empty_target) == before


def test_sync_refuses_a_table_without_primary_key(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    execute(
        source_db,
        "CREATE TABLE public.audit_log (msg text)",
        "INSERT INTO public.audit_log VALUES ('x')",
    )
    run_copy(source_db, empty_target)
    result = cli("sync", "--source", source_db.url, "--target", empty_target.url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "public.audit_log" in lines[0] and "no primary key" in lines[0]
    assert "--skip-keyless" in lines[0]
    skipped = cli(
        "sync",
        "--source",
        source_db.url,
        "--target",
        empty_target.url,
        "--skip-keyless",
        *("--table", "public.clients", "--table", "public.audit_log"),
    )
    assert skipped.returncode == 0, skipped.stderr
    assert "not synced (no primary key, --skip-keyless): public.audit_log" in skipped.stdout


def test_sync_refuses_a_target_whose_copy_has_not_finished(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    killed = cli(
        "copy",
        "--source",
        source_db.url,
        "--target",
        empty_target.url,
        env={"PGCUTOVER_TEST_KILL_AFTER": "pre-data:commit"},
    )
    assert killed.returncode == -signal.SIGKILL
    result = cli("sync", "--source", source_db.url, "--target", empty_target.url)
    assert result.returncode == 2 and "has not finished" in result.stderr


def test_sync_unknown_table_is_one_line(source_db: Endpoint, target_db: Endpoint) -> None:
    result = cli(
        "sync", "--source", source_db.url, "--target", target_db.url, "--table", "public.nope"
    )
    assert result.returncode == 2 and "public.nope" in result.stderr


def test_sync_hash_path_moves_rows_of_a_table_without_change_column(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    run_copy(source_db, empty_target)
    execute(
        source_db,
        "INSERT INTO public.schema_migrations (version) VALUES ('99990101000000')",
        "UPDATE public.schema_migrations SET applied_at = applied_at + interval '1 second'"
        " WHERE version = (SELECT min(version) FROM public.schema_migrations)",
        "DELETE FROM public.schema_migrations"
        " WHERE version = (SELECT max(version) FROM public.schema_migrations"
        " WHERE version < '99990101000000')",
    )
    report = run_sync(
        source_db,
        empty_target,
        options=SyncOptions(tables=("public.schema_migrations",), delete=True),
    )
    (only,) = report.tables
    assert only.path == "hash"
    assert (only.inserted, only.updated, only.deleted) == (1, 1, 1)
    src, tgt = fingerprints(source_db), fingerprints(empty_target)
    assert tgt["public.schema_migrations"] == src["public.schema_migrations"]


def test_a_failing_upsert_stops_sync_with_one_line_and_changes_nothing(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    run_copy(source_db, empty_target)
    _change_source(source_db)
    execute(
        empty_target,
        "ALTER TABLE public.clients ADD CONSTRAINT no_renames"
        " CHECK (name <> 'Изменённое Имя') NOT VALID",
    )
    before = _row_versions(empty_target)
    result = cli(
        "sync", "--source", source_db.url, "--target", empty_target.url, "--table", "public.clients"
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "sync stopped" in lines[0] and "no_renames" in lines[0]
    assert "Traceback" not in result.stderr
    assert _row_versions(empty_target) == before


def test_a_dropped_target_session_during_sync_is_retried(
    source_db: Endpoint, empty_target: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_copy(source_db, empty_target)
    _change_source(source_db)
    monkeypatch.setenv("PGCUTOVER_TEST_TERMINATE_ONCE", "public.clients:staged")
    report = run_sync(
        source_db,
        empty_target,
        options=SyncOptions(tables=("public.clients",), retry_base_seconds=0.01),
    )
    assert report.retries == 1
    (clients,) = report.tables
    assert (clients.inserted, clients.updated) == (1, 1)
    src, tgt = fingerprints(source_db), fingerprints(empty_target)
    assert tgt["public.clients"] == src["public.clients"]
