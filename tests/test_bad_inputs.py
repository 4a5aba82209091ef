"""Bad inputs, each through the real CLI in a child process: exit 2 (130 or 143 for a
signal), one line on stderr naming what to fix, no traceback, no password anywhere (stdout,
stderr, the report folder, the command line of anything the command started), and the
target left resumable: once the cause is fixed, a correct run leaves every row of the source
on the target exactly once (checked by tests/corpus/check.py, which shares no code with the
product).

URL shapes and flags that no server needs are one parametrized test; the rest run against a
clone of the demo source and a target of their own.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from migrator.job import run_copy
from migrator.state import drop_state
from pgcutover.servers import SERVER_USER, create_database
from tests.corpus import check
from tests.fix_cli import Sampled, run_sampled
from tests.fix_servers import Servers, drop_database, execute, unique_name
from verify.connect import Endpoint, connect

SECRET = "Zq9Secret"
PG15_BIN = Path("/usr/lib/postgresql/15/bin")


def assert_clean(result: Sampled, code: int, needles: tuple[str, ...], secrets: list[str]) -> None:
    """The exit code, one line on stderr holding every needle, no traceback, no secret in
    the output or on any descendant's command line."""
    assert result.returncode == code, result.stdout + result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    for secret in secrets:
        for text in (result.stdout, result.stderr, *result.cmdlines):
            assert secret not in text, f"a password in: {text[:200]}"


# --- no server needed -------------------------------------------------------------------
GOOD = f"postgresql://postgres:{SECRET}@127.0.0.1:1/db"
NO_SERVER = {
    "URL missing //": (
        ("verify", "--source", f"postgresql:postgres:{SECRET}@127.0.0.1:1/db", "--target", GOOD),
        ("source URL", "missing '//'"),
    ),
    "URL with a doubled @": (
        ("copy", "--source", GOOD, "--target", f"postgresql://postgres:{SECRET}@@127.0.0.1:1/db"),
        ("target URL", "percent-encode '@'"),
    ),
    "URL without @": (
        ("verify", "--source", f"postgresql://postgres:{SECRET}/127.0.0.1:1/db", "--target", GOOD),
        ("source URL", "the port is not a number"),
    ),
    "URL with a space": (
        ("plan", "--source", f"postgresql://postgres:pass {SECRET}@127.0.0.1:1/db"),
        ("source URL", "a space"),
    ),
    "URL of an unknown scheme": (
        ("verify", "--source", f"mysql://root:{SECRET}@127.0.0.1:1/db", "--target", GOOD),
        ("source URL", "does not start with postgresql://"),
    ),
    "URL with a port out of range": (
        (
            "sync",
            "--source",
            GOOD,
            "--target",
            f"postgresql://postgres:{SECRET}@127.0.0.1:99999/db",
        ),
        ("target URL", "from 1 to 65535"),
    ),
    "URL with a port that is not a number": (
        ("copy", "--source", f"postgresql://postgres:{SECRET}@127.0.0.1:54x2/db", "--target", GOOD),
        ("source URL", "the port is not a number"),
    ),
    "URL percent-encoding a password of @ : / ?": (
        (
            "verify",
            "--source",
            f"postgresql://postgres:{quote('a@b:c/d?' + SECRET, safe='')}@127.0.0.1:1/db",
            "--target",
            GOOD,
        ),
        ("source", "127.0.0.1:1", "connection refused"),
    ),
    "URL naming no database": (
        ("plan", "--source", f"postgresql://postgres:{SECRET}@127.0.0.1:1"),
        ("source URL", "names no database"),
    ),
    "no target given": (("copy", "--source", GOOD), ("no target given", "--target URL")),
    "--grace without --change-column": (
        ("verify", "--source", GOOD, "--target", GOOD, "--grace", "5m"),
        ("--change-column",),
    ),
    "--jobs 0": (("copy", "--source", GOOD, "--target", GOOD, "--jobs", "0"), ("--jobs",)),
}


@pytest.mark.parametrize("case", sorted(NO_SERVER))
def test_a_bad_input_that_needs_no_server_is_one_line_without_the_password(
    case: str, tmp_path: Path
) -> None:
    args, needles = NO_SERVER[case]
    report = ("--report-dir", str(tmp_path / "r")) if args[0] == "verify" else ()
    env = {"PGCUTOVER_SOURCE_URL": "", "PGCUTOVER_TARGET_URL": ""}
    result = run_sampled(*args, *report, env=env, cwd=tmp_path)
    assert_clean(result, 2, needles, [SECRET, quote(SECRET)])
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").rglob("*.json"))


