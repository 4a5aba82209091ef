"""The copy's side of the plan: the tables whose rows move, in foreign-key order, split
into units, and the plan printed for the user.

What moves, what stays and what happens to roles and owners is decided once, by
verify.plan.build_plan, for copy, sync and verify alike; this module adds what only
the copier needs: tables parents first, the units that hold rows (plain tables and
leaf partitions, never partitioned parents), sequences, and the printed plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from migrator.sqlfiles import fetch_all
from verify.catalog import Conn, Table, read_sequences, read_tables
from verify.plan import (
    LeftBehind,
    Plan,
    PlanOptions,
    build_plan,
    plan_to_json,
    read_target_facts,
)

# Tables bigger than this are split into key ranges so several workers share them.
DEFAULT_SPLIT_BYTES = 64 * 1024 * 1024
MAX_PARTS = 64
JOB_SPLIT_MIN_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class CopyPlan:
    """The plan, and the tables and sequences of the schemas it moves."""

    plan: Plan
    tables: tuple[Table, ...]  # foreign-key order, parents first
    sequences: tuple[tuple[str, str], ...]

    @property
    def units(self) -> tuple[Table, ...]:
        """Tables that hold rows: plain tables and leaf partitions, never partitioned parents."""
        return tuple(t for t in self.tables if t.holds_rows)


@dataclass(frozen=True)
class TargetGaps:
    """What the target lacks before a copy can start."""

    missing_extensions: tuple[str, ...] = ()
    missing_roles: tuple[str, ...] = ()


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


def build_copy_plan(source: Conn, target: Conn | None, options: PlanOptions) -> CopyPlan:
    """The plan (verify.plan.build_plan) and the tables and sequences it moves."""
    return with_tables(source, build_plan(source, target, options))


def with_tables(source: Conn, plan: Plan) -> CopyPlan:
    """The plan with the source's tables of its schemas (parents first) and sequences;
    materialized views are refreshed on the target, not copied."""
    tables = [t for t in read_tables(source, plan.schemas) if not t.is_matview]
    return CopyPlan(
        plan=plan,
        tables=tuple(fk_order(tables, read_fk_edges(source, plan.schemas))),
        sequences=tuple(read_sequences(source, plan.schemas)),
    )


def copy_plan_for(
    source: Conn, target: Conn, recorded: Plan | None, options: PlanOptions
) -> CopyPlan:
    """The plan a copy recorded on the target (so a resumed copy or a sync follows what was
    decided at the start: roles it created count as created, not as found), else a new one;
    with the source's tables and sequences of its schemas."""
    if recorded is None:
        return build_copy_plan(source, target, options)
    return with_tables(source, recorded)


def target_gaps(copy_plan: CopyPlan, target: Conn) -> TargetGaps:
    """Extensions the target cannot create and roles it lacks (the copy creates those)."""
    facts = read_target_facts(target)
    return TargetGaps(
        missing_extensions=tuple(
            e.name for e in copy_plan.plan.extensions_to_create if e.name not in facts.extensions
        ),
        missing_roles=tuple(r.name for r in copy_plan.plan.roles if r.action == "create"),
    )


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


def _estimate(table: Table) -> int | None:
    # reltuples is -1 (read as 0) until a table is first analysed: a table with pages and
    # no estimate is unknown, not empty.
    if not table.holds_rows:
        return 0
    if table.est_rows == 0 and table.bytes > 0:
        return None
    return table.est_rows


def plan_rows(
    copy_plan: CopyPlan, *, split_bytes: int = DEFAULT_SPLIT_BYTES, jobs: int = 1
) -> list[dict[str, Any]]:
    """One row per table, in copy order: what the plan table and --json show (est_rows is
    None for a table holding pages that was never analysed)."""
    rows = []
    for t in copy_plan.tables:
        rows.append(
            {
                "table": t.qualified,
                "kind": "partitioned" if t.kind == "p" else ("partition" if t.parent else "table"),
                "est_rows": _estimate(t),
                "bytes": t.bytes if t.holds_rows else 0,
                "units": estimated_parts(t, split_bytes=split_bytes, jobs=jobs)
                if t.holds_rows
                else 0,
                "primary_key": list(t.primary_key),
            }
        )
    return rows


