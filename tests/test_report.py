"""`pgcutover report`: the verdict again from saved results, and the Allure 3 HTML."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.fix_cli import pgcutover, verify_cli
from verify.connect import Endpoint


def test_report_without_results_names_the_command_to_run(tmp_path: Path) -> None:
    result = pgcutover("report", "--report-dir", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert "run `pgcutover verify --report-dir" in result.stderr


@pytest.mark.slow
def test_report_renders_one_html_file_and_repeats_the_verdict(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    if shutil.which("npx") is None:
        pytest.skip("Node.js is not installed")
    verified = verify_cli(source_db, target_db, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    reported = pgcutover("report", "--report-dir", str(tmp_path))
    assert reported.returncode == 0, reported.stdout + reported.stderr
    assert "VERDICT: GO" in reported.stdout
    index = tmp_path / "allure-report" / "index.html"
    assert index.stat().st_size > 100_000
    assert source_db.password and source_db.password not in index.read_text(errors="replace")


def test_categories_sort_broken_contracts_into_infrastructure(tmp_path: Path) -> None:
    from reports.categories import INFRASTRUCTURE, allure3_categories, write_allure2_categories

    write_allure2_categories(tmp_path)
    allure2 = json.loads((tmp_path / "categories.json").read_text())
    assert {"name": INFRASTRUCTURE, "matchedStatuses": ["broken"]} in allure2
    rules = {r["name"]: r["matchers"] for r in allure3_categories()["rules"]}
    assert rules["Schema drift"] == [{"statuses": ["failed"], "labels": {"feature": "^Schema$"}}]
