"""The source is never written: not by plan, copy, sync or verify, same-version or across.

Measured exactly, before the run and after each verb, once every session the verb opened
on the source has ended (a backend flushes its statistics as it exits):

- pg_stat_database's tup_inserted, tup_updated and tup_deleted of the source database
  (catalog rows included: a temporary table or an ANALYZE would count);
- pg_stat_user_tables' n_tup_ins, n_tup_upd, n_tup_del and n_tup_hot_upd of every table;
- the WAL records, between the first and the last measure, that touch a relation of the
  source database (pg_walinspect): none. The raw pg_current_wal_lsn() moves for reasons of
  its own (checkpoints, other databases, the standby snapshot record), so it is shown, not
  judged;
- the sha256 of `pg_dump --schema-only` of the source (its catalog, whole).

The source is frozen first (VACUUM FREEZE), so reading it sets no hint bit and prunes no
page: a read then writes no WAL at all, and any record naming the database is a write.
Every session the CLI and its Python children open on the source is recorded as it opens
(a sitecustomize in the children's PYTHONPATH) with what the server reported:
default_transaction_read_only must be on in each; pg_dump's session gets the same setting
from PGOPTIONS.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from migrator.tools import newest_with
from pgcutover.servers import create_database
from tests.fix_cli import pgcutover
from tests.fix_servers import Servers, drop_database, unique_name
from verify.connect import Endpoint, connect, libpq_login

pytestmark = pytest.mark.xdist_group("catalogue-demo")  # shares the PostgreSQL 15 server

RECORDER = """
import json, os
import psycopg

_LOG = os.environ.get("PGCUTOVER_TEST_SESSION_LOG")
_connect = psycopg.Connection.connect.__func__


