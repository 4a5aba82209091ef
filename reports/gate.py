"""The release gate: GO / NO-GO from allure-results.

GO only when contracts ran, none failed or broke, and the run executed at
least as many contracts as collection expected (an empty or partial run is
never GO). Writes gate.json, summary.md and junit.xml beside allure-results.
The same rules also run inside Allure's own quality gate (reports/allure_rules.mjs,
given their thresholds by `quality_gate_rules`), so the HTML report fails its gate
exactly when this module says NO-GO.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pgcutover.errors import EXIT_GO, EXIT_NO_GO
from reports.facts import FactBlock, fact_blocks
from reports.junit import write_junit

EXPECTED_FILE = "pgcutover-expected.json"
BAD = ("failed", "broken")
TITLE = "pgcutover gate"
# What pytest and allure put before a contract's own sentence.
_EXCEPTION_PREFIX = re.compile(
    r"^(?:[\w.]+(?:Error|Exception)|(?:[\w.]+\.)?(?:Failed|Skipped|XFailed)): "
)
# The lines pytest's assertion rewriting appends to a message (`assert False`, `+  where`).
_REWRITING = re.compile(r"^\s*(?:assert |\+\s+where |where |and )")
_EMPTY_PARAMETER_SET = re.compile(r"got empty parameter set (?:for )?\(?\[?([^)\]]*)\]?\)?")


@dataclass(frozen=True)
class ContractResult:
    """One contract's outcome as Allure recorded it."""

    name: str
    status: str  # passed, failed, broken, skipped, unknown
    feature: str
    story: str
    message: str
    seconds: float = 0.0


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
    def deliberate(self) -> list[ContractResult]:
        """Skipped contracts that are deliberate differences (see is_deliberate)."""
        return [r for r in self.skipped if is_deliberate(r)]

    @property
    def nothing_to_compare(self) -> list[ContractResult]:
        """The other skipped contracts."""
        return [r for r in self.skipped if not is_deliberate(r)]

    @property
    def exit_code(self) -> int:
        """0 for GO, 1 for NO-GO."""
        return EXIT_GO if self.go else EXIT_NO_GO

    @property
    def word(self) -> str:
        """GO or NO-GO."""
        return "GO" if self.go else "NO-GO"

    @property
    def headline(self) -> str:
        """The verdict in one line, as the report's name: 'NO-GO, 2 contracts failed'."""
        if not self.go:
            return f"NO-GO, {self.reason}"
        passed, skipped = self.counts.get("passed", 0), self.counts.get("skipped", 0)
        also = f", {skipped} skipped or accepted" if skipped else ""
        return f"GO, {_plural(passed, 'contract')} passed{also}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _label(result: dict[str, Any], name: str) -> str:
    return next((lb["value"] for lb in result.get("labels", []) if lb.get("name") == name), "")


def readable_message(message: str) -> str:
    """The contract's own sentence: no exception class, no lines of pytest's assertion
    rewriting, pytest's skip for an empty parametrization said in words; one line."""
    lines: list[str] = []
    for line in message.strip().splitlines():
        if lines and (_REWRITING.match(line) or _EXCEPTION_PREFIX.match(line.strip())):
            break  # pytest's rewriting, or the same sentence again as `XFailed: ...`
        lines.append(line.strip())
    text = _EXCEPTION_PREFIX.sub("", " ".join(ln for ln in lines if ln)).removeprefix("XFAIL ")
    empty = _EMPTY_PARAMETER_SET.search(text)
    if empty:
        names = empty.group(1).replace("'", "").replace("_", " ").replace(",", " or")
        return f"nothing to check: no {' '.join(names.split())} found"
    return text


def is_deliberate(result: ContractResult) -> bool:
    """An accepted difference or something the plan left on the source: the deliberate
    differences, which every summary lists whole."""
    return result.message.startswith(("accepted:", "left on the source"))


def readable_name(name: str) -> str:
    """A contract's id without pytest's placeholder for an empty parameter set."""
    return name.removesuffix("[NOTSET]")


