"""Deterministic fault points for the resume and retry tests (inert unless their env is set).

PGCUTOVER_TEST_KILL_AFTER=<point>:<when> makes the process SIGKILL itself there:
<point> is a unit id (public.clients, public.clients#2/4) with <when> the number of
chunks written so far (0 = before the first) or `commit` (just after the unit
committed); or `pre-data:commit` / `post-data:commit`.
PGCUTOVER_TEST_TERMINATE_ONCE=<unit>:<chunks> has the server end the unit's target
session once at that point (what an admin shutdown or a dropped connection looks like).
PGCUTOVER_TEST_SIGNAL_AT=<unit>:<chunks>:<INT|TERM> has the process send itself SIGINT
(Ctrl-C) or SIGTERM once there, as a user or a service manager would.
Other points: `matviews:0` (inside the refresh, before it commits), `matviews:commit`,
`roles:1` (after the first role the copy creates).
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

import psycopg

ENV_KILL = "PGCUTOVER_TEST_KILL_AFTER"
ENV_TERMINATE = "PGCUTOVER_TEST_TERMINATE_ONCE"
ENV_SIGNAL = "PGCUTOVER_TEST_SIGNAL_AT"

_terminated: set[str] = set()


@dataclass(frozen=True)
class Point:
    """A place in the copy: a unit (or phase) and a moment in it."""

    where: str
    when: str


def _parse(value: str | None) -> Point | None:
    if not value or ":" not in value:
        return None
    where, when = value.rsplit(":", 1)
    return Point(where, when)


def kill_point() -> Point | None:
    """The kill point the environment sets, if any."""
    return _parse(os.environ.get(ENV_KILL))


def terminate_point() -> Point | None:
    """The session-termination point the environment sets, if any."""
    return _parse(os.environ.get(ENV_TERMINATE))


def maybe_kill(point: Point | None, where: str, when: str) -> None:
    """SIGKILL this process when (where, when) is the configured kill point."""
    if point is not None and point.where == where and point.when == when:
        os.kill(os.getpid(), signal.SIGKILL)


def maybe_terminate(
    point: Point | None, where: str, when: str, conn: psycopg.Connection[object]
) -> None:
    """Have the server end `conn`'s session, once per process, at the configured point."""
    key = f"{where}:{when}"
    if point is None or point.where != where or point.when != when or key in _terminated:
        return
    _terminated.add(key)
    pid = conn.info.backend_pid
    with psycopg.connect(conn.info.dsn, password=conn.info.password, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


_signalled: set[str] = set()


def signal_point() -> tuple[Point, int] | None:
    """The self-signal point the environment sets, and the signal, if any."""
    value = os.environ.get(ENV_SIGNAL)
    if not value or value.count(":") < 2:
        return None
    rest, name = value.rsplit(":", 1)
    point = _parse(rest)
    signum = {"INT": signal.SIGINT, "TERM": signal.SIGTERM}.get(name.upper())
    return (point, signum) if point is not None and signum is not None else None


def maybe_signal(where: str, when: str) -> None:
    """Send this process its configured signal, once, when (where, when) is the point."""
    found = signal_point()
    key = f"{where}:{when}"
    if found is None or key in _signalled:
        return
    point, signum = found
    if point.where == where and point.when == when:
        _signalled.add(key)
        os.kill(os.getpid(), signum)
