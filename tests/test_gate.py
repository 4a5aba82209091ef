"""The gate: GO only for a complete run with nothing failed or broken."""

from __future__ import annotations

import json
from pathlib import Path

from reports.gate import EXPECTED_FILE, ContractResult, decide, gate, write_gate


def _result(name: str, status: str) -> ContractResult:
    return ContractResult(
        name=name, status=status, feature="Row parity", story="public.t", message="m"
    )


def test_gate_says_no_go_when_no_contract_ran() -> None:
    verdict = decide([], expected=0)
    assert not verdict.go and verdict.exit_code == 1
    assert verdict.reason == "no contract ran"


def test_gate_says_no_go_for_a_partial_run() -> None:
    verdict = decide([_result("a", "passed")], expected=3)
    assert not verdict.go
    assert "partial run: 1 of 3" in verdict.reason


def test_gate_says_no_go_when_one_contract_broke() -> None:
    verdict = decide([_result("a", "passed"), _result("b", "broken")], expected=2)
    assert not verdict.go
    assert [f.name for f in verdict.failures] == ["b"]


def test_gate_says_no_go_when_all_were_skipped() -> None:
    assert not decide([_result("a", "skipped")], expected=1).go


def test_gate_says_no_go_without_an_expected_count() -> None:
    assert not decide([_result("a", "passed")], expected=None).go


def test_gate_says_go_for_a_complete_clean_run() -> None:
    verdict = decide([_result("a", "passed"), _result("b", "passed")], expected=2)
    assert verdict.go and verdict.exit_code == 0


def test_gate_writes_gate_json_and_summary_naming_the_failed_object(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    results.mkdir()
    (results / EXPECTED_FILE).write_text(json.dumps({"expected": 1}))
    (results / "x-result.json").write_text(
        json.dumps(
            {
                "name": "test_row_count[public.clients]",
                "status": "failed",
                "uuid": "x",
                "statusDetails": {
                    "message": "AssertionError: public.clients: 5 rows on the source, 4"
                },
                "labels": [{"name": "story", "value": "public.clients"}],
            }
        )
    )
    verdict = gate(results, tmp_path)
    assert not verdict.go
    gate_json = json.loads((tmp_path / "gate.json").read_text())
    assert gate_json["verdict"] == "NO-GO"
    assert "public.clients" in (tmp_path / "summary.md").read_text()


def test_gate_lists_skipped_and_accepted_contracts_instead_of_hiding_them(tmp_path: Path) -> None:
    results = [
        _result("test_row_count[public.t]", "passed"),
        ContractResult(
            "test_policy[public.t.p]",
            "skipped",
            "Schema",
            "public.t.p",
            "accepted: the target has no auth.uid()",
        ),
    ]
    verdict = decide(results, expected=2)
    assert verdict.go
    assert "1 skipped or accepted" in verdict.reason
    assert [r.name for r in verdict.skipped] == ["test_policy[public.t.p]"]
    write_gate(verdict, tmp_path)
    assert "accepted: the target has no auth.uid()" in (tmp_path / "summary.md").read_text()
