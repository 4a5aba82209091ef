"""Retrying a unit on transient errors, with exponential backoff.

Transient: the connection dropped or was reset, the server is shutting down or
restarting (admin shutdown, crash shutdown, cannot connect now), or the
transaction lost a serialization race or a deadlock. Everything else (a
constraint the data breaks, a missing object, a full disk) stops the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import psycopg

T = TypeVar("T")

TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "57P01", "57P02", "57P03"})


def is_transient(exc: BaseException) -> bool:
    """Whether trying the same work again may well succeed."""
    if not isinstance(exc, psycopg.Error):
        return False
    state = exc.sqlstate
    if state is None:
        # No SQLSTATE: the driver lost the connection (reset, closed, timed out).
        return isinstance(exc, psycopg.OperationalError)
    return state in TRANSIENT_SQLSTATES or state.startswith("08")


def with_retry(
    work: Callable[[], T],
    *,
    attempts: int = 5,
    base_seconds: float = 0.5,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
    also: tuple[type[Exception], ...] = (),
    give_up: Callable[[], bool] = lambda: False,
) -> T:
    """Run `work`; on a transient error wait base * 2**n seconds and run it again.

    `also` names more exception types to treat as transient (a reconnect refused while
    a restarted server comes back, for one); once `give_up()` is true (the run was
    interrupted) nothing is tried again.
    """
    catch: tuple[type[Exception], ...] = (psycopg.Error, *also)
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except catch as exc:
            retryable = isinstance(exc, also) or is_transient(exc)
            if attempt == attempts or not retryable or give_up():
                raise
            delay = base_seconds * 2 ** (attempt - 1)
            if on_retry is not None:
                on_retry(attempt, exc, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
