"""The migrator's own catalog and state SQL, kept in migrator/sql/*.sql."""

from __future__ import annotations

from typing import Any

from verify import catalog
from verify.catalog import Conn


def load_sql(name: str) -> str:
    """The text of migrator/sql/<name>.sql."""
    return catalog.load_sql(name, "migrator")


def fetch_all(conn: Conn, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run migrator/sql/<name>.sql with `params` and return the rows as dicts."""
    return catalog.fetch_all(conn, name, package="migrator", **params)
