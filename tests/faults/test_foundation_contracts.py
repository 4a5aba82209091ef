"""Each foundation contract fails on its injected fault, naming the object; a clean copy passes."""

from __future__ import annotations

from tests.fix_contracts import RunContracts, damage_target, failed_ids, failed_of, failure
from verify.connect import Endpoint


def test_clean_copy_passes_every_contract(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    outcome = verify_pair(source_db, target_db)
    assert failed_ids(outcome) == set()
    assert outcome.verdict.go, outcome.verdict.reason
    assert outcome.verdict.ran == outcome.verdict.expected
    assert outcome.verdict.ran >= 2 * 15  # two families over every demo table


def test_row_count_fails_on_a_missing_row_naming_the_table(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    damage_target(
        target_db, "DELETE FROM public.staff WHERE ctid = (SELECT min(ctid) FROM public.staff)"
    )
    outcome = verify_pair(source_db, target_db)
    assert failed_of(outcome, "test_row_count") == {"test_row_count[public.staff]"}
    assert failed_of(outcome, "test_row_parity") == {"test_row_parity[public.staff]"}
    assert "-1" in failure(outcome, "test_row_count[public.staff]").message
    assert not outcome.verdict.go


def test_row_count_fails_on_an_extra_row(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    damage_target(target_db, "INSERT INTO public.schema_migrations (version) VALUES ('rogue')")
    outcome = verify_pair(source_db, target_db)
    assert failed_of(outcome, "test_row_count") == {"test_row_count[public.schema_migrations]"}
    assert failed_of(outcome, "test_row_parity") == {"test_row_parity[public.schema_migrations]"}


def test_columns_fails_on_a_changed_type_naming_table_and_column(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    damage_target(
        target_db, "ALTER TABLE public.schema_migrations ALTER COLUMN version TYPE varchar(64)"
    )
    outcome = verify_pair(source_db, target_db)
    assert failed_of(outcome, "test_columns") == {"test_columns[public.schema_migrations]"}
    message = failure(outcome, "test_columns[public.schema_migrations]").message
    assert "version" in message and "character varying(64)" in message


def test_columns_fails_on_a_missing_table(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    damage_target(target_db, "DROP TABLE public.sync_status CASCADE")
    outcome = verify_pair(source_db, target_db)
    assert {"test_columns[public.sync_status]", "test_row_count[public.sync_status]"} <= failed_ids(
        outcome
    )
    assert "missing on the target" in failure(outcome, "test_columns[public.sync_status]").message
