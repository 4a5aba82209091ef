"""The `pgcutover` command: plan, copy, sync, cleanup, verify, demo.

Exit codes are a contract users script against: 0 GO (or success), 1 NO-GO,
2 could not run (bad input, unreachable server, missing tool), each with one
line saying why. Errors are caught here, at the edge, and nowhere above.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import psycopg

from pgcutover import __version__
from pgcutover.config import BadConfig, Config, load_config, url_from_env
from pgcutover.errors import (
    EXIT_COULD_NOT_RUN,
    EXIT_GO,
    Interrupted,
    PgcutoverError,
    ReportDirUnwritable,
)
from reports.console import verdict_lines
from reports.gate import Verdict
from verify.connect import Endpoint, ensure_distinct, parse_url
from verify.mask import error_line, scrub

if TYPE_CHECKING:
    from migrator.job import CopyOptions
    from migrator.sync import SyncReport
    from verify.plan import PlanOptions

DEFAULT_REPORT_DIR = Path("pgcutover-report")


def _say(line: str) -> None:
    print(line, flush=True)


def _endpoint(args: argparse.Namespace, role: str) -> Endpoint:
    url = getattr(args, role) or url_from_env(role)
    if not url:
        raise PgcutoverError(
            f"no {role} given: pass --{role} URL or set PGCUTOVER_{role.upper()}_URL"
        )
    return parse_url(url, side=role)


def _reachable_pair(args: argparse.Namespace) -> tuple[Endpoint, Endpoint]:
    """Both endpoints, each answering, and not one database under two URLs."""
    source, target = _endpoint(args, "source"), _endpoint(args, "target")
    ensure_distinct(source, target)  # connects to each in turn: an unreachable one says so
    return source, target


def _config(args: argparse.Namespace) -> Config:
    """pgcutover.toml (--config, else ./pgcutover.toml, else defaults); a bad file is one line."""
    try:
        return load_config(getattr(args, "config", None))
    except BadConfig as exc:
        raise PgcutoverError(str(exc)) from None


def _plan_options(args: argparse.Namespace, conf: Config) -> PlanOptions:
    """The plan's choices: flags win over pgcutover.toml's [scope] and [copy]."""
    from verify.plan import PlanOptions

    return PlanOptions(
        include=tuple(getattr(args, "include_schema", None) or conf.scope.include_schemas),
        exclude=tuple(getattr(args, "exclude_schema", None) or conf.scope.exclude_schemas),
        supabase_roles=getattr(args, "supabase_roles", None) or conf.copy.supabase_roles,
    )


def _copy_options(args: argparse.Namespace) -> CopyOptions:
    from migrator.job import CopyOptions
    from migrator.plan import DEFAULT_SPLIT_BYTES

    conf = _config(args)
    jobs = getattr(args, "jobs", None)
    jobs = conf.copy.jobs if jobs is None else jobs
    split_mb = getattr(args, "split_mb", None)
    split_mb = conf.copy.split_mb if split_mb is None else split_mb
    if jobs < 1:
        raise PgcutoverError(f"--jobs must be a whole number of at least 1, not {jobs}")
    if split_mb is not None and split_mb <= 0:
        raise PgcutoverError(f"--split-mb must be a number of megabytes above 0, not {split_mb}")
    split = int(split_mb * 1024 * 1024) if split_mb is not None else DEFAULT_SPLIT_BYTES
    return CopyOptions(jobs=jobs, plan=_plan_options(args, conf), split_bytes=split)


def _plan_data(args: argparse.Namespace, options: CopyOptions) -> dict[str, object]:
    """Build the plan on the source (against the target when one is given)."""
    from migrator.plan import build_copy_plan, plan_as_dict, target_gaps
    from verify.connect import connect

    source = _endpoint(args, "source")
    target_url = getattr(args, "target", None) or url_from_env("target")
    target = parse_url(target_url, side="target") if target_url else None
    if target is not None:
        ensure_distinct(source, target)
    with connect(source, role="source", read_only=True) as src:
        if target is None:
            copy_plan = build_copy_plan(src, None, options.plan)
            return plan_as_dict(copy_plan, None, split_bytes=options.split_bytes, jobs=options.jobs)
        with connect(target, role="target", read_only=True) as tgt:
            copy_plan = build_copy_plan(src, tgt, options.plan)
            gaps = target_gaps(copy_plan, tgt)
        data = plan_as_dict(copy_plan, gaps, split_bytes=options.split_bytes, jobs=options.jobs)
        if options.plan.supabase_roles == "skip":
            from migrator.plan import grants_naming

            data["dropped"] = list(grants_naming(src, copy_plan.plan))
        return data


def cmd_plan(args: argparse.Namespace) -> int:
    """Print what a copy would move, in order, with estimates and what the target lacks."""
    import json

    from migrator.plan import plan_lines

    data = _plan_data(args, _copy_options(args))
    if args.json:
        _say(json.dumps(data, indent=2, sort_keys=True))
        return EXIT_GO
    for line in plan_lines(data):
        _say(line)
    target = data["target"]
    if isinstance(target, dict) and target["missing_extensions"]:
        return EXIT_COULD_NOT_RUN
    return EXIT_GO


def cmd_copy(args: argparse.Namespace) -> int:
    """Copy schema and rows from source to target (or finish an interrupted copy)."""
    from migrator.job import run_copy
    from migrator.progress import copy_outcome_lines, final_table, sink_for

    options = _copy_options(args)
    if args.dry_run:
        args.json = False
        return cmd_plan(args)
    source, target = _reachable_pair(args)
    _say(f"copy {source.display} -> {target.display}")
    try:
        report = run_copy(source, target, options=options, sink=sink_for(_say))
    except psycopg.Error as exc:
        raise PgcutoverError(
            f"copy stopped: {error_line(exc)}; the target is resumable: run the same command again"
        ) from None
    if report.already_complete:
        return EXIT_GO
    for line in final_table(report):
        _say(line)
    for line in copy_outcome_lines(report):
        _say(line)
    return EXIT_GO


def cmd_sync(args: argparse.Namespace) -> int:
    """Move rows changed at the source since the copy or the last sync."""
    from migrator.sync import sync_lines

    conf = _config(args)
    column = args.change_column or conf.sync.change_column
    grace = _duration_seconds(args.grace)
    if args.batch_rows < 1:
        raise PgcutoverError(
            f"--batch-rows must be a whole number of at least 1, not {args.batch_rows}"
        )
    source, target = _reachable_pair(args)
    _say(f"sync {source.display} -> {target.display}")
    try:
        report = _run_sync(args, source, target, column, grace, _plan_options(args, conf))
    except psycopg.Error as exc:
        raise PgcutoverError(
            f"sync stopped: {error_line(exc)}; tables synced before it are kept, run sync again"
        ) from None
    for line in sync_lines(report, delete=args.delete):
        _say(line)
    return EXIT_GO


def _duration_seconds(text: str) -> float:
    """'30s', '5m', '1h', or a bare number of seconds."""
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    value = text.strip().lower()
    scale = units.get(value[-1:], 0.0)
    number = value[:-1] if scale else value
    try:
        seconds = float(number) * (scale or 1.0)
    except ValueError:
        seconds = -1.0
    if seconds < 0:
        raise PgcutoverError(f"--grace {text!r}: expected a duration such as 30s, 5m or 1h")
    return seconds


def _run_sync(
    args: argparse.Namespace,
    source: Endpoint,
    target: Endpoint,
    column: str,
    grace: float,
    plan: PlanOptions,
) -> SyncReport:
    from migrator.progress import PlainSink
    from migrator.sync import SyncOptions, run_sync

    return run_sync(
        source,
        target,
        options=SyncOptions(
            change_column=column,
            grace_seconds=grace,
            delete=args.delete,
            batch_rows=args.batch_rows,
            tables=tuple(args.table or ()),
            skip_keyless=args.skip_keyless,
            plan=plan,
        ),
        sink=PlainSink(_say),
    )


def cmd_cleanup(args: argparse.Namespace) -> int:
    """Drop the pgcutover schema (the copy's and sync's bookkeeping) from the target."""
    from migrator.state import drop_state
    from verify.connect import connect

    target = _endpoint(args, "target")
    with connect(target, role="target", read_only=False, autocommit=True) as conn:
        dropped = drop_state(conn)
    _say(
        "dropped schema pgcutover from the target"
        if dropped
        else "nothing to clean: the target has no pgcutover schema"
    )
    return EXIT_GO


def cmd_verify(args: argparse.Namespace) -> int:
    """Run the contracts and print the gate's verdict."""
    from pgcutover.runner import run_contracts

    live = _live_args(args)
    conf = _config(args)  # read once; a bad file is one line here, not a failed contract run
    scope = _scope_args(args)
    named = _named_args(args, conf)
    application = _application_args(args)
    report_dir = writable_report_dir(Path(args.report_dir))
    source, target = _reachable_pair(args)
    outcome = run_contracts(
        source.url,
        target.url,
        report_dir,
        pytest_args=[*live, *scope, *named, *application, *args.pytest_args],
        stream=args.verbose,
        no_mask=args.no_mask,
    )
    _show_verdict(args, outcome.verdict, outcome.report_dir)
    return outcome.verdict.exit_code


