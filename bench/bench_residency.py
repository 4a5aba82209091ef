"""Benchmark: what residency costs on a large personal-data table.

    python bench/bench_residency.py [--rows 1000000]

On one server pair (PGCUTOVER_SOURCE_URL / PGCUTOVER_TARGET_URL, or started here) the
clients-like table of bench_verify.py is generated identically on both sides. Timed:

- detection: names, types and the sampled values and JSON keys of the table
  (verify.residency.table_signals), the part that grows with the number of tables, not rows;
- row completeness: the table's row parity verdict (verify.buffer_parity.cached_verdict,
  the first ask of a session: what residency would add if it did not share the verdict);
- row completeness shared: the second ask, as test_row_parity makes it after residency
  (a dictionary lookup);
- the exact count residency runs for a table left on the source (count(*)).

Figures go to stdout and bench/results/residency.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_verify import CREATE, TABLE  # noqa: E402

from pgcutover.servers import server_pair  # noqa: E402
from verify.buffer_parity import cached_verdict  # noqa: E402
from verify.catalog import read_tables  # noqa: E402
from verify.connect import parse_url, snapshot_connection  # noqa: E402
from verify.residency import Declarations, table_signals  # noqa: E402
from verify.rows import SAMPLE, count_rows  # noqa: E402


def _timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    found = fn()
    return time.perf_counter() - started, found


def measure(source_url: str, target_url: str, rows: int) -> dict[str, Any]:
    """Load the table on both sides, then time each part of residency."""
    for url in (source_url, target_url):
        with psycopg.connect(parse_url(url).conninfo, autocommit=True) as conn:
            conn.execute(CREATE.replace("%(rows)s", str(rows)))
    src = snapshot_connection(parse_url(source_url), role="source")
    tgt = snapshot_connection(parse_url(target_url), role="target")
    table = next(t for t in read_tables(src, ("public",)) if t.name == TABLE)
    detect_s, signals = _timed(lambda: table_signals(src, table, Declarations()))
    verdicts: dict[Any, Any] = {}  # the session's, as the row_verdicts fixture holds them

    def shared() -> Any:
        return cached_verdict(verdicts, src, tgt, table, limit=SAMPLE).parity

    parity_s, parity = _timed(shared)
    shared_s, _ = _timed(shared)
    count_s, counted = _timed(lambda: count_rows(src, table.schema, table.name))
    return {
        "rows": rows,
        "detection_seconds": round(detect_s, 4),
        "detected": sorted({f"{s.where}: {s.category}" for s in signals}),
        "row_parity_seconds": round(parity_s, 3),
        "row_parity_equal": parity.equal,
        "shared_verdict_seconds": round(shared_s, 6),
        "left_behind_count_seconds": round(count_s, 3),
        "counted_rows": counted,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with ExitStack() as stack:
        from pgcutover.config import url_from_env

        source, target = url_from_env("source"), url_from_env("target")
        if not (source and target):
            pair = stack.enter_context(server_pair())
            source, target = pair.source_url, pair.target_url
        figures = measure(source, target, args.rows)
    figures["machine"] = f"{platform.machine()}, {platform.python_version()}"
    for key, value in figures.items():
        print(f"{key}: {value}")
    out = ROOT / "bench" / "results" / "residency.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
