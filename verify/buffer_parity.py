"""Buffer parity in the database: find JSON columns holding Baileys Buffers, compare revived.

Both sides stream (key, JSON) of the rows that hold a Buffer wrapper, ordered by the key's
text under the "C" collation (byte order, the same on every server and in Python), and are
merged row by row: memory stays flat. A key seen on one side only (its row lost every Buffer
on the other side, or is missing there) is looked up on the other side in one batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql

from verify.buffers import BufferDifference, buffer_differences, revive
from verify.catalog import Column, Table
from verify.rows import Conn, row_key

# Any object Baileys' reviver would turn into a Buffer, at any depth.
BUFFER_PATH = 'strict $.** ? (@.type == "Buffer" || @.buffer == true)'
TextKey = tuple[str | None, ...]


def json_columns(table: Table) -> list[Column]:
    """The json and jsonb columns of a table."""
    return [c for c in table.columns if c.type in ("json", "jsonb")]


def _as_jsonb(column: str) -> sql.Composable:
    return sql.SQL("{}::jsonb").format(sql.Identifier(column))


def holds_buffers(conn: Conn, table: Table, column: str) -> bool:
    """Whether any row's `column` holds a Buffer wrapper (stops at the first one)."""
    query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE jsonb_path_exists({}, %s))").format(
        sql.Identifier(table.schema, table.name), _as_jsonb(column)
    )
    row = conn.execute(query, (BUFFER_PATH,)).fetchone()
    return bool(row and row[0])


def buffer_columns(conn: Conn, tables: list[Table]) -> list[tuple[Table, Column]]:
    """(table, column) of every row-holding table's JSON column that holds Buffers."""
    return [
        (table, column)
        for table in tables
        if table.holds_rows
        for column in json_columns(table)
        if holds_buffers(conn, table, column.name)
    ]


def key_columns(conn: Conn, table: Table, column: str) -> tuple[str, ...]:
    """The row key; for a keyless table every other column (rows then pair up in order)."""
    key = row_key(conn, table)
    return key.columns or tuple(c.name for c in table.columns if c.name != column)


def _order(key: TextKey) -> tuple[tuple[bool, str], ...]:
    # The server's ORDER BY text COLLATE "C" ASC (NULLS LAST), as Python sees it.
    return tuple((v is None, v or "") for v in key)


def _key_text(keys: tuple[str, ...]) -> list[sql.Composable]:
    return [sql.SQL('{}::text COLLATE "C"').format(sql.Identifier(k)) for k in keys]


def stream_with_buffers(
    conn: Conn, table: Table, column: str, keys: tuple[str, ...]
) -> Iterator[tuple[TextKey, Any]]:
    """(key as text, parsed JSON) of the rows whose `column` holds a Buffer, in key order."""
    key_text = sql.SQL(", ").join(_key_text(keys))
    query = sql.SQL(
        "SELECT {}, {} FROM {} WHERE jsonb_path_exists({}, %s) ORDER BY {}, {}::text"
    ).format(
        key_text,
        _as_jsonb(column),
        sql.Identifier(table.schema, table.name),
        _as_jsonb(column),
        key_text,
        sql.Identifier(column),
    )
    width = len(keys)
    with conn.cursor() as cur:
        for row in cur.stream(query, (BUFFER_PATH,), size=500):
            yield tuple(row[:width]), row[width]


def fetch_by_keys(
    conn: Conn, table: Table, column: str, keys: tuple[str, ...], wanted: list[TextKey]
) -> dict[TextKey, Any]:
    """`column` of the rows with these text keys (one scan, however many keys)."""
    if not wanted:
        return {}
    width = len(keys)
    arrays = sql.SQL(", ").join([sql.SQL("%s::text[]")] * width)
    names = sql.SQL(", ").join(sql.Identifier(f"k{i}") for i in range(width))
    matches = sql.SQL(" AND ").join(
        sql.SQL("{} IS NOT DISTINCT FROM w.{}").format(expr, sql.Identifier(f"k{i}"))
        for i, expr in enumerate(_key_text(keys))
    )
    query = sql.SQL("SELECT {}, {} FROM {} AS t JOIN unnest({}) AS w({}) ON {}").format(
        sql.SQL(", ").join(_key_text(keys)),
        _as_jsonb(column),
        sql.Identifier(table.schema, table.name),
        arrays,
        names,
        matches,
    )
    params = [[k[i] for k in wanted] for i in range(width)]
    return {tuple(r[:width]): r[width] for r in conn.execute(query, params)}


