"""Fixtures of the reliability tests: a PostgreSQL 15 server for cross-version demo copies,
the demo's copies made by the real CLI, and the fault table in the terminal summary.

The fault catalogue (tests/faults/test_catalogue.py) writes its part of the table per
worker under pytest's base temporary folder (`fault-table-<worker>.json`); the controller
prints the whole table at the end of the run and writes it beside them (`faults.md`,
`faults.json`), and also into $PGCUTOVER_FAULTS_OUT when set (how bench/results/faults.md,
the committed copy of the last run, is refreshed).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from migrator.tools import server_bindirs
from pgcutover.demo import load_demo
from pgcutover.servers import create_database, start_local_server
from tests.faults.catalogue import Row, write_table
from tests.fix_cli import pgcutover
from tests.fix_servers import Servers, unique_name
from verify.connect import Endpoint, parse_url

FAULT_TABLE_PART = "fault-table-"
FAULTS_OUT = "PGCUTOVER_FAULTS_OUT"


@pytest.fixture(scope="session")
def pg15() -> Iterator[Endpoint]:
    """The maintenance endpoint of a PostgreSQL 15 server (Debian's binaries), started on
    first use and stopped at the end of the session."""
    old = [b for b in server_bindirs() if b.major == 15]
    if not old:
        pytest.skip("needs PostgreSQL 15 server binaries (/usr/lib/postgresql/15/bin)")
    workdir = Path(tempfile.mkdtemp(prefix="pgcutover-pg15-"))
    server = start_local_server(old[0], workdir=workdir, name="pg15")
    try:
        yield parse_url(server.url())
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def demo_source_template_15(pg15: Endpoint) -> Endpoint:
    """The demo dataset at scale 1 on PostgreSQL 15, as a template database."""
    endpoint = create_database(pg15, unique_name("tpl_src15"))
    load_demo(endpoint.url, scale=1)
    return endpoint


@dataclass(frozen=True)
class DemoCopy:
    """A demo source template and a target `pgcutover copy` filled from a clone of it (kept
    with its bookkeeping: verify reads the plan the copy recorded)."""

    source_server: Endpoint
    source_template: str
    target_server: Endpoint
    target: Endpoint


def cli_copy(source: Endpoint, target: Endpoint) -> None:
    """`pgcutover copy` in a child process; fails the test when it does not finish."""
    result = pgcutover("copy", "--source", source.url, "--target", target.url)
    assert result.returncode == 0, result.stdout + result.stderr


def _demo_copy(source_server: Endpoint, template: str, target_server: Endpoint) -> DemoCopy:
    source = create_database(source_server, unique_name("cat_src"), template=template)
    target = create_database(target_server, unique_name("cat_tgt"))
    cli_copy(source, target)
    return DemoCopy(source_server, template, target_server, target)


@pytest.fixture(scope="session")
def demo_copy_same(servers: Servers, demo_source_template: Endpoint) -> DemoCopy:
    """The demo copied by the CLI between two servers of one version (the wheel's 18)."""
    return _demo_copy(servers.source, demo_source_template.dbname, servers.target)


@pytest.fixture(scope="session")
def demo_copy_cross(
    pg15: Endpoint, demo_source_template_15: Endpoint, servers: Servers
) -> DemoCopy:
    """The demo copied by the CLI from PostgreSQL 15 to the wheel's 18."""
    return _demo_copy(pg15, demo_source_template_15.dbname, servers.target)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep `--dist loadgroup` grouping on pytest 9.2+: xdist 3.8 marks a grouped item by
    assigning `item._nodeid`, which pytest 9.2 no longer reads (a node's id is now `_id`), so
    every xdist_group (the corpus's servers, the catalogue's copies) was spread over all
    workers. Give the id xdist meant to give."""
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers only
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        old = getattr(item, "_id", None)
        if not names or not isinstance(old, NodeId) or "@" in str(old).rpartition("]")[2]:
            continue
        # The suffix goes into the last name, so the id reads `test_x[params]@group`.
        last = f"{old.names[-1]}[{old.params}]" if old.params is not None else old.names[-1]
        item._id = NodeId(
            path=old.path, names=(*old.names[:-1], f"{last}@{'_'.join(names)}"), params=None
        )


def write_table_part(rows: list[Row], base: Path) -> None:
    """This worker's rows of the fault table, for the controller to gather."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    write_table(rows, base, f"{FAULT_TABLE_PART}{worker}")


def _gather(base: Path) -> list[Row]:
    rows = []
    for part in sorted(base.rglob(f"{FAULT_TABLE_PART}*.json")):
        rows += [Row(**r) for r in json.loads(part.read_text(encoding="utf-8"))]
    order = {"demo": 0, "supabase": 1, "types": 2}
    return sorted(rows, key=lambda r: (order.get(r.database, 9), r.database, r.versions))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the fault table gathered from every worker, and write it whole."""
    if hasattr(config, "workerinput"):
        return
    base = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    rows = _gather(base)
    if not rows:
        return
    path = write_table(rows, base, "faults")
    terminalreporter.section("fault catalogue")
    for line in path.read_text(encoding="utf-8").splitlines():
        terminalreporter.write_line(line)
    out = os.environ.get(FAULTS_OUT)
    if out:
        write_table(rows, Path(out), "faults")
        terminalreporter.write_line(f"written to {out}/faults.md and faults.json")
