"""One model of a database's catalog, read the same way on both sides.

Two parts: what the plan needs (schemas in scope, tables with their columns,
keys and partitions, sequences, the roles that grants and policies name), and
the schema model the schema contracts compare (every object kind, by name, in
comparable form: `read_schema_catalog`). Catalog SQL lives in verify/sql/*.sql.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import psycopg
from psycopg.rows import dict_row

from verify.normalize import (
    acl_map,
    body_text,
    map_role,
    options_map,
    settings_map,
    sql_text,
    view_text,
)

Conn = psycopg.Connection[Any]


@cache
def load_sql(name: str, package: str = "verify") -> str:
    """The text of <package>/sql/<name>.sql (verify's own, or another room's)."""
    return files(package).joinpath("sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")


def fetch_all(
    conn: Conn, name: str, *, package: str = "verify", **params: Any
) -> list[dict[str, Any]]:
    """Run <package>/sql/<name>.sql with `params` and return the rows as dicts."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(load_sql(name, package), params or None)
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
    """A plain, partitioned or partition table, or a materialized view (its rows are
    compared like a table's; the copy refreshes it rather than copying them)."""

    schema: str
    name: str
    kind: str  # 'r' plain or leaf partition, 'p' partitioned parent, 'm' materialized view
    parent: str | None
    est_rows: int
    bytes: int
    columns: tuple[Column, ...] = ()
    primary_key: tuple[str, ...] = ()
    populated: bool = True  # False: a materialized view that holds no data

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
    def is_matview(self) -> bool:
        """A materialized view: compared by its rows, refreshed rather than copied."""
        return self.kind == "m"

    @property
    def json_columns(self) -> tuple[Column, ...]:
        """Its json and jsonb columns (any may hold Baileys Buffers)."""
        return tuple(c for c in self.columns if c.type in ("json", "jsonb"))

    @property
    def copy_columns(self) -> tuple[str, ...]:
        """Columns a COPY can write (generated columns are computed by the target)."""
        return tuple(c.name for c in self.columns if not c.generated)


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
                populated=bool(row["populated"]),
            )
        )
    return tables


