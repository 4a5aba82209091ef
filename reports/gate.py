"""The release gate: GO / NO-GO from allure-results.

GO only when contracts ran, none failed or broke, and the run executed at
least as many contracts as collection expected (an empty or partial run is
never GO). Writes gate.json and summary.md beside allure-results.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pgcutover.errors import EXIT_GO, EXIT_NO_GO
from reports.facts import FactBlock, fact_blocks

EXPECTED_FILE = "pgcutover-expected.json"
BAD = ("failed", "broken")


@dataclass(frozen=True)
class ContractResult:
    """One contract's outcome as Allure recorded it."""

    name: str
    status: str  # passed, failed, broken, skipped, unknown
    feature: str
    story: str
    message: str


@dataclass(frozen=True)
class Verdict:
    """The gate's decision and the counts behind it."""

    go: bool
    reason: str
    ran: int
    expected: int | None
    counts: dict[str, int]
    failures: list[ContractResult] = field(default_factory=list)
    # Skipped contracts: accepted differences and excluded objects; never silent.
    skipped: list[ContractResult] = field(default_factory=list)
    # What the application contracts add in a line each (residency N/N, readiness, code).
    facts: list[FactBlock] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 for GO, 1 for NO-GO."""
        return EXIT_GO if self.go else EXIT_NO_GO


def _label(result: dict[str, Any], name: str) -> str:
    return next((lb["value"] for lb in result.get("labels", []) if lb.get("name") == name), "")


def _first_line(message: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line.removeprefix("AssertionError: ").removeprefix("Skipped: ")


def read_results(alluredir: Path) -> list[ContractResult]:
    """Every test result in an allure-results folder (a retried test counts once, last wins)."""
    latest: dict[str, tuple[int, ContractResult]] = {}
    for path in sorted(alluredir.glob("*-result.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        message = (data.get("statusDetails") or {}).get("message") or ""
        result = ContractResult(
            name=data.get("name", path.stem),
            status=data.get("status", "unknown"),
            feature=_label(data, "feature"),
            story=_label(data, "story"),
            message=_first_line(message),
        )
        key = data.get("historyId") or data.get("uuid") or path.name
        stop = int(data.get("stop") or 0)
        if key not in latest or latest[key][0] <= stop:
            latest[key] = (stop, result)
    return [r for _, r in sorted(latest.values(), key=lambda sr: sr[1].name)]


def read_expected(alluredir: Path) -> int | None:
    """How many contracts collection expected, if recorded."""
    path = alluredir / EXPECTED_FILE
    if not path.exists():
        return None
    return int(json.loads(path.read_text())["expected"])


def decide(results: list[ContractResult], expected: int | None) -> Verdict:
    """GO only for a complete run with nothing failed or broken."""
    counts = {s: 0 for s in ("passed", "failed", "broken", "skipped")}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    failures = [r for r in results if r.status in BAD]
    ran = len(results)
    if ran == 0:
        go, reason = False, "no contract ran"
    elif failures:
        go, reason = False, f"{len(failures)} contract(s) failed"
    elif expected is None:
        go, reason = False, "the run did not record how many contracts to expect"
    elif ran < expected:
        go, reason = False, f"partial run: {ran} of {expected} contracts executed"
    elif counts["passed"] == 0:
        go, reason = False, "no contract passed (all skipped)"
    elif counts["skipped"]:
        go, reason = (
            True,
            f"{counts['passed']} passed, {counts['skipped']} skipped or accepted, none failed",
        )
    else:
        go, reason = True, f"all {ran} contracts passed"
    skipped = [r for r in results if r.status == "skipped"]
    return Verdict(go, reason, ran, expected, counts, failures, skipped)


def render_summary(verdict: Verdict, *, title: str = "pgcutover gate") -> str:
    """The one-screen summary (Markdown, readable as plain text)."""
    c = verdict.counts
    lines = [
        f"# {title}: {'GO' if verdict.go else 'NO-GO'}",
        "",
        f"Contracts run: {verdict.ran}"
        + (f" of {verdict.expected} expected" if verdict.expected is not None else "")
        + f" | passed {c.get('passed', 0)} | failed {c.get('failed', 0)}"
        + f" | broken {c.get('broken', 0)} | skipped {c.get('skipped', 0)}",
        "",
        f"Verdict: **{'GO' if verdict.go else 'NO-GO'}** ({verdict.reason})",
    ]
    for block in verdict.facts:
        lines += ["", f"**{block.headline}**", *(f"- {item}" for item in block.items)]
    if verdict.failures:
        lines += ["", "| contract | object | finding |", "|---|---|---|"]
        for f in verdict.failures[:30]:
            finding = f.message.replace("|", "\\|")[:160] or f.status
            lines.append(f"| {f.name.split('[')[0]} | {f.story or f.name} | {finding} |")
        if len(verdict.failures) > 30:
            lines.append(f"| … | {len(verdict.failures) - 30} more | see gate.json |")
    if verdict.skipped:
        lines += ["", "Skipped or accepted (not failures, listed so nothing passes unseen):", ""]
        lines += [f"- {r.name}: {r.message or 'skipped'}" for r in verdict.skipped[:50]]
        if len(verdict.skipped) > 50:
            lines.append(f"- … {len(verdict.skipped) - 50} more in gate.json")
    return "\n".join(lines) + "\n"


def write_gate(verdict: Verdict, out_dir: Path) -> None:
    """gate.json (for machines) and summary.md (for people) in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = asdict(verdict) | {"verdict": "GO" if verdict.go else "NO-GO"}
    (out_dir / "gate.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    (out_dir / "summary.md").write_text(render_summary(verdict), encoding="utf-8")


def gate(alluredir: Path, out_dir: Path) -> Verdict:
    """Read results, decide, write gate.json and summary.md; return the verdict."""
    verdict = replace(
        decide(read_results(alluredir), read_expected(alluredir)), facts=fact_blocks(alluredir)
    )
    write_gate(verdict, out_dir)
    return verdict
