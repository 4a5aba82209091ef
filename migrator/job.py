"""The copy job end to end: plan, pre-data, rows under one snapshot, post-data, sequences.

Every step leaves a checkpoint in schema `pgcutover` on the target, committed with
the work it records, so the same command after a crash or a kill -9 carries on:
finished units are skipped, unfinished ones (rolled back by the server) are copied
again, and a finished target is left alone.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from migrator import hooks, state
from migrator.copy import Copied, Unit, copy_unit, split_table, triggers_off
from migrator.matviews import refresh_matviews
from migrator.plan import DEFAULT_SPLIT_BYTES, CopyPlan, copy_plan_for, target_gaps
from migrator.progress import PlainSink, QuietSink, Sink
from migrator.retry import with_retry
from migrator.roles import create_roles
from migrator.schema import Restored, dump_schema, pick_dump_tools, restore_section
from migrator.sequences import copy_sequence_values
from migrator.settings import copy_settings
from migrator.sqlfiles import fetch_all
from migrator.tools import BinDir
from pgcutover.errors import (
    ConnectFailed,
    CopyFailed,
    Interrupted,
    MissingExtension,
    TargetNotEmpty,
)
from verify.catalog import Conn, Table, read_tables, server_version
from verify.connect import Endpoint, connect, database_identity
from verify.mask import error_line
from verify.plan import PlanOptions

Progress = Callable[[str], None]


@dataclass(frozen=True)
class TableResult:
    """Rows, bytes and seconds of one copied table."""

    table: str
    rows: int
    bytes: int
    seconds: float


@dataclass(frozen=True)
class CopyOptions:
    """How to copy: the plan's choices, parallelism, splitting, retries."""

    jobs: int = 2
    plan: PlanOptions = field(default_factory=PlanOptions)
    split_bytes: int = DEFAULT_SPLIT_BYTES
    retry_attempts: int = 5
    retry_base_seconds: float = 0.5


@dataclass
class CopyReport:
    """What a copy did, for the final table and for tests."""

    plan: CopyPlan
    tables: list[TableResult] = field(default_factory=list)
    roles_created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    matviews_refreshed: list[str] = field(default_factory=list)
    snapshot: str = ""
    seconds: float = 0.0
    resumed: bool = False
    already_complete: bool = False
    units_done_before: int = 0
    retries: int = 0

    @property
    def rows(self) -> int:
        """Rows copied in all by this run."""
        return sum(t.rows for t in self.tables)


def _quiet(_: str) -> None:
    return None


def ensure_empty_target(target: Conn, schemas: tuple[str, ...]) -> None:
    """Refuse a target holding any relation in a schema the plan moves (and no state of ours):
    a copy writes only into an empty database, so it can never mix with other data."""
    found = [r["name"] for r in fetch_all(target, "target_relations", schemas=list(schemas))]
    if found:
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        raise TargetNotEmpty(
            f"target already holds {found[0]}{more} and no pgcutover state: copy into an empty "
            "database, or resume only a copy pgcutover started there (nothing was written)"
        )


def _text_format_tables(
    source_tables: tuple[Table, ...], target: Conn, schemas: tuple[str, ...]
) -> set[str]:
    """Tables with a column whose type differs between the servers: those go as text."""
    on_target = {t.qualified: t for t in read_tables(target, schemas)}
    differ = set()
    for t in source_tables:
        other = on_target.get(t.qualified)
        if other is None:
            continue
        types = {c.name: c.type for c in other.columns}
        if any(types.get(c.name) != c.type for c in t.columns if not c.generated):
            differ.add(t.qualified)
    return differ


class _Stopped(Exception):
    """The run was interrupted: a worker abandons its unit (its transaction rolls back)."""


@dataclass
class _Run:
    """What the workers share, and how the main thread stops them."""

    source_ep: Endpoint
    target_ep: Endpoint
    snapshot: str
    source_time: datetime
    text_tables: set[str]
    options: CopyOptions
    sink: Sink
    lock: threading.Lock = field(default_factory=threading.Lock)
    retries: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    sessions: set[psycopg.Connection[Any]] = field(default_factory=set)

    def check(self) -> None:
        """Raise `_Stopped` once the run is interrupted (called between chunks)."""
        if self.stop.is_set():
            raise _Stopped

    def cancel_all(self) -> None:
        """Stop the workers: no new unit starts, running statements are cancelled."""
        self.stop.set()
        with self.lock:
            sessions = list(self.sessions)
        for conn in sessions:
            with contextlib.suppress(Exception):
                conn.cancel()


