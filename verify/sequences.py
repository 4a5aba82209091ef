"""Sequences after a move: the target never hands out a value the source already gave.

A sequence's next value depends on last_value and is_called together (setval(s, 5, false)
hands out 5; setval(s, 5, true) hands out 6), so both are read and turned into the next
value before comparing. Ahead of the source is fine (teams bump sequences at cutover on
purpose); behind is a collision waiting to happen, as is an owned sequence not past the
largest value already in its column.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from verify.catalog import fetch_all
from verify.rows import Conn


@dataclass(frozen=True)
class SequenceState:
    """What a sequence will do next, and which column (if any) it feeds."""

    last_value: int
    is_called: bool
    increment: int
    owner: tuple[str, str, str] | None  # (schema, table, column)

    @property
    def next_value(self) -> int:
        """The value nextval() returns next."""
        return self.last_value + self.increment if self.is_called else self.last_value


def sequence_state(conn: Conn, schema: str, name: str) -> SequenceState:
    """Read one sequence (its relation, for last_value and is_called; the catalog for the rest)."""
    row = conn.execute(
        sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(schema, name))
    ).fetchone()
    assert row is not None
    meta = fetch_all(conn, "sequence_owner", schema=schema, sequence=name)
    owner = None
    increment = 1
    if meta:
        increment = int(meta[0]["increment"])
        if meta[0]["table_name"]:
            owner = (meta[0]["schema"], meta[0]["table_name"], meta[0]["column_name"])
    return SequenceState(int(row[0]), bool(row[1]), increment, owner)


def steps_behind(source: SequenceState, target: SequenceState) -> int:
    """How many values the target's next value lags the source's (negative: ahead)."""
    direction = 1 if source.increment > 0 else -1
    return (source.next_value - target.next_value) * direction


def column_extreme(conn: Conn, owner: tuple[str, str, str], increment: int) -> int | None:
    """max(column) for an ascending sequence (min for a descending one); None when empty."""
    schema, table, column = owner
    fn = sql.SQL("max" if increment > 0 else "min")
    row = conn.execute(
        sql.SQL("SELECT {}({}) FROM {}").format(
            fn, sql.Identifier(column), sql.Identifier(schema, table)
        )
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def collides_with_data(state: SequenceState, extreme: int | None) -> bool:
    """Whether nextval() would return a value the column already holds (or passed)."""
    if extreme is None:
        return False
    return state.next_value <= extreme if state.increment > 0 else state.next_value >= extreme
