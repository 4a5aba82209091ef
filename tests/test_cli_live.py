"""`pgcutover verify --grace --change-column`: live-source options reach the contracts."""

from __future__ import annotations

from pathlib import Path

from tests.fix_cli import assert_one_line_error, pgcutover, verify_cli
from verify.connect import Endpoint


def test_verify_rejects_a_bad_grace_in_one_line() -> None:
    result = pgcutover(
        "verify",
        "--source",
        "postgresql://u@127.0.0.1:1/x",
        "--target",
        "postgresql://u@127.0.0.1:1/y",
        "--grace",
        "soon",
        "--change-column",
        "updated_at",
    )
    assert_one_line_error(result, "bad --grace 'soon'")


def test_verify_wants_grace_and_change_column_together() -> None:
    result = pgcutover("verify", "--grace", "5m")
    assert_one_line_error(result, "--grace and --change-column go together")


def test_verify_with_grace_on_a_clean_copy_says_go(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    result = verify_cli(
        source_db, target_db, tmp_path, "--grace", "5m", "--change-column", "updated_at"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERDICT: GO" in result.stdout
