"""`pgcutover sync`: during the dual-run weeks, move only what changed since the last run.

Per table, in foreign-key order, inside one source snapshot:
- with a change column (updated_at) and a mark from the copy or the last sync: the
  source rows whose change column passed the mark (less a grace period, for
  transactions that committed late) are the candidates;
- otherwise the row-parity hashing of the data contracts (verify.rows.diff_keys)
  names the missing, changed and extra keys.
Candidates go through a staging table and batched upserts (migrator.upsert); rows
identical on both sides are never written. Rows deleted at the source are
reported, and removed with --delete. Each table commits with its new mark.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from psycopg import sql

from migrator import hooks, state
from migrator.copy import triggers_off
from migrator.plan import copy_plan_for
from migrator.progress import QuietSink, Sink
from migrator.retry import with_retry
from migrator.sequences import copy_sequence_values
from migrator.upsert import (
    STAGE,
    create_stage,
    delete_keys,
    key_select,
    keys_missing_at_source,
    stream_into,
    upsert_from_stage,
)
from pgcutover.errors import ConnectFailed, CopyFailed, NoPrimaryKey, SyncFailed, UnknownTable
from verify.catalog import Conn, Table
from verify.connect import Endpoint, connect
from verify.mask import scrub
from verify.plan import PlanOptions
from verify.rows import diff_keys

_TIME_TYPES = {"timestamp with time zone", "timestamp without time zone", "date"}


@dataclass(frozen=True)
class SyncOptions:
    """How to sync: which column marks a change, the grace period, deletes, batch size."""

    change_column: str = "updated_at"
    grace_seconds: float = 300.0
    delete: bool = False
    batch_rows: int = 10_000
    allow_replica: bool = True
    tables: tuple[str, ...] = ()  # only these (schema.table); all when empty
    skip_keyless: bool = False  # leave tables without a primary key alone (and list them)
    retry_base_seconds: float = 0.5
    plan: PlanOptions = field(default_factory=PlanOptions)  # when the target recorded none


@dataclass(frozen=True)
class TableSync:
    """What sync found and did for one table."""

    table: str
    path: str  # "change-column" or "hash"
    candidates: int
    inserted: int
    updated: int
    deleted_at_source: int
    deleted: int
    extra_keys: tuple[tuple[Any, ...], ...] = ()
    write_seconds: float = 0.0  # staging COPY and upserts only


@dataclass
class SyncReport:
    """A sync run, for the final table and for tests."""

    tables: list[TableSync] = field(default_factory=list)
    skipped_keyless: list[str] = field(default_factory=list)
    retries: int = 0
    seconds: float = 0.0

    @property
    def written(self) -> int:
        """Rows inserted, updated or deleted on the target."""
        return sum(t.inserted + t.updated + t.deleted for t in self.tables)

    @property
    def pending_deletes(self) -> int:
        """Rows gone from the source that are still on the target (no --delete)."""
        return sum(t.deleted_at_source - t.deleted for t in self.tables)


def change_column(table: Table, name: str) -> str | None:
    """`name` when the table has it as a timestamp or date column."""
    col = next((c for c in table.columns if c.name == name), None)
    return col.name if col is not None and col.type in _TIME_TYPES else None


def refuse_keyless(tables: tuple[Table, ...]) -> None:
    """NoPrimaryKey naming the first table sync cannot match rows in."""
    keyless = [t.qualified for t in tables if not t.primary_key]
    if keyless:
        more = f" (and {len(keyless) - 1} more)" if len(keyless) > 1 else ""
        raise NoPrimaryKey(
            f"{keyless[0]}{more} has no primary key: sync matches rows by key; add one, or "
            "pass --skip-keyless to leave such tables alone (nothing was written)"
        )


def _count(conn: Conn, table: Table) -> int:
    row = conn.execute(
        sql.SQL("SELECT count(*) FROM ONLY {}").format(sql.Identifier(table.schema, table.name))
    ).fetchone()
    return int(row[0]) if row else 0


def _hash_diff(
    source_ep: Endpoint, target_ep: Endpoint, snapshot: str, table: Table
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(keys to upsert, keys gone from the source) by the data contracts' row hashing."""
    with (
        connect(source_ep, role="source", read_only=True, canonical=True, autocommit=True) as src,
        connect(target_ep, role="target", read_only=True, canonical=True, autocommit=True) as tgt,
    ):
        src.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        src.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        tgt.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        diff = diff_keys(src, tgt, table)
        src.execute("COMMIT")
        tgt.execute("COMMIT")

    def as_tuple(k: Any) -> tuple[Any, ...]:
        return tuple(k) if isinstance(k, (tuple, list)) else (k,)

    moved = [as_tuple(k) for k in (*diff.missing, *diff.changed)]
    return moved, [as_tuple(k) for k in diff.extra]


