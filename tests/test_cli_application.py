"""`pgcutover verify --app-dir --source-must-be-empty`: the application contracts' flags
reach them, and the verdict prints their summary lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fix_cli import assert_one_line_error, verify_cli
from verify.connect import Endpoint, parse_url

SAMPLE = Path(__file__).parent / "sample_app"

pytestmark = pytest.mark.xdist_group("cli-application")


def test_verify_prints_residency_readiness_and_the_files_still_on_supabase(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    result = verify_cli(source_db, target_db, tmp_path, "--app-dir", str(SAMPLE))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "personal-data tables on the target: 9/9" in out
    assert "  public.clients: all 1299 rows on the target [phone, email, name]" in out
    assert "target readiness: 11/11 checks passed" in out
    assert "  ok round_trip: round trip " in out
    assert "  ok timezone: TimeZone " in out
    assert "files still on Supabase: 9 (of 12 scanned)" in out
    assert "  src/db.js: line 2: imports @supabase/supabase-js" in out
    assert "VERDICT: NO-GO (9 contracts failed)" in out


def test_verify_refuses_an_app_dir_that_is_not_a_folder(tmp_path: Path) -> None:
    # Checked before any server is reached: these URLs lead nowhere.
    nowhere = parse_url("postgresql://u@127.0.0.1:1/x")
    result = verify_cli(nowhere, nowhere, tmp_path, "--app-dir", str(tmp_path / "nope"))
    assert_one_line_error(result, f"--app-dir {tmp_path / 'nope'}: no such folder")
