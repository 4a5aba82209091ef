"""Connections: parsed URLs, read-only sources, fixed session settings, clear errors.

Every verifying session sets the same GUCs on both sides (see DESIGN.md,
"Canonical forms") so that text forms of values compare honestly across
servers. Connection failures become one-line `ConnectFailed` errors that name
what to fix and never carry a password; a URL that cannot be parsed is never echoed
(`BadUrl` names the side and what is wrong). libpq programs (pg_dump) get the password
through a private passfile, never on their command line (`libpq_login`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from pgcutover.errors import BadUrl, ConnectFailed, SameDatabase
from verify.mask import redact_url, scrub

CANONICAL_SETTINGS: dict[str, str] = {
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "3",
    "bytea_output": "hex",
    # money prints by the session's locale: one fixed locale on both sides.
    "lc_monetary": "C",
    "search_path": "",
}

_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"}
CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True, repr=False)
class Endpoint:
    """A parsed database URL: what to connect to, and how to name it safely."""

    url: str
    conninfo: str
    host: str
    port: int
    user: str
    dbname: str
    password: str | None

    def __repr__(self) -> str:
        # pytest prints the arguments of a failing test, and Allure keeps that trace: the
        # repr must be as safe as a log line.
        return f"Endpoint({self.display!r})"

    @property
    def display(self) -> str:
        """The URL as it may appear in logs and reports (password redacted)."""
        return redact_url(self.url)

    @property
    def where(self) -> str:
        """host:port/dbname, for messages."""
        return f"{self.host}:{self.port}/{self.dbname}"

    def with_dbname(self, dbname: str) -> Endpoint:
        """The same server, another database."""
        url = make_url(self.url).set(database=dbname)
        return parse_url(url.render_as_string(hide_password=False))

    def conninfo_without_password(self) -> str:
        """The conninfo string with no password in it, safe as a program argument (the
        password travels in a passfile: see `libpq_login`)."""
        params = conninfo_to_dict(self.conninfo)
        params.pop("password", None)
        return make_conninfo("", **params)


# No user:password@ in the example: the redaction at the CLI edge would print user:***@.
_EXPECTED = "expected postgresql://user@host:5432/dbname"


def _bad(side: str, problem: str) -> BadUrl:
    where = f"the {side} URL" if side else "the URL"
    return BadUrl(f"{where} is not a postgresql:// URL: {problem}")


def _shape_problem(url: str) -> str | None:
    """What is wrong with the URL's outline, in words that quote none of it (its password
    may be anywhere in a malformed URL); None when the outline is sound."""
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)(:?)(/*)", url)
    if scheme is None:
        return f"it does not start with postgresql:// ({_EXPECTED})"
    if scheme[1].lower() not in _SCHEMES:
        return f"it does not start with postgresql:// or postgres:// ({_EXPECTED})"
    if scheme[2] != ":":
        return f"missing ':' after the scheme ({_EXPECTED})"
    if scheme[3] != "//":
        return f"missing '//' after the scheme ({_EXPECTED})"
    if re.search(r"\s", url):
        return "it holds a space or another blank: percent-encode it in the password (%20)"
    return None


def _parsed(url: str, side: str) -> URL:
    """The URL parsed by SQLAlchemy, every failure a `BadUrl` that quotes nothing of it."""
    problem = _shape_problem(url)
    if problem:
        raise _bad(side, problem)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise _bad(side, _EXPECTED) from None
    except ValueError:
        # The only number in a URL is the port: "user:password/..." without "@host" reads
        # as host:port, so say both.
        raise _bad(
            side, "the port is not a number (is the '@' between the password and the host missing?)"
        ) from None
    if parsed.host and "@" in parsed.host:
        raise _bad(side, "it holds more than one '@': percent-encode '@' in the password as %40")
    if not parsed.database:
        raise _bad(side, "it names no database: end it with /dbname")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise _bad(side, "the port must be a number from 1 to 65535")
    return parsed


def parse_url(url: str, *, side: str = "") -> Endpoint:
    """Parse a postgresql:// URL, or raise `BadUrl` naming `side` ("source", "target") and
    what is wrong, never quoting the URL."""
    parsed = _parsed(url.strip(), side)
    host = parsed.host or "localhost"
    port = parsed.port or 5432
    user = parsed.username or "postgres"
    params = {k: v if isinstance(v, str) else v[-1] for k, v in parsed.query.items()}
    try:
        conninfo = make_conninfo(
            "",
            host=host,
            port=port,
            user=user,
            # the userinfo's password, else ?password=...
            password=parsed.password or params.pop("password", None),
            dbname=parsed.database,
            connect_timeout=params.pop("connect_timeout", str(CONNECT_TIMEOUT_S)),
            **params,
        )
    except psycopg.ProgrammingError:
        names = ", ".join(sorted(params))
        raise _bad(side, f"libpq refuses its parameters (after '?': {names})") from None
    return Endpoint(
        url=url.strip(),
        conninfo=conninfo,
        host=host,
        port=port,
        user=user,
        dbname=str(parsed.database),
        password=_password(conninfo),
    )


def _password(conninfo: str) -> str | None:
    # ?password=... counts too: whatever reaches libpq is the password.
    password = conninfo_to_dict(conninfo).get("password")
    return None if password is None else str(password)


def _passfile_line(password: str) -> str:
    # Any host, port, database and user: the file serves one program run and one login.
    escaped = password.replace("\\", "\\\\").replace(":", "\\:")
    return f"*:*:*:*:{escaped}\n"


@contextmanager
def libpq_login(endpoint: Endpoint) -> Iterator[dict[str, str]]:
    """The whole environment for a libpq program (pg_dump) to log in as `endpoint`: the
    password in a passfile only this user can read (0600, in a 0700 folder), removed when
    the block ends. With the conninfo from `conninfo_without_password`, no password is on
    the program's command line, where every local user can read it (`ps`)."""
    env = {**os.environ, "PGCONNECT_TIMEOUT": str(CONNECT_TIMEOUT_S)}
    password = endpoint.password
    if not password:
        yield env  # the user's own ~/.pgpass or PGPASSWORD, if any, as with psql
        return
    env.pop("PGPASSWORD", None)  # it would win over the passfile
    if "\n" in password or "\r" in password:
        # A passfile holds one line per entry; the child's own environment is private too.
        yield {**env, "PGPASSWORD": password}
        return
    folder = Path(tempfile.mkdtemp(prefix="pgcutover-login-"))
    try:
        path = folder / "pgpass"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(_passfile_line(password))
        yield {**env, "PGPASSFILE": str(path)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def explain_connect_error(endpoint: Endpoint, exc: Exception, *, role: str) -> ConnectFailed:
    """Turn a driver error into one line naming what to fix (host, password, database)."""
    text = str(exc)
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        hint = f"login refused for user {endpoint.user!r}: check the password in the {role} URL"
    elif "does not exist" in low and "database" in low:
        hint = f"database {endpoint.dbname!r} does not exist on {endpoint.host}:{endpoint.port}"
    elif "role" in low and "does not exist" in low:
        hint = f"user {endpoint.user!r} does not exist on {endpoint.host}:{endpoint.port}"
    elif "connection refused" in low:
        hint = f"cannot reach {endpoint.host}:{endpoint.port} (connection refused): check host and port"
    elif "timeout" in low or "timed out" in low:
        hint = f"cannot reach {endpoint.host}:{endpoint.port} (timed out): check host, port and firewall"
    elif "does not support ssl" in low:
        hint = (
            f"{endpoint.host}:{endpoint.port} does not offer TLS, which the {role} URL requires "
            "(sslmode): enable TLS on the server, or lower sslmode in the URL"
        )
    elif "could not translate host name" in low or "name or service not known" in low:
        hint = f"cannot resolve host {endpoint.host!r}: check the host in the {role} URL"
    else:
        first = scrub(
            text.strip().splitlines()[0] if text.strip() else type(exc).__name__,
            [endpoint.password or ""],
        )
        hint = f"cannot connect to {endpoint.where}: {first}"
    return ConnectFailed(f"{role} {endpoint.display}: {hint}")


def connect(
    endpoint: Endpoint,
    *,
    role: str,
    read_only: bool,
    canonical: bool = False,
    autocommit: bool = False,
) -> psycopg.Connection[tuple[object, ...]]:
    """Open a connection; `read_only` makes every transaction of the session read-only.

    `role` ("source", "target") names the side in error messages. With
    `canonical`, the session gets the fixed settings comparisons rely on.
    """
    options = []
    if read_only:
        options.append("-c default_transaction_read_only=on")
    if canonical:
        options += [f"-c {k}={v.replace(' ', '')}" for k, v in CANONICAL_SETTINGS.items() if v]
    try:
        conn = psycopg.connect(
            endpoint.conninfo,
            autocommit=autocommit,
            options=" ".join(options) or None,
            application_name=f"pgcutover-{role}",
        )
    except psycopg.Error as exc:
        raise explain_connect_error(endpoint, exc, role=role) from None
    if canonical:
        # search_path='' cannot travel through `options` (an empty value); set it here.
        with conn.cursor() as cur:
            cur.execute("SELECT set_config('search_path', '', false)")
        if not autocommit:
            conn.commit()
    return conn


@contextmanager
def snapshot(
    conn: psycopg.Connection[tuple[object, ...]],
) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """Run the block in one REPEATABLE READ READ ONLY transaction: one instant of the database."""
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    with conn.transaction():
        yield conn


def database_identity(conn: psycopg.Connection[Any]) -> tuple[str, str]:
    """(cluster, database): which database a session is in, the same whatever URL led there.

    The cluster is its system identifier; pg_control_system() needs a privilege a managed
    service may not grant, and then the server's address and port stand in.
    """
    try:
        with conn.transaction():
            row = conn.execute("SELECT system_identifier::text FROM pg_control_system()").fetchone()
        cluster = str(row[0]) if row else ""
    except psycopg.errors.InsufficientPrivilege:
        row = conn.execute(
            "SELECT coalesce(host(inet_server_addr()), 'local') || ':' || current_setting('port')"
        ).fetchone()
        cluster = f"server:{row[0]}" if row else ""
    name = conn.execute("SELECT current_database()").fetchone()
    return cluster, str(name[0]) if name else ""


def ensure_distinct(source: Endpoint, target: Endpoint) -> None:
    """Refuse a source and target that are one database (raises `SameDatabase`); connects to
    the source, then the target (raises `ConnectFailed` naming the one that does not answer)."""
    with (
        connect(source, role="source", read_only=True, autocommit=True) as src,
        connect(target, role="target", read_only=True, autocommit=True) as tgt,
    ):
        same = database_identity(src) == database_identity(tgt)
    if same:
        raise SameDatabase(
            f"source and target are the same database ({target.where}): give the target URL "
            "of another database"
        )


# Settings that change how values print as text (search_path does not: our SQL names every
# object with its schema).
_TEXT_SETTINGS = {k: v for k, v in CANONICAL_SETTINGS.items() if k != "search_path"}


def use_canonical_settings(conn: psycopg.Connection[Any]) -> None:
    """Give a session someone else opened the settings comparisons rely on: for the current
    transaction when one is open (nothing outlives it), else for the session."""
    local = conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    for name, value in _TEXT_SETTINGS.items():
        conn.execute("SELECT set_config(%s, %s, %s)", (name, value, local))


def snapshot_connection(endpoint: Endpoint, *, role: str) -> psycopg.Connection[Any]:
    """A read-only, canonical connection already inside a REPEATABLE READ READ ONLY
    transaction (one instant of the database), as contracts and benchmarks read."""
    conn: psycopg.Connection[Any] = connect(
        endpoint, role=role, read_only=True, canonical=True, autocommit=True
    )
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    return conn
