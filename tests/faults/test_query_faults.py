"""The query contract: fails when the target answers an application query differently, is
broken when the query cannot run on the source, and runs only a folder the user names."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgcutover.demo.job import contract_options
from pgcutover.runner import contracts_command
from pgcutover.servers import create_database
from tests.fix_cli import assert_one_line_error, pgcutover
from tests.fix_contracts import RunContracts, damage_target, failed_of, failure
from tests.fix_servers import Servers, drop_database, execute, unique_name
from verify.connect import Endpoint

DEMO = tuple(contract_options())


def test_query_fails_when_a_value_changes_naming_query_row_and_column(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    damage_target(
        target_db,
        "UPDATE public.bookings SET price = price + 1 WHERE ctid = "
        "(SELECT ctid FROM public.bookings WHERE price IS NOT NULL ORDER BY id LIMIT 1)",
    )
    outcome = verify_pair(source_db, target_db, "-k", "test_query", *DEMO)
    assert failed_of(outcome, "test_query") == {
        "test_query[bookings_by_status-company_id=studio-lotos]"
    }
    message = failure(outcome, "test_query[bookings_by_status-company_id=studio-lotos]").message
    assert "column revenue" in message


def test_query_masks_personal_values_in_its_message(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    damage_target(
        target_db, "UPDATE public.clients SET name = 'Иван Подменный' WHERE phone = '+79012345678'"
    )
    outcome = verify_pair(source_db, target_db, "-k", "test_query", *DEMO)
    name = "test_query[client_by_phone-company_id=studio-lotos,phone=+7 *** *** 56 78]"
    assert failed_of(outcome, "test_query") == {name}
    message = failure(outcome, name).message
    assert "column name" in message and "И*** П***" in message
    assert "Подменный" not in message


def test_query_fails_when_it_errors_on_the_target(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    damage_target(target_db, "ALTER TABLE public.whatsapp_keys RENAME COLUMN expires_at TO expiry")
    outcome = verify_pair(source_db, target_db, "-k", "test_query", *DEMO)
    name = "test_query[whatsapp_keys_by_type-company_id=studio-lotos]"
    assert failed_of(outcome, "test_query") == {name}
    result = failure(outcome, name)
    assert result.status == "failed" and "fails on the target" in result.message


# --- types by name; a query the source cannot run -----------------------------------------
TYPED_SCHEMA = (
    "CREATE TYPE public.mood AS ENUM ('calm', 'busy')",
    "CREATE DOMAIN public.rating AS numeric(3, 1) CHECK (VALUE BETWEEN 0 AND 10)",
    "CREATE TABLE public.visits (id int PRIMARY KEY, mood public.mood, moods public.mood[], "
    "score public.rating)",
    "INSERT INTO public.visits VALUES (1, 'calm', '{calm,busy}', 9.5), (2, 'busy', '{}', NULL)",
)


@pytest.fixture
def typed_pair(servers: Servers) -> Iterator[tuple[Endpoint, Endpoint]]:
    """Source and target with an enum, an array of it and a domain, created so their OIDs
    differ (the target made other types first), as on any two servers."""
    source = create_database(servers.source, unique_name("qsrc"))
    target = create_database(servers.target, unique_name("qtgt"))
    execute(source, *TYPED_SCHEMA)
    execute(
        target,
        "CREATE TYPE public.pad_a AS ENUM ('x')",
        "CREATE TYPE public.pad_b AS ENUM ('y')",
        *TYPED_SCHEMA,
        "DROP TYPE public.pad_a",
        "DROP TYPE public.pad_b",
    )
    yield source, target
    drop_database(servers.source, source.dbname)
    drop_database(servers.target, target.dbname)


def _queries(folder: Path, **files: str) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.sql").write_text(text, encoding="utf-8")
    return folder


def test_enum_domain_and_enum_array_columns_compare_by_type_name_across_servers(
    typed_pair: tuple[Endpoint, Endpoint], verify_pair: RunContracts, tmp_path: Path
) -> None:
    source, target = typed_pair
    folder = _queries(
        tmp_path / "q",
        visits="-- ordered: true\nSELECT id, mood, moods, score FROM public.visits ORDER BY id",
    )
    outcome = verify_pair(source, target, "-k", "test_query", f"--queries-dir={folder}")
    assert failed_of(outcome, "test_query") == set()
    assert outcome.verdict.counts.get("passed", 0) == 1


def test_a_changed_enum_value_still_fails_naming_the_column(
    typed_pair: tuple[Endpoint, Endpoint], verify_pair: RunContracts, tmp_path: Path
) -> None:
    source, target = typed_pair
    execute(target, "UPDATE public.visits SET mood = 'calm' WHERE id = 2")
    folder = _queries(tmp_path / "q", visits="SELECT id, mood FROM public.visits")
    outcome = verify_pair(source, target, "-k", "test_query", f"--queries-dir={folder}")
    assert "column mood" in failure(outcome, "test_query[visits-no-params]").message


def test_a_query_that_errors_on_the_source_is_broken_naming_its_file(
    typed_pair: tuple[Endpoint, Endpoint], verify_pair: RunContracts, tmp_path: Path
) -> None:
    source, target = typed_pair
    folder = _queries(tmp_path / "q", stale_report="SELECT * FROM public.no_such_table")
    outcome = verify_pair(source, target, "-k", "test_query", f"--queries-dir={folder}")
    result = failure(outcome, "test_query[stale_report-no-params]")
    assert result.status == "broken"
    assert "stale_report.sql fails on the source" in result.message
    assert 'relation "public.no_such_table" does not exist' in result.message
    assert not outcome.verdict.go


# --- which folder runs ---------------------------------------------------------------------
def test_with_no_queries_named_one_skipped_test_says_how_to_add_them(
    typed_pair: tuple[Endpoint, Endpoint], verify_pair: RunContracts
) -> None:
    outcome = verify_pair(*typed_pair, "-k", "test_query")
    skipped = [s for s in outcome.verdict.skipped if s.name.startswith("test_query")]
    assert [s.name for s in skipped] == ["test_query[none]"]
    assert "pgcutover verify --queries DIR" in skipped[0].message
    assert "[queries] dir" in skipped[0].message


@pytest.mark.parametrize("empty", [False, True])
def test_verify_with_a_missing_or_empty_queries_folder_is_one_line(
    tmp_path: Path, empty: bool
) -> None:
    folder = tmp_path / "queries"
    if empty:
        folder.mkdir()
        (folder / "notes.txt").write_text("not a query")
    url = "postgresql://u:pw@127.0.0.1:1/x"
    result = pgcutover("verify", "--source", url, "--target", url, "--queries", str(folder))
    why = "holds no .sql file" if empty else "does not exist"
    assert_one_line_error(result, str(folder), "--queries", why)


def test_a_queries_dir_in_pgcutover_toml_is_read_beside_the_file(tmp_path: Path) -> None:
    (tmp_path / "pgcutover.toml").write_text('[queries]\ndir = "app-queries"\n')
    url = "postgresql://u:pw@127.0.0.1:1/x"
    result = pgcutover("verify", "--source", url, "--target", url, cwd=tmp_path)
    assert_one_line_error(result, str(tmp_path / "app-queries"), "[queries] dir", "does not exist")


def test_raw_pytest_with_a_missing_queries_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        contracts_command(f"--queries-dir={tmp_path / 'nowhere'}", "-p", "no:cacheprovider"),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert f"ERROR: the queries folder {tmp_path / 'nowhere'} (--queries-dir) does not exist" in (
        result.stderr
    )


_KEY_102 = "company_id = 'studio-lotos' AND key_type = 'pre-key' AND key_id = '102'"


def test_a_buffer_in_another_json_shape_is_the_same_query_result_a_flipped_byte_is_not(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    query = "test_query[whatsapp_keys_by_type-company_id=studio-lotos]"
    # base64 string -> Node's byte array: the application revives the same bytes.
    damage_target(
        target_db,
        "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{public,data}', "
        "(SELECT jsonb_agg(get_byte(b, i) ORDER BY i) FROM "
        "(SELECT decode(value #>> '{public,data}', 'base64') AS b) s, "
        f"generate_series(0, length(b) - 1) AS i)) WHERE {_KEY_102}",
    )
    outcome = verify_pair(source_db, target_db, "-k", "whatsapp_keys_by_type", *DEMO)
    assert failed_of(outcome, "test_query") == set()
    damage_target(
        target_db,
        "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{public,data,0}', "
        f"to_jsonb(((value #>> '{{public,data,0}}')::int + 1) % 256)) WHERE {_KEY_102}",
    )
    outcome = verify_pair(source_db, target_db, "-k", "whatsapp_keys_by_type", *DEMO)
    assert failed_of(outcome, "test_query") == {query}
    assert "column values" in failure(outcome, query).message
