"""What names personal data: one vocabulary, for masking evidence and for residency (152-FZ).

A column name or JSON key is split into words (snake_case, camelCase, Cyrillic alike;
trailing digits dropped: phone2 is phone) and matches a term when it is the term's words or
ends with them: `client_phone`, `billing_address`, `customer_email`, but not
`phone_confirmed_at`, `address_id` or `company_name`. A stem term's last word may go on
(Russian declension: telefon, nomer_telefona; data_rozhdeniya), and short or ambiguous
words (name, tel, mail, dob, ip) count only as the whole name. English, Russian
transliteration (familiya, imya, otchestvo, telefon, pochta, adres, pasport,
data_rozhdeniya, snils, inn) and Cyrillic.

Strength matters to residency only: a strong match (a phone, an e-mail, a passport) makes a
table personal on its own; a weak one (a bare `name`: a service's or a company's as often
as a person's) only adds to the explanation of a table found by a strong one. Masking
hides both. Residency also knows a few names that are personal in the reference system's
data but not in general (`RESIDENCY_TERMS`: WhatsApp ids, IP addresses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PHONE, EMAIL, PERSON_NAME, BIRTH_DATE, DOCUMENT, ADDRESS, IP_ADDRESS, DEVICE = (
    "phone",
    "e-mail",
    "person name",
    "birth date",
    "identity document",
    "postal address",
    "IP address",
    "device address",
)


@dataclass(frozen=True)
class Term:
    """One way a name says it holds personal data: its last words."""

    category: str
    words: tuple[str, ...]
    stem: bool = False  # the last word may go on: telefon matches telefona
    whole: bool = False  # only as the whole name
    strong: bool = True

    @property
    def text(self) -> str:
        """The term as written: first_name."""
        return "_".join(self.words)


def _terms(category: str, *names: str, **how: bool) -> tuple[Term, ...]:
    return tuple(Term(category, tuple(n.split("_")), **how) for n in names)


PERSONAL_TERMS: tuple[Term, ...] = (
    *_terms(
        PERSON_NAME,
        "first_name",
        "last_name",
        "middle_name",
        "full_name",
        "given_name",
        "family_name",
        "maiden_name",
        "display_name",
        "firstname",
        "lastname",
        "fullname",
        "surname",
        "patronymic",
        "nickname",
        "username",
        "user_name",
        "client_name",
        "customer_name",
        "contact_name",
        "person_name",
        "patient_name",
        "guest_name",
        "imya",
        "imja",
        "имя",
    ),
    *_terms(
        PERSON_NAME, "familiya", "familija", "familia", "otchestv", "фамили", "отчеств", stem=True
    ),
    *_terms(PERSON_NAME, "fio", "фио"),
    *_terms(PERSON_NAME, "name", whole=True, strong=False),
    *_terms(PHONE, "phone", "telephone", "msisdn", "telefon", "телефон", stem=True),
    *_terms(PHONE, "phone_number", "phone_no", "mobile", "fax"),
    *_terms(PHONE, "tel", "cell", whole=True),
    *_terms(EMAIL, "email", "pocht", "почт", stem=True),
    *_terms(EMAIL, "e_mail", "email_address"),
    *_terms(EMAIL, "mail", whole=True),
    *_terms(IP_ADDRESS, "ip_address"),
    *_terms(IP_ADDRESS, "ip", whole=True),
    *_terms(DEVICE, "mac_address"),
    *_terms(ADDRESS, "address", "adres", "адрес", stem=True),
    *_terms(ADDRESS, "street", "postcode", "postal_code", "zip_code", "ulitsa", "улица"),
    *_terms(BIRTH_DATE, "birth_date", "birthdate", "birthday", "date_of_birth"),
    *_terms(BIRTH_DATE, "rozhd", "рожд", stem=True),
    *_terms(BIRTH_DATE, "dob", whole=True),
    *_terms(DOCUMENT, "passport", "pasport", "паспорт", stem=True),
    *_terms(DOCUMENT, "passport_number", "passport_no", "ssn", "national_id", "tax_id"),
    *_terms(DOCUMENT, "snils", "снилс", "inn", "инн"),
)

# Personal in the reference system's data, not in every schema: masking leaves them to
# [mask] personal_columns, residency looks for them.
RESIDENCY_TERMS: tuple[Term, ...] = (
    # A WhatsApp id is the phone number: 79991234567@s.whatsapp.net.
    *_terms(PHONE, "jid", "wa_id", "whatsapp"),
    *_terms(PERSON_NAME, "push_name", "pushname"),
    *_terms(IP_ADDRESS, "ip", "remote_addr", "ipaddr", "ip_addr"),
)

_CAMEL = re.compile(r"(?<=[a-zа-яё0-9])(?=[A-ZА-ЯЁ])")
_SEPARATORS = re.compile(r"[^0-9a-zа-яё]+")


def words(identifier: str) -> tuple[str, ...]:
    """The words of a column name or JSON key: `remoteJid` -> (remote, jid); trailing
    digits dropped (`phone2` -> (phone,))."""
    found = [w for w in _SEPARATORS.split(_CAMEL.sub("_", identifier).lower()) if w]
    while found and found[-1].isdigit():
        found.pop()
    if found:
        found[-1] = found[-1].rstrip("0123456789") or found[-1]
    return tuple(found)


@dataclass(frozen=True)
class NameMatch:
    """Why a name looks personal."""

    category: str
    term: str
    strong: bool

    @property
    def why(self) -> str:
        """'phone (name matches "phone")'."""
        return f'{self.category} (name matches "{self.term}")'


def _matched_words(term: Term, parts: tuple[str, ...]) -> int:
    """How many of the name's last words the term matches (0: it does not match)."""
    n = len(term.words)
    if term.whole:
        return n if parts == term.words else 0
    if len(parts) >= n and parts[-n:-1] == term.words[:-1]:
        last = parts[-1]
        if last.startswith(term.words[-1]) if term.stem else last == term.words[-1]:
            return n
    # firstname, phonenumber: the term's words written as one
    return 1 if n > 1 and parts and parts[-1] == "".join(term.words) else 0


def name_match(identifier: str, terms: tuple[Term, ...] = PERSONAL_TERMS) -> NameMatch | None:
    """The most specific term a column name or JSON key matches (most words matched, then
    strong before weak, then the first listed), or None."""
    parts = words(identifier)
    best: tuple[int, bool] = (0, False)
    found: Term | None = None
    for term in terms:
        score = (_matched_words(term, parts), term.strong)
        if score[0] and score > best:
            best, found = score, term
    return None if found is None else NameMatch(found.category, found.text, found.strong)


def looks_personal(identifier: str) -> bool:
    """Whether a column name or JSON key names personal data (strong or weak)."""
    return name_match(identifier) is not None
