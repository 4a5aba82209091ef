"""Data-contract fault runs: damage a fresh clone of the migrated target, run the contracts once.

Several fault tests read one run (each contract run costs seconds), so a run is keyed by
name and kept for the worker's session; each test still asserts one behaviour.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pgcutover.runner import VerifyOutcome, run_contracts
from pgcutover.servers import create_database
from tests.fix_contracts import damage_target as on_target
from tests.fix_servers import Servers, drop_database, unique_name
from verify.catalog import Table, read_tables
from verify.connect import Endpoint, snapshot_connection

Statement = sql.Composable | str
FaultRun = Callable[..., VerifyOutcome]

# The data families: the ids a data fault may fail (schema contracts judge schema faults).
DATA_FAMILIES = ("test_row_", "test_buffers_", "test_credentials_", "test_sequence_")


@pytest.fixture(scope="session")
def fault_run(
    servers: Servers,
    demo_source_template: Endpoint,
    migrated_target_template: Endpoint,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FaultRun]:
    """Call with (name, *statements[, pytest_args=..., on_source=...]): the contracts' outcome
    on a target clone damaged by `statements`, the source clone first given `on_source`
    (values the demo lacks, such as a NaN), computed once per name in this worker."""
    done: dict[str, VerifyOutcome] = {}
    made: list[tuple[Endpoint, str]] = []

    def run(
        name: str,
        *statements: Statement,
        pytest_args: tuple[str, ...] = (),
        on_source: tuple[Statement, ...] = (),
    ) -> VerifyOutcome:
        if name not in done:
            source = create_database(
                servers.source, unique_name("src"), template=demo_source_template.dbname
            )
            target = create_database(
                servers.target, unique_name("tgt"), template=migrated_target_template.dbname
            )
            made.extend([(servers.source, source.dbname), (servers.target, target.dbname)])
            on_target(target, *statements)
            if on_source:
                on_target(source, *on_source)
            report = tmp_path_factory.mktemp(f"faults-{name}")
            done[name] = run_contracts(
                source.url, target.url, report, pytest_args=list(pytest_args)
            )
        return done[name]

    yield run
    for server, dbname in made:
        drop_database(server, dbname)


def data_failures(outcome: VerifyOutcome) -> set[str]:
    """Failed or broken data contracts (row, buffer, credential, sequence families)."""
    return {f.name for f in outcome.verdict.failures if f.name.startswith(DATA_FAMILIES)}


def evidence_text(outcome: VerifyOutcome, test_id: str, attachment: str) -> str:
    """The text of the first attachment of contract `test_id` whose name starts with
    `attachment`, in the run's allure-results."""
    for path in Path(outcome.alluredir).glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        if result.get("name") != test_id:
            continue
        for item in result.get("attachments", []):
            if item.get("name", "").startswith(attachment):
                return (outcome.alluredir / item["source"]).read_text("utf-8")
    raise LookupError(f"no attachment {attachment!r} for {test_id}")


def evidence(outcome: VerifyOutcome, test_id: str, attachment: str) -> Any:
    """The JSON attachment `attachment` of contract `test_id` in the run's allure-results."""
    return json.loads(evidence_text(outcome, test_id, attachment))


@contextmanager
def snapshot_pair(
    source: Endpoint, target: Endpoint
) -> Iterator[tuple[psycopg.Connection[Any], psycopg.Connection[Any], dict[str, Table]]]:
    """Both sides read-only, canonical, each in one REPEATABLE READ snapshot; source tables."""
    with (
        snapshot_connection(source, role="source") as src,
        snapshot_connection(target, role="target") as tgt,
    ):
        tables = {t.qualified: t for t in read_tables(src, ("auth", "public"))}
        yield src, tgt, tables