def _show_verdict(args: argparse.Namespace, verdict: Verdict, report_dir: Path) -> None:
    if args.json:
        _say((report_dir / "gate.json").read_text(encoding="utf-8"))
        return
    for line in verdict_lines(verdict, report_dir):
        _say(line)


def _scope_args(args: argparse.Namespace) -> list[str]:
    """--config and the plan's choices, passed through to the contracts (one plan: what the
    contracts check is what copy moved)."""
    passed = [f"--config={args.config}"] if args.config else []
    passed += [f"--include-schema={s}" for s in args.include_schema or ()]
    passed += [f"--exclude-schema={s}" for s in args.exclude_schema or ()]
    if args.supabase_roles:
        passed.append(f"--supabase-roles={args.supabase_roles}")
    return passed


def _named_args(args: argparse.Namespace, conf: Config) -> list[str]:
    """The application's queries folder (--queries, else [queries] dir: missing or empty is
    one line here) and --personal-column, passed through to the contracts."""
    from verify.queries import queries_folder

    folder = queries_folder(args.queries, conf, flag="--queries")
    passed = [f"--queries-dir={folder}"] if folder else []
    return passed + [f"--personal-column={c}" for c in args.personal_column or ()]


def _application_args(args: argparse.Namespace) -> list[str]:
    """--source-must-be-empty and --app-dir, passed through to the contracts."""
    passed = ["--source-must-be-empty"] if args.source_must_be_empty else []
    if args.app_dir:
        folder = Path(args.app_dir)
        if not folder.is_dir():
            raise PgcutoverError(f"--app-dir {folder}: no such folder")
        passed.append(f"--app-dir={folder.resolve()}")
    return passed