@contextlib.contextmanager
def _session(run: _Run, endpoint: Endpoint, role: str) -> Iterator[psycopg.Connection[Any]]:
    """A worker's connection, registered so an interrupt can cancel what it runs."""
    with connect(endpoint, role=role, read_only=role == "source", autocommit=True) as conn:
        with run.lock:
            run.sessions.add(conn)
        try:
            yield conn
        finally:
            with run.lock:
                run.sessions.discard(conn)


def _copy_attempt(run: _Run, unit: Unit) -> tuple[Copied, float]:
    run.check()
    started = time.monotonic()
    with (
        _session(run, run.source_ep, "source") as src,
        _session(run, run.target_ep, "target") as tgt,
    ):
        src.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        src.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(run.snapshot)))
        run.sink.started(unit.id, unit.est_rows)

        def advanced(rows: int) -> None:
            run.check()
            run.sink.advanced(unit.id, rows)

        with tgt.transaction(), triggers_off(tgt, [unit.table]):
            copied = copy_unit(
                src,
                tgt,
                unit,
                binary=unit.table.qualified not in run.text_tables,
                on_rows=advanced,
            )
            run.check()  # an interrupt during the last chunk: commit nothing half-decided
            seconds = time.monotonic() - started
            state.mark_unit_done(tgt, unit, copied, seconds, run.snapshot, run.source_time)
        src.execute("COMMIT")
    return copied, seconds


def _copy_with_retry(run: _Run, unit: Unit) -> tuple[Unit, Copied, float]:
    def note_retry(attempt: int, exc: BaseException, delay: float) -> None:
        with run.lock:
            run.retries += 1
        run.sink.line(
            f"retrying {unit.id} in {delay:.1f} s (attempt {attempt + 1}): {error_line(exc)}"
        )

    try:
        copied, seconds = with_retry(
            lambda: _copy_attempt(run, unit),
            attempts=run.options.retry_attempts,
            base_seconds=run.options.retry_base_seconds,
            on_retry=note_retry,
            # The run connected at its start: a refused reconnect is a server coming back.
            also=(ConnectFailed,),
            give_up=run.stop.is_set,
        )
    except ConnectFailed as exc:
        run.check()
        raise CopyFailed(
            f"copying {unit.id} failed: {exc}; the target is resumable: run the same command "
            "again once the server answers"
        ) from None
    except psycopg.Error as exc:
        run.check()  # a statement cancelled by an interrupt is the interrupt, not a failure
        raise CopyFailed(
            f"copying {unit.id} failed: {error_line(exc)}; the target is resumable: fix the cause and "
            "run the same command again"
        ) from None
    run.sink.finished(unit.id, copied.rows, seconds)
    hooks.maybe_kill(hooks.kill_point(), unit.id, "commit")
    return unit, copied, seconds


