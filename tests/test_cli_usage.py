"""The CLI's own usage: descriptions and defaults in --help, the subcommand's usage on an
unknown flag, numeric options checked, a bad configuration inside the contracts run."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgcutover.cli import build_parser
from pgcutover.runner import _first_error
from pgcutover.servers import create_database
from tests.fix_cli import assert_one_line_error, pgcutover, verify_cli
from tests.fix_servers import Servers, drop_database, execute, unique_name
from verify.connect import Endpoint

INTERNALS = re.compile(
    r"NOTSET|empty parameter set|AssertionError|assert |\+\s+where|E   |pytest\.|Traceback|"
    r"UsageError|Interrupted"
)


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_subcommand_has_a_description_and_shows_its_defaults(command: str) -> None:
    sub = _subcommands()[command]
    assert sub.description, f"`pgcutover {command} --help` has no description"
    text = sub.format_help()
    for action in sub._actions:
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            assert f"{action.default}" in text, f"{action.option_strings[0]} hides its default"


def test_sync_help_shows_the_batch_size_default() -> None:
    assert "(default: 10000)" in " ".join(_subcommands()["sync"].format_help().split())


def test_unknown_flag_prints_the_subcommands_usage() -> None:
    result = pgcutover("verify", "--no-such-flag")
    assert result.returncode == 2
    assert "usage: pgcutover verify" in result.stderr
    assert "pgcutover verify: error: unrecognized arguments: --no-such-flag" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["copy", "--jobs", "0"],
        ["copy", "--split-mb", "0"],
        ["plan", "--split-mb", "-1"],
        ["sync", "--batch-rows", "0"],
        ["demo", "--scale", "0"],
    ],
    ids=" ".join,
)
def test_numeric_options_out_of_range_are_one_line_exit_2_naming_the_option(
    args: list[str],
) -> None:
    urls = ["--source", "postgresql://h/db", "--target", "postgresql://h/db2"]
    result = pgcutover(*args, *(urls if args[0] in ("copy", "sync") else []))
    line = assert_one_line_error(result, args[1])
    assert not INTERNALS.search(line), line


def test_a_bad_configuration_is_one_line_exit_2(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    (tmp_path / "pgcutover.toml").write_text("[schema\nexclude_schemas = 3\n")
    urls = ["--source", source_db.url, "--target", target_db.url]
    result = pgcutover("verify", *urls, "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    line = assert_one_line_error(result, "pgcutover.toml")
    assert not INTERNALS.search(line), line


def test_a_usage_error_inside_the_contracts_run_is_one_line_exit_2(
    source_db: Endpoint, target_db: Endpoint, tmp_path: Path
) -> None:
    result = verify_cli(source_db, target_db, tmp_path, "--", "--no-such-pytest-flag")
    line = assert_one_line_error(result, "contracts could not run", "--no-such-pytest-flag")
    assert not INTERNALS.search(line), line


def test_an_error_raised_while_collecting_reads_as_its_message() -> None:
    log = (
        "__________________ ERROR collecting contracts/test_schema.py __________________\n"
        "contracts/test_schema.py:31: in _schema_pair\n"
        "    raise pytest.UsageError(str(exc)) from None\n"
        "E   pytest.UsageError: pgcutover.toml: [schema] exclude_schemas must be a list\n"
        "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!\n"
    )
    assert _first_error(log, []) == "pgcutover.toml: [schema] exclude_schemas must be a list"


@pytest.fixture
def small_pair(servers: Servers) -> Iterator[tuple[Endpoint, Endpoint]]:
    """One keyed table and nothing else (no JSON, no sequence); the target lost a row."""
    table = "CREATE TABLE public.notes (id int PRIMARY KEY, body text NOT NULL)"
    rows = "INSERT INTO public.notes VALUES (1, 'one'), (2, 'two'), (3, 'three')"
    names = unique_name("small_src"), unique_name("small_tgt")
    source = create_database(servers.source, names[0])
    target = create_database(servers.target, names[1])
    execute(source, table, rows)
    execute(target, table, rows, "DELETE FROM public.notes WHERE id = 3")
    yield source, target
    drop_database(servers.source, names[0])
    drop_database(servers.target, names[1])


def test_console_of_a_run_with_skips_and_failures_shows_no_pytest_internals(
    small_pair: tuple[Endpoint, Endpoint], tmp_path: Path
) -> None:
    (tmp_path / "queries").mkdir()
    source, target = small_pair
    result = pgcutover(
        "verify",
        "--source",
        source.url,
        "--target",
        target.url,
        "--report-dir",
        str(tmp_path / "r"),
        env={"PGCUTOVER_QUERIES_DIR": str(tmp_path / "queries")},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    flat = " ".join(out.split())  # lines wrap at the terminal's width
    assert "FAILED test_row_parity[public.notes]" in flat and "1 missing: id=3" in flat
    assert "skipped test_buffers_revive_equal[none]: no JSON column holding Baileys" in flat
    assert not INTERNALS.search(out + result.stderr), out
    summary = (tmp_path / "r" / "summary.md").read_text()
    # The console shows the first ten skips; summary.md lists every one.
    assert "- test_query[none]: no application queries named" in summary
    assert not INTERNALS.search(summary), summary
