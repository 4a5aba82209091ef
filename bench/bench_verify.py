"""Benchmark: row and Buffer parity, and the whole `pgcutover verify`, against baselines.

    python bench/bench_verify.py [--rows 1000000] [--repeat 1]

On one server pair (PGCUTOVER_SOURCE_URL / PGCUTOVER_TARGET_URL, or started here), two
tables are generated identically on both sides: a clients-like table of --rows rows (one
row in ten holds Baileys credentials, Buffers in both shapes, in a jsonb column) and a
whatsapp_keys-like table of --rows / 5 Signal keys (pre-keys, sessions, sender keys,
app-state keys: Buffers nested in objects and arrays). Each method judges them identical,
then again after changes on the target (10 to the clients table, one per kind of damage,
and 5 to the keys: 3 Buffers re-encoded with the same bytes, which must pass, a flipped
byte and a Buffer turned into its base64 string, which must fail):

- pgcutover: verify.rows.row_parity of the clients table (bucket hashes, then exact keys);
- floor: SELECT count(*), sum(hashtextextended(t::text, 0)) of the clients table on both
  sides concurrently, the least an in-database text checksum can cost (it names no key);
- floor_all: the same for every table of the gate, one after the other;
- verify: the whole `pgcutover verify` command, as a user runs it (every contract: schema,
  counts, row parity, Buffer parity, sequences), with each contract's seconds from the
  Allure results and the peak RSS of its processes;
- reladiff: its hash-bisection diff of the clients table, when the package is installed
  (`pip install reladiff psycopg2-binary` in the bench environment, not a dependency);
- python: the clients table streamed in key order to Python and compared row by row.

Each method runs in its own child process, so its peak RSS is its own. Figures go to stdout
and bench/results/verify.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pgcutover.servers import server_pair  # noqa: E402
from verify.catalog import read_tables  # noqa: E402
from verify.connect import parse_url, snapshot_connection  # noqa: E402
from verify.rows import TYPED, row_parity  # noqa: E402

TABLE = "clients_bench"
KEYS_TABLE = "whatsapp_keys_bench"
CHANGES = 10
KEYS_PER_CLIENT = 5  # --rows / 5 Signal keys: 200k for a million clients


def _bytes(seed: str) -> str:
    """SQL: 32 pseudo-random bytes from an integer expression."""
    return f"decode(md5(({seed})::text) || md5((({seed}) * 7)::text), 'hex')"


def _buffer(seed: str, shape: str) -> str:
    """SQL: a Baileys Buffer wrapper of 32 bytes, as base64 (BufferJSON.replacer) or as the
    byte array Node's Buffer.toJSON writes."""
    if shape == "base64":
        return f"jsonb_build_object('type', 'Buffer', 'data', encode({_bytes(seed)}, 'base64'))"
    hexed = f"md5(({seed})::text) || md5((({seed}) * 7)::text)"
    array = (
        f"(SELECT jsonb_agg(('x' || substr({hexed}, 2 * i + 1, 2))::bit(8)::int ORDER BY i) "
        "FROM generate_series(0, 31) AS i)"
    )
    return f"jsonb_build_object('type', 'Buffer', 'data', {array})"


