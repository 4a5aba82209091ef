"""What names personal data: one vocabulary for masking evidence and for residency (152-FZ).

Column names and JSON keys are split into words (snake_case, camelCase, digits) and
matched against terms in English, Russian transliteration (familiya, imya, otchestvo,
telefon, pochta, adres, pasport, data_rozhdeniya, snils, inn) and Cyrillic. A term is
either a stem found anywhere in the name ("phone" in `client_phone`, "rozhd" in
`data_rozhdeniya`) or, when short enough to hide inside other words ("inn" in `inner`,
"ip" in `zip`), a whole word.

Strength matters to residency only: a strong match (a phone, an e-mail, a passport) makes
a table personal on its own; a weak one (a bare `name`, which is as often a service's or a
company's as a person's) only adds to the explanation of a table found by a strong one.
Masking hides both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One way a name says what it holds."""

    category: str  # "phone", "e-mail", "person name", ...
    text: str  # a stem (found anywhere) or a whole word
    whole_word: bool = False
    strong: bool = True


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

TERMS: tuple[Term, ...] = (
    # Checked in order; the first match names the category.
    Term(IP_ADDRESS, "ip", whole_word=True),
    Term(IP_ADDRESS, "ipaddr"),
    Term(IP_ADDRESS, "ip_addr"),
    Term(IP_ADDRESS, "remote_addr"),
    Term(DEVICE, "mac_addr"),
    Term(DEVICE, "macaddr"),
    Term(EMAIL, "email"),
    Term(EMAIL, "e_mail"),
    Term(EMAIL, "pochta"),
    Term(EMAIL, "почт"),
    Term(EMAIL, "mail", whole_word=True, strong=False),
    Term(PHONE, "phone"),
    Term(PHONE, "telefon"),
    Term(PHONE, "телефон"),
    Term(PHONE, "msisdn"),
    Term(PHONE, "tel", whole_word=True),
    # A WhatsApp id is the phone number: 79991234567@s.whatsapp.net.
    Term(PHONE, "jid", whole_word=True),
    Term(PHONE, "mobile", whole_word=True, strong=False),
    Term(PERSON_NAME, "first_name"),
    Term(PERSON_NAME, "last_name"),
    Term(PERSON_NAME, "middle_name"),
    Term(PERSON_NAME, "full_name"),
    Term(PERSON_NAME, "given_name"),
    Term(PERSON_NAME, "family_name"),
    Term(PERSON_NAME, "surname"),
    Term(PERSON_NAME, "patronymic"),
    Term(PERSON_NAME, "familiya"),
    Term(PERSON_NAME, "familija"),
    Term(PERSON_NAME, "otchestvo"),
    Term(PERSON_NAME, "фамил"),
    Term(PERSON_NAME, "отчеств"),
    Term(PERSON_NAME, "imya", whole_word=True),
    Term(PERSON_NAME, "imja", whole_word=True),
    Term(PERSON_NAME, "имя", whole_word=True),
    Term(PERSON_NAME, "fio", whole_word=True),
    Term(PERSON_NAME, "фио", whole_word=True),
    Term(BIRTH_DATE, "birth"),
    Term(BIRTH_DATE, "rozhd"),
    Term(BIRTH_DATE, "рожд"),
    Term(BIRTH_DATE, "dob", whole_word=True),
    Term(DOCUMENT, "passport"),
    Term(DOCUMENT, "pasport"),
    Term(DOCUMENT, "паспорт"),
    Term(DOCUMENT, "snils"),
    Term(DOCUMENT, "снилс"),
    Term(DOCUMENT, "inn", whole_word=True),
    Term(DOCUMENT, "инн", whole_word=True),
    Term(DOCUMENT, "ssn", whole_word=True),
    Term(ADDRESS, "address"),
    Term(ADDRESS, "adres"),
    Term(ADDRESS, "адрес"),
    Term(ADDRESS, "street"),
    Term(ADDRESS, "ulitsa"),
    Term(ADDRESS, "улиц"),
    Term(ADDRESS, "addr", whole_word=True),
)

# `<who>_name` is a person's name when <who> is a person (client_name, pushName, username);
# `service_name` or `file_name` is not, and a bare `name` could be either (weak).
PERSON_WORDS = frozenset(
    {
        "client",
        "customer",
        "contact",
        "patient",
        "guest",
        "person",
        "employee",
        "staff",
        "user",
        "member",
        "recipient",
        "sender",
        "owner",
        "display",
        "push",
        "nick",
        "maiden",
        "actor",
        "klient",
    }
)

_CAMEL = re.compile(r"(?<=[a-zа-яё0-9])(?=[A-ZА-ЯЁ])")
_SEPARATORS = re.compile(r"[^0-9a-zа-яё]+")


def words(identifier: str) -> tuple[str, ...]:
    """The words of a column name or JSON key: `remoteJid` -> (remote, jid)."""
    return tuple(w for w in _SEPARATORS.split(_CAMEL.sub("_", identifier).lower()) if w)


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


def _person_name(parts: tuple[str, ...]) -> NameMatch | None:
    for i, part in enumerate(parts):
        if part == "name" and i > 0 and parts[i - 1] in PERSON_WORDS:
            return NameMatch(PERSON_NAME, f"{parts[i - 1]}_name", True)
        if part.endswith("name") and part[:-4] in PERSON_WORDS:
            return NameMatch(PERSON_NAME, part, True)
    if parts in {("name",), ("names",)}:
        return NameMatch(PERSON_NAME, "name", False)
    return None


def name_match(identifier: str) -> NameMatch | None:
    """The strongest reason a column name or JSON key looks personal, or None."""
    parts = words(identifier)
    if not parts:
        return None
    joined, compact = "_".join(parts), "".join(parts)
    weak: NameMatch | None = None
    for term in TERMS:
        if term.whole_word:
            hit = term.text in parts
        else:
            hit = term.text in joined or term.text.replace("_", "") in compact
        if hit:
            found = NameMatch(term.category, term.text, term.strong)
            if found.strong:
                return found
            weak = weak or found
    person = _person_name(parts)
    if person is not None and (person.strong or weak is None):
        return person
    return weak


def looks_personal(identifier: str) -> bool:
    """Whether a column name or JSON key names personal data (strong or weak)."""
    return name_match(identifier) is not None
