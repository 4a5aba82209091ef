"""Row parity: every table on the target holds the source's rows, value for value.

test_row_count stays beside test_row_parity on purpose: it is the figure approvers read
first ("1299 rows on the source, 1298 on the target"), it costs one count(*) per side, and
it does not depend on hashing, so a flaw in the hash path could not hide a lost row from
both contracts at once.

Assertions stay plain (PYTEST_DONT_REWRITE): a failure reads as the contract's sentence.
"""

from __future__ import annotations

from typing import Any

import pytest

from pgcutover.pytest_plugin import (
    Side,
    live_options,
    personal_columns,
    table_parity,
    table_verdict,
)
from reports.evidence import (
    Difference,
    Reproduction,
    attach_json,
    attach_sql,
    explain_failure,
    key_lookup,
    label,
    note,
    quoted,
    row_differences,
)
from verify.buffer_parity import UnreadableRows
from verify.catalog import Table
from verify.row_report import ParityReport, parity_report
from verify.rows import both, count_rows


def readable_on_both(table: Table, target: Side) -> None:
    """Fail when the target lacks the table, or holds its materialized view unpopulated; skip
    a materialized view the source itself holds WITH NO DATA (nothing to compare)."""
    assert table.qualified in target.tables, f"{table.qualified} is missing on the target"
    if not table.populated:
        pytest.skip(f"{table.qualified} holds no data on the source (WITH NO DATA)")
    assert target.tables[table.qualified].populated, (
        f"{table.qualified}: the materialized view holds no data on the target "
        f"(REFRESH MATERIALIZED VIEW {table.qualified} there)"
    )


def test_row_count(
    table: Table,
    source: Side,
    target: Side,
    row_verdicts: dict[Any, Any],
    request: pytest.FixtureRequest,
) -> None:
    """The target has as many rows as the source, table by table (partitions and
    materialized views included); on a live source (--grace), a difference made only of rows
    the source changed within the window is a note."""
    label(feature="Row parity", story=table.qualified, severity="blocker")
    readable_on_both(table, target)
    with target.savepoint():
        expected, actual = both(
            lambda: count_rows(source.conn, table.schema, table.name),
            lambda: count_rows(target.conn, table.schema, table.name),
        )
    attach_json("counts", {"table": table.qualified, "source": expected, "target": actual})
    if actual != expected and live_options(request.config).applies_to(table):
        with target.savepoint():
            try:
                parity = table_parity(request.config, table, source, target, row_verdicts)
            except UnreadableRows as exc:
                pytest.fail(str(exc), pytrace=False)
        if parity.equal:
            note(
                f"{table.qualified}: {expected} rows on the source, {actual} on the target: "
                "only rows the live source wrote meanwhile differ "
                f"({parity.inside_window} changed within the --grace window, "
                f"{parity.forgiven} caught up since)"
            )
            return
    if actual != expected:
        explain_failure(
            [Difference(table.qualified, "row count", str(expected), str(actual))],
            [Reproduction(f"SELECT count(*) FROM {quoted(table.schema, table.name)}")],
        )
    assert actual == expected, (
        f"{table.qualified}: {expected} rows on the source, {actual} on the target "
        f"({actual - expected:+d})"
    )


def test_row_parity(
    table: Table,
    source: Side,
    target: Side,
    mask: bool,
    row_verdicts: dict[Any, Any],
    request: pytest.FixtureRequest,
) -> None:
    """Every row of the source is on the target with the same values (hashes in-database;
    exact keys named on a mismatch), table by table, partition by partition, and materialized
    view by materialized view (its unique index as the key, else as a multiset). Baileys
    Buffers count by the bytes they revive to: a re-encoded Buffer is a note."""
    label(feature="Row parity", story=table.qualified, severity="blocker")
    readable_on_both(table, target)
    with target.savepoint():
        try:
            verdict = table_verdict(request.config, table, source, target, row_verdicts)
            parity = table_parity(request.config, table, source, target, row_verdicts)
        except UnreadableRows as exc:
            pytest.fail(str(exc), pytrace=False)
        report: ParityReport = parity_report(
            parity,
            table,
            source.conn,
            target.conn,
            mask=mask,
            personal=personal_columns(request.config),
            reencoded=verdict.reencoded_columns(),
        )
    attach_json("row parity", report.evidence)
    attach_sql("bucket hashes (run on both sides)", parity.sql)
    if parity.equal and (report.evidence["reencoded"]["rows"] or parity.inside_window):
        note(report.message)
    if not parity.equal:
        found = parity.differences
        first = [*found.missing, *found.extra, *found.changed][:1]
        personal = personal_columns(request.config)
        by_key = [
            key_lookup(
                table.schema, table.name, parity.key.columns, k, mask=mask, personal=personal
            )
            for k in first
            if parity.key.columns
        ]
        explain_failure(row_differences(report.evidence), by_key or [Reproduction(parity.sql)])
    assert parity.equal, report.message
