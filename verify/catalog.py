"""One model of a database's catalog, read the same way on both sides.

This first cut covers what the plan and the first contracts need: schemas in
scope, tables with their columns, keys and partitions, sequences, and the roles
that grants and policies name. Catalog SQL lives in verify/sql/*.sql.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import psycopg
from psycopg.rows import dict_row

from pgcutover.config import TOOL_SCHEMA, is_supabase_managed

Conn = psycopg.Connection[Any]


@cache
def load_sql(name: str) -> str:
    """The text of verify/sql/<name>.sql."""
    return files("verify").joinpath("sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")


def fetch_all(conn: Conn, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run verify/sql/<name>.sql with `params` and return the rows as dicts."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(load_sql(name), params or None)
        return cur.fetchall()


@dataclass(frozen=True)
class Column:
    """A table column as both sides are compared: by name, with its formatted type."""

    name: str
    type: str
    not_null: bool
    generated: str  # '' or 's' (stored generated)
    identity: str  # '' , 'a' (always) or 'd' (by default)
    position: int


@dataclass(frozen=True, repr=False)
class Table:
    """A plain, partitioned or partition table."""

    schema: str
    name: str
    kind: str  # 'r' plain or leaf partition, 'p' partitioned parent
    parent: str | None
    est_rows: int
    bytes: int
    columns: tuple[Column, ...] = ()
    primary_key: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        """schema.name, the id tests and reports use."""
        return f"{self.schema}.{self.name}"

    def __repr__(self) -> str:
        # Short on purpose: reports show a contract's parameter by its repr.
        return self.qualified

    @property
    def holds_rows(self) -> bool:
        """Leaf tables hold rows; a partitioned parent only routes them."""
        return self.kind == "r"

    @property
    def copy_columns(self) -> tuple[str, ...]:
        """Columns a COPY can write (generated columns are computed by the target)."""
        return tuple(c.name for c in self.columns if not c.generated)


@dataclass(frozen=True)
class SchemaScope:
    """Which schemas are compared and moved, and which are left out and why."""

    included: tuple[str, ...]
    skipped: dict[str, str] = field(default_factory=dict)  # schema -> reason


def schema_scope(
    conn: Conn,
    *,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> SchemaScope:
    """User schemas, plus each Supabase-managed schema that user objects depend on."""
    rows = fetch_all(conn, "schemas")
    all_names = {r["name"] for r in rows}
    user = {n for n in all_names if not is_supabase_managed(n) and n != TOOL_SCHEMA}
    included: set[str] = set()
    skipped: dict[str, str] = {}
    for row in rows:
        name, used_by = row["name"], [u for u in row["used_by"] if u in user]
        if name == TOOL_SCHEMA:
            continue
        if name in exclude:
            skipped[name] = "excluded by --exclude-schema"
        elif name in user or name in include or used_by:
            included.add(name)
        else:
            skipped[name] = "Supabase-managed, nothing of the application depends on it"
    return SchemaScope(tuple(sorted(included)), dict(sorted(skipped.items())))


def read_tables(conn: Conn, schemas: tuple[str, ...]) -> list[Table]:
    """Tables of `schemas` with columns and primary keys, sorted by qualified name."""
    columns: dict[tuple[str, str], list[Column]] = {}
    for row in fetch_all(conn, "columns", schemas=list(schemas)):
        key = (row.pop("schema"), row.pop("table_name"))
        columns.setdefault(key, []).append(Column(**row))
    keys = {
        (r["schema"], r["table_name"]): tuple(r["columns"])
        for r in fetch_all(conn, "primary_keys", schemas=list(schemas))
    }
    tables = []
    for row in fetch_all(conn, "tables", schemas=list(schemas)):
        key = (row["schema"], row["name"])
        parent = f"{row['parent_schema']}.{row['parent_name']}" if row["parent_name"] else None
        tables.append(
            Table(
                schema=row["schema"],
                name=row["name"],
                kind=row["kind"],
                parent=parent,
                est_rows=int(row["est_rows"]),
                bytes=int(row["bytes"]),
                columns=tuple(columns.get(key, [])),
                primary_key=keys.get(key, ()),
            )
        )
    return tables


def read_sequences(conn: Conn, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """(schema, name) of every sequence in `schemas`."""
    return [(r["schema"], r["name"]) for r in fetch_all(conn, "sequences", schemas=list(schemas))]


def roles_used(conn: Conn, schemas: tuple[str, ...]) -> list[str]:
    """Roles that grants and policies in `schemas` name."""
    return [r["name"] for r in fetch_all(conn, "roles_used", schemas=list(schemas))]


def server_version(conn: Conn) -> int:
    """server_version_num, e.g. 150018."""
    return int(conn.info.server_version)
