"""Application-contract fault runs: damage clones of the demo's source and migrated target,
give the contracts a pgcutover.toml, run them once per name (per worker)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from psycopg import sql

from pgcutover.runner import VerifyOutcome, run_contracts
from pgcutover.servers import create_database
from reports.gate import ContractResult, read_results
from tests.fix_contracts import damage_target
from tests.fix_servers import Servers, drop_database, unique_name
from verify.connect import Endpoint

Statement = sql.Composable | str
# Statements, or a function of the database (for ALTER DATABASE <its name>) giving them.
Damage = Sequence[Statement] | Callable[[Endpoint], Sequence[Statement]]
AppRun = Callable[..., VerifyOutcome]


def _statements(damage: Damage, db: Endpoint) -> Sequence[Statement]:
    return damage(db) if callable(damage) else damage


@pytest.fixture(scope="session")
def app_run(
    servers: Servers,
    demo_source_template: Endpoint,
    migrated_target_template: Endpoint,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AppRun]:
    """Call with (name, on_source=..., on_target=..., config=TOML text, pytest_args=...,
    target=an Endpoint to use instead of a migrated clone): the contracts' outcome."""
    done: dict[str, VerifyOutcome] = {}
    made: list[tuple[Endpoint, str]] = []

    def run(
        name: str,
        *,
        on_source: Damage = (),
        on_target: Damage = (),
        config: str | None = None,
        pytest_args: Sequence[str] = (),
        target: Endpoint | None = None,
    ) -> VerifyOutcome:
        if name in done:
            return done[name]
        source = create_database(
            servers.source, unique_name("src"), template=demo_source_template.dbname
        )
        made.append((servers.source, source.dbname))
        if target is None:
            target = create_database(
                servers.target, unique_name("tgt"), template=migrated_target_template.dbname
            )
            made.append((servers.target, target.dbname))
        if statements := _statements(on_source, source):
            damage_target(source, *statements)
        if statements := _statements(on_target, target):
            damage_target(target, *statements)
        report = tmp_path_factory.mktemp(f"app-{name}")
        args = list(pytest_args)
        if config is not None:
            path = report / "pgcutover.toml"
            path.write_text(config, encoding="utf-8")
            args.append(f"--config={path}")
        done[name] = run_contracts(source.url, target.url, report / "out", pytest_args=args)
        return done[name]

    yield run
    for server, dbname in made:
        drop_database(server, dbname)


def results_of(outcome: VerifyOutcome, contract: str) -> dict[str, ContractResult]:
    """The results of one contract function by test id, e.g. results_of(o, "test_residency")."""
    return {r.name: r for r in read_results(outcome.alluredir) if r.name.startswith(f"{contract}[")}


def summary_of(outcome: VerifyOutcome) -> str:
    """The run's summary.md."""
    return (outcome.report_dir / "summary.md").read_text(encoding="utf-8")
