"""Personal data in evidence keeps its shape but not its content; key material keeps neither."""

from __future__ import annotations

import pytest

from pgcutover.demo import PERSONAL_COLUMNS
from verify.mask import is_personal, mask_phone_numbers, mask_row, mask_text, redact_secrets


def test_phones_keep_country_code_and_last_four_digits() -> None:
    assert mask_text("+79123451234") == "+7 *** *** 12 34"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+1 (415) 555-2671", "+1 *** *** 26 71"),
        ("+44 20 7946 0958", "+44 *** *** 09 58"),
        ("+447911123456", "+44 *** *** 34 56"),
        ("+49.30.1234.5678", "+49 *** *** 56 78"),
        ("+380501234567", "+380 *** *** 45 67"),
        ("+971 50 123 4567", "+971 *** *** 45 67"),
        ("8 (912) 345-12-34", "*** *** 12 34"),
    ],
)
def test_international_phones_keep_their_whole_country_code(phone: str, masked: str) -> None:
    assert mask_text(phone) == masked


def test_names_keep_initials_and_spacing() -> None:
    assert mask_text("Иван Петров") == "И*** П***"
    assert mask_text("Олег Петров ") == "О*** П*** "


def test_emails_keep_the_domain() -> None:
    assert mask_text("anna.s@mail.ru") == "a***@mail.ru"


@pytest.mark.parametrize(
    "column",
    [
        "name",
        "first_name",
        "lastName",
        "FullName",
        "client_phone",
        "phone2",
        "customer_email",
        "billing_address",
        "date_of_birth",
        "passport_no",
        "encrypted_password",
        "raw_user_meta_data",
    ],
)
def test_common_personal_column_names_are_detected(column: str) -> None:
    assert is_personal(column)


@pytest.mark.parametrize(
    "column",
    ["balance", "company_name", "table_name", "email_verified", "address_id", "phone_confirmed_at"],
)
def test_columns_that_only_mention_a_personal_word_are_not(column: str) -> None:
    assert not is_personal(column)


def test_demo_only_columns_are_personal_only_when_listed() -> None:
    # The demo's own personal columns (WhatsApp ids, dialog state, message bodies) are the
    # demo's list, not the generic defaults.
    for column in ("remote_jid", "context", "payload", "body", "meta_data"):
        assert not is_personal(column)
        assert is_personal(column, (*PERSONAL_COLUMNS, "meta_data"))
    assert is_personal("inn", ["INN"])


def test_mask_row_masks_only_personal_columns_and_inside_json() -> None:
    row = {"name": "Анна Смирнова", "balance": "10.50", "context": {"client_name": "Анна"}}
    assert mask_row(row, ["context"]) == {
        "name": "А*** С***",
        "balance": "10.50",
        "context": {"client_name": "А***"},
    }


def test_buffers_and_base64_secrets_become_size_and_digest() -> None:
    value = {
        "private": {"type": "Buffer", "data": "bS+rrJTbSLAfgtAEPvKyqZWuhliLd8dLCAy1YMDy22A="},
        "advSecretKey": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
        "registrationId": 7,
    }
    redacted = redact_secrets(value)
    assert redacted["private"]["Buffer"].startswith("32 bytes, sha256 ")
    assert redacted["advSecretKey"].startswith("<base64, 36 chars, sha256 ")
    assert redacted["registrationId"] == 7


def test_phone_numbers_inside_identifiers_are_masked_but_timestamps_are_not() -> None:
    assert mask_phone_numbers("79123451234.0") == "*** *** 12 34.0"
    assert mask_phone_numbers("79123451234@s.whatsapp.net") == "*** *** 12 34@s.whatsapp.net"
    assert mask_phone_numbers("20991231000000_rogue") == "20991231000000_rogue"
