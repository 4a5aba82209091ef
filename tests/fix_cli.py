"""Running the `pgcutover` command in a child process, as users do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
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


# --- what every process a command starts has on its command line -------------------------
def _ppid(pid: str) -> int | None:
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    return int(stat_line.rpartition(")")[2].split()[1])


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _ppid(entry)
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


@dataclass
class Sampled:
    """A finished command: exit code, output, and its descendants' command lines."""

    returncode: int
    stdout: str
    stderr: str
    cmdlines: set[str]


def _sample(
    proc: subprocess.Popen[str], every_s: float, interrupt_after: str | None
) -> tuple[str, str, set[str]]:
    seen: set[str] = set()
    done = threading.Event()

    def sample() -> None:
        interrupted = False
        while proc.poll() is None:
            # A child between fork and exec still shows its parent's command line, which the
            # caller wrote (URLs included): no new exposure, left out. Read at each pass: just
            # after its exec, the command's own command line can still read as empty.
            own = _cmdline(proc.pid)
            now = {_cmdline(pid) for pid in _descendants(proc.pid)} - {own}
            seen.update(now)
            if interrupt_after and not interrupted and any(interrupt_after in c for c in now):
                # Ctrl-C in a terminal: SIGINT to the whole foreground process group.
                os.killpg(proc.pid, signal.SIGINT)
                interrupted = True
            done.wait(every_s)  # the sampling period, not a wait for an outcome

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate(timeout=300)
    done.set()
    sampler.join()
    return out, err, seen - {""}


def sample_descendant_cmdlines(proc: subprocess.Popen[str], every_s: float = 0.01) -> set[str]:
    """Every distinct command line of `proc`'s descendants, read every `every_s` until `proc`
    ends (in a thread, so the caller can wait on the process meanwhile)."""
    return _sample(proc, every_s, None)[2]


def run_sampled(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interrupt_after: str | None = None,
) -> Sampled:
    """`pgcutover args` in a child process of its own process group, the command lines of
    everything it starts read every 10 ms; with `interrupt_after`, Ctrl-C is pressed once a
    descendant whose command line holds that text runs (e.g. "pytest": during verify)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgcutover.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        start_new_session=True,
    )
    out, err, seen = _sample(proc, 0.01, interrupt_after)
    return Sampled(proc.returncode, out, err, seen)
