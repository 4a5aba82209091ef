"""What a row-parity failure tells an approver: one line naming keys and columns, and evidence.

Evidence holds the counts, the first keys of each kind of difference with the exact totals,
and for changed keys a deepdiff of the two rows over canonical text (personal data masked).
JSON columns are compared parsed and revived as Baileys does (verify.buffers), numbers kept
as their text, so a path names the field or Buffer that differs and 1.10 stays different
from 1.1. A message always names the column: when the parsed forms hide a difference (json
text that parses alike), the column whose text differs is named.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from verify.buffers import JsonNumber, Unrevivable, parse_json, revive
from verify.catalog import Table
from verify.connect import Endpoint, connect
from verify.diff import deep_difference
from verify.mask import is_personal, mask_phone_numbers, mask_row, mask_value, redact_secrets
from verify.rows import (
    CHANGED,
    EXTRA,
    MD5,
    MISSING,
    REENCODED,
    Conn,
    Differences,
    HashPlan,
    Key,
    RowParity,
    fetch_rows_as_text,
    recently_changed,
    row_hashes,
)

SHOWN_IN_MESSAGE = 3
CHANGED_WITH_ROWS = 100


class JsonText(str):
    """A JSON number in evidence, kept as its text (1.10 is not 1.1, nor the string "1.10")."""


def evidence_json(value: Any) -> Any:
    """A revived JSON value as evidence: numbers as their text, Buffers and base64 secrets
    as size and digest (key material never reaches evidence)."""
    if isinstance(value, JsonNumber):
        return JsonText(value.text)
    if isinstance(value, Unrevivable):
        return {"unrevivable Buffer": evidence_json(value.original)}
    if isinstance(value, dict):
        return {k: evidence_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [evidence_json(v) for v in value]
    return redact_secrets(value)


def _parsed(row: dict[str, Any], json_columns: set[str]) -> dict[str, Any]:
    out = dict(row)
    for name in json_columns & row.keys():
        if isinstance(row[name], str):
            out[name] = evidence_json(revive(parse_json(row[name])))
    return out


def format_key(columns: tuple[str, ...], key: Key, *, mask: bool, personal: Iterable[str]) -> str:
    """id=5, or (company_id, phone)=(studio-lotos, +7 *** *** 12 34); whole rows as JSON."""
    personal = tuple(personal)
    if not columns:
        row = redact_secrets(key[0]) if isinstance(key[0], dict) else {}
        return json.dumps(mask_row(row, personal) if mask else row, ensure_ascii=False, default=str)
    values = [
        mask_value(str(v))
        if mask and is_personal(c, personal)
        else (mask_phone_numbers(str(v)) if mask else str(v))
        for c, v in zip(columns, key, strict=True)
    ]
    if len(columns) == 1:
        return f"{columns[0]}={values[0]}"
    return f"({', '.join(columns)})=({', '.join(values)})"


def changed_paths(source_row: dict[str, Any], target_row: dict[str, Any]) -> list[str]:
    """Where two rows differ: column names, with a JSON path inside json columns (a Buffer's
    path ends at the Buffer)."""
    diff = deep_difference(source_row, target_row)
    paths: set[str] = set()
    for changes in diff.values():
        for path in changes:
            column_path = str(path).removeprefix("root['").replace("']", "", 1)
            paths.add(column_path.removesuffix("['Buffer']"))
    return sorted(paths)


def _paths_or_columns(
    a: dict[str, Any], b: dict[str, Any], raw_a: dict[str, Any], raw_b: dict[str, Any]
) -> list[str]:
    """changed_paths, or when the shown forms hide the difference (JSON text that parses
    alike), the columns whose text differs: a change is always named."""
    return changed_paths(a, b) or sorted(
        name for name in raw_a.keys() | raw_b.keys() if raw_a.get(name) != raw_b.get(name)
    )


@dataclass(frozen=True)
class ParityReport:
    """The failure line and the evidence of one table's row parity."""

    message: str
    evidence: dict[str, Any]


