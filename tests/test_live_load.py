"""The gate under live load, small: bench/bench_live.py at the demo's scale 1 on the test
servers. No timing is asserted (figures of record come from the benchmark itself): only
that writes inside the --grace window pass and a change outside it is caught, by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pgcutover.servers import ServerPair

ROOT = Path(__file__).resolve().parent.parent


def test_writes_inside_the_window_pass_and_a_change_outside_it_is_caught(
    pg_pair: ServerPair, tmp_path: Path
) -> None:
    out = tmp_path / "live.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_live.py"),
            "--rows",
            "3100",
            "--rate",
            "60",
            "--no-idle",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PGCUTOVER_SOURCE_URL": pg_pair.source_url,
            "PGCUTOVER_TARGET_URL": pg_pair.target_url,
        },
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    loaded, outside = figures["loaded"], figures["outside_window"]
    assert loaded["verdict"] == "GO", loaded["failed"]
    assert loaded["load"]["writes_during_verify"] > 0
    assert min(loaded["load"][k] for k in ("inserts", "updates", "deletes")) > 0
    assert outside["verdict"] == "NO-GO"
    failed = {f.split(":")[0]: f for f in outside["failed"]}
    # Row parity names the key; residency, which reads its verdict, the personal-data table.
    assert set(failed) <= {"test_row_parity[public.clients]", "test_residency[public.clients]"}
    assert "1 changed: id=1 in notes" in failed["test_row_parity[public.clients]"]