def merge_by_key(
    source: Iterator[tuple[TextKey, Any]], target: Iterator[tuple[TextKey, Any]]
) -> Iterator[tuple[TextKey, Any, Any]]:
    """(key, source value or None, target value or None) over two key-ordered streams;
    a key seen on one side only comes with None for the other (to be looked up)."""
    s, t = next(source, None), next(target, None)
    while s is not None or t is not None:
        if t is None or (s is not None and _order(s[0]) < _order(t[0])):
            assert s is not None
            yield s[0], s[1], None
            s = next(source, None)
        elif s is None or _order(t[0]) < _order(s[0]):
            yield t[0], None, t[1]
            t = next(target, None)
        else:
            yield s[0], s[1], t[1]
            s, t = next(source, None), next(target, None)


@dataclass
class BufferParity:
    """One column's verdict: rows compared, and the differing rows with their paths."""

    column: str
    key_columns: tuple[str, ...]
    rows_compared: int = 0
    rows_differing: int = 0
    differences: list[tuple[TextKey, list[BufferDifference]]] = field(default_factory=list)
    limit: int = 100

    def add(self, key: TextKey, found: list[BufferDifference]) -> None:
        """Count one row; keep its differences while under the limit."""
        self.rows_compared += 1
        if found:
            self.rows_differing += 1
            if len(self.differences) < self.limit:
                self.differences.append((key, found))

    @property
    def equal(self) -> bool:
        """Every Buffer revives to the same bytes on both sides."""
        return self.rows_differing == 0


_ABSENT_ROW: dict[str, Any] = {}


def compare_buffer_column(
    source: Conn, target: Conn, table: Table, column: str, *, limit: int = 100
) -> BufferParity:
    """Compare, row by row, what Baileys would revive from `column` on both sides."""
    keys = key_columns(source, table, column)
    result = BufferParity(f"{table.qualified}.{column}", keys, limit=limit)
    only_source: list[TextKey] = []
    only_target: list[TextKey] = []
    pending: dict[TextKey, tuple[Any, Any]] = {}
    streams = merge_by_key(
        stream_with_buffers(source, table, column, keys),
        stream_with_buffers(target, table, column, keys),
    )
    for key, src, tgt in streams:
        if src is not None and tgt is not None:
            result.add(key, buffer_differences(revive(src), revive(tgt)))
        elif src is not None:
            only_source.append(key)
            pending[key] = (src, None)
        else:
            only_target.append(key)
            pending[key] = (None, tgt)
    found_on_target = fetch_by_keys(target, table, column, keys, only_source)
    found_on_source = fetch_by_keys(source, table, column, keys, only_target)
    for key in sorted(pending, key=_order):
        src, tgt = pending[key]
        if src is None:
            src = found_on_source.get(key, _ABSENT_ROW)
        else:
            tgt = found_on_target.get(key, _ABSENT_ROW)
        if src is _ABSENT_ROW or tgt is _ABSENT_ROW:
            side = "target" if tgt is _ABSENT_ROW else "source"
            lost = BufferDifference("$", f"row missing on the {side}", "row", "absent")
            result.add(key, [lost])
            continue
        result.add(key, buffer_differences(revive(src), revive(tgt)))
    return result


def stream_column(
    conn: Conn, table: Table, column: str, keys: tuple[str, ...]
) -> Iterator[tuple[TextKey, Any]]:
    """(key as text, parsed JSON) of every row, in key order (for shape checks)."""
    key_text = sql.SQL(", ").join(_key_text(keys))
    query = sql.SQL("SELECT {}, {} FROM {} ORDER BY {}").format(
        key_text, _as_jsonb(column), sql.Identifier(table.schema, table.name), key_text
    )
    width = len(keys)
    with conn.cursor() as cur:
        for row in cur.stream(query, size=500):
            yield tuple(row[:width]), row[width]