def _wait_all(futures: list[Future[Any]]) -> None:
    """Wait for the futures in short steps, so Ctrl-C reaches the main thread at once."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
        if any(f.exception() is not None for f in done if not f.cancelled()):
            return


def _run_units(run: _Run, units: list[Unit]) -> list[tuple[Unit, Copied, float]]:
    """Copy `units` on `jobs` threads, biggest first; stop at the first hard failure.

    On Ctrl-C (or SIGTERM, which the CLI turns into one) the workers are stopped within
    moments: running statements are cancelled, their transactions roll back, no new unit
    starts; units that committed stay done, so the same command resumes from there.
    """
    ordered = sorted(units, key=lambda u: (-u.est_rows, u.id))
    pool = ThreadPoolExecutor(max_workers=max(1, run.options.jobs))
    futures = [pool.submit(_copy_with_retry, run, u) for u in ordered]
    try:
        _wait_all(futures)
    except KeyboardInterrupt:
        _stop_workers(run, pool, futures)
        raise
    # Taken before the others are stopped: each is a failure of its own, not a _Stopped.
    failed = [e for f in futures if f.done() and not f.cancelled() and (e := f.exception())]
    if failed:
        _stop_workers(run, pool, futures)
        raise failed[0]
    pool.shutdown(wait=True)
    return [f.result() for f in futures]


def _stop_workers(run: _Run, pool: ThreadPoolExecutor, futures: list[Future[Any]]) -> None:
    """Cancel running statements and units not started, and wait for the workers."""
    run.cancel_all()
    for f in futures:
        f.cancel()
    pool.shutdown(wait=True)


def _per_table(results: list[tuple[Unit, Copied, float]]) -> list[TableResult]:
    by_table: dict[str, list[tuple[Unit, Copied, float]]] = {}
    for r in results:
        by_table.setdefault(r[0].table.qualified, []).append(r)
    return [
        TableResult(
            name,
            sum(c.rows for _, c, _ in rs),
            sum(c.bytes for _, c, _ in rs),
            sum(s for _, _, s in rs),
        )
        for name, rs in by_table.items()
    ]


def _start_job(
    source: Conn,
    target: Conn,
    source_ep: Endpoint,
    copy_plan: CopyPlan,
    tools: BinDir,
    snapshot: str,
    identity: tuple[str, str],
    options: CopyOptions,
    sink: Sink,
) -> Restored:
    """State, pre-data and the unit list, committed together; returns what the restore left
    out and what the target refused."""
    plan = copy_plan.plan
    units = [
        u
        for t in copy_plan.units
        for u in split_table(source, t, split_bytes=options.split_bytes, jobs=options.jobs)
    ]
    with tempfile.TemporaryDirectory(prefix="pgcutover-dump-") as tmp:
        dump = Path(tmp) / "schema.dump"
        sink.line(f"schema: pg_dump {tools.version} of {', '.join(plan.schemas)}")
        dump_schema(
            tools,
            source_ep,
            plan.schemas,
            dump,
            extensions=tuple(e.name for e in plan.extensions_to_create),
            snapshot=snapshot,
        )
        with target.transaction():
            state.create_state(target)
            state.insert_job(target, identity, plan, dump.read_bytes())
            restored = restore_section(tools, dump, target, "pre-data", plan=plan)
            state.insert_units(target, units)
    hooks.maybe_kill(hooks.kill_point(), "pre-data", "commit")
    return restored


def _finish_job(
    source: Conn,
    target: Conn,
    copy_plan: CopyPlan,
    tools: BinDir,
    job: state.JobState,
    report: CopyReport,
    sink: Sink,
) -> None:
    """Post-data, materialized views, then sequences and settings, each committed with its
    checkpoint; the plan is recorded as carried out."""
    plan = copy_plan.plan
    if not job.post_data_done:
        sink.line("schema: indexes, constraints, triggers (post-data)")
        with tempfile.TemporaryDirectory(prefix="pgcutover-dump-") as tmp:
            dump = Path(tmp) / "schema.dump"
            dump.write_bytes(job.schema_dump)
            with target.transaction():
                restored = restore_section(tools, dump, target, "post-data", plan=plan)
                report.dropped += restored.dropped
                report.refused += restored.refused
                state.mark_post_data(target)
        hooks.maybe_kill(hooks.kill_point(), "post-data", "commit")
    if not job.matviews_done:
        with target.transaction():
            report.matviews_refreshed = refresh_matviews(target, plan.matviews)
            hooks.maybe_kill(hooks.kill_point(), "matviews", "0")
            state.mark_matviews(target)
        hooks.maybe_kill(hooks.kill_point(), "matviews", "commit")
    with target.transaction():
        copy_sequence_values(source, target, copy_plan.sequences)
        carried = tuple(r.name for r in plan.roles if r.action in ("present", "create"))
        report.refused += copy_settings(source, target, carried)
        # `plan` is the one recorded at the start (copy_plan_for takes it on a resume).
        state.record_plan(
            target,
            replace(
                plan,
                dropped=tuple(dict.fromkeys((*plan.dropped, *report.dropped))),
                refused=tuple(dict.fromkeys((*plan.refused, *report.refused))),
            ),
        )
        state.mark_finished(target)


def run_copy(
    source_ep: Endpoint,
    target_ep: Endpoint,
    *,
    progress: Progress = _quiet,
    options: CopyOptions | None = None,
    sink: Sink | None = None,
) -> CopyReport:
    """Copy schema and rows from source to target, or finish a copy that was interrupted.

    The source is only read. A target holding relations in the moved schemas but no
    pgcutover state is refused. Ctrl-C stops the workers at once and raises `Interrupted`
    saying how far the copy got; the same command resumes it.
    """
    options = options or CopyOptions()
    sink = sink or (PlainSink(progress) if progress is not _quiet else QuietSink())
    started = time.monotonic()
    with (
        connect(source_ep, role="source", read_only=True, autocommit=True) as source,
        connect(target_ep, role="target", read_only=False, autocommit=True) as target,
    ):
        state.ensure_writable(target)
        identity = database_identity(source)
        job = state.read_job(target)
        # One exported snapshot: pg_dump and every worker's COPY see the same instant.
        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snap_row = source.execute("SELECT pg_export_snapshot(), now()").fetchone()
        assert snap_row is not None
        snapshot, source_time = str(snap_row[0]), snap_row[1]
        assert isinstance(source_time, datetime)
        copy_plan = copy_plan_for(source, target, job.plan if job else None, options.plan)
        plan = copy_plan.plan
        report = CopyReport(plan=copy_plan, snapshot=snapshot)
        if job is not None and job.finished_at is not None:
            report.already_complete = True
            when = job.finished_at.astimezone(timezone.utc)
            sink.line(
                f"target is already a complete copy (finished {when:%Y-%m-%d %H:%M:%S} UTC): "
                "nothing to copy"
            )
            source.execute("COMMIT")
            report.seconds = time.monotonic() - started
            return report
        if job is not None and (job.source_system_id, job.source_db) != identity:
            raise TargetNotEmpty(
                f"target holds a pgcutover copy of another source (database {job.source_db!r}): "
                "resume it from that source, or run pgcutover cleanup and use an empty database"
            )
        gaps = target_gaps(copy_plan, target)
        if gaps.missing_extensions:
            names = ", ".join(gaps.missing_extensions)
            raise MissingExtension(
                f"the target server lacks extension {names}, which the source uses: install it "
                "there (or leave its schema out with --exclude-schema); nothing was written"
            )
        tools = pick_dump_tools(server_version(source) // 10000)
        if job is None:
            ensure_empty_target(target, plan.schemas)
        report.roles_created, report.refused = create_roles(target, plan)
        if job is None:
            restored = _start_job(
                source, target, source_ep, copy_plan, tools, snapshot, identity, options, sink
            )
            report.dropped, report.refused = restored.dropped, report.refused + restored.refused
            job = state.read_job(target)
            assert job is not None
        else:
            report.resumed = True
        recorded = state.read_units(target, {t.qualified: t for t in copy_plan.units})
        pending = [r.unit for r in recorded if not r.done]
        report.units_done_before = len(recorded) - len(pending)
        if report.resumed:
            sink.line(
                f"resuming: {report.units_done_before} of {len(recorded)} units already copied, "
                f"{len(pending)} to go"
            )
        run = _Run(
            source_ep,
            target_ep,
            snapshot,
            source_time,
            _text_format_tables(copy_plan.units, target, plan.schemas),
            options,
            sink,
        )
        try:
            results = _run_units(run, pending)
        except KeyboardInterrupt:
            units = state.read_units(target, {t.qualified: t for t in copy_plan.units})
            finished = sum(1 for r in units if r.done)
            raise Interrupted(
                f"copy interrupted: {finished} of {len(units)} units done; run the same "
                "command to resume"
            ) from None
        report.retries = run.retries
        report.tables = _per_table(results)
        _finish_job(source, target, copy_plan, tools, job, report, sink)
        source.execute("COMMIT")
    report.seconds = time.monotonic() - started
    return report
