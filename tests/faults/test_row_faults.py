"""Row parity fails on each kind of damage, naming the table, the key and the column."""

from __future__ import annotations

from typing import Any

import pytest

from pgcutover.runner import VerifyOutcome
from tests.fix_contracts import failure
from tests.fix_data_faults import FaultRun, data_failures, evidence

# One value changed per type family, each on its own key (one contract run for all).
TYPE_FAULTS = {
    "numeric scale": (
        1,
        "loyalty_points",
        "UPDATE public.clients SET loyalty_points = 10.5 WHERE id = 1",
    ),
    "float8 last digit": (2, "rating", "UPDATE public.clients SET rating = 0.3 WHERE id = 2"),
    "trailing space": (3, "name", "UPDATE public.clients SET name = rtrim(name) WHERE id = 3"),
    "unicode": (
        4,
        "name",
        "UPDATE public.clients SET name = replace(name, U&'\\FE0F', '') WHERE id = 4",
    ),
    "timestamptz microsecond": (
        5,
        "last_visit_at",
        "UPDATE public.clients SET last_visit_at = last_visit_at + interval '1 microsecond' WHERE id = 5",
    ),
    "empty string for NULL": (6, "email", "UPDATE public.clients SET email = '' WHERE id = 6"),
    "bytea": (
        11,
        "avatar",
        "UPDATE public.clients SET avatar = set_byte(avatar, 0, (get_byte(avatar, 0) + 1) % 256) "
        "WHERE id = 11",
    ),
    "text[] NULL element": (
        220,
        "tags",
        "UPDATE public.clients SET tags = array_replace(tags, NULL, '') WHERE id = 220",
    ),
}
JSONB_NUMBER_TEXT = (
    "UPDATE public.companies SET settings = jsonb_set(settings, '{deposit_ratio}', '0.30') "
    "WHERE id = 'studio-lotos'"
)


@pytest.fixture
def type_run(fault_run: FaultRun) -> VerifyOutcome:
    return fault_run("types", *(s for _, _, s in TYPE_FAULTS.values()), JSONB_NUMBER_TEXT)


def _changed(outcome: VerifyOutcome, table: str) -> dict[str, list[str]]:
    found = evidence(outcome, f"test_row_parity[{table}]", "row parity")
    return {c["key"]: c["columns"] for c in found["changed"]}


def test_type_faults_fail_only_the_damaged_tables(type_run: VerifyOutcome) -> None:
    assert data_failures(type_run) == {
        "test_row_parity[public.clients]",
        "test_row_parity[public.companies]",
    }


@pytest.mark.parametrize("family", sorted(TYPE_FAULTS))
def test_a_changed_value_is_named_by_key_and_column(type_run: VerifyOutcome, family: str) -> None:
    key, column, _ = TYPE_FAULTS[family]
    assert _changed(type_run, "public.clients")[f"id={key}"] == [column]


def test_jsonb_number_text_is_a_change_with_its_path(type_run: VerifyOutcome) -> None:
    # 0.3 and 0.30 are equal jsonb, but not the same data: the text of a number matters.
    changed = _changed(type_run, "public.companies")
    assert changed == {"id=studio-lotos": ["settings['deposit_ratio']"]}
    message = failure(type_run, "test_row_parity[public.companies]").message
    assert "id=studio-lotos in settings['deposit_ratio']" in message


def test_changed_rows_evidence_masks_personal_data(type_run: VerifyOutcome) -> None:
    found = evidence(type_run, "test_row_parity[public.clients]", "row parity")
    trailing = next(c for c in found["changed"] if c["key"] == "id=3")
    diff: dict[str, Any] = trailing["diff"]["values_changed"]["root['name']"]
    assert diff == {"old_value": "О*** П*** ", "new_value": "О*** П***"}
    unicode = next(c for c in found["changed"] if c["key"] == "id=4")
    assert unicode["hidden_by_mask"] == ["name"]
    assert "Олег" not in str(found) and "Ёлка" not in str(found)


def test_counts_and_totals_are_in_the_evidence(type_run: VerifyOutcome) -> None:
    found = evidence(type_run, "test_row_parity[public.clients]", "row parity")
    assert found["rows"] == {"source": 1299, "target": 1299}
    assert found["totals"] == {"missing": 0, "extra": 0, "changed": len(TYPE_FAULTS)}


