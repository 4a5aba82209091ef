"""The copy's checkpoints on the target, in schema `pgcutover` (pgcutover.config.TOOL_SCHEMA).

A unit's rows and its `done` mark commit in one transaction, so after a kill a
unit is either fully there and marked, or not there at all: resuming re-copies
exactly the units that are not marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from migrator.copy import Copied, Unit
from migrator.sqlfiles import load_sql
from pgcutover.config import TOOL_SCHEMA
from pgcutover.errors import ReadOnlyTarget
from verify.catalog import Conn, Table
from verify.plan import Plan, plan_from_json, plan_to_json


@dataclass(frozen=True)
class JobState:
    """The job row: which source, the schema dump, the plan, and how far it got."""

    source_system_id: str
    source_db: str
    schema_dump: bytes
    post_data_done: bool
    finished_at: datetime | None
    plan: Plan | None = None
    matviews_done: bool = False


def ensure_writable(conn: Conn) -> None:
    """Refuse a target whose sessions cannot write (`ReadOnlyTarget`), before anything is
    written: a standby, or default_transaction_read_only set for its database or user."""
    row = conn.execute(
        "SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only')::bool"
    ).fetchone()
    assert row is not None
    standby, read_only = row
    if standby:
        raise ReadOnlyTarget(
            "the target is a standby (in recovery) and accepts no writes: give the URL of the "
            "primary; nothing was written"
        )
    if read_only:
        raise ReadOnlyTarget(
            "the target's sessions are read-only (default_transaction_read_only is on for its "
            "database or user): ALTER DATABASE ... RESET default_transaction_read_only there, "
            "or use a writable user; nothing was written"
        )


def has_state(conn: Conn) -> bool:
    """Whether the target holds our bookkeeping (a started or finished copy)."""
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{TOOL_SCHEMA}.job",)).fetchone()
    return bool(row and row[0])


def create_state(conn: Conn) -> None:
    """Create schema pgcutover and its tables (idempotent)."""
    conn.execute(load_sql("state").encode())


def drop_state(conn: Conn) -> bool:
    """DROP SCHEMA pgcutover CASCADE; whether there was one."""
    row = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (TOOL_SCHEMA,)).fetchone()
    if row is None:
        return False
    conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(TOOL_SCHEMA)))
    return True


def read_job(conn: Conn) -> JobState | None:
    """The job row, or None when no copy started here."""
    if not has_state(conn):
        return None
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "SELECT source_system_id, source_db, schema_dump, post_data_at, finished_at, plan,"
            " matviews_at FROM pgcutover.job"
        ).fetchone()
    if row is None:
        return None
    return JobState(
        source_system_id=row["source_system_id"],
        source_db=row["source_db"],
        schema_dump=bytes(row["schema_dump"]),
        post_data_done=row["post_data_at"] is not None,
        finished_at=row["finished_at"],
        plan=plan_from_json(row["plan"]) if row["plan"] else None,
        matviews_done=row["matviews_at"] is not None,
    )


def insert_job(conn: Conn, identity: tuple[str, str], plan: Plan, dump: bytes) -> None:
    """Record the job (one per target) and the plan it carries out."""
    conn.execute(
        "INSERT INTO pgcutover.job (source_system_id, source_db, include_schemas,"
        " exclude_schemas, schema_dump, plan) VALUES (%s, %s, %s, %s, %s, %s)",
        (
            identity[0],
            identity[1],
            list(plan.options.include),
            list(plan.options.exclude),
            dump,
            Jsonb(plan_to_json(plan)),
        ),
    )


def record_plan(conn: Conn, plan: Plan) -> None:
    """Store the plan as carried out (with what the restore left out and the target refused)."""
    conn.execute("UPDATE pgcutover.job SET plan = %s", (Jsonb(plan_to_json(plan)),))


def insert_units(conn: Conn, units: list[Unit]) -> None:
    """Record every unit as not yet done."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO pgcutover.units (unit, schema_name, table_name, part, parts, method,"
            " key_column, lower_bound, upper_bound, est_rows) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    u.id,
                    u.table.schema,
                    u.table.name,
                    u.part,
                    u.parts,
                    u.method,
                    u.key_column,
                    u.lower,
                    u.upper,
                    u.est_rows,
                )
                for u in units
            ],
        )


@dataclass(frozen=True)
class UnitRow:
    """A unit as recorded: its definition and whether it is done."""

    unit: Unit
    done: bool
    rows: int
    bytes: int
    seconds: float


def read_units(conn: Conn, tables: dict[str, Table]) -> list[UnitRow]:
    """Recorded units whose table is still in the plan, in recorded order."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows: list[dict[str, Any]] = cur.execute(
            "SELECT * FROM pgcutover.units ORDER BY schema_name, table_name, part"
        ).fetchall()
    result = []
    for r in rows:
        table = tables.get(f"{r['schema_name']}.{r['table_name']}")
        if table is None:
            continue
        unit = Unit(
            table,
            part=r["part"],
            parts=r["parts"],
            method=r["method"],
            key_column=r["key_column"],
            lower=r["lower_bound"],
            upper=r["upper_bound"],
            est_rows=r["est_rows"],
        )
        result.append(
            UnitRow(unit, r["done"], r["rows"] or 0, r["bytes"] or 0, r["seconds"] or 0.0)
        )
    return result


def mark_unit_done(
    conn: Conn, unit: Unit, copied: Copied, seconds: float, snapshot: str, source_time: datetime
) -> None:
    """Mark the unit done; run in the transaction that wrote its rows."""
    conn.execute(
        "UPDATE pgcutover.units SET done = true, rows = %s, bytes = %s, seconds = %s,"
        " attempts = attempts + 1, source_snapshot = %s, source_time = %s, finished_at = now()"
        " WHERE unit = %s",
        (copied.rows, copied.bytes, seconds, snapshot, source_time, unit.id),
    )


def mark_post_data(conn: Conn) -> None:
    """Record that indexes, constraints and triggers are in."""
    conn.execute("UPDATE pgcutover.job SET post_data_at = now()")


def mark_matviews(conn: Conn) -> None:
    """Record that the materialized views were refreshed."""
    conn.execute("UPDATE pgcutover.job SET matviews_at = now()")


def mark_finished(conn: Conn) -> None:
    """Record that the copy is complete."""
    conn.execute("UPDATE pgcutover.job SET finished_at = now()")


def copy_time(conn: Conn) -> datetime | None:
    """The earliest source instant any unit was copied at: where sync starts looking."""
    row = conn.execute("SELECT min(source_time) FROM pgcutover.units").fetchone()
    return row[0] if row else None


def sync_mark(conn: Conn, table: str) -> datetime | None:
    """The source instant the last sync of `table` saw, if any."""
    row = conn.execute(
        "SELECT mark FROM pgcutover.sync_marks WHERE table_name = %s", (table,)
    ).fetchone()
    return row[0] if row else None


def set_sync_mark(conn: Conn, table: str, column: str, mark: datetime) -> None:
    """Remember the source instant this sync of `table` saw."""
    conn.execute(
        "INSERT INTO pgcutover.sync_marks (table_name, change_column, mark) VALUES (%s, %s, %s)"
        " ON CONFLICT (table_name) DO UPDATE SET change_column = excluded.change_column,"
        " mark = excluded.mark, synced_at = now()",
        (table, column, mark),
    )
