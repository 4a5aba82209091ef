"""What the terminal shows of the gate: the one-screen summary."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from reports.facts import fact_lines
from reports.gate import ContractResult, Verdict

SHOWN_FAILURES = 20
SHOWN_SKIPPED = 10


def _width() -> int:
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def _wrap(text: str, width: int, *, indent: str = "", subsequent: str = "") -> list[str]:
    # At spaces only: a key, a URL or a JSON path is never cut in two.
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _wrapped(kind: str, result: ContractResult, width: int) -> list[str]:
    text = f"{kind} {result.name}: {result.message or result.status}"
    return _wrap(text, width, indent="  ", subsequent="      ")


def verdict_lines(verdict: Verdict, report_dir: Path, *, width: int | None = None) -> list[str]:
    """The one-screen summary: counts, failing objects, the verdict, where the evidence is.
    Messages are whole, wrapped at word boundaries to the terminal's width."""
    width = width or _width()
    c = verdict.counts
    expected = f" of {verdict.expected} expected" if verdict.expected is not None else ""
    lines = [
        f"contracts run: {verdict.ran}{expected}  passed: {c.get('passed', 0)}  "
        f"failed: {c.get('failed', 0)}  broken: {c.get('broken', 0)}  skipped: {c.get('skipped', 0)}",
    ]
    for f in verdict.failures[:SHOWN_FAILURES]:
        lines += _wrapped("FAILED" if f.status == "failed" else "BROKEN", f, width)
    if len(verdict.failures) > SHOWN_FAILURES:
        lines.append(
            f"  ... and {len(verdict.failures) - SHOWN_FAILURES} more "
            f"(see {report_dir / 'summary.md'})"
        )
    # Deliberate differences (accepted, left on the source) are listed whole: never silent.
    others = verdict.nothing_to_compare
    for r in verdict.deliberate:
        lines += _wrapped("accepted" if r.message.startswith("accepted:") else "skipped", r, width)
    for r in others[:SHOWN_SKIPPED]:
        lines += _wrapped("skipped", r, width)
    if len(others) > SHOWN_SKIPPED:
        lines.append(f"  ... and {len(others) - SHOWN_SKIPPED} more skipped (see summary.md)")
    for line in fact_lines(verdict.facts):
        lines += _wrap(line, width, subsequent=" " * (len(line) - len(line.lstrip()) + 4))
    lines.append(f"evidence: {report_dir / 'allure-results'}  summary: {report_dir / 'summary.md'}")
    lines.append(f"VERDICT: {verdict.word} ({verdict.reason})")
    return lines