def read_sequences(conn: Conn, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """(schema, name) of every sequence in `schemas`."""
    return [(r["schema"], r["name"]) for r in fetch_all(conn, "sequences", schemas=list(schemas))]


def server_version(conn: Conn) -> int:
    """server_version_num, e.g. 150018."""
    return int(conn.info.server_version)


# ---------------------------------------------------------------------------
# The schema model: every object kind the schema contracts compare, by name.
#
# pg_catalog, not SQLAlchemy reflection: reflection opens its own session (so it
# would not read the contracts' snapshot), covers about a third of the kinds
# (no validity, triggers, policies, grants, settings, default privileges), and
# renders types its own way (NUMERIC(10, 2)), not as the server prints them.
# One query per kind per side, a few milliseconds each.
# ---------------------------------------------------------------------------

# The kinds, in the order contracts and reports list them.
SCHEMA_KINDS: tuple[str, ...] = (
    "schema",
    "table",
    "columns",
    "rls",
    "constraint",
    "index",
    "view",
    "function",
    "trigger",
    "enum",
    "domain",
    "sequence",
    "extension",
    "policy",
    "grants",
    "default_privileges",
    "settings",
    "comment",
)


@dataclass(frozen=True)
class SchemaObject:
    """One catalog object in comparable form: `fields` are compared, `notes` only reported."""

    kind: str
    name: str
    fields: dict[str, Any]
    notes: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ReadFrame:
    """How one side is read so it compares with the other: role names through `role_map`
    (source roles to target roles, as the user declared), owners also through `owner_map`
    (owners the plan re-owned because the target lacks them), privileges the older server
    lacks and grants to roles left out not compared."""

    role_map: dict[str, str] = field(default_factory=dict)
    ignore_privileges: frozenset[str] = frozenset()
    ignore_grantees: frozenset[str] = frozenset()
    owner_map: dict[str, str] = field(default_factory=dict)

    def owner(self, role: str) -> str:
        """The name an object's owner is compared by."""
        return self.role_map.get(role) or self.owner_map.get(role, role)

    def acl(self, rows: list[dict[str, Any]]) -> dict[str, list[str]]:
        """Exploded ACL rows in comparable form."""
        return acl_map(
            rows,
            role_map=self.role_map,
            ignore=self.ignore_privileges,
            ignore_grantees=self.ignore_grantees,
            owner=self.owner,
        )


@dataclass(frozen=True)
class SchemaCatalog:
    """Every compared object of one database, by kind and name."""

    objects: dict[str, dict[str, SchemaObject]]
    version: int

    def get(self, kind: str, name: str) -> SchemaObject | None:
        """The object, or None when this side lacks it."""
        return self.objects.get(kind, {}).get(name)

    def names(self, kind: str) -> set[str]:
        """Names of the objects of `kind`."""
        return set(self.objects.get(kind, {}))


def _put(found: dict[str, SchemaObject], kind: str, name: str, /, **fields: Any) -> None:
    found[name] = SchemaObject(kind, name, fields)


def _read_schemas(rows: list[dict[str, Any]], frame: ReadFrame) -> dict[str, SchemaObject]:
    # A schema's privileges are compared with the other grants (test_grants[<schema>]).
    found: dict[str, SchemaObject] = {}
    for r in rows:
        _put(found, "schema", r["name"], owner=frame.owner(r["owner"]))
    return found


def _read_tables(
    conn: Conn, schemas: list[str], frame: ReadFrame
) -> tuple[dict[str, SchemaObject], dict[str, SchemaObject], dict[str, list[str]]]:
    tables: dict[str, SchemaObject] = {}
    rls: dict[str, SchemaObject] = {}
    order: dict[str, list[str]] = {}
    for r in fetch_all(conn, "schema_tables", schemas=schemas):
        name = f"{r['schema']}.{r['name']}"
        _put(
            tables,
            "table",
            name,
            kind={"r": "table", "p": "partitioned table", "f": "foreign table"}[r["kind"]],
            persistence={"p": "logged", "u": "unlogged", "t": "temporary"}[r["persistence"]],
            owner=frame.owner(r["owner"]),
            partition_key=sql_text(r["partition_key"]),
            partition_of=r["parent"] if r["partition_bound"] is not None else None,
            partition_bound=sql_text(r["partition_bound"]),
            inherits=r["parent"] if r["partition_bound"] is None else None,
            options=options_map(r["options"]),
            replica_identity=r["replica_identity"],
        )
        _put(rls, "rls", name, enabled=r["rls_enabled"], forced=r["rls_forced"])
        order[name] = list(r["column_order"])
    return tables, rls, order


def _read_columns(
    conn: Conn, schemas: list[str], order: dict[str, list[str]]
) -> dict[str, SchemaObject]:
    per_table: dict[str, dict[str, Any]] = {}
    for r in fetch_all(conn, "schema_columns", schemas=schemas):
        generated = bool(r["generated"])
        per_table.setdefault(f"{r['schema']}.{r['table_name']}", {})[r["name"]] = {
            "type": r["type"],
            "not_null": r["not_null"],
            "default": None if generated else sql_text(r["expression"]),
            "generated": sql_text(r["expression"]) if generated else None,
            "generated_kind": r["generated"] or None,
            "identity": {"a": "always", "d": "by default"}.get(r["identity"]),
            "collation": r["collation"],
        }
    return {
        name: SchemaObject("columns", name, cols, notes={"column order": order.get(name, [])})
        for name, cols in per_table.items()
    }


def _read_constraints(conn: Conn, schemas: list[str]) -> dict[str, SchemaObject]:
    kinds = {
        "p": "primary key",
        "u": "unique",
        "c": "check",
        "f": "foreign key",
        "x": "exclusion",
        "t": "constraint trigger",
    }
    found: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_constraints", schemas=schemas):
        _put(
            found,
            "constraint",
            f"{r['schema']}.{r['table_name']}.{r['name']}",
            type=kinds[r["type"]],
            definition=sql_text(r["definition"]),
            validated=r["validated"],
            deferrable=r["deferrable"],
            deferred=r["deferred"],
        )
    return found


def _read_indexes(conn: Conn, schemas: list[str]) -> dict[str, SchemaObject]:
    found: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_indexes", schemas=schemas):
        _put(
            found,
            "index",
            f"{r['schema']}.{r['name']}",
            table=f"{r['schema']}.{r['table_name']}",
            definition=sql_text(r["definition"]),
            unique=r["unique"],
            primary=r["primary"],
            valid=r["valid"],
            ready=r["ready"],
        )
    return found


def _read_views(conn: Conn, schemas: list[str], frame: ReadFrame) -> dict[str, SchemaObject]:
    found: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_views", schemas=schemas):
        materialized = r["kind"] == "m"
        _put(
            found,
            "view",
            f"{r['schema']}.{r['name']}",
            kind="materialized view" if materialized else "view",
            definition=view_text(r["definition"]),
            options=options_map(r["options"]),
            owner=frame.owner(r["owner"]),
            populated=r["populated"] if materialized else None,
        )
    return found


def _read_functions(conn: Conn, schemas: list[str], frame: ReadFrame) -> dict[str, SchemaObject]:
    kinds = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window function"}
    found: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_functions", schemas=schemas):
        _put(
            found,
            "function",
            r["signature"],
            kind=kinds[r["kind"]],
            language=r["language"],
            arguments=r["arguments"],
            result=r["result"],
            body=body_text(r["body"]),
            volatility={"i": "immutable", "s": "stable", "v": "volatile"}[r["volatility"]],
            security_definer=r["security_definer"],
            strict=r["strict"],
            leakproof=r["leakproof"],
            parallel={"s": "safe", "r": "restricted", "u": "unsafe"}[r["parallel"]],
            config=sorted(r["config"]),
            owner=frame.owner(r["owner"]),
        )
    return found


def _read_triggers(conn: Conn, schemas: list[str]) -> dict[str, SchemaObject]:
    states = {"O": "enabled", "D": "disabled", "R": "replica only", "A": "always"}
    found: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_triggers", schemas=schemas):
        _put(
            found,
            "trigger",
            f"{r['schema']}.{r['table_name']}.{r['name']}",
            definition=sql_text(r["definition"]),
            enabled=states.get(r["enabled"], r["enabled"]),
        )
    return found


def _read_types(
    conn: Conn, schemas: list[str], frame: ReadFrame
) -> tuple[dict[str, SchemaObject], dict[str, SchemaObject]]:
    enums: dict[str, SchemaObject] = {}
    domains: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_types", schemas=schemas):
        name, owner = f"{r['schema']}.{r['name']}", frame.owner(r["owner"])
        if r["kind"] == "e":
            _put(enums, "enum", name, labels=list(r["labels"]), owner=owner)
            continue
        constraints = {
            con: {"definition": sql_text(c["definition"]), "validated": c["validated"]}
            for con, c in sorted(r["constraints"].items())
        }
        _put(
            domains,
            "domain",
            name,
            base_type=r["base_type"],
            not_null=r["not_null"],
            default=sql_text(r["default_expr"]),
            collation=r["collation"],
            constraints=constraints,
            owner=owner,
        )
    return enums, domains


def _read_sequences(conn: Conn, schemas: list[str], frame: ReadFrame) -> dict[str, SchemaObject]:
    found: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_sequences", schemas=schemas):
        _put(
            found,
            "sequence",
            f"{r['schema']}.{r['name']}",
            type=r["type"],
            start=int(r["start"]),
            increment=int(r["increment"]),
            min_value=int(r["min_value"]),
            max_value=int(r["max_value"]),
            cache=int(r["cache"]),
            cycle=r["cycle"],
            persistence={"p": "logged", "u": "unlogged", "t": "temporary"}[r["persistence"]],
            owned_by=r["owned_by"],
            owner=frame.owner(r["owner"]),
        )
    return found


def _read_extensions(conn: Conn) -> dict[str, SchemaObject]:
    # Every extension, whatever its schema: the plan says which the target must have and
    # which stay behind (a Supabase platform extension, one in a schema left behind).
    found: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_extensions"):
        _put(found, "extension", r["name"], version=r["version"], schema=r["schema"])
    return found


def _read_policies(conn: Conn, schemas: list[str], frame: ReadFrame) -> dict[str, SchemaObject]:
    commands = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}
    found: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_policies", schemas=schemas):
        _put(
            found,
            "policy",
            f"{r['schema']}.{r['table_name']}.{r['name']}",
            command=commands[r["command"]],
            permissive=r["permissive"],
            roles=sorted(map_role(role, frame.role_map) for role in r["roles"]),
            using=sql_text(r["using_expr"]),
            with_check=sql_text(r["check_expr"]),
        )
    return found