def writable_report_dir(path: Path) -> Path:
    """The report folder, created if needed; raises `ReportDirUnwritable` naming it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        # A name of its own: two runs sharing a folder must not remove each other's probe.
        with tempfile.NamedTemporaryFile(dir=path, prefix=".pgcutover-write-test-"):
            pass
    except OSError as exc:
        raise ReportDirUnwritable(
            f"cannot write the report folder {path}: {exc.strerror}; choose another with "
            "--report-dir"
        ) from None
    return path


def _live_args(args: argparse.Namespace) -> list[str]:
    """--grace/--change-column, passed through to the contracts (live sources)."""
    if bool(args.grace) != bool(args.change_column):
        raise PgcutoverError(
            "--grace and --change-column go together, e.g. --grace 5m --change-column updated_at"
        )
    if not args.grace:
        return []
    from verify.rows import parse_grace

    try:
        parse_grace(args.grace)
    except ValueError as exc:
        raise PgcutoverError(str(exc)) from None
    return [f"--grace={args.grace}", f"--change-column={args.change_column}"]


def cmd_demo(args: argparse.Namespace) -> int:
    """The whole job on embedded servers: load the demo source, copy, verify, gate."""
    from pgcutover.demo.job import run_demo

    if not args.scale > 0:
        raise PgcutoverError(f"--scale must be a number above 0, not {args.scale}")
    return run_demo(
        scale=args.scale,
        fault=args.break_,
        report_dir=writable_report_dir(Path(args.report_dir)),
        say=_say,
        verbose=args.verbose,
    )


def cmd_report(args: argparse.Namespace) -> int:
    """Re-read a run's allure-results: print the verdict, render the HTML report."""
    from reports.gate import gate
    from reports.html import render_html

    report_dir = Path(args.report_dir)
    alluredir = report_dir / "allure-results"
    if not alluredir.is_dir():
        raise PgcutoverError(
            f"no {alluredir}: run `pgcutover verify --report-dir {report_dir}` first"
        )
    verdict = gate(alluredir, report_dir)
    _show_verdict(args, verdict, report_dir)
    if not args.no_html:
        _say(f"HTML report: {render_html(report_dir, verdict)}")
    return verdict.exit_code


