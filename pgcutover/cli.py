"""The `pgcutover` command: copy, verify, demo.

Exit codes are a contract users script against: 0 GO (or success), 1 NO-GO,
2 could not run (bad input, unreachable server, missing tool), each with one
line saying why. Errors are caught here, at the edge, and nowhere above.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from pgcutover import __version__
from pgcutover.config import url_from_env
from pgcutover.errors import EXIT_COULD_NOT_RUN, EXIT_GO, PgcutoverError
from verify.connect import Endpoint, check_reachable, parse_url
from verify.mask import scrub

DEFAULT_REPORT_DIR = Path("pgcutover-report")


def _say(line: str) -> None:
    print(line, flush=True)


def _endpoint(args: argparse.Namespace, role: str) -> Endpoint:
    url = getattr(args, role) or url_from_env(role)
    if not url:
        raise PgcutoverError(
            f"no {role} given: pass --{role} URL or set PGCUTOVER_{role.upper()}_URL"
        )
    return parse_url(url)


def _reachable_pair(args: argparse.Namespace) -> tuple[Endpoint, Endpoint]:
    source, target = _endpoint(args, "source"), _endpoint(args, "target")
    check_reachable(source, role="source")
    check_reachable(target, role="target")
    return source, target


def cmd_copy(args: argparse.Namespace) -> int:
    """Copy schema and rows from source to target."""
    from migrator.job import run_copy
    from migrator.progress import final_table

    source, target = _reachable_pair(args)
    _say(f"copy {source.display} -> {target.display}")
    report = run_copy(source, target, progress=_say)
    for line in final_table(report):
        _say(line)
    return EXIT_GO


def cmd_verify(args: argparse.Namespace) -> int:
    """Run the contracts and print the gate's verdict."""
    from pgcutover.runner import run_contracts
    from reports.console import verdict_lines

    live = _live_args(args)
    source, target = _reachable_pair(args)
    outcome = run_contracts(
        source.url,
        target.url,
        Path(args.report_dir),
        pytest_args=[*live, *args.pytest_args],
        stream=args.verbose,
        no_mask=args.no_mask,
    )
    for line in verdict_lines(outcome.verdict, outcome.report_dir):
        _say(line)
    return outcome.verdict.exit_code


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
    from pgcutover.demo_job import run_demo

    return run_demo(
        scale=args.scale,
        fault=args.break_,
        report_dir=Path(args.report_dir),
        say=_say,
        verbose=args.verbose,
    )


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

    p_copy = sub.add_parser("copy", help="copy schema and data from source to an empty target")
    with_urls(p_copy)
    p_copy.set_defaults(func=cmd_copy)

    p_verify = sub.add_parser(
        "verify", help="run the contracts; exit 0 GO, 1 NO-GO, 2 could not run"
    )
    with_urls(p_verify)
    with_report(p_verify)
    p_verify.add_argument("--no-mask", action="store_true", help="show personal data in evidence")
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
        "pytest_args",
        nargs="*",
        metavar="-- PYTEST_ARGS",
        help="extra arguments for pytest, after --",
    )
    p_verify.set_defaults(func=cmd_verify)

    from pgcutover.demo_faults import FAULTS

    p_demo = sub.add_parser("demo", help="run the whole job on embedded PostgreSQL servers")
    with_report(p_demo)
    p_demo.add_argument(
        "--scale", type=float, default=1.0, help="demo data scale (1 = review's counts)"
    )
    p_demo.add_argument(
        "--break",
        dest="break_",
        choices=sorted(FAULTS),
        metavar="FAULT",
        help=f"damage the target after the copy: {', '.join(sorted(FAULTS))}",
    )
    p_demo.set_defaults(func=cmd_demo)
    return parser


def _terminate(signum: int, frame: FrameType | None) -> None:
    # SIGTERM unwinds like Ctrl-C, so servers we started are stopped in `finally`.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `pgcutover` console script."""
    signal.signal(signal.SIGTERM, _terminate)
    parser = build_parser()
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        code: int = args.func(args)
    except PgcutoverError as exc:
        print(f"pgcutover: error: {scrub(str(exc))}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except KeyboardInterrupt:
        print("pgcutover: interrupted; servers started by this run were stopped", file=sys.stderr)
        return 130
    if args.command == "demo":
        _say(f"demo wall time: {time.monotonic() - started:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