CREATE = f"""
DROP TABLE IF EXISTS public.{TABLE};
CREATE TABLE public.{TABLE} (
    id bigint PRIMARY KEY,
    company_id text NOT NULL,
    name text NOT NULL,
    phone text NOT NULL,
    email text,
    notes text,
    tags text[],
    balance numeric(10, 2) NOT NULL,
    loyalty_points numeric,
    rating double precision,
    is_vip boolean,
    avatar bytea,
    preferences jsonb NOT NULL,
    last_visit_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    data jsonb
);
INSERT INTO public.{TABLE}
SELECT g,
       'tenant-' || (g % 50),
       'Клиент ' || substr(md5(g::text), 1, 8) || ' ' || substr(md5((g + 1)::text), 1, 10),
       '+79' || lpad((g * 7654321 % 1000000000)::text, 9, '0'),
       CASE WHEN g % 97 = 5 THEN NULL ELSE 'user' || g || '@mail.ru' END,
       CASE WHEN g % 7 = 0 THEN 'Аллергия на латекс' END,
       CASE WHEN g % 5 = 0 THEN ARRAY['vip', NULL, 'постоянный'] WHEN g % 3 = 0
            THEN ARRAY['новый'] END,
       (g % 50000) / 100.0,
       (g % 10000)::numeric / (10 ^ (g % 4))::numeric,
       CASE WHEN g % 4 <> 0 THEN 1 + (g % 400) / 100.0 END,
       CASE g % 3 WHEN 0 THEN true WHEN 1 THEN false END,
       CASE WHEN g % 10 = 0 THEN decode(md5(g::text), 'hex') END,
       jsonb_build_object('lang', 'ru', 'reminders', g % 5 <> 0, 'score', (g % 100) / 10.0,
                          'visits', jsonb_build_array(g % 9, (g % 7) * 1.5, NULL)),
       CASE WHEN g % 3 <> 0 THEN timestamptz '2026-11-01' - (g * interval '1.000001 second') END,
       timestamptz '2025-01-01' + (g * interval '7.000123 second'),
       timestamptz '2025-06-01' + (g * interval '11.000321 second'),
       -- One client in ten carries Baileys credentials: Buffers as base64 and byte arrays.
       CASE WHEN g % 10 = 0 THEN jsonb_build_object(
           'noiseKey', jsonb_build_object(
               'private', {_buffer("g", "base64")},
               'public', {_buffer("g + 1", "array")}),
           'registrationId', g % 16384,
           'advSecretKey', encode({_bytes("g + 2")}, 'base64'),
           'account', jsonb_build_object('details', {_buffer("g + 3", "base64")}))
       END
  FROM generate_series(1::bigint, %(rows)s) AS g;
ANALYZE public.{TABLE};
"""

# Signal keys as Baileys stores them: ids by type, values with Buffers at several depths.
CREATE_KEYS = f"""
DROP TABLE IF EXISTS public.{KEYS_TABLE};
CREATE TABLE public.{KEYS_TABLE} (
    company_id text NOT NULL,
    key_type text NOT NULL,
    key_id text NOT NULL,
    value jsonb NOT NULL,
    expires_at timestamptz,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (company_id, key_type, key_id)
);
INSERT INTO public.{KEYS_TABLE}
SELECT 'tenant-' || (g % 50),
       (ARRAY['pre-key', 'session', 'sender-key', 'app-state-sync-key'])[g % 4 + 1],
       g::text,
       CASE g % 4
         WHEN 0 THEN jsonb_build_object(
             'private', {_buffer("g", "base64")}, 'public', {_buffer("g + 1", "array")})
         WHEN 1 THEN to_jsonb(encode({_bytes("g")} || {_bytes("g + 1")} || {_bytes("g + 2")}
             || {_bytes("g + 3")} || {_bytes("g + 4")} || {_bytes("g + 5")}, 'base64'))
         WHEN 2 THEN jsonb_build_array(jsonb_build_object(
             'senderKeyId', g % 100000,
             'senderChainKey', jsonb_build_object('iteration', g % 500,
                 'seed', {_buffer("g", "array")}),
             'senderSigningKey', jsonb_build_object('public', {_buffer("g + 1", "base64")}),
             'senderMessageKeys', jsonb_build_array(jsonb_build_object(
                 'iteration', g % 7, 'seed', {_buffer("g + 2", "base64")}))))
         ELSE jsonb_build_object(
             'keyData', {_buffer("g", "base64")},
             'fingerprint', jsonb_build_object('rawId', g % 99991, 'currentIndex', g % 9,
                 'deviceIndexes', jsonb_build_array(0, 1, g % 7)),
             'timestamp', (1763000000000 + g)::text)
       END,
       timestamptz '2026-11-20' + (g % 14) * interval '1 day',
       timestamptz '2026-11-01' + g * interval '1.000007 second'
  FROM generate_series(1::bigint, %(keys)s) AS g;
ANALYZE public.{KEYS_TABLE};
"""

