"""Every command is documented: it has help, and the README shows it in use."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pgcutover.cli import build_parser

README = Path(__file__).resolve().parent.parent / "README.md"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_command_has_help_and_a_readme_example(command: str) -> None:
    sub = _subcommands()[command]
    assert sub.format_help().strip(), f"{command} has no help"
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    assert helps.get(command), f"`pgcutover {command}` has no one-line help in the command list"
    assert f"pgcutover {command}" in README.read_text(encoding="utf-8"), (
        f"README shows no `pgcutover {command}`"
    )
