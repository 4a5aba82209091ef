"""Columns a user names as personal ([mask] personal_columns, --personal-column) are masked in
a failing contract's evidence, beside the generic defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fix_cli import verify_cli
from tests.fix_contracts import damage_target
from verify.connect import Endpoint


def _row_parity_evidence(alluredir: Path, table: str) -> Any:
    for path in alluredir.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        if result.get("name") == f"test_row_parity[{table}]":
            item = next(a for a in result["attachments"] if a["name"] == "row parity")
            return json.loads((alluredir / item["source"]).read_text(encoding="utf-8"))
    raise LookupError(table)


def test_named_personal_columns_are_masked_in_row_evidence(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    damage_target(
        target_db,
        "UPDATE public.clients SET notes = 'Секретная заметка', tags = '{Тайный}', "
        "name = 'Иван Подменный' WHERE id = 1",
    )
    config = tmp_path / "pgcutover.toml"
    config.write_text('[mask]\npersonal_columns = ["notes"]\n', encoding="utf-8")
    report = tmp_path / "report"
    result = verify_cli(
        source_db,
        target_db,
        report,
        f"--config={config}",
        "--personal-column=tags",
        "--",
        "-k",
        "test_row_parity and clients",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    found = _row_parity_evidence(report / "allure-results", "public.clients")
    changed = next(c for c in found["changed"] if c["key"] == "id=1")
    text = json.dumps(changed, ensure_ascii=False)
    for secret in ("Секретная", "заметка", "Тайный", "Подменный"):
        assert secret not in text
    assert changed["columns"] == ["name", "notes", "tags"]
    assert "С*** з***" in text  # notes: named in [mask] personal_columns
    assert "И*** П***" in text  # name: personal by its name
