"""The pytest side of pgcutover: options, the two database sides, per-object parametrization.

Registered under the `pytest11` entry point, so an installed wheel verifies
too; the repository's conftest.py only names it. Contracts ask for fixtures
(`source`, `target`, `table`) and this plugin supplies them: one connection
per side for the whole session, each inside one REPEATABLE READ READ ONLY
transaction, so every contract reads the same instant of each database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pgcutover import __version__
from pgcutover.config import BadConfig, Config, load_config, url_from_env
from pgcutover.errors import PgcutoverError
from reports.categories import write_allure2_categories
from reports.evidence import write_environment
from reports.facts import fact_blocks
from reports.gate import EXPECTED_FILE
from verify.buffer_parity import TableVerdict, cached_verdict
from verify.catalog import Table, read_tables
from verify.connect import Endpoint, connect, database_identity, parse_url
from verify.plan import Plan, PlanOptions, build_plan, read_recorded_plan, user_schemas
from verify.queries import queries_folder
from verify.row_report import live_recheck
from verify.rows import SAMPLE, RowParity, parse_grace

_SIDES = pytest.StashKey[dict[str, "Side"]]()
_PLAN = pytest.StashKey["Plan"]()
_CONFIG = pytest.StashKey["Config"]()
_QUERIES = pytest.StashKey["Path | None"]()
_LIVE = pytest.StashKey["LiveOptions"]()
# Facts a contract family adds to Allure's environment (e.g. the schemas it left out).
ENVIRONMENT_FACTS = pytest.StashKey[dict[str, str]]()


@dataclass
class Side:
    """One database as the contracts see it: a connection in a snapshot, and its catalog."""

    role: str
    endpoint: Endpoint
    conn: psycopg.Connection[Any]
    version: str
    snapshot: str
    # The tables and materialized views of the schemas the plan moved, by schema.name.
    tables: dict[str, Table] = field(default_factory=dict)
    # The application's own schemas on this side (an extra one on the target is compared).
    user_schemas: tuple[str, ...] = ()

    def read(self) -> psycopg.Connection[Any]:
        """The connection, for one query; callers wrap risky queries in `savepoint()`."""
        return self.conn

    def savepoint(self) -> Any:
        """A savepoint: a failing query rolls back to it and the snapshot survives."""
        return self.conn.transaction()


@dataclass(frozen=True)
class LiveOptions:
    """--grace and --change-column: how a source still being written to is checked."""

    grace: timedelta | None
    column: str | None

    def applies_to(self, table: Table) -> bool:
        """Whether `table` is checked as live: a window given and the table has the column."""
        return self.grace is not None and self.column in {c.name for c in table.columns}


def live_options(config: pytest.Config) -> LiveOptions:
    """--grace and --change-column, read once; given apart or unreadable, a usage error."""
    if _LIVE not in config.stash:
        grace, column = config.getoption("grace"), config.getoption("change_column")
        if bool(grace) != bool(column):
            raise pytest.UsageError(
                "--grace and --change-column go together (e.g. 5m and updated_at)"
            )
        try:
            config.stash[_LIVE] = LiveOptions(parse_grace(grace) if grace else None, column)
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[_LIVE]


def table_verdict(
    config: pytest.Config, table: Table, source: Side, target: Side, cache: dict[Any, Any]
) -> TableVerdict:
    """The session's one pass per side over the table (verify.buffer_parity.cached_verdict),
    shared by row parity, Buffer parity and residency: every differing key kept when the
    source is live (a re-check looks at each), else the first SAMPLE of each kind.
    Raises verify.buffer_parity.UnreadableRows; run it inside `target.savepoint()`."""
    limit = None if live_options(config).grace else SAMPLE
    return cached_verdict(cache, source.conn, target.conn, table, limit=limit)


def table_parity(
    config: pytest.Config, table: Table, source: Side, target: Side, cache: dict[Any, Any]
) -> RowParity:
    """The table's row parity as every contract reads it: `table_verdict`'s, its differing
    keys looked at again when the source is live (rows that caught up, or that the source
    changed inside the window, pass). Raises verify.buffer_parity.UnreadableRows; run it
    inside `target.savepoint()`."""
    live = live_options(config)
    parity = table_verdict(config, table, source, target, cache).parity
    if parity.equal or not live.applies_to(table):
        return parity
    assert live.grace is not None and live.column is not None
    key = ("live", table.qualified)
    if key not in cache:
        cache[key] = live_recheck(
            parity, table, source.endpoint, target.endpoint, live.column, live.grace
        )
    rechecked: RowParity = cache[key]
    return rechecked


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pgcutover", "pgcutover migration contracts")
    group.addoption("--source-url", help="source database URL (or PGCUTOVER_SOURCE_URL)")
    group.addoption("--target-url", help="target database URL (or PGCUTOVER_TARGET_URL)")
    group.addoption("--config", dest="pgcutover_config", help="pgcutover.toml")
    group.addoption(
        "--include-schema",
        action="append",
        default=[],
        help="check this schema too, as copy --include-schema moved it (repeatable)",
    )
    group.addoption(
        "--exclude-schema",
        action="append",
        default=[],
        help="a schema copy --exclude-schema left on the source (repeatable)",
    )
    group.addoption(
        "--supabase-roles",
        choices=["create", "skip"],
        default=None,
        help="how copy handled the roles grants name (when the target holds no recorded plan)",
    )
    group.addoption(
        "--no-mask", action="store_true", help="show personal data unmasked in evidence"
    )
    group.addoption(
        "--grace",
        default=None,
        help="live sources: re-check rows changed within this long of now (e.g. 5m, 30s, 1h)",
    )
    group.addoption(
        "--change-column",
        default=None,
        help="live sources: the column that records a row's last change (e.g. updated_at)",
    )
    group.addoption(
        "--personal-column",
        action="append",
        default=[],
        help="a column holding personal data, masked in evidence (repeatable; or [mask] "
        "personal_columns; names such as first_name, phone and email are detected)",
    )
    group.addoption(
        "--queries-dir",
        help="folder of the application's queries (*.sql) to compare on both sides (or "
        "[queries] dir in pgcutover.toml); none: the query contract is skipped",
    )
    group.addoption(
        "--source-must-be-empty",
        action="store_true",
        help="after cutover: residency fails while the source still holds personal-data rows "
        "(or [residency] source_must_be_empty)",
    )
    group.addoption(
        "--app-dir",
        default=None,
        help="the application's code: code readiness lists what still ties it to Supabase "
        "(or [app] dir)",
    )


def _open_side(config: pytest.Config, role: str) -> Side:
    url = config.getoption(f"{role}_url") or url_from_env(role)
    if not url:
        raise pytest.UsageError(f"contracts need --{role}-url (or PGCUTOVER_{role.upper()}_URL)")
    try:
        endpoint = parse_url(url, side=role)
        conn = connect(endpoint, role=role, read_only=True, canonical=True, autocommit=True)
    except PgcutoverError as exc:
        raise pytest.UsageError(str(exc)) from None
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    snapshot = str(conn.execute("SELECT pg_current_snapshot()::text").fetchone()[0])  # type: ignore[index]
    return Side(role, endpoint, conn, version, snapshot, user_schemas=user_schemas(conn))


def settings_of(config: pytest.Config) -> Config:
    """pgcutover.toml (--config, else ./pgcutover.toml), read once; a bad file stops the run."""
    if _CONFIG not in config.stash:
        try:
            config.stash[_CONFIG] = load_config(config.getoption("pgcutover_config", None))
        except BadConfig as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[_CONFIG]


def queries_dir(config: pytest.Config) -> Path | None:
    """The application's queries folder the user named (--queries-dir, else [queries] dir),
    or None; a named folder that is missing or holds no .sql stops the run (UsageError)."""
    if _QUERIES not in config.stash:
        try:
            named = config.getoption("queries_dir", None)
            found = queries_folder(named, settings_of(config), flag="--queries-dir")
        except PgcutoverError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[_QUERIES] = found
    return config.stash[_QUERIES]


def nothing_to_check(reason: str, feature: str, *, values: int = 1) -> list[Any]:
    """The one parameter set of a contract with nothing to check: skipped with `reason` in
    words (not pytest's "got empty parameter set"), labelled with its family for Allure (a
    skipped test never runs label())."""
    marks = [
        pytest.mark.skip(reason=reason),
        pytest.mark.allure_label(feature, label_type="feature"),
    ]
    return [pytest.param(*([None] * values), id="none", marks=marks)]


def personal_columns(config: pytest.Config) -> tuple[str, ...]:
    """Columns masked beyond those detected by name: --personal-column and [mask]
    personal_columns."""
    return (*config.getoption("personal_column"), *settings_of(config).mask.personal_columns)


def pytest_sessionstart(session: pytest.Session) -> None:
    """A queries folder named but missing or empty is a usage error before anything runs."""
    queries_dir(session.config)


def _plan_options(config: pytest.Config) -> PlanOptions:
    settings = settings_of(config)
    return PlanOptions(
        include=tuple(config.getoption("include_schema") or settings.scope.include_schemas),
        exclude=tuple(config.getoption("exclude_schema") or settings.scope.exclude_schemas),
        supabase_roles=config.getoption("supabase_roles") or settings.copy.supabase_roles,
    )


def _decide_plan(config: pytest.Config, source: Side, target: Side) -> Plan:
    """The plan the copy recorded on the target; else (a copy made by other means, or scope
    flags given here) the same plan computed now by the same function."""
    flags = config.getoption("include_schema") or config.getoption("exclude_schema")
    recorded = None if flags else read_recorded_plan(target.conn)
    if recorded is not None:
        return recorded
    try:
        return build_plan(source.conn, target.conn, _plan_options(config))
    except PgcutoverError as exc:
        raise pytest.UsageError(str(exc)) from None


def sides(config: pytest.Config) -> dict[str, Side]:
    """Both sides, opened on first use and kept for the session, with the plan's tables."""
    if _SIDES not in config.stash:
        opened = {"source": _open_side(config, "source")}
        opened["target"] = _open_side(config, "target")
        if database_identity(opened["source"].conn) == database_identity(opened["target"].conn):
            raise pytest.UsageError(
                "source and target are the same database: give the target URL of another one"
            )
        plan = _decide_plan(config, opened["source"], opened["target"])
        for side in opened.values():
            side.tables = {t.qualified: t for t in read_tables(side.conn, plan.schemas)}
        config.stash[_PLAN] = plan
        config.stash[_SIDES] = opened
    return config.stash[_SIDES]


