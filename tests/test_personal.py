"""The personal-data vocabulary: English, Russian transliteration and Cyrillic names."""

from __future__ import annotations

import pytest

from verify.mask import is_personal
from verify.personal import PERSONAL_TERMS, RESIDENCY_TERMS, name_match, words

RESIDENCY = PERSONAL_TERMS + RESIDENCY_TERMS

STRONG = {
    "phone": "phone",
    "client_phone": "phone",
    "phoneNumber": "phone",
    "telefon": "phone",
    "nomer_telefona": "phone",
    "Телефон": "phone",
    "seriya_pasporta": "identity document",
    "email": "e-mail",
    "e_mail": "e-mail",
    "pochta": "e-mail",
    "first_name": "person name",
    "lastName": "person name",
    "full_name": "person name",
    "client_name": "person name",
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
    "mac_address": "device address",
}
# Personal in the reference system's data (WhatsApp ids are phones), not in every schema.
RESIDENCY_ONLY = {
    "remote_jid": "phone",
    "remoteJid": "phone",
    "pushName": "person name",
    "last_ip": "IP address",
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
    "email_verified",
    "phone_confirmed_at",
    "address_id",
    "company_name",
]


@pytest.mark.parametrize("column", sorted(STRONG))
def test_a_personal_column_name_is_named_with_its_category(column: str) -> None:
    found = name_match(column)
    assert found is not None and found.strong, column
    assert found.category == STRONG[column]


@pytest.mark.parametrize("column", sorted(RESIDENCY_ONLY))
def test_residency_also_knows_the_reference_systems_names(column: str) -> None:
    assert name_match(column) is None
    found = name_match(column, RESIDENCY)
    assert found is not None and found.category == RESIDENCY_ONLY[column]


@pytest.mark.parametrize("column", NOT_PERSONAL)
def test_a_name_that_only_mentions_a_personal_word_is_not_personal(column: str) -> None:
    assert name_match(column, RESIDENCY) is None


def test_a_bare_name_is_weak_evidence() -> None:
    found = name_match("name")
    assert found is not None and not found.strong


def test_words_split_snake_case_camel_case_and_cyrillic() -> None:
    assert words("remoteJid") == ("remote", "jid")
    assert words("data_rozhdeniya") == ("data", "rozhdeniya")
    assert words("ДатаРождения") == ("дата", "рождения")


def test_masking_hides_the_shared_vocabulary_and_secrets() -> None:
    assert is_personal("telefon") and is_personal("familiya") and is_personal("snils")
    assert is_personal("encrypted_password") and is_personal("raw_user_meta_data")
    assert not is_personal("remote_jid")  # residency's own: masked when listed
    assert not is_personal("service_name") and not is_personal("company_id")
