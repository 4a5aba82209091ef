"""Row parity: every table on the target holds the source's rows."""

from __future__ import annotations

from pgcutover.pytest_plugin import Side
from reports.evidence import attach_json, label
from verify.catalog import Table
from verify.rows import count_rows


def test_row_count(table: Table, source: Side, target: Side) -> None:
    """The target has as many rows as the source, table by table (partitions included)."""
    label(feature="Row parity", story=table.qualified, severity="blocker")
    assert table.qualified in target.tables, f"{table.qualified} is missing on the target"
    expected = count_rows(source.conn, table.schema, table.name)
    with target.savepoint():
        actual = count_rows(target.conn, table.schema, table.name)
    attach_json("counts", {"table": table.qualified, "source": expected, "target": actual})
    assert actual == expected, (
        f"{table.qualified}: {expected} rows on the source, {actual} on the target "
        f"({actual - expected:+d})"
    )
