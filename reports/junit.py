"""junit.xml: the contracts as CI systems read them.

Written from the same results and verdict as gate.json, so the two never disagree:
one testcase per contract (grouped by contract family), the contract's sentence as
the failure message, a broken contract as an error, a skipped one with its reason;
and one more testcase, the gate itself, which fails when the verdict is NO-GO, so an
empty or partial run is red in CI too although no contract failed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.gate import ContractResult, Verdict

_ELEMENT = {"failed": "failure", "broken": "error", "skipped": "skipped"}


def _suite(parent: ET.Element, name: str, cases: list[ContractResult]) -> None:
    counts = {
        tag: sum(1 for c in cases if _ELEMENT.get(c.status) == tag) for tag in _ELEMENT.values()
    }
    suite = ET.SubElement(
        parent,
        "testsuite",
        name=name,
        tests=str(len(cases)),
        failures=str(counts["failure"]),
        errors=str(counts["error"]),
        skipped=str(counts["skipped"]),
        time=f"{sum(c.seconds for c in cases):.3f}",
    )
    for case in cases:
        element = ET.SubElement(
            suite, "testcase", classname=name, name=case.name, time=f"{case.seconds:.3f}"
        )
        tag = _ELEMENT.get(case.status)
        if tag:
            ET.SubElement(element, tag, message=case.message).text = case.message or None


def junit_tree(results: list[ContractResult], verdict: Verdict) -> ET.ElementTree[ET.Element]:
    """The JUnit document: one suite per contract family, then the gate's own testcase."""
    from reports.gate import TITLE, ContractResult

    root = ET.Element("testsuites", name=TITLE)
    families: dict[str, list[ContractResult]] = defaultdict(list)
    for result in results:
        families[result.feature or "Contracts"].append(result)
    for family in sorted(families):
        _suite(root, family, families[family])
    verdict_case = ContractResult(
        name="verdict",
        status="passed" if verdict.go else "failed",
        feature=TITLE,
        story="",
        message="" if verdict.go else verdict.headline,
    )
    _suite(root, TITLE, [verdict_case])
    cases = root.findall("testsuite")
    for attribute in ("tests", "failures", "errors", "skipped"):
        root.set(attribute, str(sum(int(s.get(attribute, "0")) for s in cases)))
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(results: list[ContractResult], verdict: Verdict, path: Path) -> None:
    """Write junit.xml for `results` and the verdict they led to."""
    path.parent.mkdir(parents=True, exist_ok=True)
    junit_tree(results, verdict).write(path, encoding="utf-8", xml_declaration=True)
