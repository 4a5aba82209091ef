"""Keeping secrets and personal data out of logs, reports and attachments.

One function redacts URLs everywhere (`redact_url`), so a password can only
leak through code that forgot to call it; `scrub` is the second line of
defence for free text such as driver error messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

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


_PERSONAL = re.compile(r"(^|_)(name|phone|email|jid|address|passport|birth|client)(_|$)", re.I)


def is_personal_column(column: str) -> bool:
    """Whether a column's name says it holds personal data (names, phones, emails, ...)."""
    return bool(_PERSONAL.search(column))


def mask_text(value: str) -> str:
    """Keep the shape, hide the person: '+7 912 345 12 34' -> '+7 *** *** 12 34',
    'Иван Петров' -> 'И*** П***'."""
    digits = sum(ch.isdigit() for ch in value)
    if digits >= 7:
        seen = 0
        out = []
        for ch in value:
            if ch.isdigit():
                seen += 1
                keep = seen <= 1 or seen > digits - 4
                out.append(ch if keep else "*")
            else:
                out.append(ch)
        return "".join(out)
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return " ".join(f"{word[:1]}***" if word else word for word in value.split(" "))


def mask_value(value: object) -> object:
    """Mask a value of a personal column for evidence; non-text values become '***'."""
    if value is None:
        return None
    if isinstance(value, str):
        return mask_text(value)
    return REDACTED
