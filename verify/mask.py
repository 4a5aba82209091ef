"""Keeping secrets and personal data out of logs, reports and attachments.

One function redacts URL passwords everywhere (`redact_url`, which also takes free text
holding URLs), so a password can only leak through code that forgot to call it; `scrub`
is that same redaction plus the secrets a caller knows (a password, say) for free text
such as driver error messages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from verify.personal import looks_personal, words

# A URL's user and password. The password runs to the last '@' before a blank, so one
# holding an unencoded '@' (a malformed URL) is hidden whole, not up to its first '@'; a
# missing ':' after the scheme does not save it either.
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*:?//)(?P<user>[^:@/\s]*):(?P<pw>\S*)@", re.I)
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.I)
_SECRET_PARAMS = re.compile(
    r"([?&](?:password|sslpassword|apikey|api_key|key|token)=)[^&\s]*", re.I
)

REDACTED = "***"


def redact_url(text: str) -> str:
    """`text` (a URL, or any text holding URLs or conninfo strings) with every password and
    secret query parameter replaced by ***."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    text = _KEYWORD_PASSWORD.sub(rf"\g<1>{REDACTED}", text)
    return _SECRET_PARAMS.sub(rf"\g<1>{REDACTED}", text)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`redact_url` over free text (error messages, logs), and each given secret removed as
    written or percent-encoded (as it stands in a URL)."""
    text = redact_url(text)
    for secret in secrets:
        for form in (secret, quote(secret, safe="")) if secret else ():
            text = text.replace(form, REDACTED)
    return text


def error_line(exc: BaseException) -> str:
    """An error in one line a user can read: the server's primary message (else the
    exception's text, else its type), first line, URLs scrubbed; a statement timeout says
    which setting to raise."""
    diag = getattr(exc, "diag", None)
    text = (getattr(diag, "message_primary", None) or str(exc) or type(exc).__name__).strip()
    line = scrub(text.splitlines()[0] if text else type(exc).__name__)
    if getattr(exc, "sqlstate", None) == "57014" and "statement timeout" in line:
        # What to fix is a setting of the server, not the data: say which.
        line += " (raise statement_timeout for the user pgcutover connects as)"
    return line


# ---------------------------------------------------------------------------------------
# Personal data in evidence: masked by default, keeping the shape an approver needs to see
# that two values differ (`+7 *** *** 12 34`, `И*** П***`).
# ---------------------------------------------------------------------------------------
# Beyond verify.personal's vocabulary (the one list residency uses too): secrets that sit
# beside personal data (Supabase's auth.users holds all three), as a name's last word, and
# Supabase Auth's JSON columns, where every project keeps names and e-mails. Anything else
# is named by [mask] personal_columns or --personal-column.
SECRET_WORDS: tuple[str, ...] = ("password", "token", "secret")
SUPABASE_AUTH_JSON: tuple[str, ...] = ("raw_user_meta_data", "identity_data")


def is_personal(column: str, extra: Iterable[str] = ()) -> bool:
    """Whether a column holds personal data (or a secret): listed in `extra`
    (case-insensitive), named like it (verify.personal: first_name, client_phone, telefon,
    ...), a secret, or one of Supabase Auth's JSON columns."""
    if column.lower() in {c.lower() for c in extra}:
        return True
    parts = words(column)
    return (
        looks_personal(column)
        or (bool(parts) and parts[-1] in SECRET_WORDS)
        or "_".join(parts) in SUPABASE_AUTH_JSON
    )


_PHONE = re.compile(r"^\+?[\d\s().-]{10,}$")
_STARS = "***"
# E.164 country calling codes of one or two digits; every other code has three.
_TWO_DIGIT_CODES = frozenset(
    (
        "20",
        "27",
        "30",
        "31",
        "32",
        "33",
        "34",
        "36",
        "39",
        "40",
        "41",
        "43",
        "44",
        "45",
        "46",
        "47",
        "48",
        "49",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "60",
        "61",
        "62",
        "63",
        "64",
        "65",
        "66",
        "81",
        "82",
        "84",
        "86",
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
        "98",
    )
)


def _country_code(digits: str) -> str:
    """The country calling code an international number (digits after '+') starts with."""
    if digits[:1] in ("1", "7"):
        return digits[:1]
    return digits[:2] if digits[:2] in _TWO_DIGIT_CODES else digits[:3]


def mask_text(text: str) -> str:
    """Mask one string keeping its shape: phones keep their country code (+7, +44, +380)
    and last four digits, e-mails their domain, other text the first letter of each word."""
    if _PHONE.match(text.strip()):
        digits = re.sub(r"\D", "", text)
        country = "+" + _country_code(digits) if text.strip().startswith("+") else ""
        return f"{country} {_STARS} {_STARS} {digits[-4:-2]} {digits[-2:]}".strip()
    if "@" in text:
        local, _, domain = text.rpartition("@")
        return f"{local[:1]}{_STARS}@{domain}"
    # Words become their first letter and ***; the spaces between and around them stay.
    return re.sub(r"\S+", lambda m: m[0][:1] + _STARS, text)


def mask_value(value: Any) -> Any:
    """`value` with every string inside it masked (numbers, booleans and NULL kept)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(v) for v in value]
    return value


def mask_row(row: dict[str, Any], extra: Iterable[str] = ()) -> dict[str, Any]:
    """A row (column -> value) with its personal columns masked."""
    extra = tuple(extra)
    return {k: mask_value(v) if is_personal(k, extra) else v for k, v in row.items()}


# ---------------------------------------------------------------------------------------
# Key material (Baileys Buffers, base64 secrets) is a secret, not personal data: evidence
# shows its size and a short digest, so two values can be told apart without revealing
# either, even with --no-mask.
# ---------------------------------------------------------------------------------------
_BASE64_SECRET = re.compile(r"^[A-Za-z0-9+/_-]{22,}={0,2}$")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def redact_secrets(value: Any) -> Any:
    """`value` (parsed JSON, revived or not) with Buffers (wrappers or bytes) and long base64
    strings replaced by their size and a sha256 prefix."""
    from verify.buffers import is_buffer_wrapper, revive

    if isinstance(value, bytes):
        return {"Buffer": f"{len(value)} bytes, sha256 {_digest(value)}"}
    if isinstance(value, dict):
        if is_buffer_wrapper(value):
            revived = revive(value)
            if isinstance(revived, bytes):
                return redact_secrets(revived)
        return {k: redact_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_secrets(v) for v in value]
    if type(value) is str and _BASE64_SECRET.match(value):  # not a JSON number kept as text
        return f"<base64, {len(value)} chars, sha256 {_digest(value.encode())}>"
    return value


# 10 to 13 digits: phone numbers with their country code; longer runs are timestamps
# (20250110120000) or WhatsApp LIDs, left readable.
_LONG_NUMBER = re.compile(r"\+?(?<!\d)\d{10,13}(?!\d)")


def mask_phone_numbers(text: str) -> str:
    """Mask phone-like digit runs inside any text (WhatsApp ids carry phones: a key id such as
    79123451234.0 or 79123451234@s.whatsapp.net), keeping the last four digits."""
    return _LONG_NUMBER.sub(lambda m: mask_text(m[0]), text)
