"""How failures are sorted for approvers: row loss, schema drift, buffer corruption, ...

One table feeds both Allure generations: Allure 3 matches on the contract
family (the `feature` label); Allure 2's categories.json can only match text,
so it matches the contract file named in the failure's trace.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# (category, feature label regex, contract file regex)
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("Row loss or change", "Row parity", r"test_rows\.py"),
    ("Buffer corruption", "Buffer.*", r"test_buffers\.py"),
    ("Schema drift", "Schema", r"test_schema\.py"),
    ("Sequence behind", "Sequences?", r"test_sequences\.py"),
    ("Query mismatch", "Quer(y|ies)", r"test_queries\.py"),
    ("Residency gap", "Residency", r"test_residency\.py"),
    ("Operational", "Operational", r"test_operational\.py"),
)
INFRASTRUCTURE = "Infrastructure (could not check)"


def allure3_categories() -> dict[str, Any]:
    """The `categories` entry of allurerc.json."""
    rules: list[dict[str, Any]] = [
        {
            "name": name,
            "matchers": [{"statuses": ["failed"], "labels": {"feature": f"^{feature}$"}}],
        }
        for name, feature, _ in CATEGORIES
    ]
    rules.append({"name": INFRASTRUCTURE, "matchers": [{"statuses": ["broken"]}]})
    return {"rules": rules}


def write_allure2_categories(alluredir: Path) -> None:
    """categories.json in allure-results, for teams still on Allure 2."""
    entries: list[dict[str, Any]] = [
        {"name": name, "matchedStatuses": ["failed"], "traceRegex": f"(?s).*{file}.*"}
        for name, _, file in CATEGORIES
    ]
    entries.append({"name": INFRASTRUCTURE, "matchedStatuses": ["broken"]})
    alluredir.mkdir(parents=True, exist_ok=True)
    (alluredir / "categories.json").write_text(json.dumps(entries, indent=2))
