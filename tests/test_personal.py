"""The personal-data vocabulary: English, Russian transliteration and Cyrillic names."""

from __future__ import annotations

import pytest

from verify.mask import is_personal
from verify.personal import name_match, words

STRONG = {
    "phone": "phone",
    "client_phone": "phone",
    "phoneNumber": "phone",
    "telefon": "phone",
    "nomer_telefona": "phone",
    "Телефон": "phone",
    "remote_jid": "phone",
    "remoteJid": "phone",
    "email": "e-mail",
    "e_mail": "e-mail",
    "pochta": "e-mail",
    "first_name": "person name",
    "lastName": "person name",
    "full_name": "person name",
    "client_name": "person name",
    "pushName": "person name",
    "actor_username": "person name",
    "familiya": "person name",
    "imya": "person name",
    "otchestvo": "person name",
    "fio": "person name",
    "ФИО": "person name",
    "birthday": "birth date",
    "date_of_birth": "birth date",
    "dob": "birth date",
    "data_rozhdeniya": "birth date",
    "passport_number": "identity document",
    "pasport": "identity document",
    "snils": "identity document",
    "inn": "identity document",
    "address": "postal address",
    "adres": "postal address",
    "ip_address": "IP address",
    "last_ip": "IP address",
    "mac_address": "device address",
}
NOT_PERSONAL = [
    "company_id",
    "key_id",
    "service_name",
    "file_name",
    "inner_total",
    "zip_archive",
    "hotel",
    "updated_at",
    "creds",
    "valueMac",
    "ship_date",
]


@pytest.mark.parametrize("column", sorted(STRONG))
def test_a_personal_column_name_is_named_with_its_category(column: str) -> None:
    found = name_match(column)
    assert found is not None and found.strong, column
    assert found.category == STRONG[column]


@pytest.mark.parametrize("column", NOT_PERSONAL)
def test_short_terms_match_whole_words_only(column: str) -> None:
    assert name_match(column) is None


def test_a_bare_name_is_weak_evidence() -> None:
    found = name_match("name")
    assert found is not None and not found.strong


def test_words_split_snake_case_camel_case_and_cyrillic() -> None:
    assert words("remoteJid") == ("remote", "jid")
    assert words("data_rozhdeniya") == ("data", "rozhdeniya")
    assert words("ДатаРождения") == ("дата", "рождения")


def test_masking_hides_what_residency_names_and_more() -> None:
    assert is_personal("telefon") and is_personal("familiya") and is_personal("snils")
    assert is_personal("service_name")  # masking is broader: any name
    assert not is_personal("company_id")
