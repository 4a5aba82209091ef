"""Moving rows: COPY streamed from source to target, chunk by chunk, one unit at a time.

A unit is a table, a leaf partition, or one key range of a big one. Memory stays
flat whatever the table size: each chunk read from the source is written to the
target before more is read (small chunks are gathered up to 256 KiB first, which
saves a call per row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from migrator import hooks
from migrator.plan import estimated_parts
from migrator.sqlfiles import fetch_all
from verify.catalog import Conn, Table

_INTEGER_TYPES = {"smallint", "integer", "bigint"}
_FLUSH_BYTES = 256 * 1024


@dataclass(frozen=True)
class Copied:
    """What one COPY moved."""

    rows: int
    bytes: int


@dataclass(frozen=True)
class Unit:
    """A piece of work: a whole table, a key range of it, or a hash share of it."""

    table: Table
    part: int = 1
    parts: int = 1
    method: str = "all"  # "all", "range" (integer key) or "hash"
    key_column: str | None = None
    lower: int | None = None  # range: key >= lower (None: unbounded)
    upper: int | None = None  # range: key < upper (None: unbounded)
    est_rows: int = 0

    @property
    def id(self) -> str:
        """public.clients, or public.clients#2/4 for a part."""
        suffix = f"#{self.part}/{self.parts}" if self.parts > 1 else ""
        return f"{self.table.qualified}{suffix}"


def where_clause(unit: Unit) -> sql.Composable:
    """The WHERE that selects the unit's rows on the source (empty for a whole table)."""
    if unit.method == "range" and unit.key_column:
        key = sql.Identifier(unit.key_column)
        conds: list[sql.Composable] = []
        if unit.lower is not None:
            conds.append(sql.SQL("{} >= {}").format(key, sql.Literal(unit.lower)))
        if unit.upper is not None:
            conds.append(sql.SQL("{} < {}").format(key, sql.Literal(unit.upper)))
        return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conds) if conds else sql.SQL("")
    if unit.method == "hash":
        cols = unit.table.primary_key or unit.table.copy_columns
        row = sql.SQL(", ").join(sql.Identifier(c) for c in cols)
        # ROW(...)::text is the same on every run against the same source, so a resumed
        # copy assigns each row to the same unit.
        return sql.SQL(" WHERE (hashtext(ROW({})::text) & 2147483647) % {} = {}").format(
            row, sql.Literal(unit.parts), sql.Literal(unit.part - 1)
        )
    return sql.SQL("")


def _integer_key(table: Table) -> str | None:
    if len(table.primary_key) != 1:
        return None
    col = next((c for c in table.columns if c.name == table.primary_key[0]), None)
    return col.name if col is not None and col.type in _INTEGER_TYPES else None


