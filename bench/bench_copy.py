"""Benchmark: copying and syncing a clients-like table, against the baselines.

On one pair of servers (embedded PostgreSQL by default, or PGCUTOVER_SOURCE_URL /
PGCUTOVER_TARGET_URL), with the same N-row table (id, company_id, name, phone, email,
timestamps, numeric, text[], jsonb holding a Buffer):

  (a) pg_dump -t | psql
  (b) a bare psycopg binary COPY stream (into a table without indexes: the floor), and
      the same plus building the primary key afterwards (the same end state as a copy)
  (c) pgcutover copy --jobs 1 and --jobs 2 (each in a child process: wall time, peak RSS)
  (d) the reference app's batched upsert: one INSERT ... ON CONFLICT per 100 rows
  (e) pgcutover sync on an identical target (WAL position before and after) and with 1%
      of rows changed, against one checksum pass over the table
  (f) client peak RSS of pgcutover copy at a second, smaller size (flat memory)

Prints a table and writes bench/results/copy.json. Usage:
    python bench/bench_copy.py [--rows 1000000] [--rss-rows 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from migrator.sync import run_sync
from migrator.tools import newest_with
from pgcutover.servers import create_database, server_pair
from verify.connect import Endpoint, libpq_login, parse_url

RESULTS = Path(__file__).parent / "results" / "copy.json"

DDL = """
CREATE TABLE public.clients (
    id bigint PRIMARY KEY,
    company_id text NOT NULL,
    name text NOT NULL,
    phone text NOT NULL,
    email text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    balance numeric(10, 2) NOT NULL,
    tags text[],
    preferences jsonb NOT NULL
)
"""
FILL = """
INSERT INTO public.clients
SELECT i,
       'company_' || (i %% 50),
       'Клиент ' || md5(i::text),
       '+7' || lpad((9000000000 + i)::text, 10, '0'),
       'client' || i || '@example.ru',
       timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second',
       timestamptz '2026-02-01 00:00:00+00' + i * interval '1 second',
       (i %% 100000) / 100.0,
       ARRAY['tag' || (i %% 7), 'vip' || (i %% 3)],
       jsonb_build_object(
           'lang', 'ru',
           'reminders', (i %% 2 = 0),
           'key', jsonb_build_object('type', 'Buffer',
                                     'data', encode(sha256(i::text::bytea), 'base64')))
