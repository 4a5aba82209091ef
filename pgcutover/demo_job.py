"""`pgcutover demo`: the whole job on a pair of embedded servers, start to verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from migrator.job import run_copy
from migrator.progress import final_table
from pgcutover.demo_faults import FAULTS, break_target
from pgcutover.runner import run_contracts
from pgcutover.servers import server_pair
from reports.console import verdict_lines
from verify.connect import Endpoint, connect, parse_url

__all__ = ["FAULTS", "create_database", "run_demo"]

SOURCE_DB = "demo_source"
TARGET_DB = "demo_target"


def create_database(server: Endpoint, name: str, *, template: str | None = None) -> Endpoint:
    """CREATE DATABASE `name` (optionally from a template) on the server; its endpoint."""
    with connect(server, role="server", read_only=False, autocommit=True) as conn:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(query)
    return server.with_dbname(name)


def run_demo(
    *,
    scale: float,
    fault: str | None,
    report_dir: Path,
    say: Callable[[str], None],
    verbose: bool = False,
) -> int:
    """Start servers, load the demo source, copy, optionally break the target, verify; exit code."""
    from pgcutover.demo import load_demo

    with server_pair() as pair:
        say(f"servers: {pair.provider}")
        source = create_database(parse_url(pair.source_url), SOURCE_DB)
        summary = load_demo(source.url, scale=scale)
        say(
            f"demo source: {sum(summary.tables.values())} rows in {len(summary.tables)} tables "
            f"({summary.seconds:.1f} s)"
        )
        target = create_database(parse_url(pair.target_url), TARGET_DB)
        report = run_copy(source, target)
        for line in final_table(report):
            say(line)
        if fault:
            with psycopg.connect(target.conninfo) as conn:
                damage = break_target(conn, fault)
            say(f"broke the target on purpose: {damage.description}")
        outcome = run_contracts(source.url, target.url, report_dir, stream=verbose)
        for line in verdict_lines(outcome.verdict, outcome.report_dir):
            say(line)
        return outcome.verdict.exit_code
