"""Progress: plain lines off a terminal, bars on one; retries: which errors are transient."""

from __future__ import annotations

import io

import psycopg
import pytest

from migrator.progress import BarSink, PlainSink, sink_for
from migrator.retry import is_transient, with_retry


def test_plain_lines_name_the_unit_rows_and_rate() -> None:
    said: list[str] = []
    sink = PlainSink(said.append)
    sink.started("public.clients#1/2", 100)
    sink.advanced("public.clients#1/2", 60)
    sink.finished("public.clients#1/2", 100, 0.5)
    assert said == ["copied public.clients#1/2: 100 rows in 0.50 s (200 rows/s)"]


def test_a_terminal_gets_bars_and_a_pipe_gets_lines() -> None:
    assert isinstance(sink_for(print, tty=True), BarSink)
    assert isinstance(sink_for(print, tty=False), PlainSink)


def test_bar_sink_tracks_and_closes_each_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    sink = BarSink()
    sink.started("public.a", 10)
    sink.advanced("public.a", 4)
    assert sink.bars["public.a"].n == 4
    sink.finished("public.a", 10, 0.1)
    assert sink.bars == {}


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (psycopg.errors.AdminShutdown("terminating connection"), True),
        (psycopg.errors.SerializationFailure("could not serialize"), True),
        (psycopg.errors.DeadlockDetected("deadlock"), True),
        (psycopg.OperationalError("server closed the connection unexpectedly"), True),
        (psycopg.errors.CheckViolation("violates check constraint"), False),
        (psycopg.errors.UndefinedTable("no such table"), False),
        (psycopg.errors.DiskFull("no space left"), False),
    ],
)
def test_which_errors_are_retried(error: psycopg.Error, transient: bool) -> None:
    assert is_transient(error) is transient


def test_backoff_retries_transient_errors_then_gives_up_on_others() -> None:
    calls: list[float] = []

    def flaky() -> str:
        if len(calls) < 2:
            calls.append(0)
            raise psycopg.errors.AdminShutdown("terminating connection")
        return "done"

    delays: list[float] = []
    result = with_retry(flaky, base_seconds=0.001, on_retry=lambda n, e, d: delays.append(d))
    assert result == "done"
    assert delays == [0.001, 0.002]  # doubles each time

    def broken() -> str:
        raise psycopg.errors.CheckViolation("violates check constraint")

    with pytest.raises(psycopg.errors.CheckViolation):
        with_retry(broken, base_seconds=0.001)