# --- values the old typed hash could not tell apart ------------------------------------
# Each pair hashed alike in hash_record_extended (seed 0): a NULL field and float 0 or a
# numeric NaN/Infinity all hash as 0, numeric drops its sign, bigint and timestamps hash
# hi XOR lo 32 bits, and a sum of record hashes over a bucket is blind to two rows swapping
# a value. Each is a different value on the target, so each must fail.
_US_SINCE_2000 = (
    "(extract(epoch FROM timestamptz '2026-01-01 00:00+00' - timestamptz '2000-01-01 00:00+00')"
    " * 1000000)::bigint"
)
HASH_HOLES_SOURCE = (
    "UPDATE public.clients SET rating = 0 WHERE id = 7",
    "UPDATE public.clients SET loyalty_points = 'NaN' WHERE id = 8",
    "UPDATE public.clients SET loyalty_points = 5 WHERE id = 9",
    "UPDATE public.clients SET loyalty_points = 'Infinity' WHERE id = 10",
    "UPDATE public.clients SET last_visit_at = '2026-01-01 00:00+00' WHERE id = 12",
)
# The two clients among the first 40 whose ids fall in one bucket (64 buckets: 1299 rows).
_SAME_BUCKET = (
    "SELECT min(id) AS a, max(id) AS b FROM public.clients WHERE id <= 40 "
    "GROUP BY mod(mod(hashint8extended(id, 0), 64) + 64, 64) HAVING count(*) > 1 "
    "ORDER BY 1 LIMIT 1"
)
HASH_HOLES = {
    "float8 0 became NULL": (7, "rating", "UPDATE public.clients SET rating = NULL WHERE id = 7"),
    "numeric NaN became NULL": (
        8,
        "loyalty_points",
        "UPDATE public.clients SET loyalty_points = NULL WHERE id = 8",
    ),
    "numeric sign flipped": (
        9,
        "loyalty_points",
        "UPDATE public.clients SET loyalty_points = -5 WHERE id = 9",
    ),
    "numeric Infinity became NaN": (
        10,
        "loyalty_points",
        "UPDATE public.clients SET loyalty_points = 'NaN' WHERE id = 10",
    ),
    "timestamptz moved by 2^32 + 1 microseconds, folded": (
        12,
        "last_visit_at",
        "UPDATE public.clients SET last_visit_at = timestamptz '2000-01-01 00:00+00' + "
        f"({_US_SINCE_2000} # 4294967297) * interval '1 microsecond' WHERE id = 12",
    ),
}
# bookings.client_id: c and 2^32 + (c XOR 1) fold to the same 32 bits.
FOLDED_BIGINT = (
    "UPDATE public.bookings SET client_id = (client_id # 1) + 4294967296 "
    "WHERE id = (SELECT min(id::text)::uuid FROM public.bookings)"
)
SWAPPED_NAMES = (
    f"WITH pair AS ({_SAME_BUCKET}), names AS (SELECT c.id, c.name FROM public.clients c, pair "
    "WHERE c.id IN (pair.a, pair.b)) "
    "UPDATE public.clients c SET name = n.name FROM names n, pair "
    "WHERE c.id IN (pair.a, pair.b) AND n.id = pair.a + pair.b - c.id"
)


@pytest.fixture
def hole_run(fault_run: FaultRun) -> VerifyOutcome:
    return fault_run(
        "hash holes",
        *(s for _, _, s in HASH_HOLES.values()),
        FOLDED_BIGINT,
        SWAPPED_NAMES,
        on_source=HASH_HOLES_SOURCE,
    )


def test_values_that_hashed_alike_fail_only_their_tables(hole_run: VerifyOutcome) -> None:
    assert data_failures(hole_run) == {
        "test_row_parity[public.clients]",
        "test_row_parity[public.bookings]",
    }


@pytest.mark.parametrize("hole", sorted(HASH_HOLES))
def test_a_value_that_hashed_like_another_is_named(hole_run: VerifyOutcome, hole: str) -> None:
    key, column, _ = HASH_HOLES[hole]
    assert _changed(hole_run, "public.clients")[f"id={key}"] == [column]


def test_a_folded_bigint_is_named(hole_run: VerifyOutcome) -> None:
    assert list(_changed(hole_run, "public.bookings").values()) == [["client_id"]]