def split_table(source: Conn, table: Table, *, split_bytes: int, jobs: int = 1) -> list[Unit]:
    """The units of one table: whole, or by integer key ranges, or by key hash.

    Range bounds come from the key's min and max in the caller's snapshot; the first
    and last ranges are open, so rows outside them still belong to exactly one unit.
    """
    parts = estimated_parts(table, split_bytes=split_bytes, jobs=jobs)
    if parts <= 1:
        return [Unit(table, est_rows=table.est_rows)]
    share = max(table.est_rows // parts, 0)
    key = _integer_key(table)
    if key is None:
        return [
            Unit(table, part=i, parts=parts, method="hash", est_rows=share)
            for i in range(1, parts + 1)
        ]
    row = source.execute(
        sql.SQL("SELECT min({k}), max({k}) FROM ONLY {t}").format(
            k=sql.Identifier(key), t=sql.Identifier(table.schema, table.name)
        )
    ).fetchone()
    low, high = (row[0], row[1]) if row else (None, None)
    if low is None or high is None or high - low < parts:
        return [Unit(table, est_rows=table.est_rows)]
    step = (high - low + 1) / parts
    bounds = [int(low + round(step * i)) for i in range(1, parts)]
    edges: list[int | None] = [None, *bounds, None]
    return [
        Unit(
            table,
            part=i + 1,
            parts=parts,
            method="range",
            key_column=key,
            lower=edges[i],
            upper=edges[i + 1],
            est_rows=share,
        )
        for i in range(parts)
    ]


def copy_unit(
    source: Conn,
    target: Conn,
    unit: Unit,
    *,
    binary: bool = True,
    on_rows: Callable[[int], None] | None = None,
) -> Copied:
    """Stream the unit's rows from source to target (the caller owns both transactions)."""
    table = unit.table
    ident = sql.Identifier(table.schema, table.name)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in table.copy_columns)
    fmt = sql.SQL("BINARY" if binary else "TEXT")
    out_sql = sql.SQL("COPY (SELECT {} FROM ONLY {}{}) TO STDOUT (FORMAT {})").format(
        cols, ident, where_clause(unit), fmt
    )
    in_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT {})").format(ident, cols, fmt)
    kill = hooks.kill_point()
    kill = kill if kill is not None and kill.where == unit.id else None
    term = hooks.terminate_point()
    term = term if term is not None and term.where == unit.id else None
    signalled = hooks.signal_point()
    signal_here = signalled is not None and signalled[0].where == unit.id
    moved = chunks = pending_rows = 0
    buffer = bytearray()
    with source.cursor() as src_cur, target.cursor() as tgt_cur:
        with src_cur.copy(out_sql) as reader, tgt_cur.copy(in_sql) as writer:
            hooks.maybe_kill(kill, unit.id, "0")
            for chunk in reader:
                buffer += chunk
                chunks += 1
                pending_rows += 1
                if len(buffer) >= _FLUSH_BYTES:
                    writer.write(buffer)
                    moved += len(buffer)
                    buffer.clear()
                    if on_rows is not None:
                        on_rows(pending_rows)
                    pending_rows = 0
                if signal_here:
                    hooks.maybe_signal(unit.id, str(chunks))
                if kill is not None or term is not None:
                    if buffer:
                        writer.write(buffer)
                        moved += len(buffer)
                        buffer.clear()
                    hooks.maybe_terminate(term, unit.id, str(chunks), target)
                    hooks.maybe_kill(kill, unit.id, str(chunks))
            if buffer:
                writer.write(buffer)
                moved += len(buffer)
        if on_rows is not None and pending_rows:
            on_rows(pending_rows)
        return Copied(rows=max(tgt_cur.rowcount, 0), bytes=moved)


def has_user_triggers(conn: Conn, table: Table) -> bool:
    """Whether the table has enabled user triggers on this side."""
    ident = sql.Identifier(table.schema, table.name).as_string(conn)
    rows = fetch_all(conn, "user_triggers", table=ident)
    return bool(rows and rows[0]["n"])


@contextmanager
def triggers_off(conn: Conn, tables: list[Table], *, allow_replica: bool = True) -> Iterator[str]:
    """Keep user triggers from firing while the block writes; call inside a transaction.

    `session_replication_role = replica` where the login may set it; otherwise
    ALTER TABLE ... DISABLE TRIGGER USER, enabled again at the end. Both are
    transactional: if the block fails, the rollback restores the triggers too.
    Yields which way was used ("replica" or "disable").
    """
    how = "disable"
    if allow_replica:
        try:
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")
            how = "replica"
        except psycopg.errors.InsufficientPrivilege:
            how = "disable"
    disabled = [] if how == "replica" else [t for t in tables if has_user_triggers(conn, t)]
    for t in disabled:
        conn.execute(
            sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(sql.Identifier(t.schema, t.name))
        )
    try:
        yield how
    finally:
        if disabled and conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            for t in disabled:
                conn.execute(
                    sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(
                        sql.Identifier(t.schema, t.name)
                    )
                )
