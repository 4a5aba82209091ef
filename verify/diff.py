"""Differences between the two sides, as sentences for messages and deepdiff for evidence."""

from __future__ import annotations

import json
from typing import Any

from verify.catalog import Column, Table


def deep_difference(source: Any, target: Any) -> dict[str, Any]:
    """A JSON-ready deepdiff of two values (source is t1, target is t2)."""
    # Imported here: deepdiff (and pydantic under it) costs a tenth of a second on every
    # contract run, and only a run with differences needs it.
    from deepdiff import DeepDiff

    diff = DeepDiff(source, target, ignore_order=False, verbose_level=2)
    parsed: dict[str, Any] = json.loads(diff.to_json())
    return parsed


def _column_shape(column: Column) -> dict[str, Any]:
    return {
        "type": column.type,
        "not_null": column.not_null,
        "generated": column.generated,
        "identity": column.identity,
    }


def column_differences(source: Table, target: Table) -> list[str]:
    """Sentences naming each column missing, extra, or different on the target (by name)."""
    src = {c.name: _column_shape(c) for c in source.columns}
    tgt = {c.name: _column_shape(c) for c in target.columns}
    found = [f"column {name} missing on the target" for name in src if name not in tgt]
    found += [f"extra column {name} on the target" for name in tgt if name not in src]
    for name in src.keys() & tgt.keys():
        for attr, value in src[name].items():
            if tgt[name][attr] != value:
                found.append(
                    f"column {name} {attr} {value!r} on the source, {tgt[name][attr]!r} on the target"
                )
    return sorted(found)


def column_evidence(source: Table, target: Table) -> dict[str, Any]:
    """deepdiff of the two tables' columns, keyed by column name."""
    return deep_difference(
        {c.name: _column_shape(c) for c in source.columns},
        {c.name: _column_shape(c) for c in target.columns},
    )
