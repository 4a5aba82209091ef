"""The copy job end to end: plan, pre-data, rows under one snapshot, post-data, sequences.

Every step leaves a checkpoint in schema `pgcutover` on the target, committed with
the work it records, so the same command after a crash or a kill -9 carries on:
finished units are skipped, unfinished ones (rolled back by the server) are copied
again, and a finished target is left alone.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psycopg
from psycopg import sql

from migrator import hooks, state
from migrator.copy import Copied, Unit, copy_unit, split_table, triggers_off
from migrator.plan import (
    DEFAULT_SPLIT_BYTES,
    Plan,
    build_plan,
    grants_naming,
    roles_to_skip,
    target_gaps,
)
from migrator.progress import PlainSink, QuietSink, Sink
from migrator.retry import with_retry
from migrator.schema import dump_schema, pick_dump_tools, restore_section
from migrator.sequences import copy_sequence_values
from migrator.settings import copy_settings
from migrator.tools import BinDir
from pgcutover.errors import ConnectFailed, CopyFailed, MissingExtension, TargetNotEmpty
from verify.catalog import Conn, Table, read_tables, server_version
from verify.connect import Endpoint, connect
from verify.mask import scrub

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
    """How to copy: parallelism, splitting, roles, schema overrides, retries."""

    jobs: int = 2
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    supabase_roles: str = "create"  # or "skip"
    split_bytes: int = DEFAULT_SPLIT_BYTES
    retry_attempts: int = 5
    retry_base_seconds: float = 0.5


@dataclass
class CopyReport:
    """What a copy did, for the final table and for tests."""

    plan: Plan
    tables: list[TableResult] = field(default_factory=list)
    roles_created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    settings_refused: list[str] = field(default_factory=list)
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


def ensure_empty_target(target: Conn, plan: Plan) -> None:
    """Refuse a target that already has any table the plan would create (and no state of ours)."""
    present = {t.qualified for t in read_tables(target, plan.scope.included)}
    clash = sorted(present & {t.qualified for t in plan.tables})
    if clash:
        more = f" and {len(clash) - 1} more" if len(clash) > 1 else ""
        raise TargetNotEmpty(
            f"target already has {clash[0]}{more} and no pgcutover state: copy into an empty "
            "database, or resume only a copy pgcutover started there (nothing was written)"
        )


def create_missing_roles(target: Conn, roles: tuple[str, ...]) -> list[str]:
    """CREATE ROLE ... NOLOGIN for each role the grants name and the target lacks."""
    existing = {r[0] for r in target.execute("SELECT rolname FROM pg_roles").fetchall()}
    created = []
    for role in (r for r in roles if r not in existing):
        try:
            target.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            continue  # another session made it meanwhile: all we need
        created.append(role)
    return created


def create_extensions(target: Conn, plan: Plan) -> None:
    """CREATE EXTENSION for each extension of a moved schema (its schema first)."""
    for ext in plan.extensions:
        target.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(ext.schema)))
        target.execute(
            sql.SQL("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}").format(
                sql.Identifier(ext.name), sql.Identifier(ext.schema)
            )
        )


def _text_format_tables(source_tables: tuple[Table, ...], target: Conn, plan: Plan) -> set[str]:
    """Tables with a column whose type differs between the servers: those go as text."""
    on_target = {t.qualified: t for t in read_tables(target, plan.scope.included)}
    differ = set()
    for t in source_tables:
        other = on_target.get(t.qualified)
        if other is None:
            continue
        types = {c.name: c.type for c in other.columns}
        if any(types.get(c.name) != c.type for c in t.columns if not c.generated):
            differ.add(t.qualified)
    return differ


@dataclass
class _Run:
    """What the workers share."""

    source_ep: Endpoint
    target_ep: Endpoint
    snapshot: str
    source_time: datetime
    text_tables: set[str]
    options: CopyOptions
    sink: Sink
    lock: threading.Lock = field(default_factory=threading.Lock)
    retries: int = 0


def _copy_attempt(run: _Run, unit: Unit) -> tuple[Copied, float]:
    started = time.monotonic()
    with (
        connect(run.source_ep, role="source", read_only=True, autocommit=True) as src,
        connect(run.target_ep, role="target", read_only=False, autocommit=True) as tgt,
    ):
        src.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        src.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(run.snapshot)))
        run.sink.started(unit.id, unit.est_rows)
        with tgt.transaction(), triggers_off(tgt, [unit.table]):
            copied = copy_unit(
                src,
                tgt,
                unit,
                binary=unit.table.qualified not in run.text_tables,
                on_rows=lambda n: run.sink.advanced(unit.id, n),
            )
            seconds = time.monotonic() - started
            state.mark_unit_done(tgt, unit, copied, seconds, run.snapshot, run.source_time)
        src.execute("COMMIT")
    return copied, seconds


def _copy_with_retry(run: _Run, unit: Unit) -> tuple[Unit, Copied, float]:
    def note_retry(attempt: int, exc: BaseException, delay: float) -> None:
        with run.lock:
            run.retries += 1
        first = scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        run.sink.line(f"retrying {unit.id} in {delay:.1f} s (attempt {attempt + 1}): {first}")

    try:
        copied, seconds = with_retry(
            lambda: _copy_attempt(run, unit),
            attempts=run.options.retry_attempts,
            base_seconds=run.options.retry_base_seconds,
            on_retry=note_retry,
            # The run connected at its start: a refused reconnect is a server coming back.
            also=(ConnectFailed,),
        )
    except ConnectFailed as exc:
        raise CopyFailed(
            f"copying {unit.id} failed: {exc}; the target is resumable: run the same command "
            "again once the server answers"
        ) from None
    except psycopg.Error as exc:
        detail = (exc.diag.message_primary or str(exc) or type(exc).__name__).strip()
        first = scrub(detail.splitlines()[0] if detail else type(exc).__name__)
        raise CopyFailed(
            f"copying {unit.id} failed: {first}; the target is resumable: fix the cause and "
            "run the same command again"
        ) from None
    run.sink.finished(unit.id, copied.rows, seconds)
    hooks.maybe_kill(hooks.kill_point(), unit.id, "commit")
    return unit, copied, seconds


def _run_units(run: _Run, units: list[Unit]) -> list[tuple[Unit, Copied, float]]:
    """Copy `units` on `jobs` threads, biggest first; stop at the first hard failure."""
    ordered = sorted(units, key=lambda u: (-u.est_rows, u.id))
    results: list[tuple[Unit, Copied, float]] = []
    with ThreadPoolExecutor(max_workers=max(1, run.options.jobs)) as pool:
        futures = [pool.submit(_copy_with_retry, run, u) for u in ordered]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in done if f.exception() is not None]
        if failed:
            for f in futures:
                f.cancel()
            wait(futures)
            exc = failed[0].exception()
            assert exc is not None
            raise exc
        results = [f.result() for f in futures]
    return results


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
    plan: Plan,
    tools: BinDir,
    snapshot: str,
    identity: tuple[str, str],
    options: CopyOptions,
    drop_roles: tuple[str, ...],
    sink: Sink,
) -> list[str]:
    """State, extensions, pre-data and the unit list, committed together."""
    units = [
        u
        for t in plan.units
        for u in split_table(source, t, split_bytes=options.split_bytes, jobs=options.jobs)
    ]
    with tempfile.TemporaryDirectory(prefix="pgcutover-dump-") as tmp:
        dump = Path(tmp) / "schema.dump"
        sink.line(f"schema: pg_dump {tools.version} of {', '.join(plan.scope.included)}")
        dump_schema(tools, source_ep, plan.scope.included, dump, snapshot=snapshot)
        with target.transaction():
            state.create_state(target)
            state.insert_job(target, identity, plan.include, plan.exclude, dump.read_bytes())
            create_extensions(target, plan)
            dropped = restore_section(tools, dump, target, "pre-data", drop_roles=drop_roles)
            state.insert_units(target, units)
    hooks.maybe_kill(hooks.kill_point(), "pre-data", "commit")
    return dropped


def _finish_job(
    source: Conn,
    target: Conn,
    plan: Plan,
    tools: BinDir,
    job: state.JobState,
    drop_roles: tuple[str, ...],
    sink: Sink,
) -> list[str]:
    """Post-data, then sequences and settings, each committed with its checkpoint.
    Returns the database/role settings the target refused."""
    if not job.post_data_done:
        sink.line("schema: indexes, constraints, triggers (post-data)")
        with tempfile.TemporaryDirectory(prefix="pgcutover-dump-") as tmp:
            dump = Path(tmp) / "schema.dump"
            dump.write_bytes(job.schema_dump)
            with target.transaction():
                restore_section(tools, dump, target, "post-data", drop_roles=drop_roles)
                state.mark_post_data(target)
        hooks.maybe_kill(hooks.kill_point(), "post-data", "commit")
    with target.transaction():
        copy_sequence_values(source, target, plan.sequences)
        refused = copy_settings(source, target, tuple(r for r in plan.roles if r not in drop_roles))
        state.mark_finished(target)
    return refused


def run_copy(
    source_ep: Endpoint,
    target_ep: Endpoint,
    *,
    progress: Progress = _quiet,
    options: CopyOptions | None = None,
    sink: Sink | None = None,
) -> CopyReport:
    """Copy schema and rows from source to target, or finish a copy that was interrupted.

    The source is only read. A target holding tables but no pgcutover state is refused.
    """
    options = options or CopyOptions()
    sink = sink or (PlainSink(progress) if progress is not _quiet else QuietSink())
    started = time.monotonic()
    with (
        connect(source_ep, role="source", read_only=True, autocommit=True) as source,
        connect(target_ep, role="target", read_only=False, autocommit=True) as target,
    ):
        identity = state.source_identity(source)
        job = state.read_job(target)
        include = job.include if job and not options.include else options.include
        exclude = job.exclude if job and not options.exclude else options.exclude
        # One exported snapshot: pg_dump and every worker's COPY see the same instant.
        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snap_row = source.execute("SELECT pg_export_snapshot(), now()").fetchone()
        assert snap_row is not None
        snapshot, source_time = str(snap_row[0]), snap_row[1]
        assert isinstance(source_time, datetime)
        plan = build_plan(source, include=include, exclude=exclude)
        report = CopyReport(plan=plan, snapshot=snapshot)
        gaps = target_gaps(plan, target)
        if gaps.missing_extensions:
            names = ", ".join(gaps.missing_extensions)
            raise MissingExtension(
                f"the target server lacks extension {names}, which the source uses: install it "
                "there (or leave its schema out with --exclude-schema); nothing was written"
            )
        drop_roles = roles_to_skip(plan, gaps) if options.supabase_roles == "skip" else ()
        report.dropped = list(grants_naming(source, plan, drop_roles))
        if job is not None and job.finished_at is not None:
            report.already_complete = True
            when = job.finished_at.astimezone(timezone.utc)
            sink.line(
                f"target is already a complete copy (finished {when:%Y-%m-%d %H:%M:%S} UTC): "
                "nothing to copy"
            )
        elif job is not None and (job.source_system_id, job.source_db) != identity:
            raise TargetNotEmpty(
                f"target holds a pgcutover copy of another source (database {job.source_db!r}): "
                "resume it from that source, or run pgcutover cleanup and use an empty database"
            )
        if report.already_complete:
            source.execute("COMMIT")
            report.seconds = time.monotonic() - started
            return report
        tools = pick_dump_tools(server_version(source) // 10000)
        if job is None:
            ensure_empty_target(target, plan)
        if options.supabase_roles == "create":
            report.roles_created = create_missing_roles(target, plan.roles)
        if job is None:
            _start_job(
                source,
                target,
                source_ep,
                plan,
                tools,
                snapshot,
                identity,
                options,
                drop_roles,
                sink,
            )
            job = state.read_job(target)
            assert job is not None
        else:
            report.resumed = True
        recorded = state.read_units(target, {t.qualified: t for t in plan.units})
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
            _text_format_tables(plan.units, target, plan),
            options,
            sink,
        )
        results = _run_units(run, pending)
        report.retries = run.retries
        report.tables = _per_table(results)
        report.settings_refused = _finish_job(source, target, plan, tools, job, drop_roles, sink)
        source.execute("COMMIT")
    report.seconds = time.monotonic() - started
    return report
