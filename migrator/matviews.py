"""Materialized views hold data a schema-only restore leaves out: refresh them after the load.

Each one the source holds populated is refreshed, in dependency order (one that reads
another comes after it), from the rows just copied; one created WITH NO DATA on the
source stays unpopulated, as it is there.
"""

from __future__ import annotations

from psycopg import sql

from verify.catalog import Conn
from verify.plan import MatView


def refresh_matviews(target: Conn, views: tuple[MatView, ...]) -> list[str]:
    """REFRESH MATERIALIZED VIEW each populated view in the given (dependency) order;
    returns the names refreshed. Run inside the caller's transaction."""
    refreshed = []
    for view in views:
        if not view.populated:
            continue
        target.execute(
            sql.SQL("REFRESH MATERIALIZED VIEW {}").format(sql.Identifier(view.schema, view.name))
        )
        refreshed.append(view.qualified)
    return refreshed
