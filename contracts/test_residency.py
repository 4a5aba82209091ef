"""Residency (152-FZ): every table holding personal data is on the target, row-complete.

Personal-data tables are found in every schema of the source, Supabase's own included
(verify.residency explains each: which columns, and why), or declared in pgcutover.toml.
Each must be on the target with its row parity passed, or be declared out of scope with a
reason (accepted, listed). After cutover, `--source-must-be-empty` turns the question
round: the source must hold no personal-data rows any more.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from pgcutover.config import TOOL_SCHEMA
from pgcutover.pytest_plugin import Side, allure_dir, settings_of, sides
from reports.evidence import attach_json, label, mark_accepted
from reports.facts import RESIDENCY, write_fact
from verify.catalog import read_tables
from verify.plan import Plan
from verify.residency import (
    ACCEPTED,
    PersonalTable,
    Placement,
    Verdict,
    all_schemas,
    declarations,
    detect,
    judge,
)
from verify.rows import SAMPLE, count_rows, hash_method, row_parity

_PERSONAL = pytest.StashKey[list[PersonalTable]]()
_RESIDENCY = pytest.mark.allure_label("Residency", label_type="feature")


def personal_tables(config: pytest.Config) -> list[PersonalTable]:
    """The source's personal-data tables (detected or declared), found once per session."""
    if _PERSONAL not in config.stash:
        source = sides(config)["source"]
        settings = settings_of(config)
        declared = declarations(
            settings.residency.tables,
            settings.residency.personal_columns,
            [*settings.mask.personal_columns, *config.getoption("personal_column")],
        )
        with source.savepoint():
            tables = read_tables(source.conn, all_schemas(source.conn, leave_out=(TOOL_SCHEMA,)))
            config.stash[_PERSONAL] = detect(source.conn, tables, declared)
    return config.stash[_PERSONAL]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """test_residency runs once per personal-data table: `test_residency[public.clients]`."""
    if "personal" not in metafunc.fixturenames:
        return
    found = personal_tables(metafunc.config)
    if not found:
        skip = pytest.mark.skip(
            reason="no personal data detected: name tables detection missed in [residency] tables"
        )
        metafunc.parametrize("personal", [pytest.param(None, id="none", marks=[skip, _RESIDENCY])])
        return
    metafunc.parametrize("personal", found, ids=[p.qualified for p in found])


@pytest.fixture(scope="session")
def parities() -> dict[Any, Any]:
    """Row parity per table for this session (residency asks only whether it passed)."""
    return {}


def _parity(cache: dict[Any, Any], source: Side, target: Side, personal: PersonalTable) -> Any:
    if "method" not in cache:
        cache["method"] = hash_method(source.conn, target.conn)
    if personal.qualified not in cache:
        cache[personal.qualified] = row_parity(
            source.conn, target.conn, personal.table, method=cache["method"], limit=SAMPLE
        )
    return cache[personal.qualified]


def placement(
    personal: PersonalTable,
    plan: Plan,
    source: Side,
    target: Side,
    parities: dict[Any, Any],
    *,
    must_be_empty: bool,
) -> Placement:
    """Where the table is: moved or left behind, on the target, its rows on each side and
    (when the source is still the reference) whether its row parity passed."""
    table = personal.table
    moved = table.schema in plan.schemas
    left = plan.left_behind_schema(table.schema)
    on_target = table.qualified in target.tables
    if must_be_empty or not moved or not on_target:
        return Placement(
            moved=moved,
            left_reason=left.reason if left else "",
            on_target=on_target,
            source_rows=count_rows(source.conn, table.schema, table.name),
        )
    try:
        with target.savepoint():  # a failed query rolls back to it; the snapshot stays
            parity = _parity(parities, source, target, personal)
    except psycopg.errors.UndefinedColumn as exc:
        first = str(exc).splitlines()[0]
        return Placement(
            moved=True,
            on_target=True,
            source_rows=count_rows(source.conn, table.schema, table.name),
            parity_equal=False,
            problem=f"its rows cannot be read there ({first})",
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
    parities: dict[Any, Any],
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
    where = placement(personal, plan, source, target, parities, must_be_empty=must_be_empty)
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