def plan_as_dict(
    copy_plan: CopyPlan,
    gaps: TargetGaps | None,
    *,
    split_bytes: int = DEFAULT_SPLIT_BYTES,
    jobs: int = 1,
) -> dict[str, Any]:
    """The whole plan as plain data (the `--json` output): the decisions of the shared plan,
    the tables in copy order with estimates, and what the target lacks."""
    return {
        **plan_to_json(copy_plan.plan),
        "tables": plan_rows(copy_plan, split_bytes=split_bytes, jobs=jobs),
        "sequences": [f"{s}.{n}" for s, n in copy_plan.sequences],
        "target": None
        if gaps is None
        else {
            "missing_extensions": list(gaps.missing_extensions),
            "missing_roles": list(gaps.missing_roles),
        },
        "total_est_rows": sum(t.est_rows for t in copy_plan.units),
        "total_bytes": sum(t.bytes for t in copy_plan.units),
    }


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f}"


def role_line(role: dict[str, Any]) -> str:
    """What the plan does with one role, in words."""
    how = ", ".join(role["named_by"])
    action = role["action"]
    if action == "present":
        text = "present on the target"
    elif action == "create":
        withheld = [a.upper() for a in role["withheld"]]
        text = "created NOLOGIN on the target" + (
            f" ({', '.join(withheld)} withheld: set them on the target if needed)"
            if withheld
            else ""
        )
    elif action == "skip":
        text = "not created (--supabase-roles skip): grants and policies naming it are left out"
    else:
        text = "absent on the target"
    if role["owner_on_target"] != role["name"] and "owner" in role["named_by"]:
        text += f"; its objects are owned by {role['owner_on_target']} there"
    return f"role {role['name']}: {text} (named by {how})"


def plan_lines(data: dict[str, Any]) -> list[str]:
    """The plan as a printed table, then schemas, views, extensions, roles, what stays behind."""
    tables = data["tables"]
    width = max([len(t["table"]) for t in tables] + [5])
    lines = [f"{'#':>3}  {'table':<{width}}  {'kind':<11}  {'est rows':>10}  {'MB':>8}  units"]
    for i, t in enumerate(tables, 1):
        rows = "?" if t["est_rows"] is None else t["est_rows"]
        lines.append(
            f"{i:>3}  {t['table']:<{width}}  {t['kind']:<11}  {rows:>10}  "
            f"{_mb(t['bytes']):>8}  {t['units']}"
        )
    unknown = sum(t["est_rows"] is None for t in tables)
    total = f"{data['total_est_rows']}{'+' if unknown else ''}"
    lines.append(
        f"{'':>3}  {'total':<{width}}  {'':<11}  {total:>10}  {_mb(data['total_bytes']):>8}"
    )
    if unknown:
        lines.append(
            f"? = never analysed on the source, no row estimate ({unknown} table"
            f"{'s' if unknown != 1 else ''}); ANALYZE there gives one, the copy does not need it"
        )
    lines.append(f"schemas moved: {', '.join(data['schemas']) or '(none)'}")
    for view in data["matviews"]:
        name = f"{view['schema']}.{view['name']}"
        lines.append(
            f"materialized view: {name} (refreshed after the data)"
            if view["populated"]
            else f"materialized view: {name} (WITH NO DATA on the source: stays unpopulated)"
        )
    for e in data["extensions"]:
        if e["action"] == "create":
            lines.append(
                f"extension: {e['name']} {e['version']} in {e['schema']} (CREATE EXTENSION)"
            )
        elif e["action"] == "skip":
            lines.append(f"extension left behind: {e['name']} in {e['schema']} ({e['reason']})")
    for role in data["roles"]:
        lines.append(role_line(role))
    for left in data["left_behind"]:
        lines.append(f"left on the source: {LeftBehind(**left).describe()}")
    target = data["target"]
    if target is not None:
        for name in target["missing_extensions"]:
            lines.append(f"target lacks extension: {name}")
    for item in data["dropped"]:
        lines.append(f"dropped (--supabase-roles skip): {item}")
    return lines


def grants_naming(source: Conn, plan: Plan) -> tuple[str, ...]:
    """Grants, policies and default privileges on the source that the copy leaves out:
    those naming a role skipped by `--supabase-roles skip`, and default privileges of a
    role the target lacks."""
    skipped = list(plan.skipped_roles)
    absent = sorted(plan.roles_left_out)
    if not skipped and not absent:
        return ()
    rows = fetch_all(
        source, "grants_naming", schemas=list(plan.schemas), roles=skipped, owners=absent
    )
    return tuple(r["item"] for r in rows)