def _read_grants(
    conn: Conn, schemas: list[str], frame: ReadFrame, schema_rows: list[dict[str, Any]]
) -> dict[str, SchemaObject]:
    by_object: dict[str, list[dict[str, Any]]] = {}
    for r in [*fetch_all(conn, "schema_grants", schemas=schemas), *schema_rows]:
        by_object.setdefault(r["name"], []).append(r)
    found: dict[str, SchemaObject] = {}
    for name, mine in sorted(by_object.items()):
        columns: dict[str, list[dict[str, Any]]] = {}
        for r in mine:
            if r.get("column_name"):
                columns.setdefault(r["column_name"], []).append(r)
        whole = [r for r in mine if not r.get("column_name")]
        fields: dict[str, Any] = {"privileges": frame.acl(whole)}
        if columns:
            fields["column privileges"] = {
                col: frame.acl(rs) for col, rs in sorted(columns.items())
            }
        notes = {}
        if any(r.get("extension_member") for r in whole):
            notes["extension member owned by"] = frame.owner(str(whole[0]["owner"]))
        found[name] = SchemaObject("grants", name, fields, notes)
    return found


def _read_default_privileges(
    conn: Conn, schemas: list[str], frame: ReadFrame
) -> dict[str, SchemaObject]:
    objtypes = {"r": "tables", "S": "sequences", "f": "functions", "T": "types", "n": "schemas"}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in fetch_all(conn, "schema_default_privileges", schemas=schemas):
        role = map_role(r["role"], frame.role_map)
        where = r["schema"] or "*"
        grouped.setdefault(f"{where}.{objtypes[r['object_type']]}.{role}", []).append(r)
    return {
        name: SchemaObject(
            "default_privileges",
            name,
            {"privileges": frame.acl(rs)},
        )
        for name, rs in sorted(grouped.items())
    }


