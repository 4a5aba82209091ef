"""Running the real contracts from a test and reading the gate's verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from psycopg import sql

from pgcutover.runner import VerifyOutcome, run_contracts
from reports.gate import ContractResult
from verify.connect import Endpoint, connect

RunContracts = Callable[..., VerifyOutcome]


@pytest.fixture
def verify_pair(tmp_path: Path) -> RunContracts:
    """Call with (source, target[, pytest_args]) to run the contracts and get the outcome."""

    def run(source: Endpoint, target: Endpoint, *pytest_args: str) -> VerifyOutcome:
        return run_contracts(
            source.url, target.url, tmp_path / "report", pytest_args=list(pytest_args)
        )

    return run


def failed_ids(outcome: VerifyOutcome) -> set[str]:
    """Names of the failed or broken contracts, e.g. 'test_row_count[public.clients]'."""
    return {f.name for f in outcome.verdict.failures}


def failed_of(outcome: VerifyOutcome, contract: str) -> set[str]:
    """Failed ids of one contract function, e.g. failed_of(o, "test_row_count")."""
    return {name for name in failed_ids(outcome) if name.startswith(f"{contract}[")}


def failure(outcome: VerifyOutcome, name: str) -> ContractResult:
    """The failed contract called `name`."""
    return next(f for f in outcome.verdict.failures if f.name == name)


def damage_target(target: Endpoint, *statements: str | sql.Composable) -> None:
    """Run statements on the target in one transaction, foreign keys and triggers off
    (session_replication_role=replica), as a fault test injects its fault."""
    with (
        connect(target, role="target", read_only=False, autocommit=True) as conn,
        conn.transaction(),
    ):
        conn.execute("SET LOCAL session_replication_role = replica")
        for statement in statements:
            conn.execute(statement)