def plan_of(config: pytest.Config) -> Plan:
    """The plan the contracts check (see `sides`)."""
    sides(config)
    return config.stash[_PLAN]


def allure_dir(config: pytest.Config) -> Path | None:
    """Where this run writes allure-results (None without --alluredir)."""
    found = config.getoption("allure_report_dir", None)
    return Path(found) if found else None


def pytest_unconfigure(config: pytest.Config) -> None:
    for side in config.stash.get(_SIDES, {}).values():
        side.conn.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each contract that takes `table` runs once per source table, with the table as its id."""
    if "table" in metafunc.fixturenames:
        tables = sorted(sides(metafunc.config)["source"].tables.values(), key=lambda t: t.qualified)
        metafunc.parametrize("table", tables, ids=[t.qualified for t in tables])


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Record how many contracts the plan expects, before -k or -m narrows the run, so the
    gate can tell a partial run from a complete one."""
    alluredir = config.getoption("allure_report_dir", None)
    if not alluredir or _SIDES not in config.stash:
        return
    if getattr(config, "workerinput", {}).get("workerid", "gw0") != "gw0":
        return
    path = Path(alluredir)
    path.mkdir(parents=True, exist_ok=True)
    (path / EXPECTED_FILE).write_text(json.dumps({"expected": len(items)}))


