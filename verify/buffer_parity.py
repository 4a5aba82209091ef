"""Baileys Buffers in row parity: differing rows judged as the application revives them.

Row parity's bucket pass finds the keys whose row hashes differ; only those rows reach
Python. A `BufferJudge` fetches their JSON columns from both sides (a thousand keys a query)
and revives them as Baileys 6.x does: a row whose only difference is how its Buffers are
written (base64 or byte array, the legacy wrapper, unpadded or URL-safe base64) holds the
same data and is re-encoded, not changed; every other difference stays a change. On the
way it records, per JSON column, which rows' Buffers differ and where (a changed byte, a
lost Buffer, a Buffer turned into a string), which is what buffer parity reports. So
identical tables cost row parity's one pass per side and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from verify.buffers import (
    BufferDifference,
    buffer_differences,
    holds_buffer,
    parse_json,
    revive,
    same_json,
)
from verify.catalog import Column, Table
from verify.mask import error_line
from verify.rows import (
    CHANGED,
    EXTRA,
    MISSING,
    REENCODED,
    SAMPLE,
    Conn,
    Event,
    HashPlan,
    Key,
    RowParity,
    both,
    compare_rows,
    hash_method,
    hash_plan,
    row_key,
    values_by_keys,
)

TextKey = tuple[str | None, ...]


def buffer_columns(tables: list[Table]) -> list[tuple[Table, Column]]:
    """(table, column) of every row-holding table's JSON column: each may hold Buffers.

    From the catalog, not by looking: finding out that a column holds no Buffer wrapper
    takes a scan of every row (1 to 4 s a million rows, more than the table's row parity),
    and whatever it holds, its Buffers are judged in the rows whose hashes differ."""
    return [(t, c) for t in tables if t.holds_rows for c in t.json_columns]


@dataclass
class ColumnBuffers:
    """One JSON column's Buffers over the rows whose hashes differ."""

    column: str  # schema.table.column
    limit: int | None = SAMPLE
    rows_with_buffers: int = 0  # of the rows whose hashes differ, those holding a Buffer here
    rows_reencoded: int = 0  # same bytes, other shape
    rows_differing: int = 0  # some Buffer revives differently (or its row is missing)
    differences: list[tuple[Key, list[BufferDifference]]] = field(default_factory=list)

    def add(self, key: Key, found: list[BufferDifference]) -> None:
        """Count one row whose Buffers differ; keep it while under the limit."""
        self.rows_differing += 1
        if self.limit is None or len(self.differences) < self.limit:
            self.differences.append((key, found))

    @property
    def equal(self) -> bool:
        """Every Buffer revives to the same bytes on both sides."""
        return self.rows_differing == 0


def _revived(text: str | None) -> Any:
    return None if text is None else revive(parse_json(text))


@dataclass
class BufferJudge:
    """Reclassifies row parity's differences by what Baileys revives (see module docstring)."""

    source: Conn
    target: Conn
    plan: HashPlan
    columns: dict[str, ColumnBuffers]

    def __call__(self, batch: list[Event]) -> list[Event]:
        """The batch with re-encoded rows marked so; Buffer differences recorded per column."""
        if self.plan.key.keyless:  # the key is the row itself, as JSON
            for kind, key in batch:
                row = key[0] if isinstance(key[0], dict) else {}
                self._row_alone(kind, {n: revive(row.get(n)) for n in self.columns}, key)
            return batch
        keys = {kind: [k for c, k in batch if c == kind] for kind in (MISSING, EXTRA, CHANGED)}
        names = list(self.columns)
        others = [c.name for c in self.plan.table.columns if c.name not in self.columns]
        select: list[sql.Composable] = [
            self.plan.columns_hash(others) if others else sql.Literal(0),
            *(sql.SQL("{}::text").format(sql.Identifier(name)) for name in names),
        ]
        src, tgt = both(
            lambda: values_by_keys(self.source, self.plan, select, keys[MISSING] + keys[CHANGED]),
            lambda: values_by_keys(self.target, self.plan, select, keys[EXTRA] + keys[CHANGED]),
        )
        for kind, side in ((MISSING, src), (EXTRA, tgt)):
            for key in keys[kind]:
                texts_of_row = side.get(key, (None,) * (len(names) + 1))[1:]
                self._row_alone(
                    kind, dict(zip(names, map(_revived, texts_of_row), strict=True)), key
                )
        judged = [(kind, key) for kind, key in batch if kind != CHANGED]
        for key in keys[CHANGED]:
            judged.append((self._changed(key, src.get(key), tgt.get(key)), key))
        return judged

    def _row_alone(self, kind: str, revived: dict[str, Any], key: Key) -> None:
        """A row on one side only: the Buffers it holds are lost on the other side."""
        side = "target" if kind == MISSING else "source"
        lost = BufferDifference("$", f"row missing on the {side}", "row", "absent")
        for name, found in self.columns.items():
            if holds_buffer(revived.get(name)):
                found.rows_with_buffers += 1
                found.add(key, [lost])

    def _changed(self, key: Key, src: tuple[Any, ...] | None, tgt: tuple[Any, ...] | None) -> str:
        """CHANGED or REENCODED for one key present on both sides."""
        if src is None or tgt is None:
            return CHANGED
        changed = src[0] != tgt[0]  # the columns other than JSON
        reencoded = False
        for found, a_text, b_text in zip(self.columns.values(), src[1:], tgt[1:], strict=True):
            if a_text == b_text:
                continue
            a, b = _revived(a_text), _revived(b_text)
            if not (holds_buffer(a) or holds_buffer(b)):
                changed = True
                continue
            found.rows_with_buffers += 1
            if same_json(a, b):
                found.rows_reencoded += 1
                reencoded = True
            else:
                changed = True
                differences = buffer_differences(a, b)
                if differences:
                    found.add(key, differences)
        return REENCODED if reencoded and not changed else CHANGED


@dataclass(frozen=True)
class TableVerdict:
    """Row parity of one table with Buffer semantics, and each JSON column's Buffers."""

    parity: RowParity
    buffers: dict[str, ColumnBuffers]

    def reencoded_columns(self) -> dict[str, int]:
        """Columns with re-encoded Buffers (same bytes, another shape) and their rows."""
        return {n: b.rows_reencoded for n, b in self.buffers.items() if b.rows_reencoded}


def table_verdict(
    source: Conn, target: Conn, table: Table, *, method: str, limit: int | None = SAMPLE
) -> TableVerdict:
    """Row parity of `table` where JSON columns are judged as Baileys revives them."""
    plan = hash_plan(source, table, method)
    buffers = {
        c.name: ColumnBuffers(f"{table.qualified}.{c.name}", limit) for c in table.json_columns
    }
    judge = BufferJudge(source, target, plan, buffers) if buffers else None
    return TableVerdict(compare_rows(source, target, plan, limit=limit, judge=judge), buffers)


class UnreadableRows(Exception):
    """The target's table lacks a column the source's has, or holds it as another type: its
    rows cannot be hashed the source's way."""


def cached_verdict(
    cache: dict[Any, Any], source: Conn, target: Conn, table: Table, *, limit: int | None
) -> TableVerdict:
    """`table_verdict` once per table (and limit) for a session: row parity and Buffer
    parity of a table share one pass per side. The hash method is probed once too."""
    if "method" not in cache:
        cache["method"] = hash_method(source, target)
    key = (table.qualified, limit)
    if key not in cache:
        try:
            cache[key] = table_verdict(source, target, table, method=cache["method"], limit=limit)
        except (psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedFunction) as exc:
            # A column missing on the target, or of another type than the source's (its
            # hash form does not apply): the schema contracts say which; this names the table.
            raise UnreadableRows(
                f"{table.qualified}: cannot read the target's rows ({error_line(exc)})"
            ) from None
    verdict: TableVerdict = cache[key]
    return verdict


# --- credentials: read whole (one row per tenant) -------------------------------------
def key_columns(conn: Conn, table: Table, column: str) -> tuple[str, ...]:
    """The row key; for a keyless table every other column."""
    key = row_key(conn, table)
    return key.columns or tuple(c.name for c in table.columns if c.name != column)


def stream_column(
    conn: Conn, table: Table, column: str, keys: tuple[str, ...]
) -> Iterator[tuple[TextKey, Any]]:
    """(key as text, parsed JSON) of every row, in key order (for shape checks)."""
    key_text = sql.SQL(", ").join(
        sql.SQL('{}::text COLLATE "C"').format(sql.Identifier(k)) for k in keys
    )
    query = sql.SQL("SELECT {}, {}::jsonb FROM {} ORDER BY {}").format(
        key_text, sql.Identifier(column), sql.Identifier(table.schema, table.name), key_text
    )
    width = len(keys)
    with conn.cursor() as cur:
        for row in cur.stream(query, size=500):
            yield tuple(row[:width]), row[width]
