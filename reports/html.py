"""The HTML report approvers open: Allure Report 3 rendered into one file.

The page opens on the verdict: the report's name is the gate's headline ("pgcutover
gate: NO-GO, 2 contracts failed"), Allure's quality gate runs the gate's own rules
(reports/allure_rules.mjs), and contracts are grouped by family with failures sorted
first. `allure generate` never evaluates a quality gate (only `allure run` does), so
`allure run` renders the report while a child process hands it the results.

Allure 3 is a Node program (`npx allure@...`); when Node is absent we say how to get
it rather than fail the gate, because allure-results, gate.json, junit.xml and
summary.md already hold the verdict and its evidence.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

from pgcutover.errors import ToolMissing
from reports.categories import allure3_categories
from reports.evidence import write_environment
from reports.gate import (
    TITLE,
    Verdict,
    quality_gate_rules,
    readable_message,
)

# Pinned, so the page approvers learned to read and the nightly history stay the same.
ALLURE = "allure@3.18.0"
# Allure's quality gate needs Node 22 (Iterator.prototype.toArray); this supplies it on 20.
NODE_COMPAT = "node_compat.mjs"
CONFIG_FILE = "allurerc.mjs"
ENVIRONMENT_FILE = "environment.properties"
# The label the report groups by: the contract family, with failures in groups of their own.
GROUP_LABEL = "finding"
_FAILED_GROUP = {"failed": "FAILED", "broken": "COULD NOT CHECK"}
MAX_FACTS_SHOWN = 4
SHOWN_FIRST = ("pgcutover", "source", "target")
TREND_CHARTS = [
    {"type": "statusDynamics", "title": "Contracts by outcome, run by run"},
    {"type": "statusTransitions", "title": "New failures and fixes, run by run"},
]
# Moves the staged results into the folder `allure run` watches, then exits with the
# gate's code, so the report's header shows the verdict's exit code too.
_HAND_OVER = "import os, sys; os.replace(sys.argv[1], sys.argv[2]); sys.exit(int(sys.argv[3]))"


def allure_config(report_dir: Path, verdict: Verdict) -> dict[str, object]:
    """Allure's configuration: named by the verdict, the gate's rules as its quality gate,
    one self-contained index.html, history kept beside it for nightly trends."""
    name = f"{TITLE}: {verdict.headline}"
    return {
        "name": name,
        "output": str(report_dir / "allure-report"),
        "historyPath": str(report_dir / "history.jsonl"),
        "categories": allure3_categories(),
        "qualityGate": {"rules": [quality_gate_rules(verdict.expected)]},
        "plugins": {
            "awesome": {
                "options": {
                    "singleFile": True,
                    "reportLanguage": "en",
                    "reportName": name,
                    # Failing objects first, by family, then every family of what passed.
                    "groupBy": [GROUP_LABEL],
                    "defaultSortBy": "status,asc",
                    # Report > Charts: the nightly trend, night by night.
                    "charts": TREND_CHARTS,
                }
            }
        },
    }


def write_allure_config(report_dir: Path, verdict: Verdict) -> Path:
    """allurerc.mjs in report_dir: the gate's rules (JavaScript) and the configuration."""
    rules = files("reports").joinpath("allure_rules.mjs").read_text(encoding="utf-8")
    config = json.dumps(allure_config(report_dir, verdict), indent=2, ensure_ascii=False)
    path = report_dir / CONFIG_FILE
    path.write_text(
        f"{rules}\nconst config = {config};\n"
        "config.qualityGate.use = pgcutoverRules;\n\nexport default config;\n",
        encoding="utf-8",
    )
    return path


