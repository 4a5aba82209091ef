"""The fault catalogue, measured: every fault caught by its own family naming its object, no
false positive, and the benign changes GO, on the demo and two corpus databases, same-version
and cross-version.

Per (database, versions) two verifies run, whatever the number of cases: one of a correct
copy holding every fault at once (each on its own object, so each failure is attributed by
the object it names) and one of a copy holding every benign change (with `--grace 1m
--change-column updated_at` and the accepted differences in a pgcutover.toml). Copies are made
by `pgcutover copy`; verifies are `pgcutover verify`, both in child processes. The table
(fault, database, versions, expected family, caught by, object named, verdict) is printed at
the end of the run (tests/fix_reliability.py).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pgcutover.demo import PERSONAL_COLUMNS
from pgcutover.demo.job import queries_dir
from pgcutover.servers import create_database
from tests.faults.catalogue import (
    CATALOGUES,
    Benign,
    Catalogue,
    Fault,
    Row,
    Statement,
    failed_pairs,
    judge_benign,
    judge_faults,
)
from tests.fix_cli import verify_cli
from tests.fix_corpus import CORPUS_CONFIG, Case, Corpus, restore_role_statement
from tests.fix_reliability import DemoCopy, write_table_part
from tests.fix_servers import drop_database, unique_name
from verify.connect import Endpoint, connect

VERSIONS = ("same", "cross")
DEMO_FLAGS = (
    "--queries",
    str(queries_dir()),
    *[arg for column in PERSONAL_COLUMNS for arg in ("--personal-column", column)],
)
LIVE_FLAGS = ("--grace", "1m", "--change-column", "updated_at")


@dataclass(frozen=True)
class Layout:
    """Where to clone a correct source and target for one (database, versions)."""

    source_server: Endpoint
    source_template: str
    target_server: Endpoint
    target_template: str
    config: str = ""  # the database's own pgcutover.toml (the corpus declares Storage)


@dataclass
class Outcome:
    """What the two verifies of one (database, versions) found."""

    versions: str
    faults: list[Row]
    benign: list[Row]
    benign_exit: int
    benign_console: str


def _versions(layout: Layout) -> str:
    def major(server: Endpoint) -> int:
        with connect(server, role="test", read_only=True, autocommit=True) as conn:
            return conn.info.server_version // 10000

    return f"{major(layout.source_server)}->{major(layout.target_server)}"


def _run(endpoint: Endpoint, statements: tuple[Statement, ...], what: str) -> None:
    """Run statements in one transaction with triggers and foreign keys off; a data change
    that touches no row is an error (the fault would test nothing)."""
    if not statements:
        return
    with (
        connect(endpoint, role="test", read_only=False, autocommit=True) as conn,
        conn.transaction(),
    ):
        conn.execute("SET LOCAL session_replication_role = replica")
        for statement in statements:
            query = statement(endpoint) if callable(statement) else statement
            cur = conn.execute(query)
            text = query if isinstance(query, str) else query.as_string(conn)
            if text.lstrip().upper().startswith(("UPDATE", "DELETE", "INSERT")):
                assert cur.rowcount > 0, f"{what}: changed no row: {text}"


def _outside(endpoint: Endpoint, statements: tuple[str, ...]) -> None:
    with connect(endpoint, role="test", read_only=False, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _gate(verified: Any, report_dir: Path) -> dict[str, Any]:
    path = report_dir / "gate.json"
    assert path.exists(), verified.stdout + verified.stderr
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _toml(config: str, accepted: list[tuple[str, str]], folder: Path) -> Path:
    lines = [config]
    for obj, reason in accepted:
        lines += [
            "[[schema.accepted]]",
            f"object = {json.dumps(obj)}",
            f"reason = {json.dumps(reason)}",
            "",
        ]
    path = folder / "pgcutover.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def measure(
    cat: Catalogue, version: str, layout: Layout, workdir: Path, flags: tuple[str, ...]
) -> Outcome:
    """Clone, damage, verify (faults), clone, change, verify (benign); judge both."""
    versions = _versions(layout)
    made: list[tuple[Endpoint, str]] = []

    def clone(server: Endpoint, template: str, prefix: str) -> Endpoint:
        endpoint = create_database(server, unique_name(prefix), template=template)
        made.append((server, endpoint.dbname))
        return endpoint

    faults = cat.faults_for(version)
    roles = sorted({f.role for f in faults if f.role})
    restore = [restore_role_statement(layout.target_server, r) for r in roles]
    try:
        source = clone(layout.source_server, layout.source_template, "cat_fsrc")
        target = clone(layout.target_server, layout.target_template, "cat_ftgt")
        for fault in faults:
            _run(source, fault.source, f"{cat.db} {fault.name} (source)")
            _run(target, fault.target, f"{cat.db} {fault.name}")
        report = Path(tempfile.mkdtemp(prefix=f"faults-{cat.db}-{version}-", dir=workdir))
        config = _toml(layout.config, [], report)
        verified = verify_cli(
            source, target, report / "r", *flags, "--config", str(config), cwd=workdir
        )
        assert verified.returncode == 1, verified.stdout + verified.stderr
        fault_rows = judge_faults(
            faults, failed_pairs(_gate(verified, report / "r")), cat.db, versions
        )
    finally:
        with connect(layout.target_server, role="test", read_only=False, autocommit=True) as conn:
            for statement in restore:
                conn.execute(statement)
    source = clone(layout.source_server, layout.source_template, "cat_bsrc")
    target = clone(layout.target_server, layout.target_template, "cat_btgt")
    for change in cat.benign:
        _run(source, change.source, f"{cat.db} {change.name} (source)")
        _run(target, change.target, f"{cat.db} {change.name}")
        _outside(target, change.outside)
    report = Path(tempfile.mkdtemp(prefix=f"benign-{cat.db}-{version}-", dir=workdir))
    config = _toml(layout.config, [a for c in cat.benign for a in c.accepted], report)
    verified = verify_cli(
        source, target, report / "r", *flags, *LIVE_FLAGS, "--config", str(config), cwd=workdir
    )
    benign_rows = judge_benign(
        cat.benign, failed_pairs(_gate(verified, report / "r")), cat.db, versions
    )
    for server, name in made:
        drop_database(server, name)
    return Outcome(versions, fault_rows, benign_rows, verified.returncode, verified.stdout)


@pytest.fixture(scope="session")  # a group's tests may interleave with other modules'
def outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str, str], Outcome]]:
    """Call with (database, version): the outcome of its two verifies, measured once."""
    done: dict[tuple[str, str], Outcome] = {}
    workdir = tmp_path_factory.mktemp("catalogue")

    def layout(db: str, version: str) -> Layout:
        if db == "demo":
            copy: DemoCopy = request.getfixturevalue(f"demo_copy_{version}")
            return Layout(
                copy.source_server, copy.source_template, copy.target_server, copy.target.dbname
            )
        corpus: Corpus = request.getfixturevalue("corpus")
        case = Case(db, "fresh" if version == "same" else "cross")
        copied = corpus.copied(case)
        assert copied.copy.returncode == 0, copied.copy.stderr[-2000:]
        lay = case.layout
        return Layout(
            corpus.server(lay.source),
            corpus.template(db, lay.source, contrib=lay.contrib),
            corpus.server(lay.target),
            copied.target.dbname,
            CORPUS_CONFIG,
        )

    def get(db: str, version: str) -> Outcome:
        if (db, version) not in done:
            flags = DEMO_FLAGS if db == "demo" else ()
            done[db, version] = measure(
                CATALOGUES[db], version, layout(db, version), workdir, flags
            )
        return done[db, version]

    yield get
    rows = [r for o in done.values() for r in (*o.faults, *o.benign)]
    if rows:
        write_table_part(rows, tmp_path_factory.getbasetemp())


def _group(db: str) -> pytest.MarkDecorator:
    # The corpus cases share the corpus servers (one worker); the demo's go elsewhere.
    return pytest.mark.xdist_group("corpus" if db != "demo" else "catalogue-demo")


def _marks(db: str, version: str, pending: str | None = None) -> list[pytest.MarkDecorator]:
    marks = [_group(db)]
    if version == "cross":
        marks.append(pytest.mark.crossversion)
    if pending:
        marks.append(pytest.mark.xfail(reason=pending, strict=False))
    return marks


def _fault_params() -> list[Any]:
    return [
        pytest.param(
            db,
            version,
            fault,
            id=f"{db}-{version}-{fault.name}",
            marks=_marks(db, version, fault.expected_pending()),
        )
        for db, cat in CATALOGUES.items()
        for version in VERSIONS
        for fault in cat.faults_for(version)
    ]


def _benign_params() -> list[Any]:
    return [
        pytest.param(
            db,
            version,
            change,
            id=f"{db}-{version}-{change.name}",
            marks=_marks(db, version, change.pending),
        )
        for db, cat in CATALOGUES.items()
        for version in VERSIONS
        for change in cat.benign
    ]


def _run_params() -> list[Any]:
    return [
        pytest.param(db, version, id=f"{db}-{version}", marks=_marks(db, version))
        for db in CATALOGUES
        for version in VERSIONS
    ]


def _row(rows: list[Row], name: str) -> Row:
    return next(r for r in rows if r.fault == name)


@pytest.mark.parametrize(("db", "version", "fault"), _fault_params())
def test_each_fault_is_caught_by_its_own_family_naming_its_object(
    outcomes: Callable[[str, str], Outcome], db: str, version: str, fault: Fault
) -> None:
    row = _row(outcomes(db, version).faults, fault.name)
    assert row.verdict.startswith("caught"), (
        f"{fault.name}: expected a {fault.family} failure naming {fault.obj}; "
        f"failures it accounts for: {row.named or 'none'}"
    )


@pytest.mark.parametrize(("db", "version", "change"), _benign_params())
def test_each_benign_change_passes(
    outcomes: Callable[[str, str], Outcome], db: str, version: str, change: Benign
) -> None:
    row = _row(outcomes(db, version).benign, change.name)
    assert row.verdict.startswith("passed"), f"{change.name}: failed {row.named}"


@pytest.mark.parametrize(("db", "version"), _run_params())
def test_no_failure_goes_unexplained_and_the_benign_copy_is_go(
    outcomes: Callable[[str, str], Outcome], db: str, version: str
) -> None:
    outcome = outcomes(db, version)
    unexplained = [
        r.named[0] for r in (*outcome.faults, *outcome.benign) if r.kind == "unexplained"
    ]
    assert unexplained == [], f"false positives: {unexplained}"
    pending_failed = [r for r in outcome.benign if r.pending and r.verdict.startswith("FALSE")]
    if not pending_failed:
        assert outcome.benign_exit == 0, outcome.benign_console
        assert "VERDICT: GO" in outcome.benign_console
