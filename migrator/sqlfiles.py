"""The migrator's own catalog and state SQL, kept in migrator/sql/*.sql."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from psycopg.rows import dict_row

from verify.catalog import Conn


@cache
def load_sql(name: str) -> str:
    """The text of migrator/sql/<name>.sql."""
    return files("migrator").joinpath("sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")


def fetch_all(conn: Conn, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run migrator/sql/<name>.sql with `params` and return the rows as dicts."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(load_sql(name), params or None)
        return cur.fetchall()