def _sync_table(
    source: Conn,
    target: Conn,
    source_ep: Endpoint,
    target_ep: Endpoint,
    snapshot: str,
    table: Table,
    since: datetime | None,
    column: str | None,
    sync_time: datetime,
    options: SyncOptions,
) -> TableSync:
    ident = sql.Identifier(table.schema, table.name)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in table.copy_columns)
    select: sql.Composable
    params: list[Any] | None
    source_rows = target_before = 0
    if column is not None and since is not None:
        path = "change-column"
        select = sql.SQL("SELECT {} FROM ONLY {} WHERE {} >= %s").format(
            cols, ident, sql.Identifier(column)
        )
        params = [since]
        # One scan of each side, at the same time: the source's total and candidates,
        # the target's total (compared below to spot rows deleted at the source).
        with ThreadPoolExecutor(max_workers=1) as pool:
            target_rows = pool.submit(_count, target, table)
            count_row = source.execute(
                sql.SQL("SELECT count(*), count(*) FILTER (WHERE {} >= %s) FROM ONLY {}").format(
                    sql.Identifier(column), ident
                ),
                (since,),
            ).fetchone()
            target_before = target_rows.result()
        source_rows, candidates = (int(count_row[0]), int(count_row[1])) if count_row else (0, 0)
        extra: list[tuple[Any, ...]] | None = None
    else:
        path = "hash"
        moved, extra = _hash_diff(source_ep, target_ep, snapshot, table)
        candidates = len(moved)
        select, params = key_select(table, moved)
    inserted = updated = deleted = 0
    write_seconds = 0.0
    gone: list[tuple[Any, ...]] = []
    with target.transaction(), triggers_off(target, [table], allow_replica=options.allow_replica):
        if candidates:
            write_started = time.monotonic()
            create_stage(target, table)
            staged = stream_into(source, target, select, params, STAGE, table.copy_columns)
            hooks.maybe_terminate(hooks.terminate_point(), table.qualified, "staged", target)
            done = upsert_from_stage(target, table, staged, batch_rows=options.batch_rows)
            inserted, updated = done.inserted, done.updated
            write_seconds = time.monotonic() - write_started
        if extra is None:
            # Inserts and updates are in: more rows on the target than on the source
            # means some were deleted there; only then are the keys compared.
            if target_before + inserted > source_rows:
                gone = keys_missing_at_source(source, target, table)
        else:
            gone = extra
        if gone and options.delete:
            deleted = delete_keys(target, table, gone)
        # The mark moves only when something was written: with nothing changed, the old
        # mark finds the same (no) rows next time, and an identical target gets no write.
        if column is not None and (inserted or updated or deleted):
            state.set_sync_mark(target, table.qualified, column, sync_time)
    return TableSync(
        table.qualified,
        path,
        candidates,
        inserted,
        updated,
        len(gone),
        deleted,
        tuple(gone),
        write_seconds,
    )


