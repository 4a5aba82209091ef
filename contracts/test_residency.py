"""Residency (152-FZ): every table holding personal data is on the target, row-complete.

Personal-data tables are found in every schema of the source, Supabase's own included
(verify.residency explains each: which columns, and why), or declared in pgcutover.toml.
Each must be on the target with its row parity passed, or be declared out of scope with a
reason (accepted, listed). After cutover, `--source-must-be-empty` turns the question
round: the source must hold no personal-data rows any more.
"""

from __future__ import annotations

from typing import Any

import pytest

from pgcutover.pytest_plugin import (
    Side,
    allure_dir,
    nothing_to_check,
    personal_columns,
    settings_of,
    sides,
    table_parity,
)
from reports.evidence import attach_json, label, mark_accepted
from reports.facts import RESIDENCY, write_fact
from verify.buffer_parity import UnreadableRows
from verify.catalog import Table, read_tables
from verify.plan import Plan, source_schemas
from verify.residency import (
    ACCEPTED,
    PersonalTable,
    Placement,
    Verdict,
    declarations,
    detect,
    judge,
)
from verify.rows import count_rows

_PERSONAL = pytest.StashKey[list[PersonalTable]]()


def personal_tables(config: pytest.Config) -> list[PersonalTable]:
    """The source's personal-data tables (detected or declared), found once per session."""
    if _PERSONAL not in config.stash:
        source = sides(config)["source"]
        settings = settings_of(config)
        declared = declarations(
            settings.residency.tables,
            settings.residency.personal_columns,
            personal_columns(config),
        )
        with source.savepoint():
            tables = read_tables(source.conn, source_schemas(source.conn))
            config.stash[_PERSONAL] = detect(source.conn, tables, declared)
    return config.stash[_PERSONAL]


def _source_rows(source: Side, table: Table) -> int:
    # Inside a savepoint: a table the source's user may not read breaks this contract, not
    # the session's snapshot that every later contract reads.
    with source.savepoint():
        return count_rows(source.conn, table.schema, table.name)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """test_residency runs once per personal-data table: `test_residency[public.clients]`."""
    if "personal" not in metafunc.fixturenames:
        return
    found = personal_tables(metafunc.config)
    if not found:
        why = "no personal data detected: name tables detection missed in [residency] tables"
        metafunc.parametrize("personal", nothing_to_check(why, "Residency"))
        return
    metafunc.parametrize("personal", found, ids=[p.qualified for p in found])


def placement(
    personal: PersonalTable,
    plan: Plan,
    source: Side,
    target: Side,
    row_verdicts: dict[Any, Any],
    *,
    must_be_empty: bool,
    config: pytest.Config,
) -> Placement:
    """Where the table is: moved or left behind, on the target, its rows on each side and
    (when the source is still the reference) whether its row parity passed: the verdict
    test_row_parity reads too, computed once per session (bench/bench_residency.py), with
    the same live window (--grace)."""
    table = personal.table
    moved = table.schema in plan.schemas
    left = plan.left_behind_schema(table.schema)
    on_target = table.qualified in target.tables
    if must_be_empty or not moved or not on_target:
        return Placement(
            moved=moved,
            left_reason=left.reason if left else "",
            on_target=on_target,
            source_rows=_source_rows(source, table),
        )
    try:
        with target.savepoint():  # a failed query rolls back to it; the snapshot stays
            parity = table_parity(config, table, source, target, row_verdicts)
    except UnreadableRows as exc:
        return Placement(
            moved=True,
            on_target=True,
            source_rows=_source_rows(source, table),
            parity_equal=False,
            problem=str(exc).removeprefix(f"{table.qualified}: "),
        )
    return Placement(
        moved=True,
        on_target=True,
        source_rows=parity.source_rows,
        target_rows=parity.target_rows,
        parity_equal=parity.equal,
        differences=dict(parity.differences.totals),
    )


def test_residency(
    personal: PersonalTable,
    plan: Plan,
    source: Side,
    target: Side,
    row_verdicts: dict[Any, Any],
    request: pytest.FixtureRequest,
) -> None:
    """The table's personal data is on the target, every row (its row parity passed), or it
    is declared out of scope with a reason; with --source-must-be-empty, the source holds
    none of its rows any more."""
    label(feature="Residency", story=personal.qualified, severity="critical")
    settings = settings_of(request.config).residency
    must_be_empty = settings.source_must_be_empty or request.config.getoption(
        "source_must_be_empty"
    )
    # test_row_parity's own verdict (one pass per table, the same live window).
    where = placement(
        personal,
        plan,
        source,
        target,
        row_verdicts,
        must_be_empty=must_be_empty,
        config=request.config,
    )
    verdict: Verdict = judge(
        personal,
        where,
        out_of_scope=settings.out_of_scope_reason(personal.qualified),
        source_must_be_empty=must_be_empty,
    )
    attach_json(
        "personal data",
        personal.evidence()
        | {
            "status": verdict.status,
            "moved": where.moved,
            "source_rows": where.source_rows,
            "target_rows": where.target_rows,
        },
    )
    write_fact(
        allure_dir(request.config),
        RESIDENCY,
        personal.qualified,
        {
            "status": verdict.status,
            "ok": verdict.ok,
            "counted": verdict.counts_as_personal,
            "message": verdict.message,
            "places": personal.places(),
            "mode": "source_must_be_empty" if must_be_empty else "on_target",
        },
    )
    if verdict.status == ACCEPTED:
        mark_accepted(verdict.accepted_reason)
        pytest.xfail(f"accepted: {verdict.message}")
    assert verdict.ok, f"{verdict.message} [detected: {personal.explain()}]"