# Ten changes, one per kind of damage the contracts must see.
CHANGE_SQL = [
    f"UPDATE public.{TABLE} SET loyalty_points = loyalty_points::text::numeric(20, 6)"
    f" WHERE id = %(a)s",
    f"UPDATE public.{TABLE} SET rating = rating + 1e-12 WHERE id = %(b)s",
    f"UPDATE public.{TABLE} SET name = name || ' ' WHERE id = %(c)s",
    f"UPDATE public.{TABLE} SET last_visit_at = last_visit_at + interval '1 microsecond'"
    f" WHERE id = %(d)s",
    f"UPDATE public.{TABLE} SET email = '' WHERE id = %(e)s",
    f"UPDATE public.{TABLE} SET preferences = preferences || '{{\"score\": 1.10}}' WHERE id = %(f)s",
    f"UPDATE public.{TABLE} SET tags = ARRAY['vip', '', 'постоянный'] WHERE id = %(g)s",
    f"UPDATE public.{TABLE} SET balance = balance + 0.01 WHERE id = %(h)s",
    f"DELETE FROM public.{TABLE} WHERE id = %(i)s",
    f"INSERT INTO public.{TABLE} SELECT id + 10000000, company_id, name, phone, email, notes,"
    f" tags, balance, loyalty_points, rating, is_vip, avatar, preferences, last_visit_at,"
    f" created_at, updated_at, data FROM public.{TABLE} WHERE id = %(j)s",
]
# Five changes to the keys (by key_id): three re-encodings Baileys revives to the same bytes
# (they must pass), a flipped byte and a Buffer turned into its base64 string (they fail).
KEY_CHANGES = [
    # pre-key: base64 -> byte array
    (
        "4",
        "jsonb_set(value, '{private,data}', (SELECT jsonb_agg(get_byte(b, i) ORDER BY i) "
        "FROM (SELECT decode(value #>> '{private,data}', 'base64') AS b) s, "
        "generate_series(0, 31) AS i))",
    ),
    # pre-key: the legacy {"buffer": true, "value": base64}
    (
        "8",
        "jsonb_set(value, '{private}', "
        "jsonb_build_object('buffer', true, 'value', value #> '{private,data}'))",
    ),
    # app-state key: unpadded base64
    ("3", "jsonb_set(value, '{keyData,data}', to_jsonb(rtrim(value #>> '{keyData,data}', '=')))"),
    # pre-key: one byte of the public key flipped
    (
        "12",
        "jsonb_set(value, '{public,data,0}', "
        "to_jsonb(((value #>> '{public,data,0}')::int + 1) %% 256))",
    ),
    # sender key: the signing key's Buffer turned into its base64 string
    (
        "2",
        "jsonb_set(value, '{0,senderSigningKey,public}', "
        "value #> '{0,senderSigningKey,public,data}')",
    ),
]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _both(a: Callable[[], Any], b: Callable[[], Any]) -> tuple[Any, Any]:
    with ThreadPoolExecutor(2) as pool:
        fa, fb = pool.submit(a), pool.submit(b)
        return fa.result(), fb.result()


# --- the methods; each runs in a child process and returns (seconds, differences) --------
def method_pgcutover(source_url: str, target_url: str) -> dict[str, Any]:
    src = snapshot_connection(parse_url(source_url), role="source")
    tgt = snapshot_connection(parse_url(target_url), role="target")
    table = next(t for t in read_tables(src, ("public",)) if t.name == TABLE)
    started = time.perf_counter()
    parity = row_parity(src, tgt, table, method=TYPED)
    seconds = time.perf_counter() - started
    found = parity.differences.totals
    return {"seconds": seconds, "differences": sum(found.values()), "detail": dict(found)}


def method_floor(source_url: str, target_url: str) -> dict[str, Any]:
    query = f"SELECT count(*), sum(hashtextextended(t::text, 0)) FROM public.{TABLE} t"
    conns = [
        snapshot_connection(parse_url(u), role=r)
        for u, r in ((source_url, "source"), (target_url, "target"))
    ]
    started = time.perf_counter()
    a, b = _both(
        lambda: conns[0].execute(query).fetchone(), lambda: conns[1].execute(query).fetchone()
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "differences": None if a == b else "some (unnamed)"}


def method_floor_all(source_url: str, target_url: str) -> dict[str, Any]:
    """The text-hash floor of every table of the gate, each on both sides at once."""
    conns = [
        snapshot_connection(parse_url(u), role=r)
        for u, r in ((source_url, "source"), (target_url, "target"))
    ]
    started = time.perf_counter()
    per_table = {}
    for table in (TABLE, KEYS_TABLE):
        query = f"SELECT count(*), sum(hashtextextended(t::text, 0)) FROM public.{table} t"
        began = time.perf_counter()
        _both(
            lambda q=query: conns[0].execute(q).fetchone(),
            lambda q=query: conns[1].execute(q).fetchone(),
        )
        per_table[table] = round(time.perf_counter() - began, 3)
    return {"seconds": time.perf_counter() - started, "tables": per_table}


def _test_seconds(alluredir: Path) -> dict[str, float]:
    """Each contract's seconds, from the Allure results."""
    found = {}
    for path in alluredir.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        found[result["name"]] = (result["stop"] - result["start"]) / 1000
    return found


