"""Moving rows: COPY BINARY streamed from source to target, chunk by chunk.

Memory stays flat whatever the table size: each chunk psycopg reads from the
source is written to the target before the next is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from verify.catalog import Conn, Table


@dataclass(frozen=True)
class Copied:
    """What one COPY moved."""

    rows: int
    bytes: int


def copy_table(source: Conn, target: Conn, table: Table) -> Copied:
    """Stream all rows of `table` from source to target."""
    ident = sql.Identifier(table.schema, table.name)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in table.copy_columns)
    out_sql = sql.SQL("COPY (SELECT {} FROM ONLY {}) TO STDOUT (FORMAT BINARY)").format(cols, ident)
    in_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(ident, cols)
    moved = 0
    with source.cursor() as src_cur, target.cursor() as tgt_cur:
        with src_cur.copy(out_sql) as reader, tgt_cur.copy(in_sql) as writer:
            for chunk in reader:
                writer.write(chunk)
                moved += len(chunk)
        return Copied(rows=max(tgt_cur.rowcount, 0), bytes=moved)
