"""The plan: what moves and why, in foreign-key order, with estimates; --json; --dry-run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator.plan import fk_order
from tests.fix_cli import pgcutover as cli
from tests.fix_servers import execute
from tests.migrator_helpers import scalar
from verify.catalog import Table
from verify.connect import Endpoint


def _t(name: str, parent: str | None = None) -> Table:
    schema, table = name.split(".")
    return Table(schema, table, "r", parent, 0, 0)


def test_fk_order_puts_parents_first_and_partitions_after_their_parent() -> None:
    tables = [
        _t("public.b"),
        _t("public.a"),
        _t("public.c"),
        _t("public.p_1", "public.p"),
        _t("public.p"),
    ]
    edges = [("public.b", "public.a"), ("public.c", "public.b"), ("public.a", "public.a")]
    order = [t.qualified for t in fk_order(tables, edges)]
    assert order.index("public.a") < order.index("public.b") < order.index("public.c")
    assert order.index("public.p") < order.index("public.p_1")


def test_fk_order_survives_a_cycle() -> None:
    tables = [_t("public.x"), _t("public.y")]
    order = fk_order(tables, [("public.x", "public.y"), ("public.y", "public.x")])
    assert sorted(t.qualified for t in order) == ["public.x", "public.y"]


def test_plan_json_moves_auth_skips_unreferenced_supabase_schemas_in_fk_order(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    execute(source_db, "CREATE SCHEMA storage", "CREATE TABLE storage.objects (id int PRIMARY KEY)")
    result = cli("plan", "--source", source_db.url, "--target", empty_target.url, "--json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["schemas"] == ["auth", "public"]
    storage = next(s for s in plan["left_behind"] if s["schema"] == "storage")
    assert storage["tables"] == 1 and storage["rows"] == 0
    names = [t["table"] for t in plan["tables"]]
    assert names.index("public.companies") < names.index("public.clients")
    assert names.index("public.clients") < names.index("public.bookings")
    assert names.index("public.bookings") < names.index("public.reminders")
    assert names.index("auth.users") < names.index("public.clients")
    by_name = {t["table"]: t for t in plan["tables"]}
    assert by_name["public.messages"]["kind"] == "partitioned"
    assert by_name["public.messages"]["units"] == 0
    assert by_name["public.messages_2026_10"]["units"] == 1
    assert by_name["public.clients"]["est_rows"] == 1299
    assert plan["total_bytes"] > 0
    roles = {r["name"]: r for r in plan["roles"]}
    assert {"anon", "authenticated", "service_role", "postgres"} <= set(roles)
    assert roles["postgres"]["action"] == "present"
    assert plan["target"]["missing_extensions"] == []


def test_plan_table_and_exclude_schema(source_db: Endpoint) -> None:
    execute(source_db, "CREATE SCHEMA audit", "CREATE TABLE audit.log (id int)")
    result = cli("plan", "--source", source_db.url, "--exclude-schema", "audit")
    assert result.returncode == 0, result.stderr
    assert "public.clients" in result.stdout
    assert "audit.log" not in result.stdout
    assert "left on the source: audit: 1 tables, 0 rows, 0 policies stay on the source" in (
        result.stdout
    )


def test_plan_reads_exclude_schemas_from_the_scope_section(
    source_db: Endpoint, tmp_path: Path
) -> None:
    execute(source_db, "CREATE SCHEMA audit", "CREATE TABLE audit.log (id int)")
    (tmp_path / "pgcutover.toml").write_text('[scope]\nexclude_schemas = ["audit"]\n')
    result = cli("plan", "--source", source_db.url, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["schemas"] == ["auth", "public"]


def test_plan_with_supabase_roles_skip_lists_what_is_dropped(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    result = cli(
        "plan", "--source", source_db.url, "--target", empty_target.url, "--supabase-roles", "skip"
    )
    assert result.returncode == 0, result.stderr
    assert (
        "dropped (--supabase-roles skip): policy clients_own_row ON public.clients" in result.stdout
    )
    assert "grant SELECT ON TABLE public.companies TO anon" in result.stdout
    assert "role anon: not created (--supabase-roles skip)" in result.stdout


def test_copy_dry_run_prints_the_plan_and_writes_nothing(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    result = cli("copy", "--dry-run", "--source", source_db.url, "--target", empty_target.url)
    assert result.returncode == 0, result.stderr
    assert "public.clients" in result.stdout and "est rows" in result.stdout
    assert (
        scalar(
            empty_target,
            "SELECT count(*) FROM pg_class WHERE relnamespace::regnamespace::text IN ('public', 'pgcutover')",
        )
        == 0
    )


def test_bad_toml_is_one_line(source_db: Endpoint, tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text("[copy\n")
    result = cli("plan", "--source", source_db.url, "--config", str(bad))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not valid TOML" in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [(("--jobs", "0"), "jobs must be a whole number"), (("--split-mb", "-1"), "--split-mb")],
)
def test_bad_copy_options_are_one_line(args: tuple[str, ...], needle: str) -> None:
    result = cli("copy", "--source", "postgresql://h/db", "--target", "postgresql://h/db2", *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr


def test_sync_bad_grace_is_one_line_before_connecting() -> None:
    result = cli(
        "sync", "--source", "postgresql://h/db", "--target", "postgresql://h/x", "--grace", "soon"
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "30s, 5m or 1h" in result.stderr


def test_a_table_never_analysed_shows_an_unknown_estimate_not_zero_rows(
    source_db: Endpoint,
) -> None:
    execute(
        source_db,
        # Autovacuum off: its analyse would give the table an estimate mid-test.
        "CREATE TABLE public.fresh (id int PRIMARY KEY) WITH (autovacuum_enabled = false)",
        "INSERT INTO public.fresh SELECT generate_series(1, 5000)",
    )
    printed = cli("plan", "--source", source_db.url)
    as_json = cli("plan", "--source", source_db.url, "--json")
    assert printed.returncode == 0 and as_json.returncode == 0, printed.stderr + as_json.stderr
    row = next(line for line in printed.stdout.splitlines() if "public.fresh" in line)
    assert row.split()[3] == "?"
    assert "? = never analysed on the source" in printed.stdout
    tables = {t["table"]: t for t in json.loads(as_json.stdout)["tables"]}
    assert tables["public.fresh"]["est_rows"] is None