def _read_settings(conn: Conn) -> dict[str, SchemaObject]:
    """The database's encoding, locale and ALTER DATABASE ... SET (a role's settings are
    compared with the role: test_role)."""
    database = fetch_all(conn, "schema_database")[0]
    found: dict[str, SchemaObject] = {}
    _put(found, "settings", "database", settings={}, **database)
    for r in fetch_all(conn, "schema_settings"):
        found["database"].fields["settings"] = settings_map(r["settings"])
    return found


def _read_comments(conn: Conn, schemas: list[str]) -> dict[str, SchemaObject]:
    found: dict[str, SchemaObject] = {}
    for r in fetch_all(conn, "schema_comments", schemas=schemas):
        _put(found, "comment", f"{r['type']} {r['identity']}", text=r["description"])
    return found


def read_schema_catalog(conn: Conn, schemas: tuple[str, ...], frame: ReadFrame) -> SchemaCatalog:
    """Every compared object of `schemas`, read through `frame`, in one pass per kind."""
    names = list(schemas)
    schema_rows = fetch_all(conn, "schema_schemas", schemas=names)
    tables, rls, order = _read_tables(conn, names, frame)
    enums, domains = _read_types(conn, names, frame)
    objects = {
        "schema": _read_schemas(schema_rows, frame),
        "table": tables,
        "columns": _read_columns(conn, names, order),
        "rls": rls,
        "constraint": _read_constraints(conn, names),
        "index": _read_indexes(conn, names),
        "view": _read_views(conn, names, frame),
        "function": _read_functions(conn, names, frame),
        "trigger": _read_triggers(conn, names),
        "enum": enums,
        "domain": domains,
        "sequence": _read_sequences(conn, names, frame),
        "extension": _read_extensions(conn),
        "policy": _read_policies(conn, names, frame),
        "grants": _read_grants(conn, names, frame, schema_rows),
        "default_privileges": _read_default_privileges(conn, names, frame),
        "settings": _read_settings(conn),
        "comment": _read_comments(conn, names),
    }
    return SchemaCatalog(objects, server_version(conn))
