"""Passwords stay secret: never on a child process's command line, never echoed from a URL
that cannot be parsed, hidden whole by the one redaction function."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from migrator.tools import newest_with
from pgcutover.errors import BadUrl
from tests.fix_cli import assert_one_line_error, pgcutover, sample_descendant_cmdlines
from tests.fix_servers import Servers, execute
from verify.connect import Endpoint, libpq_login, parse_url
from verify.mask import redact_url, scrub


# --- the command lines of every process a real copy starts -------------------------------
def test_no_password_is_on_any_command_line_during_a_real_copy(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    assert source_db.password and empty_target.password
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgcutover.cli", "copy"],
        env={
            **os.environ,
            "PGCUTOVER_SOURCE_URL": source_db.url,
            "PGCUTOVER_TARGET_URL": empty_target.url,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = sample_descendant_cmdlines(proc)
    assert proc.returncode == 0
    secrets = {source_db.password, empty_target.password, "password="}
    leaks = [line for line in seen for secret in secrets if secret in line]
    assert leaks == []
    # The sampler saw the programs that log in, so the check above had something to judge.
    assert any("pg_dump" in line and "--dbname=" in line for line in seen), seen


def test_the_conninfo_for_a_program_argument_holds_no_password() -> None:
    endpoint = parse_url("postgresql://app:Zq9Secret@db.example:5432/prod?sslmode=require")
    argument = endpoint.conninfo_without_password()
    assert "Zq9Secret" not in argument and "password" not in argument
    assert "host=db.example" in argument and "sslmode=require" in argument


def test_a_password_given_as_a_query_parameter_is_the_password_too() -> None:
    endpoint = parse_url("postgresql://app@db.example/prod?password=Zq9Secret")
    assert endpoint.password == "Zq9Secret"
    assert "Zq9Secret" not in endpoint.conninfo_without_password()


def test_the_login_passfile_is_private_escaped_and_removed_afterwards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGPASSWORD", "someone-elses")
    encoded = quote("a:b\\c", safe="")
    endpoint = parse_url(f"postgresql://app:{encoded}@db.example/prod")
    with libpq_login(endpoint) as env:
        path = Path(env["PGPASSFILE"])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert path.read_text() == "*:*:*:*:a\\:b\\\\c\n"
        assert "PGPASSWORD" not in env
    assert not path.exists() and not path.parent.exists()


def test_pg_dump_logs_in_through_the_passfile_with_an_awkward_password(
    servers: Servers, source_db: Endpoint
) -> None:
    password = "a:b\\c@d e/f?ж"
    execute(source_db, f"CREATE ROLE pw_probe LOGIN SUPERUSER PASSWORD '{password}'")
    try:
        probe = parse_url(
            f"postgresql://pw_probe:{quote(password, safe='')}@{source_db.host}:"
            f"{source_db.port}/{source_db.dbname}"
        )
        tools = newest_with("pg_dump")
        with libpq_login(probe) as env:
            result = subprocess.run(
                [
                    str(tools.program("pg_dump")),
                    "--schema-only",
                    "--schema=pg_catalog",
                    f"--dbname={probe.conninfo_without_password()}",
                ],
                capture_output=True,
                text=True,
                env=env,
                stdin=subprocess.DEVNULL,
            )
        assert result.returncode == 0, result.stderr
    finally:
        execute(source_db, "DROP ROLE pw_probe")


# --- URLs that cannot be parsed are never echoed -----------------------------------------
MARK = "Zq9Secret"
BAD_SHAPES = {
    "missing //": f"postgresql:postgres:{MARK}@127.0.0.1:1/db",
    "missing : and doubled @": f"postgresql//postgres:{MARK}@@127.0.0.1:1/db",
    "doubled @": f"postgresql://postgres:{MARK}@@127.0.0.1:1/db",
    "no @": f"postgresql://postgres:{MARK}/127.0.0.1:1/db",
    "no @ nor slash": f"postgresql://postgres:{MARK}127.0.0.1/db",
    "a space": f"postgresql://postgres:pass {MARK}@127.0.0.1:1/db",
    "percent-encoded": f"postgresql://postgres:{quote('p@ss:' + MARK, safe='')}@127.0.0.1:1/db",
    "non-ASCII": f"postgresql://postgres:пароль{MARK}@127.0.0.1:1/db",
    "an unencoded @": f"postgresql://postgres:p@{MARK}@127.0.0.1:1/db",
    "an unencoded :": f"postgresql://postgres:p:{MARK}@127.0.0.1:1/db",
    "an unencoded /": f"postgresql://postgres:p/{MARK}@127.0.0.1:1/db",
    "an unencoded ?": f"postgresql://postgres:p?{MARK}@127.0.0.1:1/db",
    "@ : / ? together": f"postgresql://postgres:a@b:c/d?{MARK}@127.0.0.1:1/db",
    "no database": f"postgresql://postgres:{MARK}@127.0.0.1:1",
}
GOOD = "postgresql://postgres:Good7pw@127.0.0.1:1/db"


def _assert_secret_kept(result: subprocess.CompletedProcess[str], url: str, side: str) -> None:
    out = result.stdout + result.stderr
    password = url.split("//", 1)[-1].split(":", 1)[-1].rsplit("@", 1)[0]
    for secret in (MARK, password, quote(password, safe="")):
        assert secret not in out, out
    line = assert_one_line_error(result, side)
    assert "Good7pw" not in line


@pytest.mark.parametrize("shape", sorted(BAD_SHAPES))
def test_a_bad_source_url_is_one_line_naming_the_side_without_the_password(shape: str) -> None:
    url = BAD_SHAPES[shape]
    _assert_secret_kept(pgcutover("verify", "--source", url, "--target", GOOD), url, "source")


@pytest.mark.parametrize("shape", ["missing : and doubled @", "no @", "an unencoded @", "a space"])
def test_a_bad_target_url_is_one_line_naming_the_side_without_the_password(shape: str) -> None:
    url = BAD_SHAPES[shape]
    _assert_secret_kept(pgcutover("copy", "--source", GOOD, "--target", url), url, "target")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (BAD_SHAPES["missing //"], "the source URL is not a postgresql:// URL: missing '//'"),
        (BAD_SHAPES["missing : and doubled @"], "missing ':' after the scheme"),
        (BAD_SHAPES["doubled @"], "more than one '@'"),
        (BAD_SHAPES["an unencoded @"], "percent-encode '@' in the password as %40"),
        (BAD_SHAPES["no @"], "the port is not a number"),
        (BAD_SHAPES["a space"], "a space"),
        (BAD_SHAPES["no database"], "names no database"),
        (f"mysql://u:{MARK}@h/db", "does not start with postgresql://"),
    ],
)
def test_a_bad_url_says_what_is_wrong(url: str, problem: str) -> None:
    with pytest.raises(BadUrl) as caught:
        parse_url(url, side="source")
    message = str(caught.value)
    assert problem in message and message.startswith("the source URL")
    assert MARK not in message


def test_raw_pytest_with_a_bad_url_names_the_side_without_the_password(tmp_path: Path) -> None:
    from pgcutover.runner import contracts_command

    result = subprocess.run(
        contracts_command(
            "-p",
            "no:cacheprovider",
            f"--source-url={BAD_SHAPES['doubled @']}",
            f"--target-url={GOOD}",
        ),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "the source URL is not a postgresql:// URL" in out
    # pytest echoes its own command line nowhere, but our message must not either.
    assert out.count(MARK) == 0


# --- one redaction function --------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        f"postgresql://u:{MARK}@h/db",
        f"postgresql://u:p@{MARK}@h/db",
        f"postgresql//u:{MARK}@@h/db",
        f"host=h password={MARK} dbname=d",
        f"postgresql://h/db?password={MARK}&sslmode=require",
    ],
)
def test_redact_url_hides_the_whole_password_in_any_shape(text: str) -> None:
    assert MARK not in redact_url(text)
    assert MARK not in scrub(f"error near {text}: refused")


def test_scrub_hides_a_known_secret_as_written_and_percent_encoded() -> None:
    secret = f"p@ss/{MARK}"
    text = f"failed: {secret} and {quote(secret, safe='')}"
    assert MARK not in scrub(text, [secret])
