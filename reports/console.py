"""What the terminal shows of the gate: the one-screen summary."""

from __future__ import annotations

from pathlib import Path

from reports.facts import fact_lines
from reports.gate import Verdict


def verdict_lines(verdict: Verdict, report_dir: Path) -> list[str]:
    """The one-screen summary: counts, failing objects, the verdict, where the evidence is."""
    c = verdict.counts
    expected = f" of {verdict.expected} expected" if verdict.expected is not None else ""
    lines = [
        f"contracts run: {verdict.ran}{expected}  passed: {c.get('passed', 0)}  "
        f"failed: {c.get('failed', 0)}  broken: {c.get('broken', 0)}  skipped: {c.get('skipped', 0)}",
    ]
    for f in verdict.failures[:20]:
        lines.append(f"  FAILED {f.name}: {f.message[:150]}")
    if len(verdict.failures) > 20:
        lines.append(
            f"  ... and {len(verdict.failures) - 20} more (see {report_dir / 'gate.json'})"
        )
    for r in verdict.skipped[:10]:
        lines.append(f"  skipped {r.name}: {r.message[:150]}")
    if len(verdict.skipped) > 10:
        lines.append(f"  ... and {len(verdict.skipped) - 10} more skipped (see summary.md)")
    lines += fact_lines(verdict.facts)
    lines.append(f"evidence: {report_dir / 'allure-results'}  summary: {report_dir / 'summary.md'}")
    lines.append(f"VERDICT: {'GO' if verdict.go else 'NO-GO'} ({verdict.reason})")
    return lines
