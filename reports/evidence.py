"""Allure labels and attachments: what an approver reads next to each contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import allure

EPIC = "Cutover gate"

SEVERITY = {
    "blocker": allure.severity_level.BLOCKER,
    "critical": allure.severity_level.CRITICAL,
    "normal": allure.severity_level.NORMAL,
}


def label(*, feature: str, story: str, severity: str) -> None:
    """Label the running test: the gate (epic), the contract family, the object, how bad a failure is."""
    allure.dynamic.epic(EPIC)
    allure.dynamic.feature(feature)
    allure.dynamic.story(story)
    allure.dynamic.severity(SEVERITY[severity])


def mark_accepted(reason: str) -> None:
    """Tag the running test as an accepted difference, so the report lists it as such."""
    allure.dynamic.tag("accepted")
    allure.dynamic.label("pgcutover", "accepted")
    allure.dynamic.description(f"Accepted difference: {reason}")


def note(text: str) -> None:
    """Say something an approver should know about a passing test (a harmless difference,
    such as re-encoded Buffers): the test's description and an attachment named after it,
    not a warning (a warning reads as a problem)."""
    allure.dynamic.description(text)
    allure.attach(text, name=f"note: {text}", attachment_type=allure.attachment_type.TEXT)


def attach_json(name: str, data: Any) -> None:
    """Attach `data` as pretty JSON (already masked and secret-free: callers' duty)."""
    allure.attach(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        name=name,
        attachment_type=allure.attachment_type.JSON,
    )


def attach_sql(name: str, text: str) -> None:
    """Attach the SQL a contract ran, so a finding can be reproduced by hand."""
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def write_environment(alluredir: Path, facts: dict[str, str]) -> None:
    """environment.properties: both servers (no passwords), snapshot, tool version."""
    alluredir.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={value}".replace("\n", " ") for key, value in facts.items()]
    (alluredir / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")
