"""Buffer parity fails when a Baileys key revives differently, naming the row and JSON path;
it passes when only the Buffer's shape changed, and data checks pass on reordered storage."""

from __future__ import annotations

import re

import pytest

from pgcutover.runner import VerifyOutcome
from tests.fix_contracts import failure
from tests.fix_data_faults import FaultRun, data_failures, evidence, evidence_text

KEYS = "public.whatsapp_keys.value"
PRE_KEY = "(company_id, key_type, key_id)=(studio-lotos, pre-key, {})"


def _key(key_type: str, key_id: str) -> str:
    return f"key_type = '{key_type}' AND key_id = '{key_id}'"


FIRST_SENDER_KEY = (
    'key_id = (SELECT min(key_id COLLATE "C") FROM public.whatsapp_keys '
    "WHERE key_type = 'sender-key')"
)
BUFFER_FAULTS = (
    # pre-key 101 holds array-shaped Buffers: one byte of its public key flipped.
    "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{public,data,0}', "
    "to_jsonb(((value #>> '{public,data,0}')::int + 1) % 256)) WHERE " + _key("pre-key", "101"),
    # pre-key 1 holds base64-shaped Buffers: its public key turned into the plain string.
    "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{public}', value #> "
    "'{public,data}') WHERE " + _key("pre-key", "1"),
    # a sender key lost the seed Buffer nested in its first state's chain key.
    "UPDATE public.whatsapp_keys SET value = value #- '{0,senderChainKey,seed}' "
    "WHERE key_type = 'sender-key' AND " + FIRST_SENDER_KEY,
    # the credentials lost the signed pre-key's signature.
    "UPDATE public.whatsapp_auth SET creds = creds #- '{signedPreKey,signature}'",
    # an app-state key: its Buffer re-encoded (harmless) but a number beside it changed.
    "UPDATE public.whatsapp_keys SET value = jsonb_set(jsonb_set(value, '{keyData}', "
    "jsonb_build_object('buffer', true, 'value', CASE WHEN jsonb_typeof(value #> "
    "'{keyData,data}') = 'string' THEN value #> '{keyData,data}' ELSE to_jsonb(encode("
    "(SELECT decode(string_agg(lpad(to_hex(x::int), 2, '0'), '' ORDER BY i), 'hex') FROM "
    "jsonb_array_elements_text(value #> '{keyData,data}') WITH ORDINALITY a(x, i)), 'base64')) "
    "END)), '{fingerprint,rawId}', '12345') WHERE key_type = 'app-state-sync-key' AND key_id = "
    '(SELECT min(key_id COLLATE "C") FROM public.whatsapp_keys WHERE key_type = '
    "'app-state-sync-key' AND value #>> '{keyData,type}' = 'Buffer')",
)


@pytest.fixture
def buffer_run(fault_run: FaultRun) -> VerifyOutcome:
    return fault_run("buffers", *BUFFER_FAULTS)


def _rows(outcome: VerifyOutcome) -> dict[str, list[str]]:
    found = evidence(outcome, f"test_buffers_revive_equal[{KEYS}]", "buffer parity")
    return {row["key"]: row["differences"] for row in found["rows"]}


def test_buffer_faults_fail_buffer_and_row_parity_of_both_tables(
    buffer_run: VerifyOutcome,
) -> None:
    assert data_failures(buffer_run) == {
        f"test_buffers_revive_equal[{KEYS}]",
        "test_buffers_revive_equal[public.whatsapp_auth.creds]",
        "test_credentials_shape[public.whatsapp_auth.creds]",
        "test_row_parity[public.whatsapp_keys]",
        "test_row_parity[public.whatsapp_auth]",
    }


def test_a_flipped_byte_is_named_by_row_and_path(buffer_run: VerifyOutcome) -> None:
    assert _rows(buffer_run)[PRE_KEY.format(101)] == [
        "$.public: bytes differ, first at byte 0 (Buffer(32 bytes) -> Buffer(32 bytes))"
    ]


def test_a_buffer_turned_into_its_base64_string_fails(buffer_run: VerifyOutcome) -> None:
    assert _rows(buffer_run)[PRE_KEY.format(1)] == [
        "$.public: Buffer became a string (its base64) (Buffer(32 bytes) -> string(44 chars))"
    ]
    message = failure(buffer_run, f"test_buffers_revive_equal[{KEYS}]").message
    assert message.startswith(f"{KEYS}: 3 row(s) revive to different Buffers; ")