def read_results(alluredir: Path) -> list[ContractResult]:
    """Every test result in an allure-results folder (a retried test counts once, last wins)."""
    latest: dict[str, tuple[int, ContractResult]] = {}
    for path in sorted(alluredir.glob("*-result.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        message = (data.get("statusDetails") or {}).get("message") or ""
        start, stop = data.get("start") or 0, data.get("stop") or 0
        result = ContractResult(
            name=readable_name(data.get("name", path.stem)),
            status=data.get("status", "unknown"),
            feature=_label(data, "feature"),
            story=_label(data, "story"),
            message=readable_message(message),
            seconds=max(0, stop - start) / 1000,
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
        go, reason = False, _failed_reason(failures)
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


def _failed_reason(failures: list[ContractResult]) -> str:
    broke = sum(1 for f in failures if f.status == "broken")
    failed = len(failures) - broke
    parts = [f"{_plural(failed, 'contract')} failed"] if failed else []
    if broke:
        parts.append(f"{_plural(broke, 'contract')} could not be checked")
    return ", ".join(parts)


def quality_gate_rules(expected: int | None) -> dict[str, int | None]:
    """The thresholds of reports/allure_rules.mjs: the rules of `decide`, for Allure's own
    quality gate (no contract failed or broke, the expected count ran, one passed)."""
    return {"pgcutoverFailed": 0, "pgcutoverExpected": expected, "pgcutoverPassed": 1}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_summary(verdict: Verdict, *, title: str = TITLE) -> str:
    """The one-screen summary (Markdown, readable as plain text); messages whole."""
    c = verdict.counts
    lines = [
        f"# {title}: {verdict.headline}",
        "",
        f"Contracts run: {verdict.ran}"
        + (f" of {verdict.expected} expected" if verdict.expected is not None else "")
        + f" | passed {c.get('passed', 0)} | failed {c.get('failed', 0)}"
        + f" | broken {c.get('broken', 0)} | skipped {c.get('skipped', 0)}",
        "",
        f"Verdict: **{verdict.word}** ({verdict.reason})",
    ]
    for block in verdict.facts:
        lines += ["", f"**{block.headline}**", *(f"- {item}" for item in block.items)]
    if verdict.failures:
        lines += ["", "| contract | object | finding |", "|---|---|---|"]
        for f in verdict.failures[:30]:
            finding = _cell(f.message) or f.status
            lines.append(f"| {f.name.split('[')[0]} | {_cell(f.story or f.name)} | {finding} |")
        if len(verdict.failures) > 30:
            lines.append(f"| … | {len(verdict.failures) - 30} more | see gate.json |")
    deliberate, others = verdict.deliberate, verdict.nothing_to_compare
    if deliberate:
        lines += ["", "Deliberate differences (accepted, or left on the source by the plan):", ""]
        lines += [f"- {r.name}: {r.message}" for r in deliberate]
    if others:
        lines += ["", "Skipped (nothing to compare):", ""]
        lines += [f"- {r.name}: {r.message or 'skipped'}" for r in others[:50]]
        if len(others) > 50:
            lines.append(f"- … {len(others) - 50} more in gate.json")
    return "\n".join(lines) + "\n"


def write_gate(verdict: Verdict, out_dir: Path) -> None:
    """gate.json (for machines) and summary.md (for people) in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = asdict(verdict) | {"verdict": verdict.word, "headline": verdict.headline}
    (out_dir / "gate.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    (out_dir / "summary.md").write_text(render_summary(verdict), encoding="utf-8")


def gate(alluredir: Path, out_dir: Path) -> Verdict:
    """Read results, decide, write gate.json, summary.md and junit.xml; return the verdict."""
    results = read_results(alluredir)
    verdict = replace(decide(results, read_expected(alluredir)), facts=fact_blocks(alluredir))
    write_gate(verdict, out_dir)
    write_junit(results, verdict, out_dir / "junit.xml")
    return verdict