# --- against real servers ---------------------------------------------------------------
@dataclass
class Ctx:
    """A case's databases and folders."""

    servers: Servers
    source: Endpoint
    target: Endpoint  # empty, or a finished copy (`copied`)
    tmp: Path
    undo: list[Callable[[], None]] = field(default_factory=list)

    def urls(self, verb: str) -> tuple[str, ...]:
        """--source and --target, and a report folder for verify."""
        report = ("--report-dir", str(self.tmp / "report")) if verb == "verify" else ()
        return (verb, "--source", self.source.url, "--target", self.target.url, *report)


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, what the one line must say, and what follows."""

    args: Callable[[Ctx], tuple[str, ...]]
    needles: tuple[str, ...]
    setup: Callable[[Ctx], None] = lambda ctx: None
    env: Callable[[Ctx], dict[str, str]] = lambda ctx: {}
    code: int = 2
    copied: bool = False  # the target starts as a finished copy (verify and sync cases)
    interrupt_after: str | None = None
    group: str | None = None


def _with(ctx: Ctx, endpoint: Endpoint, **parts: str) -> str:
    """`endpoint`'s URL with its host, port, password or database replaced."""
    url = endpoint.url
    if "password" in parts:
        url = url.replace(f":{endpoint.password}@", f":{parts['password']}@")
    if "host" in parts:
        url = url.replace(f"@{endpoint.host}:", f"@{parts['host']}:")
    if "port" in parts:
        url = url.replace(f":{endpoint.port}/", f":{parts['port']}/")
    if "dbname" in parts:
        url = endpoint.with_dbname(parts["dbname"]).url
    if "query" in parts:
        url = f"{url}?{parts['query']}"
    return url


def _lock_and_time_out(ctx: Ctx) -> None:
    """A copy that stops at pre-data, then a target whose sessions give up after 300 ms and
    a table another session holds: the next copy's unit times out while streaming."""
    _kill_after_pre_data(ctx)
    execute(
        ctx.target.with_dbname("postgres"),
        sql.SQL("ALTER DATABASE {} SET statement_timeout = '300ms'").format(
            sql.Identifier(ctx.target.dbname)
        ),
    )
    holder = psycopg.connect(ctx.target.conninfo, autocommit=True)
    holder.execute("BEGIN")
    holder.execute("LOCK TABLE public.clients IN ACCESS EXCLUSIVE MODE")

    def release() -> None:
        holder.execute("ROLLBACK")
        holder.close()
        execute(
            ctx.target.with_dbname("postgres"),
            sql.SQL("ALTER DATABASE {} RESET statement_timeout").format(
                sql.Identifier(ctx.target.dbname)
            ),
        )

    ctx.undo.append(release)