def environment_for_display(facts: dict[str, str]) -> dict[str, str]:
    """At most four entries (two rows of Allure's metadata block, so the verdict and the
    first failures stay on the first screen): facts folded by prefix (source.url,
    source.version -> source; short values first), the tool and both servers each on its
    own, every other group folded into the fourth."""
    folded: dict[str, list[tuple[str, str]]] = {}
    for key, value in facts.items():
        head, _, rest = key.partition(".")
        if value.strip():
            folded.setdefault(head, []).append((rest, value.strip()))
    groups = {
        head: "; ".join(f"{k}: {v}" if k else v for k, v in sorted(items, key=lambda i: len(i[1])))
        for head, items in folded.items()
    }
    shown = {head: groups.pop(head) for head in SHOWN_FIRST if head in groups}
    room = MAX_FACTS_SHOWN - len(shown)
    if len(groups) > room:
        overflow = list(groups.items())[room - 1 :]
        groups = dict(list(groups.items())[: room - 1])
        groups["/".join(h for h, _ in overflow)] = " | ".join(f"{h}: {v}" for h, v in overflow)
    return shown | groups


def _read_properties(path: Path) -> dict[str, str]:
    facts = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith(("#", "!")):
            facts[key.strip()] = value.strip()
    return facts


def finding_group(result: dict[str, object]) -> str:
    """The group a contract shows under: 'FAILED · Row parity' for a failure, else its
    family, so every failure comes before anything that passed, still by family."""
    labels = result.get("labels")
    family = next(
        (
            str(lb.get("value"))
            for lb in (labels if isinstance(labels, list) else [])
            if isinstance(lb, dict) and lb.get("name") == "feature"
        ),
        "Other",
    )
    failed = _FAILED_GROUP.get(str(result.get("status")))
    return f"{failed} · {family}" if failed else family


def _prepare_results(staged: Path) -> None:
    for path in staged.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        result.setdefault("labels", []).append(
            {"name": GROUP_LABEL, "value": finding_group(result)}
        )
        details = result.get("statusDetails")
        if isinstance(details, dict) and details.get("message"):
            # The error box shows the contract's sentence, as the console and summary do.
            details["message"] = readable_message(str(details["message"]))
        path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def stage_results(alluredir: Path, staged: Path) -> None:
    """A copy of allure-results for rendering: each result labelled with its finding
    group and its message the contract's sentence, the environment folded for display
    (the original stays as pytest wrote it, for Allure 2 and scripts)."""
    shutil.copytree(alluredir, staged)
    _prepare_results(staged)
    environment = staged / ENVIRONMENT_FILE
    if environment.exists():
        write_environment(staged, environment_for_display(_read_properties(environment)))


def _last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"


def render_html(report_dir: Path, verdict: Verdict) -> Path:
    """Render report_dir/allure-results into report_dir/allure-report/index.html, named by
    `verdict` (the gate's, from the same results)."""
    npx = shutil.which("npx")
    if npx is None:
        raise ToolMissing(
            "Node.js (npx) not found: install Node 20+ to render the HTML report; "
            f"the evidence is in {report_dir / 'allure-results'}"
        )
    report_dir = report_dir.resolve()
    alluredir = report_dir / "allure-results"
    config = write_allure_config(report_dir, verdict)
    output = report_dir / "allure-report"
    shutil.rmtree(output, ignore_errors=True)
    compat = Path(str(files("reports").joinpath(NODE_COMPAT))).as_uri()
    node_options = f"{os.environ.get('NODE_OPTIONS', '')} --import={compat}".strip()
    with tempfile.TemporaryDirectory(prefix=".allure-run-", dir=report_dir) as work:
        # A dot-folder: `allure run` only reads results folders that appear while it runs.
        staged = Path(work) / ".staged"
        stage_results(alluredir, staged)
        result = subprocess.run(
            [
                npx,
                "-y",
                ALLURE,
                "run",
                "--config",
                str(config),
                "--cwd",
                work,
                "--silent",
                "--ignore-logs",
                "--",
                sys.executable,
                "-c",
                _HAND_OVER,
                str(staged),
                str(Path(work) / "allure-results"),
                str(verdict.exit_code),
            ],
            cwd=report_dir,
            env={**os.environ, "NODE_OPTIONS": node_options},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=600,
        )
    index = output / "index.html"
    # `allure run` exits 1 when its quality gate fails: that is the NO-GO report, not an error.
    if result.returncode not in (0, 1) or not index.exists():
        why = _last_line(result.stderr or result.stdout)
        raise ToolMissing(f"npx {ALLURE} could not render the report: {why}")
    return index
