"""The query contract fails when the target answers an application query differently."""

from __future__ import annotations

from tests.fix_contracts import RunContracts, damage_target, failed_of, failure
from verify.connect import Endpoint


def test_query_fails_when_a_value_changes_naming_query_row_and_column(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    damage_target(
        target_db,
        "UPDATE public.bookings SET price = price + 1 WHERE ctid = "
        "(SELECT ctid FROM public.bookings WHERE price IS NOT NULL ORDER BY id LIMIT 1)",
    )
    outcome = verify_pair(source_db, target_db, "-k", "test_query")
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
    outcome = verify_pair(source_db, target_db, "-k", "test_query")
    name = "test_query[client_by_phone-company_id=studio-lotos,phone=+7 *** *** 56 78]"
    assert failed_of(outcome, "test_query") == {name}
    message = failure(outcome, name).message
    assert "column name" in message and "И*** П***" in message
    assert "Подменный" not in message


def test_query_fails_when_it_errors_on_the_target(
    source_db: Endpoint, target_db: Endpoint, verify_pair: RunContracts
) -> None:
    damage_target(target_db, "ALTER TABLE public.whatsapp_keys RENAME COLUMN expires_at TO expiry")
    outcome = verify_pair(source_db, target_db, "-k", "test_query")
    name = "test_query[whatsapp_keys_by_type-company_id=studio-lotos]"
    assert failed_of(outcome, "test_query") == {name}
    assert "fails on the target" in failure(outcome, name).message