def _kill_after_pre_data(ctx: Ctx) -> None:
    killed = run_sampled(*ctx.urls("copy"), env={"PGCUTOVER_TEST_KILL_AFTER": "pre-data:commit"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr


def _read_only_target(ctx: Ctx) -> None:
    alter = "ALTER DATABASE {} SET default_transaction_read_only = on"
    reset = "ALTER DATABASE {} RESET default_transaction_read_only"
    name = sql.Identifier(ctx.target.dbname)
    execute(ctx.target.with_dbname("postgres"), sql.SQL(alter).format(name))
    ctx.undo.append(
        lambda: execute(ctx.target.with_dbname("postgres"), sql.SQL(reset).format(name))
    )


def _non_empty_target(ctx: Ctx) -> None:
    execute(ctx.target, "CREATE TABLE public.notes (id int PRIMARY KEY)")
    ctx.undo.append(lambda: execute(ctx.target, "DROP TABLE public.notes"))


def _toml(text: str) -> Callable[[Ctx], None]:
    def write(ctx: Ctx) -> None:
        (ctx.tmp / "pgcutover.toml").write_text(text, encoding="utf-8")

    return write


def _bad_query(ctx: Ctx) -> None:
    folder = ctx.tmp / "queries"
    folder.mkdir()
    (folder / "clients.sql").write_text("-- ordered: true\nSELECT id FROM public.clients\n")
    (folder / "broken.sql").write_text("-- ordered: false\nSELECT count(*)\n  FORM public.staff\n")


def _unwritable(ctx: Ctx) -> None:
    (ctx.tmp / "a-file").write_text("")


def _same_database_other_spelling(ctx: Ctx) -> tuple[str, ...]:
    return (
        "copy",
        "--source",
        ctx.source.url,
        "--target",
        ctx.source.url.replace("127.0.0.1", "localhost"),
    )


def _tablespace_on_a_full_disk(ctx: Ctx) -> None:
    """A 256 kB filesystem as the tablespace of public.clients (its rows need more)."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is made with a small tmpfs: needs root to mount")
    folder = Path(tempfile.mkdtemp(prefix="pgcutover-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    with contextlib.suppress(KeyError):
        owner = pwd.getpwnam(SERVER_USER)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    _kill_after_pre_data(ctx)
    space = f"full_{ctx.target.dbname}"
    server = ctx.target.with_dbname("postgres")
    with connect(server, role="test", read_only=False, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE TABLESPACE {} LOCATION {}").format(
                sql.Identifier(space), sql.Literal(str(folder))
            )
        )
    execute(
        ctx.target,
        sql.SQL("ALTER TABLE public.clients SET TABLESPACE {}").format(sql.Identifier(space)),
    )

    def unmount() -> None:
        execute(ctx.target, "ALTER TABLE public.clients SET TABLESPACE pg_default")
        with connect(server, role="test", read_only=False, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP TABLESPACE {}").format(sql.Identifier(space)))
        subprocess.run(["umount", str(folder)], check=True)
        folder.rmdir()

    ctx.undo.append(unmount)


def _extension_source(ctx: Ctx) -> None:
    """The source becomes a PostgreSQL 15 database using pgcrypto, which the wheel's 18 lacks."""
    execute(
        ctx.source,
        "CREATE SCHEMA extensions",
        "CREATE EXTENSION pgcrypto WITH SCHEMA extensions",
        "CREATE TABLE public.tokens (id int PRIMARY KEY, h bytea DEFAULT extensions.digest('x', 'sha256'))",
    )
    # The fix the line suggests when the host offers no pgcrypto: stop depending on it.
    ctx.undo.append(
        lambda: execute(ctx.source, "DROP TABLE public.tokens", "DROP SCHEMA extensions CASCADE")
    )


CASES: dict[str, Case] = {
    "unknown host": Case(
        lambda c: (
            "copy",
            "--source",
            _with(c, c.source, host="no-such-host.invalid"),
            "--target",
            c.target.url,
        ),
        ("cannot resolve host", "no-such-host.invalid"),
    ),
    "refused port": Case(
        lambda c: ("copy", "--source", c.source.url, "--target", _with(c, c.target, port="1")),
        ("target", "127.0.0.1:1", "connection refused"),
    ),
    "wrong password": Case(
        lambda c: (
            "copy",
            "--source",
            _with(c, c.source, password="wrong-" + SECRET),
            "--target",
            c.target.url,
        ),
        ("login refused for user 'postgres'", "source URL"),
    ),
    "missing database": Case(
        lambda c: (
            "copy",
            "--source",
            c.source.url,
            "--target",
            _with(c, c.target, dbname="no_such_db"),
        ),
        ("target", "'no_such_db' does not exist"),
    ),
    "TLS required but unavailable": Case(
        lambda c: (
            "copy",
            "--source",
            _with(c, c.source, query="sslmode=require"),
            "--target",
            c.target.url,
        ),
        ("does not offer TLS", "sslmode"),
    ),
    "source and target the same database": Case(
        _same_database_other_spelling, ("source and target are the same database",)
    ),
    "unknown schema in --include-schema": Case(
        lambda c: (*c.urls("copy"), "--include-schema", "no_such_schema"),
        ("schema 'no_such_schema'", "does not exist on the source"),
    ),
    "sync of a table without a primary key": Case(
        lambda c: c.urls("sync"),
        ("public.webhook_inbox has no primary key", "--skip-keyless"),
        copied=True,
    ),
    "pg_dump missing": Case(
        lambda c: c.urls("copy"),
        ("pg_dump", "not found"),
        env=lambda c: {"PGCUTOVER_PG_BIN": str(c.tmp)},
    ),
    "pg_dump older than the source server": Case(  # skipped where no 15 is installed
        lambda c: c.urls("copy"),
        ("pg_dump 15", "older than the source server"),
        env=lambda c: {"PGCUTOVER_PG_BIN": str(PG15_BIN)},
    ),
    "an extension the target cannot create": Case(
        lambda c: c.urls("copy"),
        ("lacks extension pgcrypto", "nothing was written"),
        setup=_extension_source,
        group="15",
    ),
    "a non-empty target": Case(
        lambda c: c.urls("copy"), ("target already holds public.notes",), setup=_non_empty_target
    ),
    "a read-only target": Case(
        lambda c: c.urls("copy"),
        ("read-only", "default_transaction_read_only"),
        setup=_read_only_target,
    ),
    "statement_timeout hit during copy": Case(
        lambda c: c.urls("copy"),
        ("statement timeout", "raise statement_timeout", "resumable"),
        setup=_lock_and_time_out,
    ),
    "disk full during copy": Case(
        lambda c: c.urls("copy"),
        ("copying public.clients failed", "No space left on device", "resumable"),
        setup=_tablespace_on_a_full_disk,
    ),
    "pgcutover.toml that is not TOML": Case(
        lambda c: (*c.urls("copy"), "--config", str(c.tmp / "pgcutover.toml")),
        ("is not valid TOML", "line 3"),
        setup=_toml("[copy]\njobs = 2\nsplit_mb = = 3\n"),
    ),
    "pgcutover.toml with an unknown key": Case(
        lambda c: (*c.urls("verify"), "--config", str(c.tmp / "pgcutover.toml")),
        ("[copy] has unknown key 'jobz'", "known: jobs"),
        setup=_toml("[copy]\njobz = 2\n"),
        copied=True,
    ),
    "a queries folder that does not exist": Case(
        lambda c: (*c.urls("verify"), "--queries", str(c.tmp / "no-such-folder")),
        ("the queries folder", "does not exist"),
        copied=True,
    ),
    "a query with invalid SQL": Case(
        lambda c: (*c.urls("verify"), "--queries", str(c.tmp / "queries")),
        ("broken.sql is not valid SQL", 'syntax error at or near "public"', "line 3"),
        setup=_bad_query,
        copied=True,
    ),
    "an unwritable report folder": Case(
        lambda c: (
            "verify",
            "--source",
            c.source.url,
            "--target",
            c.target.url,
            "--report-dir",
            str(c.tmp / "a-file" / "r"),
        ),
        ("cannot write the report folder", "--report-dir"),
        setup=_unwritable,
        copied=True,
    ),
    "Ctrl-C during copy": Case(
        lambda c: c.urls("copy"),
        ("copy interrupted:", "run the same command to resume"),
        env=lambda c: {"PGCUTOVER_TEST_SIGNAL_AT": "public.whatsapp_keys:100:INT"},
        code=130,
    ),
    "SIGTERM during copy": Case(
        lambda c: c.urls("copy"),
        ("copy interrupted:", "run the same command to resume"),
        env=lambda c: {"PGCUTOVER_TEST_SIGNAL_AT": "public.clients:100:TERM"},
        code=143,
    ),
    "Ctrl-C during verify": Case(
        lambda c: c.urls("verify"),
        ("verify interrupted", "run it again"),
        code=130,
        copied=True,
        interrupt_after="pytest",
    ),
}


def _params() -> list[object]:
    marks = {"15": [pytest.mark.xdist_group("catalogue-demo"), pytest.mark.crossversion]}
    return [
        pytest.param(name, id=name, marks=marks.get(CASES[name].group or "", [])) for name in CASES
    ]


@pytest.fixture
def ctx(
    request: pytest.FixtureRequest, servers: Servers, demo_source_template: Endpoint, tmp_path: Path
) -> Iterator[Ctx]:
    """The case's source (a demo clone; PostgreSQL 15 for the extension case) and target."""
    case = CASES[request.node.callspec.params["name"]]
    if case.group == "15":
        template: Endpoint = request.getfixturevalue("demo_source_template_15")
        source_server, template_name = template.with_dbname("postgres"), template.dbname
    else:
        source_server, template_name = servers.source, demo_source_template.dbname
    source = create_database(source_server, unique_name("bad_src"), template=template_name)
    target = create_database(servers.target, unique_name("bad_tgt"))
    made = Ctx(servers, source, target, tmp_path)
    if case.copied:
        run_copy(source, target)
    yield made
    for undo in reversed(made.undo):
        undo()
    drop_database(servers.target, target.dbname)
    drop_database(source_server, source.dbname)


@pytest.mark.parametrize("name", _params())
def test_a_bad_input_is_one_line_without_secrets_and_leaves_the_target_resumable(
    name: str, ctx: Ctx
) -> None:
    case = CASES[name]
    case.setup(ctx)
    result = run_sampled(
        *case.args(ctx), env=case.env(ctx), cwd=ctx.tmp, interrupt_after=case.interrupt_after
    )
    secrets = [p for p in (ctx.source.password, ctx.target.password, SECRET) if p]
    assert_clean(result, case.code, case.needles, secrets)
    for path in ctx.tmp.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert not any(s in text for s in secrets), f"a password in {path}"
    # Fix the cause, then a correct run: every row of the source on the target exactly once.
    for undo in reversed(ctx.undo):
        undo()
    ctx.undo.clear()
    if not case.copied:
        run_copy(ctx.source, ctx.target)
    with connect(ctx.target, role="test", read_only=False, autocommit=True) as conn:
        drop_state(conn)
    schemas = check.moved_schemas(ctx.source, ctx.target)
    assert {"public", "auth"} <= set(schemas)
    on_source, on_target = check.row_fingerprints(ctx.source, ctx.target, schemas)
    found = check.differences(on_source, on_target)
    assert not found, check.explain(found)