FROM generate_series(1, %s) AS i
"""
COLUMNS = [
    "id",
    "company_id",
    "name",
    "phone",
    "email",
    "created_at",
    "updated_at",
    "balance",
    "tags",
    "preferences",
]


def _conn(ep: Endpoint, autocommit: bool = True) -> psycopg.Connection[Any]:
    return psycopg.connect(ep.conninfo, autocommit=autocommit)


@contextmanager
def timed(into: dict[str, float], key: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    into[key] = round(time.perf_counter() - started, 3)


def make_source(server: Endpoint, rows: int, name: str) -> Endpoint:
    ep = create_database(server, name)
    with _conn(ep) as conn:
        conn.execute(DDL)
        conn.execute(FILL, (rows,))
        # The change column is indexed, as an application that syncs by it would have it
        # (the demo's clients_updated_at_idx): sync finds changed rows without a scan.
        conn.execute("CREATE INDEX clients_updated_at_idx ON public.clients (updated_at)")
        conn.execute("VACUUM ANALYZE public.clients")
    return ep


def quiet_server(server: Endpoint, keep: str) -> bool:
    """Drop the other bench databases, stop autovacuum, vacuum `keep` and checkpoint, so
    the WAL position moves only for what the next command writes. False if not allowed."""
    with _conn(server) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'bench%%' AND datname <> %s",
                (keep,),
            ).fetchall()
        ]
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        try:
            conn.execute("ALTER SYSTEM SET autovacuum = off")
            conn.execute("SELECT pg_reload_conf()")
        except psycopg.Error:
            return False
    with _conn(server.with_dbname(keep)) as conn:
        # Hint bits set by a first read would write WAL (data checksums are on), and so
        # would pruning the pg_statistic rows an ANALYZE replaces: analyze, then vacuum.
        conn.execute("ANALYZE")
        conn.execute("VACUUM (FREEZE)")
        conn.execute("CHECKPOINT")
    return True


def restore_autovacuum(server: Endpoint) -> None:
    with _conn(server) as conn:
        conn.execute("ALTER SYSTEM RESET autovacuum")
        conn.execute("SELECT pg_reload_conf()")


def pg_dump_psql(source: Endpoint, target: Endpoint) -> None:
    tools = newest_with("pg_dump", "psql")
    with libpq_login(source) as env, libpq_login(target) as env_t:
        dump = subprocess.Popen(
            [
                str(tools.program("pg_dump")),
                "-t",
                "public.clients",
                source.conninfo_without_password(),
            ],
            stdout=subprocess.PIPE,
            env=env,
        )
        subprocess.run(
            [
                str(tools.program("psql")),
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-o",
                "/dev/null",
                target.conninfo_without_password(),
            ],
            stdin=dump.stdout,
            env=env_t,
            check=True,
        )
        assert dump.wait() == 0


def bare_copy(source: Endpoint, target: Endpoint, *, with_key: bool) -> None:
    ddl = DDL.replace(" PRIMARY KEY", "")
    with _conn(source) as src, _conn(target, autocommit=False) as tgt:
        tgt.execute(ddl)
        cols = ", ".join(COLUMNS)
        with (
            src.cursor().copy(f"COPY public.clients ({cols}) TO STDOUT (FORMAT BINARY)") as out,
            tgt.cursor().copy(f"COPY public.clients ({cols}) FROM STDIN (FORMAT BINARY)") as inp,
        ):
            for chunk in out:
                inp.write(chunk)
        if with_key:
            tgt.execute("ALTER TABLE public.clients ADD PRIMARY KEY (id)")
        tgt.commit()


def batch100_upsert(source: Endpoint, target: Endpoint) -> None:
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS)
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in COLUMNS[1:]
    )
    row_ph = sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(COLUMNS)))

    def statement(n: int) -> sql.Composed:
        return sql.SQL(
            "INSERT INTO public.clients ({}) VALUES {} ON CONFLICT (id) DO UPDATE SET {}"
        ).format(cols, sql.SQL(", ").join([row_ph] * n), updates)

    full = statement(100)
    with _conn(source, autocommit=False) as src, _conn(target) as tgt:
        tgt.execute(DDL)
        with src.cursor(name="rows") as cur:
            cur.itersize = 2000
            cur.execute(sql.SQL("SELECT {} FROM public.clients").format(cols))
            batch: list[Any] = []
            count = 0
            for row in cur:
                batch.extend(Jsonb(v) if isinstance(v, dict) else v for v in row)
                count += 1
                if count == 100:
                    tgt.execute(full, batch)
                    batch, count = [], 0
            if count:
                tgt.execute(statement(count), batch)


RSS_CHILD = """
import resource, sys
from pgcutover.cli import main
code = main(sys.argv[1:])
print("PEAK_RSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def pgcutover_child(*args: str) -> tuple[float, float, str]:
    """Run `pgcutover ARGS` in a child; (seconds, peak RSS MB, stdout)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", RSS_CHILD, *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"pgcutover {args[0]} failed: {proc.stderr.strip()[-500:]}")
    rss = next(
        int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KB")
    )
    return round(seconds, 3), round(rss / 1024, 1), proc.stdout


def _total_seconds(copy_output: str) -> float:
    line = next(ln for ln in copy_output.splitlines() if ln.startswith("total "))
    return float(line.split()[-1])


def _sync_seconds(sync_output: str) -> float:
    line = next(ln for ln in sync_output.splitlines() if ln.startswith("sync took "))
    return float(line.split()[2])


def row_versions(ep: Endpoint) -> str:
    """A digest of every row's xmin and xmax: any write or row lock changes it."""
    with _conn(ep) as conn:
        row = conn.execute(
            "SELECT md5(string_agg(xmin::text || ':' || xmax::text, ',' ORDER BY id))"
            " FROM public.clients"
        ).fetchone()
    return str(row[0]) if row else ""


def wal_records(ep: Endpoint, since: str) -> list[str] | None:
    """Resource manager and type of each WAL record since `since` (pg_walinspect), if any."""
    try:
        with _conn(ep) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            rows = conn.execute(
                "SELECT resource_manager || ' ' || record_type"
                " FROM pg_get_wal_records_info(%s::pg_lsn, pg_current_wal_lsn())",
                (since,),
            ).fetchall()
    except psycopg.Error:
        return None
    return [str(r[0]) for r in rows]


def wal_lsn(ep: Endpoint) -> str:
    with _conn(ep) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    return str(row[0]) if row else ""


def wal_bytes(ep: Endpoint, since: str) -> int:
    with _conn(ep) as conn:
        row = conn.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", (since,)
        ).fetchone()
    return int(row[0]) if row else -1