class _HelpFormatter(argparse.HelpFormatter):
    """Help that shows each option's default, unless the help text already says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            action.default not in (None, False, argparse.SUPPRESS)
            and "default" not in text
            and action.option_strings
        ):
            text += " (default: %(default)s)"
        return text


# What each command does, shown at the top of `pgcutover COMMAND --help`.
DESCRIPTIONS = {
    "plan": "Show what `copy` would move, in foreign-key order, with estimated rows and MB; "
    "with a target, the extensions and roles it lacks. Reads the source only.",
    "copy": "Copy schema (pg_dump/pg_restore) and rows (COPY, one snapshot, N workers) from "
    "the source into an empty target, or finish an interrupted copy.",
    "sync": "During the dual-run weeks, move only the rows changed at the source since the "
    "copy or the last sync (batched upserts; identical rows are never written).",
    "cleanup": "Drop the pgcutover schema (the copy's and sync's bookkeeping) from the target "
    "once the cutover is done.",
    "verify": "Run the contracts against source and target and print the gate's verdict: "
    "exit 0 GO, 1 NO-GO, 2 could not run. Writes allure-results, gate.json, summary.md and "
    "junit.xml into the report folder.",
    "report": "Read an earlier run's allure-results: print the verdict again and render the "
    "Allure HTML report (Node 20+ for the HTML).",
    "demo": "The whole job on embedded PostgreSQL servers: load a Supabase-like source, copy "
    "it, optionally break the target, verify, print the verdict.",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept separate so tests and docs can read it)."""
    parser = argparse.ArgumentParser(
        prog="pgcutover",
        description="Copy a PostgreSQL database off Supabase and prove nothing was lost or changed.",
    )
    parser.add_argument("--version", action="version", version=f"pgcutover {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_urls(p: argparse.ArgumentParser) -> None:
        p.add_argument("--source", metavar="URL", help="source URL (or PGCUTOVER_SOURCE_URL)")
        p.add_argument("--target", metavar="URL", help="target URL (or PGCUTOVER_TARGET_URL)")

    def with_report(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--report-dir",
            default=str(DEFAULT_REPORT_DIR),
            metavar="DIR",
            help="where allure-results, gate.json and summary.md go "
            f"(default {DEFAULT_REPORT_DIR})",
        )
        p.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output")

    def with_json(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print gate.json instead of the summary")

    def with_scope(p: argparse.ArgumentParser) -> None:
        # The plan's choices, on every verb that follows the plan (plan, copy, sync, verify).
        p.add_argument(
            "--include-schema",
            action="append",
            metavar="NAME",
            help="move (and check) this schema too (repeatable; or [scope] include_schemas)",
        )
        p.add_argument(
            "--exclude-schema",
            action="append",
            metavar="NAME",
            help="leave this schema on the source (repeatable; or [scope] exclude_schemas)",
        )
        p.add_argument(
            "--supabase-roles",
            choices=["create", "skip"],
            help="create the roles grants name (NOLOGIN, the default), or skip: drop and list "
            "the grants and policies naming them",
        )
        p.add_argument("--config", metavar="FILE", help="pgcutover.toml (default ./pgcutover.toml)")

    def with_plan_options(p: argparse.ArgumentParser) -> None:
        with_scope(p)
        p.add_argument(
            "--split-mb",
            type=float,
            metavar="MB",
            help="split tables bigger than this many MB into key ranges (default 64)",
        )

    p_plan = sub.add_parser("plan", help="show what a copy would move, in order, with estimates")
    with_urls(p_plan)
    with_plan_options(p_plan)
    p_plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    p_plan.set_defaults(func=cmd_plan)

    p_copy = sub.add_parser(
        "copy", help="copy schema and data to an empty target, or resume an interrupted copy"
    )
    with_urls(p_copy)
    with_plan_options(p_copy)
    p_copy.add_argument("--jobs", type=int, metavar="N", help="parallel workers (default 2)")
    p_copy.add_argument("--dry-run", action="store_true", help="print the plan and copy nothing")
    p_copy.set_defaults(func=cmd_copy)

    p_sync = sub.add_parser("sync", help="move rows changed at the source since the last run")
    with_urls(p_sync)
    with_scope(p_sync)
    p_sync.add_argument(
        "--change-column",
        metavar="NAME",
        help="timestamp column that marks a changed row (default updated_at)",
    )
    p_sync.add_argument(
        "--grace",
        default="5m",
        metavar="DURATION",
        help="look this far behind the last mark, for late commits: 30s, 5m, 1h (default 5m)",
    )
    p_sync.add_argument(
        "--delete", action="store_true", help="remove rows deleted at the source from the target"
    )
    p_sync.add_argument(
        "--table",
        action="append",
        metavar="SCHEMA.TABLE",
        help="sync only this table (repeatable; default all)",
    )
    p_sync.add_argument(
        "--skip-keyless",
        action="store_true",
        help="leave tables without a primary key alone and list them (refused otherwise)",
    )
    p_sync.add_argument(
        "--batch-rows", type=int, default=10_000, metavar="N", help="rows per upsert statement"
    )
    p_sync.set_defaults(func=cmd_sync)

    p_cleanup = sub.add_parser(
        "cleanup", help="drop the pgcutover schema (copy and sync bookkeeping) from the target"
    )
    p_cleanup.add_argument("--target", metavar="URL", help="target URL (or PGCUTOVER_TARGET_URL)")
    p_cleanup.set_defaults(func=cmd_cleanup)

    p_verify = sub.add_parser(
        "verify", help="run the contracts; exit 0 GO, 1 NO-GO, 2 could not run"
    )
    with_urls(p_verify)
    with_scope(p_verify)
    with_report(p_verify)
    with_json(p_verify)
    p_verify.add_argument("--no-mask", action="store_true", help="show personal data in evidence")
    p_verify.add_argument(
        "--queries",
        metavar="DIR",
        help="folder of the application's queries (*.sql) to compare on both sides "
        "(or [queries] dir); none: no query contracts",
    )
    p_verify.add_argument(
        "--personal-column",
        action="append",
        metavar="NAME",
        help="a column holding personal data, masked in evidence (repeatable; or [mask] "
        "personal_columns; first_name, phone, email and the like are detected)",
    )
    p_verify.add_argument(
        "--grace",
        metavar="DURATION",
        help="live source: re-check rows changed within this long of now (e.g. 5m)",
    )
    p_verify.add_argument(
        "--change-column",
        metavar="COLUMN",
        help="live source: the column recording a row's last change (e.g. updated_at)",
    )
    p_verify.add_argument(
        "--source-must-be-empty",
        action="store_true",
        help="after cutover: fail while the source still holds personal-data rows",
    )
    p_verify.add_argument(
        "--app-dir",
        metavar="PATH",
        help="the application's code: list what still ties it to Supabase (or [app] dir)",
    )
    p_verify.add_argument(
        "pytest_args",
        nargs="*",
        metavar="-- PYTEST_ARGS",
        help="extra arguments for pytest, after --",
    )
    p_verify.set_defaults(func=cmd_verify)

    p_report = sub.add_parser(
        "report", help="verdict and Allure HTML from an earlier run's results (needs Node for HTML)"
    )
    with_report(p_report)
    with_json(p_report)
    p_report.add_argument("--no-html", action="store_true", help="only the verdict, no HTML")
    p_report.set_defaults(func=cmd_report)

    p_demo = sub.add_parser("demo", help="run the whole job on embedded PostgreSQL servers")
    with_report(p_demo)
    p_demo.add_argument(
        "--scale", type=float, default=1.0, help="demo data scale (1 = review's counts)"
    )
    p_demo.add_argument(
        "--break",
        dest="break_",
        metavar="FAULT",
        # The names are the demo's (pgcutover/demo/faults.py), checked when the demo runs:
        # building the parser must not import the demo.
        help="damage the target after the copy: missing-row, extra-row, column-type",
    )
    p_demo.set_defaults(func=cmd_demo)
    for name, command in sub.choices.items():
        command.description = DESCRIPTIONS.get(name)
        command.formatter_class = _HelpFormatter
        command.set_defaults(command_parser=command)  # its usage, for unknown flags
    return parser


_SIGNAL_EXIT = {"code": 130}


def _terminate(signum: int, frame: FrameType | None) -> None:
    # SIGTERM unwinds like Ctrl-C, so servers we started are stopped in `finally` and a
    # copy stops its workers; the exit code still tells the two apart (128 + 15).
    _SIGNAL_EXIT["code"] = 143
    raise KeyboardInterrupt


def _interrupted_line(command: str) -> str:
    if command == "demo":
        return "pgcutover: interrupted; the demo's servers were stopped"
    if command == "verify":
        return "pgcutover: verify interrupted: no verdict; run it again"
    return f"pgcutover: {command} interrupted"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `pgcutover` console script."""
    signal.signal(signal.SIGTERM, _terminate)
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # the subcommand's usage, not the top-level one
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    started = time.monotonic()
    try:
        code: int = args.func(args)
    except Interrupted as exc:
        print(f"pgcutover: {scrub(str(exc))}", file=sys.stderr)
        return _SIGNAL_EXIT["code"]
    except PgcutoverError as exc:
        print(f"pgcutover: error: {scrub(str(exc))}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except KeyboardInterrupt:
        print(_interrupted_line(args.command), file=sys.stderr)
        return _SIGNAL_EXIT["code"]
    if args.command == "demo":
        _say(f"demo wall time: {time.monotonic() - started:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