def parity_report(
    parity: RowParity,
    table: Table,
    source: Conn,
    target: Conn,
    *,
    mask: bool = True,
    personal: Iterable[str] = (),
    reencoded: dict[str, int] | None = None,
) -> ParityReport:
    """Message and evidence for `parity` (rows of changed keys are fetched from both sides);
    `reencoded` names the columns whose Buffers were only re-encoded, with their rows."""
    personal = tuple(personal)
    found = parity.differences
    columns = parity.key.columns
    plan = HashPlan(table, parity.key, parity.method, parity.buckets)  # the pass's own
    changed = found.changed[:CHANGED_WITH_ROWS]
    src_rows = fetch_rows_as_text(source, plan, changed)
    tgt_rows = fetch_rows_as_text(target, plan, changed)
    json_columns = {c.name for c in table.json_columns}
    changes = []
    for key in changed:
        raw_a, raw_b = src_rows.get(key, {}), tgt_rows.get(key, {})
        a, b = _parsed(raw_a, json_columns), _parsed(raw_b, json_columns)
        paths = _paths_or_columns(a, b, raw_a, raw_b)
        if mask:
            a, b = mask_row(a, personal), mask_row(b, personal)
        shown = set(changed_paths(a, b))
        changes.append(
            {
                "key": format_key(columns, key, mask=mask, personal=personal),
                "columns": paths,
                "diff": deep_difference(a, b),
                # Masking can hide the difference itself (a trailing space, a variation
                # selector): say where it is even when the masked values look alike.
                "hidden_by_mask": [p for p in paths if p not in shown],
            }
        )
    evidence = {
        "table": table.qualified,
        "key": {"columns": list(columns), "kind": parity.key.kind},
        "hash": parity.method,
        "rows": {"source": parity.source_rows, "target": parity.target_rows},
        "buckets": {"total": parity.buckets, "unequal": parity.unequal_buckets},
        "totals": {k: found.totals.get(k, 0) for k in ("missing", "extra", "changed")},
        "missing": [format_key(columns, k, mask=mask, personal=personal) for k in found.missing],
        "extra": [format_key(columns, k, mask=mask, personal=personal) for k in found.extra],
        "changed": changes,
        "reencoded": {
            "rows": found.totals.get(REENCODED, 0),
            "columns": reencoded or {},
            "keys": [format_key(columns, k, mask=mask, personal=personal) for k in found.reencoded],
            "note": reencoded_note(found.totals.get(REENCODED, 0), reencoded or {}),
        },
        "live": {
            "rechecked": parity.rechecked,
            "caught_up": parity.forgiven,
            "changed_at_source_inside_window": parity.inside_window,
        },
    }
    return ParityReport(
        _message(parity, changes, reencoded or {}, mask=mask, personal=personal), evidence
    )


def reencoded_note(rows: int, columns: dict[str, int]) -> str:
    """'3 rows re-encoded, same bytes (value)', or '' when none were."""
    if not rows:
        return ""
    return f"{rows} row{'s' if rows != 1 else ''} re-encoded, same bytes ({', '.join(sorted(columns))})"


def _message(
    parity: RowParity,
    changes: list[dict[str, Any]],
    reencoded: dict[str, int],
    *,
    mask: bool,
    personal: tuple[str, ...],
) -> str:
    found = parity.differences
    note = reencoded_note(found.totals.get(REENCODED, 0), reencoded)
    if parity.inside_window:
        window = f"{parity.inside_window} changed at the source within the --grace window"
        note = f"{note}; {window}" if note else window
    if not found.any:
        return f"{parity.table}: rows equal ({parity.source_rows})" + (f"; {note}" if note else "")
    parts = []
    for kind in ("missing", "extra"):
        total = found.totals.get(kind, 0)
        if total:
            keys = [
                format_key(parity.key.columns, k, mask=mask, personal=personal)
                for k in getattr(found, kind)[:SHOWN_IN_MESSAGE]
            ]
            more = f" (+{total - len(keys)} more)" if total > len(keys) else ""
            parts.append(f"{total} {kind}: {'; '.join(keys)}{more}")
    total = found.totals.get("changed", 0)
    if total:
        shown = [f"{c['key']} in {', '.join(c['columns'])}" for c in changes[:SHOWN_IN_MESSAGE]]
        more = f" (+{total - len(shown)} more)" if total > len(shown) else ""
        parts.append(f"{total} changed: {'; '.join(shown)}{more}")
    if note:
        parts.append(note)
    hashed = " (md5 row hashes)" if parity.method == MD5 else ""
    return (
        f"{parity.table}: {parity.source_rows} rows on the source, {parity.target_rows} on the "
        f"target{hashed}; " + " | ".join(parts)
    )


def live_recheck(
    parity: RowParity,
    table: Table,
    source: Endpoint,
    target: Endpoint,
    change_column: str,
    grace: timedelta,
) -> RowParity:
    """Look again, in fresh snapshots, at differing keys changed within `grace` of now: drop
    those that have caught up, and those the source changed within the window (written after
    the copy or the last sync, which carries them later). A row only the target changed
    recently, or one the source changed before the window, still differs; so does a row the
    source deleted (it has no change column left to read) until `sync --delete` removes it."""
    found = parity.differences
    keys = [*found.missing, *found.extra, *found.changed]
    with (
        connect(source, role="source", read_only=True, canonical=True, autocommit=True) as src,
        connect(target, role="target", read_only=True, canonical=True, autocommit=True) as tgt,
    ):
        plan = HashPlan(table, parity.key, parity.method, parity.buckets)
        at_source = recently_changed(src, plan, keys, change_column, grace)
        recent = at_source | recently_changed(tgt, plan, keys, change_column, grace)
        now_src = row_hashes(src, plan, keys)
        # A key gone from the source since (inserted and deleted while we compared) has no
        # change column left to read: it is looked at again too, and agrees if the target
        # lacks it as well.
        todo = [k for k in keys if k in recent or k not in now_src]
        now_tgt = row_hashes(tgt, plan, todo)
    caught_up = {k for k in todo if now_src.get(k) == now_tgt.get(k)}
    inside = at_source - caught_up
    kept = Differences(limit=found.limit)
    for kind in (MISSING, EXTRA, CHANGED, REENCODED):
        for key in getattr(found, kind):
            if key not in caught_up and key not in inside:
                kept.add(kind, key)
    return replace(
        parity,
        differences=kept,
        rechecked=len(todo),
        forgiven=len(caught_up),
        inside_window=len(inside),
    )