def method_verify(source_url: str, target_url: str) -> dict[str, Any]:
    """`pgcutover verify` as a user runs it (URLs in its environment, not on its argv)."""
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as report:
        env = {
            **os.environ,
            "PGCUTOVER_SOURCE_URL": source_url,
            "PGCUTOVER_TARGET_URL": target_url,
        }
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pgcutover.cli", "verify", "--report-dir", report],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        tests = _test_seconds(Path(report) / "allure-results")
        gate = json.loads((Path(report) / "gate.json").read_text(encoding="utf-8"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    def of(prefix: str) -> dict[str, float]:
        return {n: round(t, 3) for n, t in sorted(tests.items()) if n.startswith(prefix)}

    return {
        "seconds": seconds,
        "exit_code": done.returncode,
        "failed": sorted(f["name"] for f in gate.get("failures", [])),
        "differences": len(gate.get("failures", [])),
        "contracts": len(tests),
        "contract_seconds": round(sum(tests.values()), 3),
        "buffer_parity": of("test_buffers_revive_equal["),
        "row_parity": of("test_row_parity["),
        "verify_peak_rss_mb": round(children, 1),
    }


def method_python(source_url: str, target_url: str) -> dict[str, Any]:
    query = f"SELECT * FROM public.{TABLE} ORDER BY id"
    src = snapshot_connection(parse_url(source_url), role="source")
    tgt = snapshot_connection(parse_url(target_url), role="target")
    started = time.perf_counter()
    with src.cursor(name="a") as ca, tgt.cursor(name="b") as cb:
        ca.itersize = cb.itersize = 5000
        ca.execute(query)
        cb.execute(query)
        s, t = next(ca, None), next(cb, None)
        differences = 0
        while s is not None or t is not None:
            if t is None or (s is not None and s[0] < t[0]):
                differences += 1
                s = next(ca, None)
            elif s is None or t[0] < s[0]:
                differences += 1
                t = next(cb, None)
            else:
                # psycopg's Decimal and float compare by value: text keeps 10.50 vs 10.5 apart.
                differences += [str(v) for v in s] != [str(v) for v in t]
                s, t = next(ca, None), next(cb, None)
    return {"seconds": time.perf_counter() - started, "differences": differences}


def method_reladiff(source_url: str, target_url: str) -> dict[str, Any]:
    import reladiff  # the bench environment's, not a project dependency

    columns = (
        "company_id",
        "name",
        "phone",
        "email",
        "notes",
        "tags",
        "balance",
        "loyalty_points",
        "rating",
        "is_vip",
        "avatar",
        "preferences",
        "last_visit_at",
        "created_at",
        "updated_at",
        "data",
    )
    started = time.perf_counter()
    t1 = reladiff.connect_to_table(source_url, ("public", TABLE), "id", extra_columns=columns)
    t2 = reladiff.connect_to_table(target_url, ("public", TABLE), "id", extra_columns=columns)
    diff = list(
        reladiff.diff_tables(t1, t2, threaded=True, max_threadpool_size=2, skip_sort_results=True)
    )
    seconds = time.perf_counter() - started
    keys = {row[1][0] for row in diff}
    return {"seconds": seconds, "differences": len(keys)}


# Minutes a run and ten times slower than the rest: one run is figure enough.
ONCE = frozenset({"python"})
METHODS: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "pgcutover": method_pgcutover,
    "floor": method_floor,
    "floor_all": method_floor_all,
    "verify": method_verify,
    "reladiff": method_reladiff,
    "python": method_python,
}


def _child(name: str, source_url: str, target_url: str, queue: Any) -> None:
    try:
        result = METHODS[name](source_url, target_url)
        result["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    except Exception as exc:  # report why a baseline could not run, keep the others
        result = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"}
    queue.put(result)


def run_method(name: str, source_url: str, target_url: str) -> dict[str, Any]:
    """Run one method in a fresh process (its own peak RSS)."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(name, source_url, target_url, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def load(url: str, rows: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(CREATE.replace("%(rows)s", str(int(rows))))
        conn.execute(CREATE_KEYS.replace("%(keys)s", str(int(rows) // KEYS_PER_CLIENT)))


def damage(url: str, rows: int) -> list[int]:
    """Apply the ten changes on the target; the ids touched."""
    # Ids with g % 12 == 1: every nullable column the changes touch holds a value there.
    ids = [(rows * (k + 1) // (CHANGES + 1)) // 12 * 12 + 1 for k in range(CHANGES)]
    params = dict(zip("abcdefghij", ids, strict=True))
    with psycopg.connect(url) as conn:
        for statement in CHANGE_SQL:
            conn.execute(statement, params)
        for key_id, value in KEY_CHANGES:
            conn.execute(
                f"UPDATE public.{KEYS_TABLE} SET value = {value} WHERE key_id = %s", (key_id,)
            )
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per side")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of every method (the best run is kept)"
    )
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "verify.json"))
    args = parser.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    figures: dict[str, dict[str, Any]] = {m: {} for m in methods}
    with ExitStack() as stack:
        pair = stack.enter_context(server_pair())
        source_url = parse_url(pair.source_url).url
        target_url = parse_url(pair.target_url).url
        started = time.perf_counter()
        _both(lambda: load(source_url, args.rows), lambda: load(target_url, args.rows))
        print(f"loaded {args.rows} rows per side in {time.perf_counter() - started:.1f} s")
        versions = []
        for url in (source_url, target_url):
            with psycopg.connect(url) as conn:
                versions.append(str(conn.execute("SHOW server_version").fetchone()[0]))  # type: ignore[index]
        run_method("floor_all", source_url, target_url)  # warm both servers' caches
        for case in ("identical", "changed"):
            if case == "changed":
                damage(target_url, args.rows)
            # Rounds, not runs in a row: on a shared machine the load drifts, and the floor
            # and the gate are compared with each other.
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in methods}
            for round_ in range(args.repeat):
                for name in methods:
                    if round_ == 0 or name not in ONCE:
                        runs[name].append(run_method(name, source_url, target_url))
            for name in methods:
                ok = [r for r in runs[name] if "error" not in r]
                best = min(ok, key=lambda r: r["seconds"]) if ok else runs[name][0]
                figures[name][case] = best
                rss = best.get("verify_peak_rss_mb", best.get("peak_rss_mb"))
                shown = (
                    f"{best['seconds']:.2f} s, differences {best.get('differences')}, "
                    f"peak RSS {rss} MB"
                    if "error" not in best
                    else best["error"]
                )
                print(f"{case:9} {name:10} {shown}", flush=True)
    summary = _ratios(figures)
    for line in summary["lines"]:
        print(line)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "benchmark": "verify",
                "rows": args.rows,
                "keys": args.rows // KEYS_PER_CLIENT,
                "changes": CHANGES,
                "key_changes": len(KEY_CHANGES),
                "servers": {
                    "source": versions[0],
                    "target": versions[1],
                    "provider": pair.provider,
                },
                "machine": {
                    "python": platform.python_version(),
                    "cpus": multiprocessing.cpu_count(),
                },
                "figures": figures,
                "ratios": summary["ratios"],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out}")
    return 0


def _ratios(figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """pgcutover against the floor and reladiff, per case, with the issue's targets."""
    ratios: dict[str, Any] = {}
    lines = []
    targets = {"identical": (0.6, 4.0), "changed": (1.2, 3.0)}
    for case, (max_floor, min_reladiff) in targets.items():
        ours = figures.get("pgcutover", {}).get(case, {}).get("seconds")
        floor = figures.get("floor", {}).get(case, {}).get("seconds")
        rela = figures.get("reladiff", {}).get(case, {}).get("seconds")
        entry: dict[str, Any] = {}
        if ours and floor:
            entry["vs_floor"] = round(ours / floor, 2)
            entry["vs_floor_target"] = f"<= {max_floor}"
        if ours and rela:
            entry["reladiff_speedup"] = round(rela / ours, 2)
            entry["reladiff_target"] = f">= {min_reladiff}"
        ratios[case] = entry
        lines.append(f"{case}: {entry}")
    rss = figures.get("pgcutover", {}).get("changed", {}).get("peak_rss_mb")
    ratios["pgcutover_peak_rss_mb"] = rss
    lines.append(f"pgcutover peak RSS {rss} MB (target < 150)")
    for case in ("identical", "changed"):
        gate = figures.get("verify", {}).get(case, {})
        floor_all = figures.get("floor_all", {}).get(case, {}).get("seconds")
        if gate.get("seconds") and floor_all:
            entry = {
                "gate_vs_floor_all": round(gate["seconds"] / floor_all, 2),
                "target": "<= 1.5",
                "buffer_parity_seconds": round(sum(gate["buffer_parity"].values()), 2),
                "row_parity_seconds": round(sum(gate["row_parity"].values()), 2),
                "peak_rss_mb": gate["verify_peak_rss_mb"],
                "peak_rss_target": "< 150",
            }
            ratios[f"verify_{case}"] = entry
            lines.append(f"verify {case}: {entry}")
    return {"ratios": ratios, "lines": lines}


if __name__ == "__main__":
    sys.exit(main())
