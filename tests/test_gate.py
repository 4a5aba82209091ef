"""The gate: GO only for a complete run with nothing failed or broken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.console import verdict_lines
from reports.gate import (
    EXPECTED_FILE,
    ContractResult,
    decide,
    gate,
    readable_message,
    readable_name,
    write_gate,
)


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


def test_gate_reads_the_contracts_sentence_without_pytest_rewriting() -> None:
    rewritten = (
        "AssertionError: public.clients: 1299 rows on the source, 1298 on the target\n"
        "assert False\n +  where False = RowParity(table='public.clients', sql='SELECT ...').equal"
    )
    assert readable_message(rewritten) == (
        "public.clients: 1299 rows on the source, 1298 on the target"
    )


def test_gate_says_an_empty_parametrization_in_words() -> None:
    message = readable_message("Skipped: got empty parameter set for (buffer_column)")
    assert message == "nothing to check: no buffer column found"
    assert readable_name("test_buffers_revive_equal[NOTSET]") == "test_buffers_revive_equal"


@pytest.mark.parametrize(
    ("results", "expected", "headline"),
    [
        ([("a", "passed"), ("b", "passed")], 2, "GO, 2 contracts passed"),
        (
            [("a", "passed"), ("b", "skipped")],
            2,
            "GO, 1 contract passed, 1 skipped or accepted",
        ),
        ([("a", "failed"), ("b", "failed"), ("c", "passed")], 3, "NO-GO, 2 contracts failed"),
        (
            [("a", "failed"), ("b", "broken")],
            2,
            "NO-GO, 1 contract failed, 1 contract could not be checked",
        ),
        ([], 5, "NO-GO, no contract ran"),
        ([("a", "passed")], 3, "NO-GO, partial run: 1 of 3 contracts executed"),
    ],
)
def test_gate_headline_names_the_verdict_and_why(
    results: list[tuple[str, str]], expected: int, headline: str
) -> None:
    verdict = decide([_result(name, status) for name, status in results], expected=expected)
    assert verdict.headline == headline


def test_summary_keeps_every_message_whole(tmp_path: Path) -> None:
    long = "public.t: 10 rows on the source, 8 on the target; 1 missing: id=1 | 1 extra: id=9 " + (
        "and a tail that goes on well past any table width " * 4
    )
    verdict = decide(
        [
            ContractResult(
                "test_row_parity[public.t]", "failed", "Row parity", "public.t", long.strip()
            )
        ],
        expected=1,
    )
    write_gate(verdict, tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    assert long.strip().replace("|", "\\|") in summary
    assert "1 extra: id=9" in summary


def test_console_wraps_long_messages_at_word_boundaries(tmp_path: Path) -> None:
    words = [f"word{i:03d}" for i in range(60)]
    verdict = decide(
        [ContractResult("test_row_parity[public.t]", "failed", "Row parity", "t", " ".join(words))],
        expected=1,
    )
    lines = [ln for ln in verdict_lines(verdict, tmp_path, width=72) if ln.startswith("  ")]
    assert len(lines) > 5 and all(len(line) <= 72 for line in lines)
    shown = " ".join(" ".join(lines).split())
    assert " ".join(words) in shown  # nothing dropped, no word cut in two
