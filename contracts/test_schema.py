"""Schema equivalence: the target's objects are the source's, by name."""

from __future__ import annotations

from pgcutover.pytest_plugin import Side
from reports.evidence import attach_json, label
from verify.catalog import Table
from verify.diff import column_differences, column_evidence


def test_columns(table: Table, source: Side, target: Side) -> None:
    """Each source column exists on the target with the same type, nullability and generation."""
    label(feature="Schema", story=table.qualified, severity="critical")
    assert table.qualified in target.tables, f"{table.qualified} is missing on the target"
    target_table = target.tables[table.qualified]
    differences = column_differences(table, target_table)
    if differences:
        attach_json("column differences (deepdiff)", column_evidence(table, target_table))
    assert not differences, f"{table.qualified}: {'; '.join(differences)}"
