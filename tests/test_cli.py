"""The CLI as users meet it: exit codes, one-line errors, no secrets, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.gate import read_results
from tests.fix_cli import assert_one_line_error, pgcutover, verify_cli
from verify.connect import Endpoint


def test_verify_unreachable_host_is_one_line_without_the_password() -> None:
    result = pgcutover(
        "verify",
        "--source",
        "postgresql://u:secret@127.0.0.1:1/x",
        "--target",
        "postgresql://u:secret@127.0.0.1:1/y",
    )
    line = assert_one_line_error(result, "127.0.0.1:1", "connection refused")
    assert "secret" not in result.stdout + result.stderr
    assert line.startswith("pgcutover: error: source")


def test_verify_bad_url_names_the_expected_form() -> None:
    result = pgcutover("verify", "--source", "not a url", "--target", "postgresql://h/db")
    assert_one_line_error(
        result,
        "the source URL is not a postgresql:// URL",
        "postgresql://user@host:5432/dbname",
    )


def test_verify_wrong_password_names_the_user(servers: object, source_db: Endpoint) -> None:
    wrong = source_db.url.replace(f":{source_db.password}@", ":wrong-password@")
    result = pgcutover("verify", "--source", wrong, "--target", source_db.url)
    assert_one_line_error(result, "login refused for user 'postgres'", "password")
    assert source_db.password and source_db.password not in result.stdout + result.stderr


def test_verify_unknown_database_is_named(source_db: Endpoint) -> None:
    missing = source_db.with_dbname("no_such_db")
    result = pgcutover("verify", "--source", source_db.url, "--target", missing.url)
    assert_one_line_error(result, "target", "'no_such_db' does not exist")


def test_copy_without_pg_dump_names_the_missing_tool(
    source_db: Endpoint, empty_target: Endpoint, tmp_path: Path
) -> None:
    result = pgcutover(
        "copy",
        "--source",
        source_db.url,
        "--target",
        empty_target.url,
        env={"PGCUTOVER_PG_BIN": str(tmp_path)},
    )
    assert_one_line_error(result, "pg_dump", "not found")


def test_copy_refuses_pg_dump_older_than_the_source(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    old = Path("/usr/lib/postgresql/15/bin")
    if not (old / "pg_dump").exists():
        pytest.skip("needs Debian's PostgreSQL 15 client programs")
    import psycopg

    with psycopg.connect(source_db.conninfo) as conn:
        if conn.info.server_version < 160000:
            pytest.skip("the source server is not newer than pg_dump 15")
    result = pgcutover(
        "copy",
        "--source",
        source_db.url,
        "--target",
        empty_target.url,
        env={"PGCUTOVER_PG_BIN": str(old)},
    )
    assert_one_line_error(result, "pg_dump 15", "older than the source server")


def test_copy_refuses_a_target_that_already_has_the_tables(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    result = pgcutover("copy", "--source", source_db.url, "--target", target_db.url)
    assert_one_line_error(result, "target already holds", "nothing was written")


def test_copy_then_verify_says_go(
    source_db: Endpoint, empty_target: Endpoint, tmp_path: Path
) -> None:
    copied = pgcutover("copy", "--source", source_db.url, "--target", empty_target.url)
    assert copied.returncode == 0, copied.stderr
    assert "public.clients" in copied.stdout
    verified = verify_cli(source_db, empty_target, tmp_path / "r")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "VERDICT: GO" in verified.stdout
    assert (tmp_path / "r" / "gate.json").exists()
    everything = (
        verified.stdout
        + verified.stderr
        + "".join(p.read_text(errors="replace") for p in (tmp_path / "r").rglob("*") if p.is_file())
    )
    assert source_db.password and source_db.password not in everything


def test_verify_of_a_damaged_target_says_no_go_naming_the_table(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    import psycopg

    with psycopg.connect(target_db.conninfo, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM public.schema_migrations"
            " WHERE version = (SELECT min(version) FROM public.schema_migrations)"
        )
    result = verify_cli(source_db, target_db, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED test_row_count[public.schema_migrations]" in result.stdout
    assert "VERDICT: NO-GO" in result.stdout
    # A failing contract's trace, log and attachments must not carry a password either.
    everything = (
        result.stdout
        + result.stderr
        + "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    )
    for endpoint in (source_db, target_db):
        assert endpoint.password and endpoint.password not in everything


@pytest.mark.slow
def test_demo_says_go_with_the_contract_count(tmp_path: Path) -> None:
    result = pgcutover("demo", "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERDICT: GO" in result.stdout
    assert "contracts run:" in result.stdout
    # The demo names its own queries, as a user would: they run and pass.
    queries = [
        r
        for r in read_results(tmp_path / "r" / "allure-results")
        if r.name.startswith("test_query")
    ]
    assert len(queries) == 7 and {r.status for r in queries} == {"passed"}


@pytest.mark.slow
def test_demo_break_missing_row_says_no_go_naming_clients(tmp_path: Path) -> None:
    result = pgcutover("demo", "--break", "missing-row", "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "test_row_count[public.clients]" in result.stdout
    assert "VERDICT: NO-GO" in result.stdout


def test_verify_json_prints_the_gate_as_json(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    result = verify_cli(source_db, target_db, tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    gate = json.loads(result.stdout)
    assert gate["verdict"] == "GO" and gate["ran"] == gate["expected"] > 0


@pytest.mark.parametrize("verb", ["copy", "sync", "verify"])
def test_source_and_target_the_same_database_is_refused(
    source_db: Endpoint, verb: str, tmp_path: Path
) -> None:
    # Another spelling of the same server: localhost for 127.0.0.1.
    other_spelling = source_db.url.replace("127.0.0.1", "localhost")
    extra = ["--report-dir", str(tmp_path / "r")] if verb == "verify" else []
    result = pgcutover(verb, "--source", source_db.url, "--target", other_spelling, *extra)
    assert_one_line_error(result, "source and target are the same database")


def test_an_unwritable_report_folder_is_one_line(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = verify_cli(source_db, target_db, blocker / "report")
    assert_one_line_error(result, "cannot write the report folder", "--report-dir")