def run_sync(
    source_ep: Endpoint,
    target_ep: Endpoint,
    *,
    options: SyncOptions | None = None,
    sink: Sink | None = None,
) -> SyncReport:
    """Bring a copied target up to date with the source; returns what moved per table."""
    options = options or SyncOptions()
    sink = sink or QuietSink()
    started = time.monotonic()
    report = SyncReport()
    with (
        ExitStack() as stack,
        connect(source_ep, role="source", read_only=True, autocommit=True) as source,
        connect(target_ep, role="target", read_only=False, autocommit=True) as target,
    ):
        state.ensure_writable(target)
        job = state.read_job(target)
        if job is not None and job.finished_at is None:
            raise CopyFailed(
                "the copy into this target has not finished: run pgcutover copy again first"
            )
        if job is None:
            state.create_state(target)
        copied_at = state.copy_time(target) if job is not None else None
        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = source.execute("SELECT pg_export_snapshot(), now()").fetchone()
        assert row is not None
        snapshot, sync_time = str(row[0]), row[1]
        assert isinstance(sync_time, datetime)
        plan = copy_plan_for(source, target, job.plan if job else None, options.plan)
        units = plan.units
        if options.tables:
            units = tuple(t for t in units if t.qualified in options.tables)
            unknown = sorted(set(options.tables) - {t.qualified for t in units})
            if unknown:
                raise UnknownTable(f"{unknown[0]} is not a table the copy moves (schema.table)")
        if options.skip_keyless:
            report.skipped_keyless = [t.qualified for t in units if not t.primary_key]
            units = tuple(t for t in units if t.primary_key)
        refuse_keyless(units)
        grace = timedelta(seconds=options.grace_seconds)
        live = [target]  # the target session in use; replaced when the server drops it

        def attempt(table: Table) -> TableSync:
            if source.broken:
                raise SyncFailed(
                    "lost the source session (and its snapshot): tables synced before it are "
                    "kept, run sync again"
                )
            if live[0].broken or live[0].closed:
                live[0] = stack.enter_context(
                    connect(target_ep, role="target", read_only=False, autocommit=True)
                )
            column = change_column(table, options.change_column)
            mark = state.sync_mark(live[0], table.qualified) or copied_at
            since = mark - grace if (column is not None and mark is not None) else None
            return _sync_table(
                source,
                live[0],
                source_ep,
                target_ep,
                snapshot,
                table,
                since,
                column,
                sync_time,
                options,
            )

        def note_retry(n: int, exc: BaseException, delay: float) -> None:
            report.retries += 1
            sink.line(f"retrying in {delay:.1f} s (attempt {n + 1}): {scrub(str(exc).strip())}")

        for table in units:
            # Each table commits on its own, so trying it again is safe.
            result = with_retry(
                partial(attempt, table),
                base_seconds=options.retry_base_seconds,
                on_retry=note_retry,
                also=(ConnectFailed,),
            )
            report.tables.append(result)
            if result.inserted or result.updated or result.deleted_at_source:
                sink.line(
                    f"synced {result.table} ({result.path}): {result.inserted} inserted, "
                    f"{result.updated} updated, {result.deleted_at_source} deleted at the source"
                    + (f", {result.deleted} removed" if options.delete else "")
                )
        with live[0].transaction():
            copy_sequence_values(source, live[0], plan.sequences)
        source.execute("COMMIT")
    report.seconds = time.monotonic() - started
    return report


def sync_lines(report: SyncReport, *, delete: bool) -> list[str]:
    """The closing summary of a sync."""
    lines = []
    changed = [t for t in report.tables if t.inserted or t.updated or t.deleted_at_source]
    if not changed:
        lines.append(f"target is up to date: no row written ({len(report.tables)} tables checked)")
    width = max([len(t.table) for t in changed] + [5])
    if changed:
        lines.append(
            f"{'table':<{width}}  {'path':<13}  {'inserted':>8}  {'updated':>8}  {'deleted':>8}"
        )
        for t in changed:
            lines.append(
                f"{t.table:<{width}}  {t.path:<13}  {t.inserted:>8}  {t.updated:>8}  "
                f"{t.deleted if delete else 0:>8}"
            )
    if report.pending_deletes:
        lines.append(
            f"{report.pending_deletes} rows deleted at the source remain on the target: "
            "run sync --delete to remove them"
        )
        for t in report.tables:
            if t.deleted_at_source > t.deleted:
                keys = ", ".join(str(k if len(k) > 1 else k[0]) for k in t.extra_keys[:5])
                more = " ..." if len(t.extra_keys) > 5 else ""
                lines.append(f"  {t.table}: {keys}{more}")
    for name in report.skipped_keyless:
        lines.append(f"not synced (no primary key, --skip-keyless): {name}")
    lines.append(f"sync took {report.seconds:.2f} s")
    return lines
