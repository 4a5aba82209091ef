"""`pgcutover demo`: the whole job on a pair of embedded servers, start to verdict.

The demo verifies as any user would, through the generic path, and names its own
application queries (queries/) and personal-data columns the way a user does.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import psycopg

from migrator.job import run_copy
from migrator.progress import final_table
from pgcutover.demo.data import PERSONAL_COLUMNS, load_demo
from pgcutover.demo.faults import FAULTS, break_target
from pgcutover.errors import UnknownFault
from pgcutover.runner import run_contracts
from pgcutover.servers import create_database, server_pair
from reports.console import verdict_lines
from verify.connect import parse_url

__all__ = ["FAULTS", "contract_options", "queries_dir", "run_demo"]

SOURCE_DB = "demo_source"
TARGET_DB = "demo_target"


def queries_dir() -> Path:
    """The demo application's queries (*.sql), in a clone or in site-packages alike."""
    return Path(str(resources.files("pgcutover.demo").joinpath("queries")))


def contract_options() -> list[str]:
    """The pytest options the demo's verification passes: its queries and its personal
    columns (as `pgcutover verify --queries DIR --personal-column NAME` would)."""
    return [
        f"--queries-dir={queries_dir()}",
        *[f"--personal-column={name}" for name in PERSONAL_COLUMNS],
    ]


def check_fault(name: str | None) -> None:
    """Refuse a `--break` name the demo does not know (`UnknownFault`, listing the known)."""
    if name is not None and name not in FAULTS:
        raise UnknownFault(f"--break {name!r}: the demo knows {', '.join(sorted(FAULTS))}")


def run_demo(
    *,
    scale: float,
    fault: str | None,
    report_dir: Path,
    say: Callable[[str], None],
    verbose: bool = False,
) -> int:
    """Start servers, load the demo source, copy, optionally break the target, verify; exit code."""
    check_fault(fault)
    with server_pair() as pair:
        say(f"servers: {pair.provider}")
        source = create_database(parse_url(pair.source_url, side="source"), SOURCE_DB)
        summary = load_demo(source.url, scale=scale)
        say(
            f"demo source: {sum(summary.tables.values())} rows in {len(summary.tables)} tables "
            f"({summary.seconds:.1f} s)"
        )
        target = create_database(parse_url(pair.target_url, side="target"), TARGET_DB)
        report = run_copy(source, target)
        for line in final_table(report):
            say(line)
        if fault:
            with psycopg.connect(target.conninfo) as conn:
                damage = break_target(conn, fault)
            say(f"broke the target on purpose: {damage.description}")
        outcome = run_contracts(
            source.url, target.url, report_dir, pytest_args=contract_options(), stream=verbose
        )
        for line in verdict_lines(outcome.verdict, outcome.report_dir):
            say(line)
        return outcome.verdict.exit_code