@pytest.fixture(scope="session")
def source(request: pytest.FixtureRequest) -> Iterator[Side]:
    """The source database, read-only, one snapshot for the session."""
    yield sides(request.config)["source"]


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Side]:
    """The target database, read-only, one snapshot for the session."""
    yield sides(request.config)["target"]


@pytest.fixture(scope="session")
def row_verdicts() -> dict[Any, Any]:
    """Row-parity verdicts by table for this session: the row and Buffer contracts of a
    table share one bucket pass per side (verify.buffer_parity.cached_verdict)."""
    return {}


@pytest.fixture(scope="session")
def plan(request: pytest.FixtureRequest) -> Plan:
    """The plan the copy carried out: what moved, what stayed, roles and owners."""
    return plan_of(request.config)


@pytest.fixture(scope="session")
def mask(request: pytest.FixtureRequest) -> bool:
    """Whether personal data in evidence is masked (default yes; --no-mask turns it off)."""
    return not request.config.getoption("no_mask")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Name both servers in Allure's environment (redacted URLs, versions, snapshots)."""
    alluredir = session.config.getoption("allure_report_dir", None)
    opened = session.config.stash.get(_SIDES, None)
    if not alluredir or not opened or hasattr(session.config, "workerinput"):
        return
    facts = {"pgcutover": __version__}
    plan = session.config.stash.get(_PLAN, None)
    if plan is not None:
        facts["plan"] = "recorded by pgcutover copy" if plan.recorded else "computed by verify"
        facts["plan.schemas"] = ", ".join(plan.schemas)
        facts["plan.left_on_source"] = "; ".join(s.describe() for s in plan.left_behind) or "none"
    for role, side in opened.items():
        facts[f"{role}.url"] = side.endpoint.display
        facts[f"{role}.version"] = side.version
        facts[f"{role}.snapshot"] = side.snapshot
    extra: dict[str, str] = session.config.stash.get(ENVIRONMENT_FACTS, {})
    facts.update(extra)
    # The application contracts' summary lines, so the HTML report shows them too.
    for block in fact_blocks(Path(alluredir)):
        name, _, value = block.headline.partition(": ")
        facts[name] = value
    write_environment(Path(alluredir), facts)
    write_allure2_categories(Path(alluredir))
