"""Running the contracts: `pytest contracts/` in a child process, then the gate.

A child process keeps the contracts' imports and database sessions apart from
the caller (the CLI, the demo). URLs travel in its environment, not on its
command line, where other local users could read the passwords.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from pgcutover.config import ENV_SOURCE_URL, ENV_TARGET_URL
from pgcutover.errors import PgcutoverError
from reports.gate import Verdict, gate
from verify.mask import scrub

# pytest's own exit codes that mean "could not run" (interrupted, internal error, usage
# error), as opposed to "ran, some failed".
_PYTEST_COULD_NOT_RUN = (2, 3, 4)
_PYTEST_NO_TESTS = 5
# "E   pytest.UsageError: pgcutover.toml: ..." (an error raised while collecting)
_RAISED = re.compile(r"^E\s+(?:[\w.]+(?:Error|Exception): )?(?P<why>\S.*)$")
# "__main__.py: error: unrecognized arguments: --bogus" (pytest's own option parser)
_ARGPARSE = re.compile(r"^[^:]+: error: (?P<why>.+)$")
# "ERROR: file or directory not found: x" (a usage error pytest reports itself)
_PYTEST_ERROR = re.compile(r"^ERROR: (?!usage:)(?P<why>.+)$")


class ContractsDidNotRun(PgcutoverError):
    """pytest stopped before judging anything (bad option, unreachable server at collection)."""


@dataclass(frozen=True)
class VerifyOutcome:
    """The gate's verdict and where the evidence lies."""

    verdict: Verdict
    report_dir: Path
    alluredir: Path
    log: Path


def contracts_dir() -> Path:
    """The folder of the contracts, in a clone or in site-packages alike."""
    return Path(str(files("contracts")))


def contracts_command(*extra: str) -> list[str]:
    """`python -m pytest <contracts>` with the contracts' own ini and rootdir, as `verify`
    runs it (tests run raw pytest the same way)."""
    here = contracts_dir()
    command = [sys.executable, "-m", "pytest", str(here), "-c", str(here / "pytest.ini")]
    return [*command, "--rootdir", str(here), *extra]


def _first_error(log_text: str, secrets: list[str]) -> str:
    """The one line that says why pytest could not run the contracts, in the user's words:
    an exception's message without its class, argparse's complaint without its usage."""
    lines = log_text.splitlines()
    patterns = (_RAISED, _ARGPARSE, _PYTEST_ERROR)
    for pattern in patterns:
        found = next((m for m in map(pattern.match, lines) if m), None)
        if found:
            return scrub(found["why"].strip(), secrets)
    tail = [ln for ln in lines if ln.strip()]
    return scrub(tail[-1] if tail else "no output", secrets)


def run_contracts(
    source_url: str,
    target_url: str,
    report_dir: Path,
    *,
    pytest_args: list[str] | None = None,
    stream: bool = False,
    no_mask: bool = False,
) -> VerifyOutcome:
    """Run every contract against source and target; return the gate's verdict."""
    report_dir.mkdir(parents=True, exist_ok=True)
    alluredir = report_dir / "allure-results"
    # Stale results from an earlier run would count towards this verdict.
    shutil.rmtree(alluredir, ignore_errors=True)
    log = report_dir / "pytest.log"
    args = [
        *contracts_command(),
        f"--alluredir={alluredir}",
        "-q",
        *(["--no-mask"] if no_mask else []),
        *(pytest_args or []),
    ]
    env = {**os.environ, ENV_SOURCE_URL: source_url, ENV_TARGET_URL: target_url}
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.run(
            args,
            env=env,
            stdout=None if stream else out,
            stderr=subprocess.STDOUT if not stream else None,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    if proc.returncode in _PYTEST_COULD_NOT_RUN:
        why = _first_error(
            log.read_text(encoding="utf-8", errors="replace"), [source_url, target_url]
        )
        raise ContractsDidNotRun(f"contracts could not run: {why}")
    alluredir.mkdir(parents=True, exist_ok=True)
    verdict = gate(alluredir, report_dir)
    return VerifyOutcome(verdict, report_dir, alluredir, log)