def test_a_buffer_dropped_from_a_nested_object_fails(buffer_run: VerifyOutcome) -> None:
    (sender,) = [diffs for key, diffs in _rows(buffer_run).items() if "sender-key" in key]
    assert sender == ["$[0].senderChainKey.seed: Buffer lost (Buffer(32 bytes) -> absent)"]
    creds = failure(buffer_run, "test_buffers_revive_equal[public.whatsapp_auth.creds]").message
    assert "company_id=studio-lotos at $.signedPreKey.signature: Buffer lost" in creds


def test_row_parity_names_each_buffer_change_by_key_column_and_path(
    buffer_run: VerifyOutcome,
) -> None:
    found = evidence(buffer_run, "test_row_parity[public.whatsapp_keys]", "row parity")
    changed = {c["key"]: c["columns"] for c in found["changed"]}
    assert changed[PRE_KEY.format(101)] == ["value['public']"]  # a flipped byte
    assert changed[PRE_KEY.format(1)] == ["value['public']"]  # a Buffer turned into a string
    by_type = {key.split("=(")[1].split(", ")[1]: columns for key, columns in changed.items()}
    assert by_type["sender-key"] == ["value[0]['senderChainKey']['seed']"]  # a lost Buffer
    # Re-encoded Buffer, changed number: the number is named, the Buffer is not.
    assert by_type["app-state-sync-key"] == ["value['fingerprint']['rawId']"]
    message = failure(buffer_run, "test_row_parity[public.whatsapp_keys]").message
    assert f"{PRE_KEY.format(1)} in value['public']" in message
    assert " in ?" not in message


def test_a_reencoded_buffer_beside_a_changed_number_is_no_buffer_difference(
    buffer_run: VerifyOutcome,
) -> None:
    assert not [key for key in _rows(buffer_run) if "app-state-sync-key" in key]
    found = evidence(buffer_run, f"test_buffers_revive_equal[{KEYS}]", "buffer parity")
    assert found["rows_differing_by_hash"] == 4 and found["rows_differing"] == 3


def test_credentials_missing_a_signature_fail_the_shape_check(buffer_run: VerifyOutcome) -> None:
    message = failure(buffer_run, "test_credentials_shape[public.whatsapp_auth.creds]").message
    assert "company_id=studio-lotos $.signedPreKey.signature: absent, expected a Buffer" in message


# --- what must pass ---------------------------------------------------------------------
# Five shapes Baileys 6.x revives to the same bytes: the data is the same, only its text is
# not. Pre-keys 102, 105, 106 hold base64 Buffers, 104 Node's byte arrays.
_AS_BYTES = (
    "(SELECT decode(string_agg(lpad(to_hex(x::int), 2, '0'), '' ORDER BY i), 'hex') "
    "FROM jsonb_array_elements_text(value #> '{public,data}') WITH ORDINALITY a(x, i))"
)
_URL_SAFE_KEY = (
    'key_id = (SELECT min(key_id COLLATE "C") FROM public.whatsapp_keys WHERE '
    "key_type = 'pre-key' AND jsonb_typeof(value #> '{public,data}') = 'string' AND "
    "value #>> '{public,data}' ~ '[+/]' AND key_id NOT IN ('102', '105', '106'))"
)
SAME_BYTES_OTHER_SHAPE = {
    "base64 to byte array": (
        "102",
        "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{public,data}', "
        "(SELECT jsonb_agg(get_byte(b, i) ORDER BY i) FROM "
        "(SELECT decode(value #>> '{public,data}', 'base64') AS b) s, "
        "generate_series(0, length(b) - 1) AS i)) WHERE " + _key("pre-key", "102"),
    ),
    "byte array to base64": (
        "104",
        "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{public,data}', "
        f"to_jsonb(encode({_AS_BYTES}, 'base64'))) WHERE " + _key("pre-key", "104"),
    ),
    "legacy wrapper": (
        "105",
        "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{public}', "
        "jsonb_build_object('buffer', true, 'value', value #> '{public,data}')) WHERE "
        + _key("pre-key", "105"),
    ),
    "unpadded base64": (
        "106",
        "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{public,data}', "
        "to_jsonb(rtrim(value #>> '{public,data}', '='))) WHERE " + _key("pre-key", "106"),
    ),
    "URL-safe alphabet": (
        None,
        "UPDATE public.whatsapp_keys SET value = jsonb_set(value, '{public,data}', "
        "to_jsonb(translate(value #>> '{public,data}', '+/', '-_'))) WHERE key_type = 'pre-key' "
        "AND " + _URL_SAFE_KEY,
    ),
}
REORDERED = (
    # jsonb keys written in another order with other spacing: the same jsonb value.
    "UPDATE public.clients SET preferences = "
    '\'{"visits": [1, 2.5, null],   "score": 1.0, "nested": {"a": {}}, "lang": "ru"}\''
    "::jsonb WHERE id = 1",
    # the target's table has its columns in another order.
    "ALTER TABLE public.schema_migrations RENAME TO schema_migrations_old",
    "ALTER TABLE public.schema_migrations_old RENAME CONSTRAINT schema_migrations_pkey "
    "TO schema_migrations_old_pkey",
    "CREATE TABLE public.schema_migrations (applied_at timestamptz NOT NULL DEFAULT now(), "
    "version text, CONSTRAINT schema_migrations_pkey PRIMARY KEY (version))",
    "INSERT INTO public.schema_migrations (version, applied_at) "
    "SELECT version, applied_at FROM public.schema_migrations_old",
    "DROP TABLE public.schema_migrations_old",
    "GRANT ALL ON public.schema_migrations TO service_role",
)
# Teams bump sequences at cutover on purpose: ahead of the source is a note, not a failure.
SEQUENCE_AHEAD = ("SELECT setval('public.staff_schedules_id_seq', 1000)",)