def checksum_pass(ep: Endpoint) -> float:
    started = time.perf_counter()
    with _conn(ep) as conn:
        conn.execute(
            "SELECT count(*), sum(hash_record_extended(ROW(t.*), 0)) FROM public.clients t"
        ).fetchone()
    return round(time.perf_counter() - started, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the table")
    parser.add_argument("--rss-rows", type=int, default=100_000, help="second size, for RSS")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    t: dict[str, float] = {}
    extra: dict[str, Any] = {}
    with server_pair() as pair:
        src_server, tgt_server = parse_url(pair.source_url), parse_url(pair.target_url)
        print(f"servers: {pair.provider}; rows: {args.rows}", flush=True)
        with timed(t, "setup_source"):
            source = make_source(src_server, args.rows, "bench_src")
        with _conn(source) as conn:
            size = conn.execute("SELECT pg_total_relation_size('public.clients')").fetchone()
        extra["table_mb"] = round(int(size[0]) / 1e6, 1) if size else 0

        with timed(t, "pg_dump_psql"):
            pg_dump_psql(source, create_database(tgt_server, "bench_dump"))
        with timed(t, "bare_copy_stream"):
            bare_copy(source, create_database(tgt_server, "bench_bare"), with_key=False)
        with timed(t, "bare_copy_stream_then_pk"):
            bare_copy(source, create_database(tgt_server, "bench_bare_pk"), with_key=True)
        for jobs in (1, 2):
            target = create_database(tgt_server, f"bench_copy_j{jobs}")
            seconds, rss, out = pgcutover_child(
                "copy", "--source", source.url, "--target", target.url, "--jobs", str(jobs)
            )
            # The run's own wall time (from the final table), without interpreter start-up,
            # like the in-process baselines; the child's whole wall time is kept too.
            t[f"pgcutover_copy_jobs{jobs}"] = _total_seconds(out)
            t[f"pgcutover_copy_jobs{jobs}_process"] = seconds
            extra[f"rss_mb_copy_jobs{jobs}_{args.rows}"] = rss
        with timed(t, "batch100_upsert"):
            batch100_upsert(source, create_database(tgt_server, "bench_batch100"))

        synced = parse_url(pair.target_url).with_dbname("bench_copy_j2")
        extra["wal_check_quiet_server"] = quiet_server(tgt_server, "bench_copy_j2")
        t["checksum_pass"] = checksum_pass(source)
        before = wal_lsn(synced)
        versions = row_versions(synced)
        seconds, rss, out = pgcutover_child("sync", "--source", source.url, "--target", synced.url)
        extra["sync_identical_row_versions_unchanged"] = row_versions(synced) == versions
        t["sync_identical"] = _sync_seconds(out)
        t["sync_identical_process"] = seconds
        extra["sync_identical_wal_bytes"] = wal_bytes(synced, before)
        extra["sync_identical_wal_records"] = (
            wal_records(synced, before) if extra["sync_identical_wal_bytes"] else []
        )
        extra["sync_identical_says"] = next(
            (ln for ln in out.splitlines() if "up to date" in ln), out.strip().splitlines()[-1]
        )
        extra["rss_mb_sync"] = rss
        changed = args.rows // 100
        with _conn(source) as conn:
            conn.execute(
                "UPDATE public.clients SET name = name || ' (изм.)', updated_at = now()"
                " WHERE id % 100 = 0"
            )
        with timed(t, "sync_1pct"):
            report = run_sync(source, synced)
        (clients,) = report.tables
        t["sync_1pct_write_phase"] = round(clients.write_seconds, 3)
        extra["sync_1pct_rows"] = changed
        extra["sync_1pct_updated"] = clients.updated

        restore_autovacuum(tgt_server)
        if args.rss_rows and args.rss_rows != args.rows:
            small = make_source(src_server, args.rss_rows, "bench_src_small")
            target = create_database(tgt_server, "bench_copy_small")
            _, rss, _ = pgcutover_child(
                "copy", "--source", small.url, "--target", target.url, "--jobs", "2"
            )
            extra[f"rss_mb_copy_jobs2_{args.rss_rows}"] = rss

    rows = args.rows
    ratios = {
        "copy_jobs1_vs_bare_stream_then_pk": round(
            t["pgcutover_copy_jobs1"] / t["bare_copy_stream_then_pk"], 2
        ),
        "copy_jobs1_vs_bare_stream_floor": round(
            t["pgcutover_copy_jobs1"] / t["bare_copy_stream"], 2
        ),
        "copy_jobs2_vs_pg_dump_psql": round(t["pgcutover_copy_jobs2"] / t["pg_dump_psql"], 2),
        "sync_identical_vs_checksum_pass": round(t["sync_identical"] / t["checksum_pass"], 2),
        "sync_1pct_vs_checksum_pass": round(t["sync_1pct"] / t["checksum_pass"], 2),
        "sync_write_speedup_per_row_vs_batch100": round(
            (t["batch100_upsert"] / rows) / (t["sync_1pct_write_phase"] / max(changed, 1)), 2
        ),
        "sync_whole_run_speedup_per_changed_row_vs_batch100": round(
            (t["batch100_upsert"] / rows) / (t["sync_1pct"] / max(changed, 1)), 2
        ),
    }
    result = {
        "bench": "copy",
        "rows": rows,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "seconds": t,
        "ratios": ratios,
        "targets": {
            "copy_jobs1_vs_bare_stream": "<= 1.15",
            "copy_jobs2_vs_pg_dump_psql": "<= 0.8",
            "sync_per_changed_row_speedup_vs_batch100": ">= 5",
            "sync_identical_wal_bytes": "0 (no row written)",
            "sync_identical_vs_checksum_pass": "<= 1.5",
            "sync_1pct_vs_checksum_pass": "<= 2",
            "rss_mb": "< 150, same at both sizes",
        },
        **extra,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    width = max(len(k) for k in t)
    for key, value in t.items():
        print(f"{key:<{width}}  {value:>8.3f} s")
    for key, value in ratios.items():
        print(f"{key}: {value}")
    for key, value in extra.items():
        print(f"{key}: {value}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
