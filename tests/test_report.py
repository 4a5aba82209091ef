"""`pgcutover report` and what approvers read: the HTML report's name and quality gate,
the failure page's table, junit.xml."""

from __future__ import annotations

import json
import shutil
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reports.gate import EXPECTED_FILE, gate
from reports.html import GROUP_LABEL, render_html, stage_results
from tests.fix_cli import pgcutover, verify_cli
from tests.fix_contracts import RunContracts, damage_target
from verify.connect import Endpoint

needs_node = pytest.mark.skipif(shutil.which("npx") is None, reason="Node.js is not installed")


def _write_results(alluredir: Path, statuses: list[str], expected: int | None) -> None:
    """allure-results as the contracts write them: one result per contract."""
    alluredir.mkdir(parents=True)
    for index, status in enumerate(statuses):
        name = f"test_row_count[public.t{index}]"
        result = {
            "uuid": str(uuid.uuid4()),
            "historyId": f"history-{index}",
            "name": name,
            "fullName": f"test_rows#{name}",
            "status": status,
            "start": 1_000,
            "stop": 1_005,
            "labels": [{"name": "feature", "value": "Row parity"}],
        }
        if status != "passed":
            result["statusDetails"] = {"message": f"AssertionError: public.t{index}: 2 rows, 1"}
        (alluredir / f"{result['uuid']}-result.json").write_text(json.dumps(result))
    if expected is not None:
        (alluredir / EXPECTED_FILE).write_text(json.dumps({"expected": expected}))


