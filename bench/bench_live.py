"""Benchmark: the gate under live load.

    python bench/bench_live.py [--rows 1000000] [--rate 200] [--grace 1m]

The demo dataset at the scale that gives --rows rows is loaded on a source and copied with
`pgcutover copy`; then `pgcutover verify --grace 1m --change-column updated_at` runs three
times, each a real CLI run:

1. idle: nothing writes to the source;
2. loaded: a second process writes to the source over loopback at a steady, bounded rate
   (--rate writes per second, each its own transaction, in turn: a booking inserted, a
   client updated, and a booking this writer inserted earlier deleted); the writes fall
   inside the window, so the gate must say GO;
3. loaded, with a difference outside the window: one client row changed on the target
   without touching its updated_at (as a lost update would leave it); the gate must say
   NO-GO naming public.clients and that key.

What the writer avoids, and why: sequences (bookings have uuid keys; a sequence the source
advances is the sequence contract's finding, not load) and rows the target already holds
when it deletes (a row deleted at the source leaves no timestamp to place it in the window,
so it fails until `pgcutover sync --delete` removes it). Queries are not named: the query
contract compares results as they are, with no window.

Figures (seconds of each verify, writes per second requested and held, verdicts) go to
stdout and bench/results/live.json. With PGCUTOVER_SOURCE_URL and PGCUTOVER_TARGET_URL set
(maintenance databases of two servers), databases are made there instead of on servers
started here: that is how the test suite runs a small version (tests/test_live_load.py).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
import psycopg.sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pgcutover.servers import create_database, server_pair  # noqa: E402
from verify.connect import Endpoint, parse_url  # noqa: E402

TAMPERED_CLIENT = 1  # the writer never touches it: its change is outside the window


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pgcutover.cli", *args], capture_output=True, text=True, check=False
    )


def writer(source_url: str, rate: float, stop: Any, counts: Any) -> None:
    """Write to the source at `rate` transactions per second until `stop` is set: insert a
    booking, update a client, delete a booking inserted earlier (in that order, repeated)."""
    rng = random.Random(13)
    with psycopg.connect(source_url, autocommit=True) as conn:
        conn.execute("SET application_name = 'bench-live-writer'")
        clients = [
            r[0]
            for r in conn.execute("SELECT id FROM public.clients WHERE id <> %s", [TAMPERED_CLIENT])
        ]
        services = [r[0] for r in conn.execute("SELECT id FROM public.services")]
        company = conn.execute("SELECT id FROM public.companies LIMIT 1").fetchone()[0]  # type: ignore[index]
        mine: list[Any] = []
        started = time.monotonic()
        done = 0
        while not stop.is_set():
            kind = done % 3
            if kind == 0:
                row = conn.execute(
                    "INSERT INTO public.bookings (company_id, client_id, service_id, start_at,"
                    " end_at, status, price, source) VALUES (%s, %s, %s, now() + interval '1 day',"
                    " now() + interval '1 day 1 hour', 'pending', 1500, 'whatsapp') RETURNING id",
                    [company, rng.choice(clients), rng.choice(services)],
                ).fetchone()
                mine.append(row[0])  # type: ignore[index]
            elif kind == 1:
                conn.execute(
                    "UPDATE public.clients SET notes = %s, updated_at = now() WHERE id = %s",
                    [f"live edit {done}", rng.choice(clients)],
                )
            elif mine:
                conn.execute("DELETE FROM public.bookings WHERE id = %s", [mine.pop(0)])
            done += 1
            counts[kind] += 1
            # Steady and bounded: the next write waits for its slot, never bursts to catch up.
            delay = started + done / rate - time.monotonic()
            if delay > 0:
                stop.wait(delay)


def verify(source: Endpoint, target: Endpoint, grace: str) -> dict[str, Any]:
    """One `pgcutover verify --grace ... --change-column updated_at`: seconds, verdict, and
    the failed contracts with their sentences."""
    with tempfile.TemporaryDirectory(prefix="bench-live-") as report:
        started = time.perf_counter()
        done = _cli(
            "verify",
            "--source",
            source.url,
            "--target",
            target.url,
            "--report-dir",
            report,
            "--grace",
            grace,
            "--change-column",
            "updated_at",
        )
        seconds = time.perf_counter() - started
        gate_file = Path(report) / "gate.json"
        if not gate_file.exists():
            raise RuntimeError(f"verify could not run: {done.stderr.strip()}")
        gate = json.loads(gate_file.read_text(encoding="utf-8"))
        notes = window_notes(Path(report) / "allure-results")
    return {
        "seconds": round(seconds, 2),
        "exit_code": done.returncode,
        "verdict": gate["verdict"],
        "contracts": gate["ran"],
        "failed": [f"{f['name']}: {f['message']}" for f in gate["failures"]],
        "inside_window_notes": notes,
    }


def window_notes(alluredir: Path) -> list[str]:
    """The passing contracts' notes about rows inside the --grace window."""
    found = []
    for path in alluredir.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        for item in result.get("attachments", []):
            if item.get("name", "").startswith("note:") and "--grace window" in item["name"]:
                found.append(f"{result['name']}: {item['name'].removeprefix('note: ')}")
    return sorted(found)


