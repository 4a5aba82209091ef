"""Row parity. This first cut counts rows; bucket hashing comes with the data contracts."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

Conn = psycopg.Connection[Any]


def count_rows(conn: Conn, schema: str, table: str) -> int:
    """Exact row count of one table (a partitioned parent counts its partitions' rows)."""
    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0