# One run holds every harmless difference (the sequence faults read it too).
PASSES = (
    *(statement for _, statement in SAME_BYTES_OTHER_SHAPE.values()),
    *REORDERED,
    *SEQUENCE_AHEAD,
)


@pytest.fixture
def pass_run(fault_run: FaultRun) -> VerifyOutcome:
    return fault_run("passes", *PASSES)


def test_buffers_reencoded_with_the_same_bytes_pass_row_and_buffer_parity(
    pass_run: VerifyOutcome,
) -> None:
    assert not data_failures(pass_run)
    found = evidence(pass_run, f"test_buffers_revive_equal[{KEYS}]", "buffer parity")
    assert (found["rows_differing"], found["rows_reencoded"]) == (0, len(SAME_BYTES_OTHER_SHAPE))


def test_reencoded_buffers_are_a_note_in_row_parity_evidence_and_message(
    pass_run: VerifyOutcome,
) -> None:
    found = evidence(pass_run, "test_row_parity[public.whatsapp_keys]", "row parity")
    n = len(SAME_BYTES_OTHER_SHAPE)
    assert found["reencoded"]["note"] == f"{n} rows re-encoded, same bytes (value)"
    assert found["totals"] == {"missing": 0, "extra": 0, "changed": 0}
    named = {key for key, _ in SAME_BYTES_OTHER_SHAPE.values() if key}
    assert {PRE_KEY.format(k) for k in named} <= set(found["reencoded"]["keys"])
    note = evidence_text(pass_run, "test_row_parity[public.whatsapp_keys]", "note: ")
    assert note.endswith(f"rows equal (728); {n} rows re-encoded, same bytes (value)")


def test_jsonb_keys_reordered_pass(pass_run: VerifyOutcome) -> None:
    assert "test_row_parity[public.clients]" not in data_failures(pass_run)


def test_column_order_changed_on_the_target_passes(pass_run: VerifyOutcome) -> None:
    assert not {
        "test_row_count[public.schema_migrations]",
        "test_row_parity[public.schema_migrations]",
    } & data_failures(pass_run)
    found = evidence(pass_run, "test_row_parity[public.schema_migrations]", "row parity")
    assert found["rows"] == {"source": 14, "target": 14}


def test_row_parity_evidence_never_shows_key_material(buffer_run: VerifyOutcome) -> None:
    found = evidence(buffer_run, "test_row_parity[public.whatsapp_keys]", "row parity")
    text = str(found)
    assert len(found["changed"]) == 4
    assert "sha256" in text
    assert not re.search(r"[A-Za-z0-9+/]{40,}={0,2}", text)


def test_phone_numbers_in_key_ids_are_masked_in_messages(fault_run: FaultRun) -> None:
    # Session keys are named after the contact's phone: a lost session Buffer must not
    # print the phone in the gate's summary.
    outcome = fault_run(
        "session",
        "UPDATE public.whatsapp_keys SET value = to_jsonb(value #>> '{data}') "
        "WHERE key_type = 'session' AND jsonb_typeof(value) = 'object' AND key_id = "
        '(SELECT min(key_id COLLATE "C") FROM public.whatsapp_keys WHERE key_type = '
        "'session' AND jsonb_typeof(value) = 'object')",
    )
    message = failure(outcome, f"test_buffers_revive_equal[{KEYS}]").message
    assert "session, ***" in message and "Buffer became a string" in message
    assert not re.search(r"\d{10,13}", message)
