"""A clean copy passes every application contract: residency (files declared), operational
readiness, and code readiness of the sample application after its move off Supabase."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pgcutover.runner import VerifyOutcome
from tests.faults.test_residency_faults import STORAGE
from tests.fix_app_faults import AppRun, results_of, summary_of
from tests.fix_contracts import failed_ids

pytestmark = pytest.mark.xdist_group("application")

SAMPLE = Path(__file__).parent.parent / "sample_app"
MIGRATED = Path(__file__).parent.parent / "sample_app_migrated"
FILES_REASON = "avatars copied to Yandex Object Storage by rclone on 2026-12-01"


def migrated_app(root: Path) -> Path:
    """A copy of the sample application after its move off Supabase."""
    app = root / "app"
    shutil.copytree(SAMPLE, app)
    shutil.copytree(MIGRATED, app, dirs_exist_ok=True)
    return app


@pytest.fixture
def clean(app_run: AppRun, tmp_path_factory: pytest.TempPathFactory) -> VerifyOutcome:
    app = migrated_app(tmp_path_factory.mktemp("migrated"))
    return app_run(
        "clean",
        on_source=STORAGE,
        config=(
            f'[app]\ndir = "{app}"\n\n'
            f'[[residency.out_of_scope]]\ntable = "storage.objects"\nreason = "{FILES_REASON}"\n'
        ),
    )


def test_nothing_fails_on_a_clean_copy(clean: VerifyOutcome) -> None:
    assert failed_ids(clean) == set()
    assert clean.verdict.go, clean.verdict.reason


def test_every_operational_check_passes(clean: VerifyOutcome) -> None:
    found = results_of(clean, "test_operational")
    assert len(found) == 11
    assert {r.status for r in found.values()} == {"passed"}


def test_declared_files_are_accepted_and_the_rest_is_on_the_target(clean: VerifyOutcome) -> None:
    found = results_of(clean, "test_residency")
    assert found["test_residency[storage.objects]"].status == "skipped"
    assert FILES_REASON in found["test_residency[storage.objects]"].message
    summary = summary_of(clean)
    assert "**personal-data tables on the target: 9/9**" in summary
    environment = (clean.alluredir / "environment.properties").read_text(encoding="utf-8")
    assert "personal-data tables on the target=9/9" in environment
    assert "- public.clients: all 1299 rows on the target [phone, email, name]" in summary


def test_the_migrated_application_passes_code_readiness(clean: VerifyOutcome) -> None:
    found = results_of(clean, "test_code_readiness")
    assert {n: r.status for n, r in found.items()} == {"test_code_readiness[all files]": "passed"}
    assert "**files still on Supabase: 0 (of 12 scanned)**" in summary_of(clean)


def test_the_api_check_is_skipped_saying_how_to_run_it(clean: VerifyOutcome) -> None:
    found = results_of(clean, "test_api_rows")
    assert found["test_api_rows[not configured]"].status == "skipped"
    assert "set SUPABASE_URL and SUPABASE_KEY" in found["test_api_rows[not configured]"].message
