"""Code readiness fails naming each file of the application that still needs Supabase."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.test_application_pass import migrated_app
from tests.fix_app_faults import AppRun, results_of, summary_of
from tests.fix_contracts import failed_of, failure

pytestmark = pytest.mark.xdist_group("code")


def test_a_file_importing_supabase_js_fails_naming_it(app_run: AppRun, tmp_path: Path) -> None:
    app = migrated_app(tmp_path)
    (app / "src" / "reports.js").write_text(
        "'use strict';\n\nconst { createClient } = require('@supabase/supabase-js');\n",
        encoding="utf-8",
    )
    outcome = app_run(
        "code", config=f'[app]\ndir = "{app}"\n', pytest_args=("-k", "test_code_readiness")
    )
    assert failed_of(outcome, "test_code_readiness") == {"test_code_readiness[src/reports.js]"}
    assert failure(outcome, "test_code_readiness[src/reports.js]").message == (
        "src/reports.js still needs Supabase: line 3: imports @supabase/supabase-js"
    )
    summary = summary_of(outcome)
    assert "**files still on Supabase: 1 (of 13 scanned)**" in summary
    assert "- src/reports.js: line 3: imports @supabase/supabase-js" in summary


def test_without_a_folder_code_readiness_says_how_to_give_one(app_run: AppRun) -> None:
    outcome = app_run("no-app", pytest_args=("-k", "test_code_readiness"))
    found = results_of(outcome, "test_code_readiness")
    assert found["test_code_readiness[not configured]"].status == "skipped"
    assert "--app-dir PATH" in found["test_code_readiness[not configured]"].message
    assert "files still on Supabase: not checked" in summary_of(outcome)
