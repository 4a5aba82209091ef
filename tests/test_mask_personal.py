"""Personal data in evidence keeps its shape but not its content; key material keeps neither."""

from __future__ import annotations

from verify.mask import is_personal, mask_phone_numbers, mask_row, mask_text, redact_secrets


def test_phones_keep_country_code_and_last_four_digits() -> None:
    assert mask_text("+79123451234") == "+7 *** *** 12 34"


def test_names_keep_initials_and_spacing() -> None:
    assert mask_text("Иван Петров") == "И*** П***"
    assert mask_text("Олег Петров ") == "О*** П*** "


def test_emails_keep_the_domain() -> None:
    assert mask_text("anna.s@mail.ru") == "a***@mail.ru"


def test_personal_columns_are_found_by_name_or_listed() -> None:
    assert is_personal("client_phone") and is_personal("name") and is_personal("remote_jid")
    assert not is_personal("balance")
    assert is_personal("passport_no") and is_personal("inn", ["INN"])


def test_mask_row_masks_only_personal_columns_and_inside_json() -> None:
    row = {"name": "Анна Смирнова", "balance": "10.50", "context": {"client_name": "Анна"}}
    assert mask_row(row) == {
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
