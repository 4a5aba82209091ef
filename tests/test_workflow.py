"""The nightly workflow example parses, and every pgcutover command it runs exists."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from pgcutover.cli import build_parser

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "nightly-parity.yml"


def _workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _steps() -> list[dict[str, Any]]:
    return [step for job in _workflow()["jobs"].values() for step in job["steps"]]


def _pgcutover_commands() -> list[list[str]]:
    commands = []
    for step in _steps():
        for line in str(step.get("run", "")).splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "pgcutover":
                commands.append(words[1 : words.index("||") if "||" in words else None])
    return commands


def test_workflow_runs_nightly_and_on_demand() -> None:
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert triggers["schedule"][0]["cron"]
    assert "workflow_dispatch" in triggers
    env = workflow["jobs"]["parity"]["env"]
    assert env["PGCUTOVER_SOURCE_URL"] == "${{ secrets.PGCUTOVER_SOURCE_URL }}"


@pytest.mark.parametrize("command", _pgcutover_commands(), ids=" ".join)
def test_workflow_commands_exist_in_the_cli(command: list[str]) -> None:
    build_parser().parse_args(command)  # exits (fails the test) on an unknown command or flag


def test_workflow_verifies_with_grace_keeps_history_and_publishes_the_evidence() -> None:
    verbs = [c[0] for c in _pgcutover_commands()]
    assert verbs == ["verify", "report"]
    verify = _pgcutover_commands()[0]
    assert "--grace" in verify and "--change-column" in verify
    uses = {step.get("uses", "").split("@")[0]: step for step in _steps()}
    assert uses["actions/cache/restore"]["with"]["path"].endswith("history.jsonl")
    assert uses["actions/cache/save"]["with"]["path"].endswith("history.jsonl")
    uploaded = uses["actions/upload-artifact"]["with"]["path"]
    for name in ("allure-report/index.html", "gate.json", "junit.xml"):
        assert name in uploaded
    summary = next(s for s in _steps() if "GITHUB_STEP_SUMMARY" in str(s.get("run", "")))
    assert "summary.md" in summary["run"]
    # Evidence steps run after a NO-GO too; the verify step itself is left to fail the job.
    after = _steps()[[s.get("name") for s in _steps()].index("Verify source against target") :]
    assert "continue-on-error" not in after[0]
    assert all("!cancelled()" in str(s.get("if", "")) for s in after[1:])
