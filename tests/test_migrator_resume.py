"""kill -9 at any moment, then the same command: it finishes with every row exactly once."""

from __future__ import annotations

import signal

import pytest

from tests.fix_cli import pgcutover as cli
from tests.fix_servers import execute
from tests.migrator_helpers import fingerprints, scalar
from verify.connect import Endpoint

SPLIT = ("--jobs", "2", "--split-mb", "0.1")


def _copy(source: Endpoint, target: Endpoint, kill: str | None = None):  # type: ignore[no-untyped-def]
    env = {"PGCUTOVER_TEST_KILL_AFTER": kill} if kill else {}
    return cli("copy", "--source", source.url, "--target", target.url, *SPLIT, env=env)


def _first_clients_unit(target: Endpoint) -> str:
    return str(scalar(target, "SELECT min(unit) FROM pgcutover.units WHERE table_name = 'clients'"))


@pytest.mark.parametrize(
    "point",
    [
        "pre-data:commit",
        "public.whatsapp_auth:0",  # before the unit's first row
        "public.staff:5",  # in the middle of a unit
        "public.staff:commit",  # right after a unit committed
        "post-data:commit",
    ],
)
def test_resume_after_kill_copies_each_row_once(
    source_db: Endpoint, empty_target: Endpoint, point: str
) -> None:
    killed = _copy(source_db, empty_target, kill=point)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    resumed = _copy(source_db, empty_target)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    if point != "pre-data:commit":
        assert "resuming:" in resumed.stdout
    assert fingerprints(empty_target) == fingerprints(source_db)
    assert scalar(empty_target, "SELECT bool_and(done) FROM pgcutover.units")
    again = _copy(source_db, empty_target)
    assert "nothing to copy" in again.stdout


def test_resume_after_kill_inside_a_key_range_unit(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    # First learn the unit ids (they are recorded with pre-data), then kill in one of them.
    assert _copy(source_db, empty_target, kill="pre-data:commit").returncode == -signal.SIGKILL
    unit = _first_clients_unit(empty_target)
    assert "#" in unit
    killed = _copy(source_db, empty_target, kill=f"{unit}:40")
    assert killed.returncode == -signal.SIGKILL
    resumed = _copy(source_db, empty_target)
    assert resumed.returncode == 0, resumed.stderr
    assert fingerprints(empty_target) == fingerprints(source_db)


def test_a_non_transient_error_stops_with_one_line_and_the_target_stays_resumable(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    assert _copy(source_db, empty_target, kill="pre-data:commit").returncode == -signal.SIGKILL
    execute(empty_target, "ALTER TABLE public.staff ADD CONSTRAINT no_rows CHECK (false) NOT VALID")
    failed = _copy(source_db, empty_target)
    assert failed.returncode == 2
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in failed.stderr
    assert "copying public.staff failed" in lines[0] and "resumable" in lines[0]
    execute(empty_target, "ALTER TABLE public.staff DROP CONSTRAINT no_rows")
    resumed = _copy(source_db, empty_target)
    assert resumed.returncode == 0, resumed.stderr
    assert fingerprints(empty_target) == fingerprints(source_db)


def test_a_dropped_target_session_is_retried(
    source_db: Endpoint, empty_target: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    from migrator.job import CopyOptions, run_copy

    monkeypatch.setenv("PGCUTOVER_TEST_TERMINATE_ONCE", "public.clients:100")
    report = run_copy(source_db, empty_target, options=CopyOptions(jobs=2, retry_base_seconds=0.01))
    assert report.retries == 1
    assert fingerprints(empty_target) == fingerprints(source_db)


def test_a_column_type_that_differs_on_the_target_goes_as_text(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    # bigint -> numeric: COPY BINARY would reject the bytes; the text format carries them.
    assert _copy(source_db, empty_target, kill="pre-data:commit").returncode == -signal.SIGKILL
    execute(empty_target, "ALTER TABLE public.staff_schedules ALTER COLUMN id TYPE numeric")
    resumed = _copy(source_db, empty_target)
    assert resumed.returncode == 0, resumed.stderr
    query = "SELECT sum(id)::text || ':' || count(*) FROM public.staff_schedules"
    assert scalar(empty_target, query) == scalar(source_db, query)


def test_resuming_from_another_source_is_refused(
    source_db: Endpoint, empty_target: Endpoint, servers: object, demo_source_template: Endpoint
) -> None:
    from pgcutover.servers import create_database
    from tests.fix_servers import drop_database, unique_name

    assert _copy(source_db, empty_target, kill="pre-data:commit").returncode == -signal.SIGKILL
    name = unique_name("other_src")
    server = source_db.with_dbname("postgres")
    other = create_database(server, name, template=demo_source_template.dbname)
    try:
        result = _copy(other, empty_target)
        assert result.returncode == 2
        assert "copy of another source" in result.stderr
    finally:
        drop_database(server, name)


@pytest.mark.parametrize(("name", "code"), [("INT", 130), ("TERM", 143)])
def test_a_signal_during_copy_stops_the_workers_commits_nothing_half_done_and_resumes(
    source_db: Endpoint, empty_target: Endpoint, name: str, code: int
) -> None:
    interrupted = cli(
        "copy",
        "--source",
        source_db.url,
        "--target",
        empty_target.url,
        "--jobs",
        "2",
        env={"PGCUTOVER_TEST_SIGNAL_AT": f"public.whatsapp_keys:100:{name}"},
    )
    assert interrupted.returncode == code, interrupted.stdout + interrupted.stderr
    lines = interrupted.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in interrupted.stderr
    assert "copy interrupted:" in lines[0] and "run the same command to resume" in lines[0]
    done, total = (int(n) for n in lines[0].split(": ", 2)[2].split(" units")[0].split(" of "))
    assert done < total
    # The unit that was streaming rolled back whole: no row of it, and not marked done.
    assert scalar(empty_target, "SELECT count(*) FROM public.whatsapp_keys") == 0
    assert (
        scalar(empty_target, "SELECT done FROM pgcutover.units WHERE unit = 'public.whatsapp_keys'")
        is False
    )
    resumed = _copy(source_db, empty_target)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "resuming:" in resumed.stdout
    assert fingerprints(empty_target) == fingerprints(source_db)
