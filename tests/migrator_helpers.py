"""Helpers the migrator tests share: running the CLI, and comparing both sides exactly."""

from __future__ import annotations

from psycopg import sql

from verify.catalog import read_tables
from verify.connect import Endpoint, connect


def fingerprints(
    endpoint: Endpoint, schemas: tuple[str, ...] = ("auth", "public")
) -> dict[str, tuple[int, str]]:
    """(row count, md5 of the sorted row texts) per leaf table: equal means the same rows."""
    result = {}
    with connect(endpoint, role="side", read_only=True, canonical=True) as conn:
        for t in read_tables(conn, schemas):
            if not t.holds_rows:
                continue
            row = conn.execute(
                sql.SQL(
                    "SELECT count(*), coalesce(md5(string_agg(x.r, E'\\n' ORDER BY x.r)), '')"
                    " FROM (SELECT t::text AS r FROM ONLY {} t) x"
                ).format(sql.Identifier(t.schema, t.name))
            ).fetchone()
            assert row is not None
            result[t.qualified] = (int(row[0]), str(row[1]))
    return result


def scalar(endpoint: Endpoint, query: str) -> object:
    """The first column of the first row."""
    with connect(endpoint, role="side", read_only=True) as conn:
        row = conn.execute(query).fetchone()
    return row[0] if row else None
