"""What moves and in which order: the plan every later stage follows.

The rule (DESIGN.md, "Migrator"): user schemas move; a Supabase-managed schema
moves only when user objects depend on it, and then whole; the rest are skipped
and listed. Tables come in foreign-key order (parents first), and the units that
hold rows are plain tables and leaf partitions, never partitioned parents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from migrator.sqlfiles import fetch_all
from pgcutover.config import SUPABASE_API_ROLES, SUPABASE_MANAGED_ROLES
from verify.catalog import Conn, SchemaScope, Table, read_sequences, read_tables, roles_used
from verify.catalog import schema_scope as read_scope

# Roles a Supabase project grants to; `--supabase-roles skip` drops what names them.
SUPABASE_ROLES: frozenset[str] = frozenset(SUPABASE_API_ROLES + SUPABASE_MANAGED_ROLES)

# Tables bigger than this are split into key ranges so several workers share them.
DEFAULT_SPLIT_BYTES = 64 * 1024 * 1024
MAX_PARTS = 64
JOB_SPLIT_MIN_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Extension:
    """An extension installed in a schema that moves: recreated, never copied as objects."""

    name: str
    schema: str
    version: str


@dataclass(frozen=True)
class Plan:
    """Schemas in and out, the tables whose rows move, sequences to set, roles to provide."""

    scope: SchemaScope
    tables: tuple[Table, ...]  # foreign-key order, parents first
    sequences: tuple[tuple[str, str], ...]
    roles: tuple[str, ...]
    extensions: tuple[Extension, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def units(self) -> tuple[Table, ...]:
        """Tables that hold rows: plain tables and leaf partitions, never partitioned parents."""
        return tuple(t for t in self.tables if t.holds_rows)


@dataclass(frozen=True)
class TargetGaps:
    """What the target lacks before a copy can start."""

    missing_extensions: tuple[str, ...] = ()
    missing_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanOptions:
    """The choices a user makes about a plan (flags, or pgcutover.toml's [copy])."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    supabase_roles: str = "create"  # or "skip"
    jobs: int = 2
    split_bytes: int = DEFAULT_SPLIT_BYTES
    extra: dict[str, Any] = field(default_factory=dict)


def fk_order(tables: list[Table], edges: list[tuple[str, str]]) -> list[Table]:
    """Tables sorted so each comes after the tables it references (a cycle keeps name order).

    A partition follows its parent; self-references are ignored.
    """
    by_name = {t.qualified: t for t in tables}
    parents: dict[str, set[str]] = {t.qualified: set() for t in tables}
    for child, parent in edges:
        if child != parent and child in parents and parent in by_name:
            parents[child].add(parent)
    for t in tables:
        if t.parent and t.parent in by_name:
            parents[t.qualified].add(t.parent)
    ordered: list[Table] = []
    placed: set[str] = set()
    pending = sorted(by_name)
    while pending:
        ready = [n for n in pending if parents[n] <= placed]
        if not ready:  # a cycle: take the first by name and go on
            ready = [pending[0]]
        for name in ready:
            ordered.append(by_name[name])
            placed.add(name)
        pending = [n for n in pending if n not in placed]
    return ordered


def read_fk_edges(conn: Conn, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """(child, parent) qualified names of every foreign key inside `schemas`."""
    return [
        (f"{r['child_schema']}.{r['child_name']}", f"{r['parent_schema']}.{r['parent_name']}")
        for r in fetch_all(conn, "fk_edges", schemas=list(schemas))
    ]


def read_extensions(conn: Conn, schemas: tuple[str, ...]) -> list[Extension]:
    """Extensions installed in `schemas`."""
    return [Extension(**r) for r in fetch_all(conn, "extensions", schemas=list(schemas))]


def widen_scope(source: Conn, scope: SchemaScope) -> SchemaScope:
    """Add the skipped schemas that moved schemas depend on through defaults, triggers,
    policies or rules (which the shared scope query does not see), until nothing changes."""
    included, skipped = set(scope.included), dict(scope.skipped)
    while True:
        rows = fetch_all(source, "schemas_used", schemas=sorted(included))
        used = {r["name"] for r in rows if r["name"]}
        added = {s for s in used if s in skipped and not skipped[s].startswith("excluded")}
        if not added:
            return SchemaScope(tuple(sorted(included)), skipped)
        for name in added:
            included.add(name)
            del skipped[name]


def build_plan(
    source: Conn, *, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> Plan:
    """Read the source catalog and decide what moves."""
    scope = widen_scope(source, read_scope(source, include=include, exclude=exclude))
    tables = read_tables(source, scope.included)
    return Plan(
        scope=scope,
        tables=tuple(fk_order(tables, read_fk_edges(source, scope.included))),
        sequences=tuple(read_sequences(source, scope.included)),
        roles=tuple(roles_used(source, scope.included)),
        extensions=tuple(read_extensions(source, scope.included)),
        include=include,
        exclude=exclude,
    )


def target_gaps(plan: Plan, target: Conn) -> TargetGaps:
    """Extensions the target cannot create and roles it lacks."""
    available = {r["name"] for r in fetch_all(target, "available_extensions")}
    roles = {r[0] for r in target.execute("SELECT rolname FROM pg_roles").fetchall()}
    return TargetGaps(
        missing_extensions=tuple(e.name for e in plan.extensions if e.name not in available),
        missing_roles=tuple(r for r in plan.roles if r not in roles),
    )


def roles_to_skip(plan: Plan, gaps: TargetGaps) -> tuple[str, ...]:
    """With `--supabase-roles skip`: Supabase's roles, and any role the target lacks."""
    return tuple(r for r in plan.roles if r in SUPABASE_ROLES or r in gaps.missing_roles)


def estimated_parts(table: Table, *, split_bytes: int = DEFAULT_SPLIT_BYTES, jobs: int = 1) -> int:
    """How many units a table becomes: one per `split_bytes` of it (at most 64); with
    several jobs, a table of 8 MB or more gets at least one per job, so a single big
    table still keeps every worker busy."""
    if split_bytes <= 0:
        return 1
    parts = math.ceil(table.bytes / split_bytes) if table.bytes > split_bytes else 1
    if jobs > 1 and table.bytes >= JOB_SPLIT_MIN_BYTES:
        parts = max(parts, jobs)
    return min(MAX_PARTS, parts)


def plan_rows(
    plan: Plan, *, split_bytes: int = DEFAULT_SPLIT_BYTES, jobs: int = 1
) -> list[dict[str, Any]]:
    """One row per table, in copy order: what the plan table and --json show."""
    rows = []
    for t in plan.tables:
        rows.append(
            {
                "table": t.qualified,
                "kind": "partitioned" if t.kind == "p" else ("partition" if t.parent else "table"),
                "est_rows": t.est_rows if t.holds_rows else 0,
                "bytes": t.bytes if t.holds_rows else 0,
                "units": estimated_parts(t, split_bytes=split_bytes, jobs=jobs)
                if t.holds_rows
                else 0,
                "primary_key": list(t.primary_key),
            }
        )
    return rows


def plan_as_dict(
    plan: Plan,
    gaps: TargetGaps | None,
    *,
    supabase_roles: str = "create",
    dropped: tuple[str, ...] = (),
    split_bytes: int = DEFAULT_SPLIT_BYTES,
    jobs: int = 1,
) -> dict[str, Any]:
    """The whole plan as plain data (the `--json` output)."""
    return {
        "schemas": list(plan.scope.included),
        "skipped_schemas": dict(plan.scope.skipped),
        "tables": plan_rows(plan, split_bytes=split_bytes, jobs=jobs),
        "sequences": [f"{s}.{n}" for s, n in plan.sequences],
        "extensions": [
            {"name": e.name, "schema": e.schema, "version": e.version} for e in plan.extensions
        ],
        "roles": list(plan.roles),
        "supabase_roles": supabase_roles,
        "target": None
        if gaps is None
        else {
            "missing_extensions": list(gaps.missing_extensions),
            "missing_roles": list(gaps.missing_roles),
        },
        "dropped": list(dropped),
        "total_est_rows": sum(t.est_rows for t in plan.units),
        "total_bytes": sum(t.bytes for t in plan.units),
    }


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f}"


def plan_lines(data: dict[str, Any]) -> list[str]:
    """The plan as a printed table, then what is skipped, missing and dropped."""
    tables = data["tables"]
    width = max([len(t["table"]) for t in tables] + [5])
    lines = [f"{'#':>3}  {'table':<{width}}  {'kind':<11}  {'est rows':>10}  {'MB':>8}  units"]
    for i, t in enumerate(tables, 1):
        lines.append(
            f"{i:>3}  {t['table']:<{width}}  {t['kind']:<11}  {t['est_rows']:>10}  "
            f"{_mb(t['bytes']):>8}  {t['units']}"
        )
    lines.append(
        f"{'':>3}  {'total':<{width}}  {'':<11}  {data['total_est_rows']:>10}  "
        f"{_mb(data['total_bytes']):>8}"
    )
    lines.append(f"schemas moved: {', '.join(data['schemas']) or '(none)'}")
    for name, why in data["skipped_schemas"].items():
        lines.append(f"schema skipped: {name} ({why})")
    for e in data["extensions"]:
        lines.append(f"extension: {e['name']} {e['version']} in {e['schema']} (CREATE EXTENSION)")
    roles = ", ".join(data["roles"]) or "(none)"
    lines.append(
        f"roles named by grants and policies: {roles} (--supabase-roles {data['supabase_roles']})"
    )
    target = data["target"]
    if target is not None:
        for name in target["missing_extensions"]:
            lines.append(f"target lacks extension: {name}")
        for name in target["missing_roles"]:
            action = (
                "copy creates it NOLOGIN" if data["supabase_roles"] == "create" else "not created"
            )
            lines.append(f"target lacks role: {name} ({action})")
    for item in data["dropped"]:
        lines.append(f"dropped (--supabase-roles skip): {item}")
    return lines


def grants_naming(source: Conn, plan: Plan, roles: tuple[str, ...]) -> tuple[str, ...]:
    """Grants and policies on the source that name `roles` (what skip leaves out)."""
    if not roles:
        return ()
    rows = fetch_all(source, "grants_naming", schemas=list(plan.scope.included), roles=list(roles))
    return tuple(r["item"] for r in rows)
