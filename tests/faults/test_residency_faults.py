"""Residency fails naming the personal-data table that is missing, short, undetected by any
declaration or left on the source; a table declared out of scope is accepted, not failed."""

from __future__ import annotations

import pytest

from pgcutover.runner import VerifyOutcome
from tests.fix_app_faults import AppRun, results_of, summary_of
from tests.fix_contracts import failed_of, failure

pytestmark = pytest.mark.xdist_group("residency")

STORAGE = (
    "CREATE SCHEMA storage",
    "CREATE TABLE storage.objects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "
    "bucket_id text, name text, owner uuid, metadata jsonb)",
    "INSERT INTO storage.objects (bucket_id, name, metadata) SELECT 'avatars', "
    "'clients/' || g || '.jpg', '{\"size\": 1024, \"mimetype\": \"image/jpeg\"}' "
    "FROM generate_series(1, 3) g",
)
KEYS_REASON = "Signal keys are re-created when the WhatsApp session pairs again"


@pytest.fixture
def damaged(app_run: AppRun) -> VerifyOutcome:
    return app_run(
        "residency",
        on_source=(
            # A personal column added at the source after the copy, named in transliteration.
            "ALTER TABLE public.staff_schedules ADD COLUMN telefon_mastera text",
            "UPDATE public.staff_schedules SET telefon_mastera = '+79990000001'",
            *STORAGE,
        ),
        on_target=(
            "DROP TABLE public.dialog_contexts",
            "DELETE FROM public.clients WHERE id = 7",
            "DROP TABLE public.whatsapp_keys",
        ),
        config=f'[[residency.out_of_scope]]\ntable = "public.whatsapp_keys"\nreason = "{KEYS_REASON}"\n',
        pytest_args=("-k", "test_residency"),
    )


def test_each_damaged_personal_table_fails_by_name(damaged: VerifyOutcome) -> None:
    assert failed_of(damaged, "test_residency") == {
        "test_residency[public.clients]",
        "test_residency[public.dialog_contexts]",
        "test_residency[public.staff_schedules]",
        "test_residency[storage.objects]",
    }


def test_a_table_short_by_a_row_names_both_counts(damaged: VerifyOutcome) -> None:
    message = failure(damaged, "test_residency[public.clients]").message
    assert (
        "public.clients: personal data (phone, e-mail, person name) is not all on the target"
        in message
    )
    assert "1299 rows on the source, 1298 on the target (1 missing)" in message


def test_a_missing_table_is_named(damaged: VerifyOutcome) -> None:
    message = failure(damaged, "test_residency[public.dialog_contexts]").message
    assert (
        "public.dialog_contexts: personal data (phone, person name) is missing on the target"
        in message
    )


def test_a_personal_column_added_at_the_source_is_detected_and_judged(
    damaged: VerifyOutcome,
) -> None:
    message = failure(damaged, "test_residency[public.staff_schedules]").message
    assert "telefon_mastera (phone)" in message
    assert "not all on the target" in message


def test_files_left_in_supabase_storage_fail_until_declared(damaged: VerifyOutcome) -> None:
    message = failure(damaged, "test_residency[storage.objects]").message
    assert message.startswith("storage.objects: 3 files in Supabase Storage, outside the database")


def test_a_table_declared_out_of_scope_is_accepted_with_its_reason(damaged: VerifyOutcome) -> None:
    result = results_of(damaged, "test_residency")["test_residency[public.whatsapp_keys]"]
    assert result.status == "skipped"
    assert KEYS_REASON in result.message


def test_the_summary_counts_personal_tables_on_the_target(damaged: VerifyOutcome) -> None:
    summary = summary_of(damaged)
    assert "**personal-data tables on the target: 6/10**" in summary
    assert f"- accepted: public.whatsapp_keys: declared out of scope: {KEYS_REASON}" in summary
    assert "- NOT public.dialog_contexts: " in summary


def test_after_cutover_a_source_still_holding_rows_fails_naming_the_count(app_run: AppRun) -> None:
    emptied = (
        "DELETE FROM auth.users",
        "DELETE FROM public.appointments_cache",
        "DELETE FROM public.bookings",
        "DELETE FROM public.dialog_contexts",
        "DELETE FROM public.messages",
        "DELETE FROM public.staff",
        "DELETE FROM public.whatsapp_auth",
        "DELETE FROM public.whatsapp_keys",
    )
    outcome = app_run(
        "must-be-empty",
        on_source=emptied,
        pytest_args=("--source-must-be-empty", "-k", "test_residency"),
    )
    assert failed_of(outcome, "test_residency") == {"test_residency[public.clients]"}
    message = failure(outcome, "test_residency[public.clients]").message
    assert "the source still holds 1299 rows of personal data" in message
    passed = {n for n, r in results_of(outcome, "test_residency").items() if r.status == "passed"}
    assert {"test_residency[auth.users]", "test_residency[public.staff]"} <= passed
    assert "**personal-data tables emptied on the source: " in summary_of(outcome)
