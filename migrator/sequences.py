"""Sequences follow the data: set on the target from the source's state after the load."""

from __future__ import annotations

from psycopg import sql

from verify.catalog import Conn


def copy_sequence_values(source: Conn, target: Conn, sequences: tuple[tuple[str, str], ...]) -> int:
    """setval each sequence on the target to the source's last_value and is_called."""
    for schema, name in sequences:
        ident = sql.Identifier(schema, name)
        row = source.execute(
            sql.SQL("SELECT last_value, is_called FROM {}").format(ident)
        ).fetchone()
        if row is None:
            continue
        current = target.execute(
            sql.SQL("SELECT last_value, is_called FROM {}").format(ident)
        ).fetchone()
        if current is not None and tuple(current) == tuple(row):
            continue  # already there: setval would still write WAL
        target.execute(
            "SELECT setval(%s::regclass, %s, %s)",
            (sql.Identifier(schema, name).as_string(target), row[0], row[1]),
        )
    return len(sequences)
