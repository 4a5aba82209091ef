"""The HTML report approvers open: Allure Report 3 rendered into one file.

Allure 3 is a Node program (`npx allure@3`); when Node is absent we say how to
get it rather than fail the gate, because allure-results, gate.json and
summary.md already hold the verdict and its evidence.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from pgcutover.errors import ToolMissing
from reports.categories import allure3_categories

ALLURE = "allure@3"


def allure_config(report_dir: Path) -> dict[str, object]:
    """allurerc.json: one self-contained index.html, history kept beside it for trends."""
    return {
        "name": "pgcutover gate",
        "output": str(report_dir / "allure-report"),
        "historyPath": str(report_dir / "history.jsonl"),
        "categories": allure3_categories(),
        "plugins": {
            "awesome": {
                "options": {
                    "singleFile": True,
                    "reportLanguage": "en",
                    "reportName": "pgcutover gate",
                    # Approvers read by contract family, then object, not by test file.
                    "groupBy": ["feature"],
                }
            }
        },
    }


def render_html(report_dir: Path) -> Path:
    """Render report_dir/allure-results into report_dir/allure-report/index.html."""
    npx = shutil.which("npx")
    if npx is None:
        raise ToolMissing(
            "Node.js (npx) not found: install Node 20+ to render the HTML report; "
            f"the evidence is in {report_dir / 'allure-results'}"
        )
    report_dir = report_dir.resolve()
    config = report_dir / "allurerc.json"
    config.write_text(json.dumps(allure_config(report_dir), indent=2))
    result = subprocess.run(
        [
            npx,
            "-y",
            ALLURE,
            "generate",
            str(report_dir / "allure-results"),
            "--config",
            str(config),
        ],
        cwd=report_dir,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    index = report_dir / "allure-report" / "index.html"
    if result.returncode != 0 or not index.exists():
        lines = [ln for ln in (result.stderr or result.stdout).splitlines() if ln.strip()]
        raise ToolMissing(f"npx {ALLURE} generate failed: {lines[-1] if lines else 'no output'}")
    return index
