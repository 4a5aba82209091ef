"""Across major versions: newer pg_dump/pg_restore into an older target; extensions it lacks."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from migrator.job import run_copy
from migrator.tools import server_bindirs
from pgcutover.demo import load_demo
from pgcutover.servers import create_database, start_local_server
from tests.fix_cli import pgcutover as cli
from tests.fix_servers import drop_database, execute, unique_name
from tests.migrator_helpers import fingerprints, scalar
from verify.connect import Endpoint, parse_url

pytestmark = pytest.mark.crossversion


@pytest.fixture(scope="module")
def old_server() -> Iterator[Endpoint]:
    """A PostgreSQL server older than 17 (Debian's 15), without transaction_timeout."""
    old = [b for b in server_bindirs() if b.major < 17]
    if not old:
        pytest.skip("needs PostgreSQL server binaries older than 17")
    workdir = Path(tempfile.mkdtemp(prefix="pgcutover-old-"))
    server = start_local_server(old[-1], workdir=workdir, name="old")
    try:
        yield parse_url(server.url())
    finally:
        server.stop()


def test_newer_pg_restore_into_an_older_target_copies_everything(old_server: Endpoint) -> None:
    source = create_database(old_server, unique_name("old_src"))
    target = create_database(old_server, unique_name("old_tgt"))
    try:
        load_demo(source.url, scale=1)
        report = run_copy(source, target)
        assert report.rows > 0
        assert fingerprints(target) == fingerprints(source)
        assert scalar(target, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'") == (
            scalar(source, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")
        )
    finally:
        drop_database(old_server, source.dbname)
        drop_database(old_server, target.dbname)


def test_an_extension_the_target_lacks_is_one_line_before_anything_is_written(
    old_server: Endpoint, empty_target: Endpoint
) -> None:
    source = create_database(old_server, unique_name("old_ext"))
    try:
        execute(
            source,
            "CREATE SCHEMA extensions",
            "CREATE EXTENSION pgcrypto WITH SCHEMA extensions",
            "CREATE TABLE public.tokens (id int PRIMARY KEY,"
            " h bytea DEFAULT extensions.digest('x', 'sha256'))",
        )
        plan = cli("plan", "--source", source.url, "--target", empty_target.url)
        assert "target lacks extension: pgcrypto" in plan.stdout
        result = cli("copy", "--source", source.url, "--target", empty_target.url)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "lacks extension pgcrypto" in lines[0]
        assert scalar(empty_target, "SELECT to_regnamespace('pgcutover')") is None
        assert scalar(empty_target, "SELECT to_regclass('public.tokens')") is None
    finally:
        drop_database(old_server, source.dbname)
