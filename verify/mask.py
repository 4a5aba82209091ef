"""Keeping secrets and personal data out of logs, reports and attachments.

One function redacts URLs everywhere (`redact_url`), so a password can only
leak through code that forgot to call it; `scrub` is the second line of
defence for free text such as driver error messages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from verify.personal import looks_personal

_USERINFO = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:@/\s]*):(?P<pw>[^@\s]*)@", re.I
)
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.I)
_SECRET_PARAMS = re.compile(
    r"([?&](?:password|sslpassword|apikey|api_key|key|token)=)[^&\s]*", re.I
)

REDACTED = "***"


def redact_url(url: str) -> str:
    """Return `url` with its password (and secret query parameters) replaced by ***."""
    try:
        text = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        text = url
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    return _SECRET_PARAMS.sub(rf"\g<1>{REDACTED}", _KEYWORD_PASSWORD.sub(rf"\g<1>{REDACTED}", text))


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove URL passwords and each given secret from free text (error messages, logs)."""
    text = _KEYWORD_PASSWORD.sub(
        rf"\g<1>{REDACTED}", _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    )
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


# ---------------------------------------------------------------------------------------
# Personal data in evidence: masked by default, keeping the shape an approver needs to see
# that two values differ (`+7 *** *** 12 34`, `И*** П***`).
# ---------------------------------------------------------------------------------------
# Beyond verify.personal's vocabulary (shared with residency): any `name` (a service's
# name masked too costs nothing) and content columns that may hold anything a person wrote.
PERSONAL_NAME_PARTS: tuple[str, ...] = (
    "name",
    "mail",
    "body",
    "meta_data",
    "context",
    "payload",
)
_PHONE = re.compile(r"^\+?[\d\s()-]{10,}$")
_STARS = "***"


def is_personal(column: str, extra: Iterable[str] = ()) -> bool:
    """Whether a column holds personal data: named like it (name, phone, email, …) or listed."""
    low = column.lower()
    return (
        low in {c.lower() for c in extra}
        or any(part in low for part in PERSONAL_NAME_PARTS)
        or looks_personal(column)
    )


def mask_text(text: str) -> str:
    """Mask one string keeping its shape: phones keep country code and last four digits,
    e-mails their domain, other text the first letter of each word."""
    if _PHONE.match(text.strip()):
        digits = re.sub(r"\D", "", text)
        country = "+" + digits[:1] if text.strip().startswith("+") else ""
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
    """`value` (parsed JSON) with Buffer wrappers and long base64 strings replaced by their
    size and a sha256 prefix."""
    from verify.buffers import is_buffer_wrapper, revive

    if isinstance(value, dict):
        if is_buffer_wrapper(value):
            revived = revive(value)
            if isinstance(revived, bytes):
                return {"Buffer": f"{len(revived)} bytes, sha256 {_digest(revived)}"}
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