def under_load(
    source: Endpoint, target: Endpoint, grace: str, rate: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A verify while the writer runs; its figures and the writer's."""
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    counts = ctx.Array("i", 3)
    proc = ctx.Process(target=writer, args=(source.url, rate, stop, counts))
    proc.start()
    # Let the writer reach its pace and put rows inside the window before the gate looks.
    while sum(counts) < max(3, rate):
        if not proc.is_alive():
            raise RuntimeError("the writer stopped")
        stop.wait(0.05)
    started, before = time.monotonic(), sum(counts)
    figures = verify(source, target, grace)
    elapsed, during = time.monotonic() - started, sum(counts) - before
    stop.set()
    proc.join()
    load = {
        "writes_per_s_requested": rate,
        "writes_per_s_held": round(during / elapsed, 1),
        "writes_during_verify": during,
        "inserts": counts[0],
        "updates": counts[1],
        "deletes": counts[2],
    }
    return figures, load


def prepare(rows: int, server_urls: tuple[str, str]) -> tuple[Endpoint, Endpoint, float]:
    """The demo at the scale giving `rows` rows on the source, copied to the target."""
    from pgcutover.demo import BASE_COUNTS, load_demo  # the benchmark's dataset is the demo's

    scale = rows / (sum(BASE_COUNTS.values()) + 40)  # + the 40 fixed webhook rows
    suffix = f"{os.getpid()}_{int(time.time())}"
    source = create_database(parse_url(server_urls[0]), f"live_src_{suffix}")
    target = create_database(parse_url(server_urls[1]), f"live_tgt_{suffix}")
    started = time.perf_counter()
    load_demo(source.url, scale=scale)
    copied = _cli("copy", "--source", source.url, "--target", target.url, "--jobs", "2")
    if copied.returncode != 0:
        raise RuntimeError(f"copy failed: {copied.stderr.strip()}")
    # Statistics of the freshly copied tables, as a migrated target would have them.
    with psycopg.connect(target.conninfo, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return source, target, time.perf_counter() - started


def tamper(target: Endpoint) -> None:
    """A difference outside the window: a client changed on the target, updated_at kept."""
    with psycopg.connect(target.conninfo, autocommit=True) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            "UPDATE public.clients SET notes = 'lost update' WHERE id = %s", [TAMPERED_CLIENT]
        )


def server_version(endpoint: Endpoint) -> str:
    """SHOW server_version."""
    with psycopg.connect(endpoint.conninfo) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def drop(endpoint: Endpoint) -> None:
    """Drop a database this benchmark made (servers given by URL outlive it)."""
    with psycopg.connect(endpoint.with_dbname("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                psycopg.sql.Identifier(endpoint.dbname)
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the demo source")
    parser.add_argument("--rate", type=float, default=200.0, help="writes per second")
    parser.add_argument("--grace", default="1m", help="the window given to verify")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "live.json"))
    parser.add_argument(
        "--no-idle", action="store_true", help="skip the idle verify (no slowdown figure)"
    )
    args = parser.parse_args(argv)
    with server_pair() as pair:
        source, target, load_seconds = prepare(args.rows, (pair.source_url, pair.target_url))
        try:
            print(f"demo source of {args.rows} rows loaded and copied in {load_seconds:.1f} s")
            idle = None if args.no_idle else verify(source, target, args.grace)
            if idle:
                print(f"idle:   verify {idle['seconds']} s, {idle['verdict']}")
            loaded, load = under_load(source, target, args.grace, args.rate)
            print(
                f"loaded: verify {loaded['seconds']} s, {loaded['verdict']}, writes/s held "
                f"{load['writes_per_s_held']} of {args.rate}, "
                f"{len(loaded['inside_window_notes'])} contracts noted rows inside the window"
            )
            tamper(target)
            caught, load_caught = under_load(source, target, args.grace, args.rate)
            print(f"loaded + a change outside the window: {caught['verdict']}: {caught['failed']}")
            versions = [server_version(e) for e in (source, target)]
        finally:
            for endpoint in (source, target):
                drop(endpoint)
    result = {
        "benchmark": "live",
        "rows": args.rows,
        "grace": args.grace,
        "servers": {"source": versions[0], "target": versions[1], "provider": pair.provider},
        "machine": {"python": platform.python_version(), "cpus": multiprocessing.cpu_count()},
        "load_and_copy_seconds": round(load_seconds, 1),
        "idle": idle,
        "loaded": loaded | {"load": load},
        "outside_window": caught | {"load": load_caught},
        "verify_slowdown_under_load": round(loaded["seconds"] / idle["seconds"], 2)
        if idle
        else None,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if idle:
        print(f"verify under load took {result['verify_slowdown_under_load']}x the idle time")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
