"""Servers this tool starts, it stops: on exit and on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import psycopg
import pytest

from pgcutover.servers import server_pair


def _postgres_under(folder: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["name"] == "postgres" and str(folder) in cmdline:
            found.append(proc)
    return found


def test_server_pair_gives_two_servers_and_stops_them_on_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGCUTOVER_SOURCE_URL", raising=False)
    monkeypatch.delenv("PGCUTOVER_TARGET_URL", raising=False)
    with server_pair() as pair:
        urls = (pair.source_url, pair.target_url)
        for url in urls:
            with psycopg.connect(url) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
    for url in urls:
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=2)


def test_server_pair_uses_given_urls_and_starts_nothing() -> None:
    with server_pair("postgresql://a@h/s", "postgresql://b@h/t") as pair:
        assert (pair.source_url, pair.target_url, pair.provider) == (
            "postgresql://a@h/s",
            "postgresql://b@h/t",
            "given URLs",
        )


def test_ctrl_c_during_demo_stops_the_servers(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("PGCUTOVER_SOURCE_URL", None)
    env.pop("PGCUTOVER_TARGET_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgcutover.cli", "demo", "--report-dir", str(tmp_path / "r")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    up = any(line.startswith("servers:") for line in proc.stdout)  # stops reading at that line
    assert up, proc.stderr.read() if proc.stderr else "demo ended before its servers were up"
    assert _postgres_under(tmp_path), "the demo's servers should be running now"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert _postgres_under(tmp_path) == []