def test_report_without_results_names_the_command_to_run(tmp_path: Path) -> None:
    result = pgcutover("report", "--report-dir", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert "run `pgcutover verify --report-dir" in result.stderr


@needs_node
@pytest.mark.parametrize(
    ("statuses", "expected", "name", "failed_rules"),
    [
        (["passed", "passed", "skipped"], 3, "GO, 2 contracts passed, 1 skipped or accepted", []),
        (["passed", "failed", "broken"], 3, "NO-GO, 1 contract failed", ["pgcutoverFailed"]),
        ([], 3, "NO-GO, no contract ran", ["pgcutoverExpected", "pgcutoverPassed"]),
        (["passed"], 3, "NO-GO, partial run: 1 of 3", ["pgcutoverExpected"]),
        (["skipped", "skipped"], 2, "NO-GO, no contract passed", ["pgcutoverPassed"]),
    ],
    ids=["go", "no-go", "empty", "partial", "all-skipped"],
)
def test_report_is_named_by_the_verdict_and_its_quality_gate_agrees(
    tmp_path: Path, statuses: list[str], expected: int, name: str, failed_rules: list[str]
) -> None:
    _write_results(tmp_path / "allure-results", statuses, expected)
    verdict = gate(tmp_path / "allure-results", tmp_path)
    render_html(tmp_path, verdict)
    report = tmp_path / "allure-report"
    summary = json.loads((report / "summary.json").read_text())
    assert summary["name"].startswith(f"pgcutover gate: {name}")
    rules = json.loads((report / "quality-gate.json").read_text())
    assert {r["rule"] for r in rules} == {"pgcutoverFailed", "pgcutoverExpected", "pgcutoverPassed"}
    assert sorted(r["rule"] for r in rules if not r["success"]) == sorted(failed_rules)
    assert verdict.go == (not failed_rules)


def test_report_groups_failures_first_by_family_and_folds_the_environment(tmp_path: Path) -> None:
    _write_results(tmp_path / "allure-results", ["passed", "failed", "passed"], 3)
    (tmp_path / "allure-results" / "environment.properties").write_text(
        "pgcutover=0.1.0\nplan.schemas=public\nsource.url=postgresql://u:***@db:5432/app\n"
        "source.version=15.8\ntarget.url=postgresql://u:***@new:5432/app\n"
        "target.version=17.2\nschema.compared=public\nschema.excluded_roles=\n"
    )
    stage_results(tmp_path / "allure-results", tmp_path / "staged")
    groups = {}
    for path in (tmp_path / "staged").glob("*-result.json"):
        result = json.loads(path.read_text())
        groups[result["name"]] = next(
            lb["value"] for lb in result["labels"] if lb["name"] == GROUP_LABEL
        )
        if result["status"] == "failed":  # the error box shows the contract's sentence
            assert result["statusDetails"]["message"] == "public.t1: 2 rows, 1"
    assert groups["test_row_count[public.t1]"] == "FAILED · Row parity"
    assert groups["test_row_count[public.t0]"] == "Row parity"
    shown = (tmp_path / "staged" / "environment.properties").read_text().splitlines()
    assert shown == [  # two rows of the page's metadata block, whatever facts come
        "pgcutover=0.1.0",
        "source=version: 15.8; url: postgresql://u:***@db:5432/app",
        "target=version: 17.2; url: postgresql://u:***@new:5432/app",
        "plan/schema=plan: schemas: public | schema: compared: public",
    ]
    original = (tmp_path / "allure-results" / "environment.properties").read_text()
    assert "source.version=15.8" in original  # the evidence itself is untouched


@pytest.mark.slow
@needs_node
def test_report_renders_one_html_file_and_repeats_the_verdict(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    verified = verify_cli(source_db, target_db, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    reported = pgcutover("report", "--report-dir", str(tmp_path))
    assert reported.returncode == 0, reported.stdout + reported.stderr
    assert "VERDICT: GO" in reported.stdout
    index = tmp_path / "allure-report" / "index.html"
    assert index.stat().st_size > 100_000
    assert source_db.password and source_db.password not in index.read_text(errors="replace")


def _result_named(alluredir: Path, name: str) -> dict[str, object]:
    for path in alluredir.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["name"] == name:
            return dict(data)
    raise AssertionError(f"no result for {name}")


@pytest.fixture
def damaged_run(source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts) -> Path:
    """The contracts run against a target that lost client 1 and changed client 2's phone."""
    damage_target(
        target_db,
        "DELETE FROM public.clients WHERE id = 1",
        "UPDATE public.clients SET phone = '+79990001122' WHERE id = 2",
    )
    return verify_pair(source_db, target_db).report_dir


def test_failure_page_shows_the_sentence_a_table_of_differences_and_the_sql(
    damaged_run: Path,
) -> None:
    result = _result_named(damaged_run / "allure-results", "test_row_parity[public.clients]")
    details = result["statusDetails"]
    assert isinstance(details, dict)
    message = str(details["message"])
    assert message.startswith("AssertionError: public.clients: ")
    assert "\n" not in message and "where" not in message  # no assertion rewriting
    page = str(result["description"])
    header = "| key | column or JSON path | source | target |"
    rows = [ln for ln in page.splitlines() if ln.startswith("| ")]
    assert rows[0] == header
    cells = [[c.strip() for c in row.strip("|").split(" | ")] for row in rows[1:]]
    assert ["id=1", "(row)", "present", "missing"] in cells
    phone = next(c for c in cells if c[0] == "id=2")
    assert phone[1] == "phone" and phone[2] != phone[3]
    assert phone[3].startswith("+7 ***") and "79990001122" not in page  # masked
    assert "Reproduce by hand" in page and 'WHERE "id" = %(id)s' in page
    attachments = {a["name"] for a in result["attachments"]}  # type: ignore[attr-defined]
    assert {"row parity", "reproduce on the source and the target"} <= attachments


def test_junit_has_one_testcase_per_contract_with_the_contracts_sentence(
    damaged_run: Path,
) -> None:
    verdict = json.loads((damaged_run / "gate.json").read_text())
    root = ET.parse(damaged_run / "junit.xml").getroot()
    cases = {
        (suite.get("name"), case.get("name")): case
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
    }
    assert len(cases) == verdict["ran"] + 1  # and the gate's own testcase
    failed = {name: case for (_, name), case in cases.items() if case.find("failure") is not None}
    for failure in verdict["failures"]:
        element = failed[failure["name"]].find("failure")
        assert element is not None and element.get("message") == failure["message"]
        assert "AssertionError" not in failure["message"] and "assert " not in failure["message"]
    gate_case = cases[("pgcutover gate", "verdict")].find("failure")
    assert gate_case is not None and (gate_case.get("message") or "").startswith("NO-GO")
    assert int(root.get("failures", "0")) == len(verdict["failures"]) + 1


def test_categories_sort_broken_contracts_into_infrastructure(tmp_path: Path) -> None:
    from reports.categories import INFRASTRUCTURE, allure3_categories, write_allure2_categories

    write_allure2_categories(tmp_path)
    allure2 = json.loads((tmp_path / "categories.json").read_text())
    assert {"name": INFRASTRUCTURE, "matchedStatuses": ["broken"]} in allure2
    rules = {r["name"]: r["matchers"] for r in allure3_categories()["rules"]}
    assert rules["Schema drift"] == [{"statuses": ["failed"], "labels": {"feature": "^Schema$"}}]
