"""Running the `pgcutover` command in a child process, as users do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from verify.connect import Endpoint


def pgcutover(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed console script's code in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "pgcutover.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2, exactly one line on stderr holding every needle, no traceback; returns the line."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def verify_cli(
    source: Endpoint, target: Endpoint, report_dir: Path, *extra: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`pgcutover verify` of two databases into report_dir, with extra flags (run in `cwd`,
    where a pgcutover.toml would be read from)."""
    return pgcutover(
        "verify",
        "--source",
        source.url,
        "--target",
        target.url,
        "--report-dir",
        str(report_dir),
        *extra,
        cwd=cwd,
    )