def test_two_rows_swapping_a_value_in_one_bucket_are_both_named(hole_run: VerifyOutcome) -> None:
    changed = _changed(hole_run, "public.clients")
    swapped = {k for k, columns in changed.items() if columns == ["name"]}
    assert len(swapped) == 2, changed
    found = evidence(hole_run, "test_row_parity[public.clients]", "row parity")
    assert found["totals"]["changed"] == len(HASH_HOLES) + 2


# --- rows lost, added, duplicated, misplaced; a sequence left behind ---------------------
MOVED_BOUND = "(SELECT max(created_at) FROM public.messages_2026_10)"
KEY_FAULTS = (
    "DELETE FROM public.services WHERE id = (SELECT id FROM public.services ORDER BY id LIMIT 1)",
    "INSERT INTO public.schema_migrations (version) VALUES ('20991231000000_rogue')",
    "INSERT INTO public.webhook_inbox SELECT * FROM public.webhook_inbox "
    "WHERE event = 'record.created' ORDER BY received_at LIMIT 1",
    # The target's partition bounds drifted (a time zone mix-up): October's last row now
    # sits in November's partition. The parent still holds the same rows.
    "ALTER TABLE public.messages DETACH PARTITION public.messages_2026_10",
    "ALTER TABLE public.messages DETACH PARTITION public.messages_2026_11",
    "CREATE TEMP TABLE moved AS SELECT * FROM public.messages_2026_10 "
    f"WHERE created_at = {MOVED_BOUND}",
    "DELETE FROM public.messages_2026_10 WHERE id IN (SELECT id FROM moved)",
    "INSERT INTO public.messages_2026_11 SELECT * FROM moved",
    "DO $$ DECLARE bound timestamptz := (SELECT created_at FROM moved); BEGIN "
    "EXECUTE format('ALTER TABLE public.messages ATTACH PARTITION public.messages_2026_10 "
    "FOR VALUES FROM (%L) TO (%L)', '2026-10-01 00:00+00', bound); "
    "EXECUTE format('ALTER TABLE public.messages ATTACH PARTITION public.messages_2026_11 "
    "FOR VALUES FROM (%L) TO (%L)', bound, '2026-12-01 00:00+00'); END $$",
    "SELECT setval('public.clients_id_seq', 5)",
)


@pytest.fixture
def key_run(fault_run: FaultRun) -> VerifyOutcome:
    return fault_run("keys", *KEY_FAULTS)


def test_key_faults_fail_exactly_the_damaged_objects(key_run: VerifyOutcome) -> None:
    assert data_failures(key_run) == {
        "test_row_count[public.services]",
        "test_row_parity[public.services]",
        "test_row_count[public.schema_migrations]",
        "test_row_parity[public.schema_migrations]",
        "test_row_count[public.webhook_inbox]",
        "test_row_parity[public.webhook_inbox]",
        "test_row_count[public.messages_2026_10]",
        "test_row_parity[public.messages_2026_10]",
        "test_row_count[public.messages_2026_11]",
        "test_row_parity[public.messages_2026_11]",
        "test_sequence_not_behind_source[public.clients_id_seq]",
        "test_sequence_ahead_of_data[public.clients_id_seq]",
    }


def test_a_missing_row_is_named_by_its_key(key_run: VerifyOutcome) -> None:
    message = failure(key_run, "test_row_parity[public.services]").message
    assert "63 rows on the source, 62 on the target" in message
    assert "1 missing: id=" in message


def test_an_extra_row_is_named_by_its_key(key_run: VerifyOutcome) -> None:
    message = failure(key_run, "test_row_parity[public.schema_migrations]").message
    assert "1 extra: version=20991231000000_rogue" in message


def test_a_duplicated_row_in_a_keyless_table_is_found_as_a_multiset(
    key_run: VerifyOutcome,
) -> None:
    found = evidence(key_run, "test_row_parity[public.webhook_inbox]", "row parity")
    assert found["key"]["kind"] == "whole row"
    assert found["totals"] == {"missing": 0, "extra": 1, "changed": 0}
    assert '"event": "record.created"' in found["extra"][0]


def test_a_row_in_the_wrong_partition_fails_both_leaves_not_the_parent(
    key_run: VerifyOutcome,
) -> None:
    assert "test_row_parity[public.messages]" not in data_failures(key_run)
    assert (
        "1 missing: (id, created_at)=("
        in failure(key_run, "test_row_parity[public.messages_2026_10]").message
    )
    assert (
        "1 extra: (id, created_at)=("
        in failure(key_run, "test_row_parity[public.messages_2026_11]").message
    )
