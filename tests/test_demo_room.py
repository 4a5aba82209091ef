"""The demo lives in one room, pgcutover/demo/, and nothing generic depends on it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from pgcutover.cli import build_parser
from pgcutover.demo.faults import FAULTS
from pgcutover.demo.job import contract_options, queries_dir
from tests.fix_cli import assert_one_line_error, pgcutover

ROOT = Path(__file__).resolve().parent.parent
DEMO = "pgcutover.demo"
# The places outside the demo allowed to import it, lazily: the CLI's demo command, and the
# live-load benchmark, whose dataset is the demo at scale.
ALLOWED = {("pgcutover/cli.py", "cmd_demo"), ("bench/bench_live.py", "prepare")}


def _imports(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(module imported, enclosing function or "", line) for every import in a module."""
    found: list[tuple[str, str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = child.name
            if isinstance(child, ast.Import):
                found.extend((alias.name, inner, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module:
                found.append((child.module, inner, child.lineno))
                found.extend((f"{child.module}.{a.name}", inner, child.lineno) for a in child.names)
            visit(child, inner)

    visit(tree, "")
    return found


def _sources() -> list[Path]:
    skip = {".venv", "tests", ".git", "build"}
    return [
        p
        for p in sorted(ROOT.rglob("*.py"))
        if not skip & set(p.relative_to(ROOT).parts[:1])
        and not p.relative_to(ROOT).as_posix().startswith("pgcutover/demo/")
        and "egg-info" not in p.as_posix()
    ]


def test_nothing_outside_the_demo_imports_it_but_the_cli_demo_command() -> None:
    sources = _sources()
    assert ROOT / "pgcutover" / "cli.py" in sources and ROOT / "verify" / "mask.py" in sources
    offenders = []
    for path in sources:
        rel = path.relative_to(ROOT).as_posix()
        for module, function, line in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            is_demo = module == DEMO or module.startswith(f"{DEMO}.")
            if is_demo and (rel, function) not in ALLOWED:
                offenders.append(f"{rel}:{line} imports {module}")
    assert offenders == []


def test_the_import_walk_sees_a_lazy_import_inside_a_function() -> None:
    tree = ast.parse("def f():\n    from pgcutover.demo.job import run_demo\n")
    assert ("pgcutover.demo.job", "f", 2) in _imports(tree)


def test_building_the_cli_and_loading_the_contracts_plugin_import_no_demo_code() -> None:
    probe = (
        "import sys, pgcutover.cli, pgcutover.pytest_plugin; pgcutover.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith('pgcutover.demo')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_demo_break_help_lists_exactly_the_demos_faults() -> None:
    action = next(a for a in build_parser()._actions if a.dest == "command")
    demo = action.choices["demo"]  # type: ignore[index]
    help_text = next(a.help for a in demo._actions if a.dest == "break_")
    assert help_text is not None
    listed = help_text.split(": ", 1)[1].split(", ")
    assert sorted(listed) == sorted(FAULTS)


def test_demo_with_an_unknown_fault_is_one_line_listing_the_known(tmp_path: Path) -> None:
    result = pgcutover("demo", "--break", "no-such-fault", "--report-dir", str(tmp_path))
    assert_one_line_error(result, "no-such-fault", *sorted(FAULTS))


def test_the_demo_names_its_queries_and_personal_columns_like_a_user() -> None:
    options = contract_options()
    assert options[0] == f"--queries-dir={queries_dir()}"
    assert sorted(p.name for p in queries_dir().glob("*.sql")) == [
        "bookings_by_status.sql",
        "client_by_phone.sql",
        "client_ratings.sql",
        "day_schedule.sql",
        "whatsapp_keys_by_type.sql",
    ]
    for column in ("remote_jid", "context", "payload", "body", "raw_user_meta_data"):
        assert f"--personal-column={column}" in options


@pytest.mark.parametrize("folder", ["contracts/queries", "pgcutover/demo_job.py"])
def test_no_demo_file_is_left_in_the_generic_rooms(folder: str) -> None:
    assert not (ROOT / folder).exists()
