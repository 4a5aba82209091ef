"""The copy job end to end: plan, pre-data, rows under one snapshot, post-data, sequences."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from psycopg import sql

from migrator.copy import copy_table
from migrator.plan import Plan, build_plan
from migrator.schema import dump_schema, pick_dump_tools, restore_section
from migrator.sequences import copy_sequence_values
from pgcutover.errors import TargetNotEmpty
from verify.catalog import Conn, read_tables, server_version
from verify.connect import Endpoint, connect

Progress = Callable[[str], None]


@dataclass(frozen=True)
class TableResult:
    """Rows, bytes and seconds of one copied table."""

    table: str
    rows: int
    bytes: int
    seconds: float


@dataclass
class CopyReport:
    """What a copy did, for the final table and for tests."""

    plan: Plan
    tables: list[TableResult] = field(default_factory=list)
    roles_created: list[str] = field(default_factory=list)
    snapshot: str = ""
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        """Rows copied in all."""
        return sum(t.rows for t in self.tables)


def _quiet(_: str) -> None:
    return None


def ensure_empty_target(target: Conn, plan: Plan) -> None:
    """Refuse a target that already has any table the plan would create."""
    present = {t.qualified for t in read_tables(target, plan.scope.included)}
    clash = sorted(present & {t.qualified for t in plan.tables})
    if clash:
        more = f" and {len(clash) - 1} more" if len(clash) > 1 else ""
        raise TargetNotEmpty(
            f"target already has {clash[0]}{more}: copy into an empty database "
            "(nothing was written)"
        )


def create_missing_roles(target: Conn, roles: tuple[str, ...]) -> list[str]:
    """CREATE ROLE ... NOLOGIN for each role the grants name and the target lacks."""
    existing = {r[0] for r in target.execute("SELECT rolname FROM pg_roles").fetchall()}
    created = [r for r in roles if r not in existing]
    for role in created:
        target.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    return created


def run_copy(
    source_ep: Endpoint, target_ep: Endpoint, *, progress: Progress = _quiet
) -> CopyReport:
    """Copy schema and rows from source to target; the source is only read."""
    started = time.monotonic()
    with (
        connect(source_ep, role="source", read_only=True, autocommit=True) as source,
        connect(target_ep, role="target", read_only=False, autocommit=True) as target,
    ):
        # One exported snapshot: pg_dump and every COPY see the same instant.
        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snap_row = source.execute("SELECT pg_export_snapshot()").fetchone()
        snapshot = str(snap_row[0]) if snap_row else ""
        plan = build_plan(source)
        report = CopyReport(plan=plan, snapshot=snapshot)
        ensure_empty_target(target, plan)
        tools = pick_dump_tools(server_version(source) // 10000)
        report.roles_created = create_missing_roles(target, plan.roles)
        with tempfile.TemporaryDirectory(prefix="pgcutover-dump-") as tmp:
            dump = Path(tmp) / "schema.dump"
            progress(f"schema: pg_dump {tools.version} of {', '.join(plan.scope.included)}")
            dump_schema(tools, source_ep, plan.scope.included, dump, snapshot=snapshot)
            restore_section(tools, dump, target, "pre-data")
            for table in plan.units:
                t0 = time.monotonic()
                with target.transaction():
                    copied = copy_table(source, target, table)
                result = TableResult(
                    table.qualified, copied.rows, copied.bytes, time.monotonic() - t0
                )
                report.tables.append(result)
                progress(f"copied {result.table}: {result.rows} rows")
            progress("schema: indexes, constraints, triggers (post-data)")
            restore_section(tools, dump, target, "post-data")
        copy_sequence_values(source, target, plan.sequences)
        source.execute("COMMIT")
    report.seconds = time.monotonic() - started
    return report