def _recorded(cls, conninfo="", **kwargs):
    conn = _connect(cls, conninfo, **kwargs)
    if _LOG:
        info = conn.info
        line = {
            "pid": os.getpid(),
            "port": info.port,
            "dbname": info.dbname,
            "application_name": info.parameter_status("application_name"),
            "read_only": info.parameter_status("default_transaction_read_only"),
        }
        with open(_LOG, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\\n")
    return conn


psycopg.Connection.connect = classmethod(_recorded)
psycopg.connect = psycopg.Connection.connect
"""


@dataclass(frozen=True)
class SourceState:
    """What a write to the source would change."""

    database_tuples: tuple[int, int, int]
    table_tuples: dict[str, tuple[int, int, int, int]]
    schema_sha256: str
    wal_lsn: str  # shown, not compared


def _wait_until_alone(server: Endpoint, dbname: str) -> None:
    """Until no session but ours is on `dbname` (the verb's backends flush their statistics
    as they exit); polls the server, for at most 30 s."""
    deadline = time.monotonic() + 30
    with connect(server, role="test", read_only=True, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [dbname],
            ).fetchone()
            if row is not None and row[0] == 0:
                return
            assert time.monotonic() < deadline, f"sessions still open on {dbname}"
            time.sleep(0.02)  # the poll's period: the condition is checked, not the clock


def _schema_sha256(source: Endpoint) -> str:
    tools = newest_with("pg_dump")
    with libpq_login(source) as env:
        dumped = subprocess.run(
            [
                str(tools.program("pg_dump")),
                "--schema-only",
                f"--dbname={source.conninfo_without_password()}",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            stdin=subprocess.DEVNULL,
        ).stdout
    # pg_dump 17.6+ writes a random \restrict key per run; comments name the versions.
    kept = [
        ln for ln in dumped.splitlines() if not ln.startswith(("\\restrict", "\\unrestrict", "--"))
    ]
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()


def source_state(source: Endpoint) -> SourceState:
    """The source's write counters, schema checksum and WAL position, now."""
    _wait_until_alone(source.with_dbname("postgres"), source.dbname)
    with connect(source, role="test", read_only=True, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        db = conn.execute(
            "SELECT tup_inserted, tup_updated, tup_deleted FROM pg_stat_database"
            " WHERE datname = current_database()"
        ).fetchone()
        tables = conn.execute(
            "SELECT schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd"
            " FROM pg_stat_user_tables"
        ).fetchall()
        # The insert position: with asynchronous commit a record can be inserted and not
        # yet written, and pg_current_wal_lsn() (the write position) would start after it.
        lsn = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
    assert db is not None and lsn is not None
    state = SourceState(
        (int(db[0]), int(db[1]), int(db[2])),
        {str(t[0]): (int(t[1]), int(t[2]), int(t[3]), int(t[4])) for t in tables},
        _schema_sha256(source),
        str(lsn[0]),
    )
    # The session that read this ended here too: the next measure starts from quiet.
    _wait_until_alone(source.with_dbname("postgres"), source.dbname)
    return state


def wal_records_touching(source: Endpoint, start: str, end: str) -> list[str]:
    """WAL records between two positions whose blocks belong to the source database."""
    server = source.with_dbname("postgres")
    with connect(server, role="test", read_only=False, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
        oid = conn.execute(
            "SELECT oid FROM pg_database WHERE datname = %s", [source.dbname]
        ).fetchone()
        assert oid is not None
        # A synchronous commit that writes (a temporary table, in this maintenance database)
        # flushes every record before it: any the verbs made are then readable.
        with conn.transaction():
            conn.execute("SET LOCAL synchronous_commit = on")
            conn.execute("CREATE TEMP TABLE wal_flush_probe ()")
        moved = conn.execute("SELECT %s::pg_lsn < %s::pg_lsn", [start, end]).fetchone()
        if moved is None or not moved[0]:
            return []  # not one record anywhere on the server
        rows = conn.execute(
            "SELECT resource_manager || ' ' || record_type || ' ' || coalesce(block_ref, '')"
            " FROM pg_get_wal_records_info(%s::pg_lsn, least(%s::pg_lsn, pg_current_wal_flush_lsn()))",
            [start, end],
        ).fetchall()
    mine = re.compile(rf"rel \d+/{oid[0]}/")
    return [str(r[0]) for r in rows if mine.search(str(r[0]))]


@pytest.fixture
def recorded_sessions(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """The environment that makes the CLI's Python processes log each session they open,
    and the log."""
    folder = tmp_path / "recorder"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(RECORDER, encoding="utf-8")
    log = tmp_path / "sessions.jsonl"
    import os

    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    yield {"PYTHONPATH": path, "PGCUTOVER_TEST_SESSION_LOG": str(log)}, log


def _pair(request: pytest.FixtureRequest, version: str) -> tuple[Endpoint, str]:
    servers: Servers = request.getfixturevalue("servers")
    if version == "same":
        template: Endpoint = request.getfixturevalue("demo_source_template")
        return servers.source, template.dbname
    template = request.getfixturevalue("demo_source_template_15")
    return template.with_dbname("postgres"), template.dbname


@pytest.mark.parametrize("version", ["same", pytest.param("cross", marks=pytest.mark.crossversion)])
def test_plan_copy_sync_and_verify_never_write_the_source(
    request: pytest.FixtureRequest,
    servers: Servers,
    version: str,
    recorded_sessions: tuple[dict[str, str], Path],
    tmp_path: Path,
) -> None:
    env, log = recorded_sessions
    server, template = _pair(request, version)
    source = create_database(server, unique_name("untouched"), template=template)
    target = create_database(servers.target, unique_name("untouched_tgt"))
    try:
        with connect(source, role="test", read_only=False, autocommit=True) as conn:
            # ANALYZE first: the statistics it rewrites are then vacuumed too.
            conn.execute("ANALYZE")
            conn.execute("VACUUM (FREEZE)")
        urls = ("--source", source.url, "--target", target.url)
        verbs: dict[str, tuple[str, ...]] = {
            "plan": ("plan", *urls),
            "copy": ("copy", *urls),
            "sync": ("sync", *urls, "--skip-keyless"),
            "verify": ("verify", *urls, "--report-dir", str(tmp_path / "report")),
        }
        states = {"before": source_state(source)}
        for verb, args in verbs.items():
            result = pgcutover(*args, env=env)
            assert result.returncode == 0, f"{verb}: {result.stdout}{result.stderr}"
            states[verb] = source_state(source)
        changed = {
            f"{a} -> {b}": _changes(states[a], states[b])
            for a, b in zip(list(states)[:-1], list(states)[1:], strict=True)
            if _changes(states[a], states[b])
        }
        assert changed == {}
        written = wal_records_touching(source, states["before"].wal_lsn, states["verify"].wal_lsn)
        assert written == [], written[:20]
        sessions = [json.loads(ln) for ln in log.read_text(encoding="utf-8").splitlines()]
        on_source = [
            s for s in sessions if (s["port"], s["dbname"]) == (source.port, source.dbname)
        ]
        assert {s["application_name"] for s in on_source} == {"pgcutover-source"}, on_source
        assert on_source and {s["read_only"] for s in on_source} == {"on"}, on_source
        # The control: one written row shows in every measure that can see a row.
        with connect(source, role="test", read_only=False, autocommit=True) as conn:
            conn.execute("UPDATE public.services SET name = name WHERE ctid = '(0,1)'")
        states["control"] = source_state(source)
        assert set(_changes(states["verify"], states["control"])) == {
            "pg_stat_database (ins, upd, del)",
            "public.services (ins, upd, del, hot)",
        }
        assert wal_records_touching(source, states["verify"].wal_lsn, states["control"].wal_lsn), (
            "a written row left no WAL record naming the source"
        )
    finally:
        drop_database(servers.target, target.dbname)
        drop_database(server, source.dbname)


def _changes(before: SourceState, after: SourceState) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if before.database_tuples != after.database_tuples:
        found["pg_stat_database (ins, upd, del)"] = (before.database_tuples, after.database_tuples)
    for table in sorted(before.table_tuples.keys() | after.table_tuples.keys()):
        a, b = before.table_tuples.get(table), after.table_tuples.get(table)
        if a != b:
            found[f"{table} (ins, upd, del, hot)"] = (a, b)
    if before.schema_sha256 != after.schema_sha256:
        found["pg_dump --schema-only"] = "changed"
    return found
