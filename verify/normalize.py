"""Canonical forms of catalog text, so that two servers' catalogs compare honestly.

What pg_get_*def prints can differ between major versions in layout (line
breaks, indentation, a trailing semicolon) without differing in meaning; the
privileges a server knows grow with its version (MAINTAIN from 17); owners and
grantees differ by design when the target's roles have other names. Each
function here removes one such difference and nothing more.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

# Privileges and the server_version_num that introduced them. A privilege the older
# server cannot express is no difference between the two.
PRIVILEGES_SINCE: dict[str, int] = {"MAINTAIN": 170000}

# Quoted literals and identifiers are kept byte for byte; only the text between them
# is re-spaced.
_QUOTED = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")
_SPACE = re.compile(r"\s+")
# Spaces next to brackets and commas carry no meaning in deparsed SQL.
_TIGHT = re.compile(r"\s*([(),])\s*")
# Setting names whose values are secrets (a Supabase project keeps its JWT secret in
# ALTER DATABASE ... SET app.settings.jwt_secret): compared by digest, never shown.
_SECRET_SETTING = re.compile(r"secret|password|passwd|token|key", re.IGNORECASE)


def sql_text(text: str | None) -> str | None:
    """Deparsed SQL without layout: whitespace runs collapsed, none beside brackets or
    commas, no trailing semicolon. None stays None (no expression is not an empty one)."""
    if text is None:
        return None
    parts = _QUOTED.split(text)
    # split() with one group alternates: unquoted text at even indexes, quoted at odd.
    for i in range(0, len(parts), 2):
        parts[i] = _TIGHT.sub(r"\1", _SPACE.sub(" ", parts[i]))
    return "".join(parts).strip().rstrip(";").rstrip()


_NAME = r'(?:"(?:[^"]|"")+"|\w+)'
# A view over exactly one relation: FROM schema.table [alias], then a clause or the end.
_ONE_RELATION = re.compile(
    rf" FROM {_NAME}\.(?P<table>{_NAME})(?: (?P<alias>{_NAME}))?"
    r"(?=$| WHERE| GROUP BY| HAVING| WINDOW| ORDER BY| LIMIT| OFFSET| FETCH)"
)
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[^'\"]+")


def _unqualified(text: str, qualifier: str) -> str:
    """`text` without `qualifier.` before column names (quoted literals left alone)."""
    quoted = qualifier.startswith('"')
    bare = re.compile(rf"(?<![\w.\"]){re.escape(qualifier)}\.")
    out: list[str] = []
    drop_dot = False
    for token in _TOKENS.findall(text):
        if drop_dot and token.startswith("."):
            token = token[1:]
        drop_dot = False
        if token.startswith("'"):
            out.append(token)
        elif token.startswith('"'):
            if quoted and token == qualifier and not (out and out[-1].endswith(".")):
                drop_dot = True
                continue
            out.append(token)
        else:
            out.append(token if quoted else bare.sub("", token))
    return "".join(out)


def view_text(definition: str | None) -> str | None:
    """A view's definition as `sql_text`, and, when it reads exactly one relation, without the
    table or alias before its column names: PostgreSQL 15 writes `c.id` where 16 and later
    write `id` (one relation leaves no doubt), so a copy across versions compares equal."""
    text = sql_text(definition)
    if text is None:
        return None
    unquoted = "".join(t for t in _TOKENS.findall(text) if not t.startswith(("'", '"')))
    if unquoted.count(" FROM ") != 1 or " JOIN " in unquoted:
        return text
    match = _ONE_RELATION.search(text)
    if match is None:
        return text
    return _unqualified(text, match["alias"] or match["table"])


def body_text(text: str | None) -> str | None:
    """A function body as written, minus leading/trailing blank space and CR line ends."""
    if text is None:
        return None
    return text.replace("\r\n", "\n").strip()


def map_role(role: str, role_map: Mapping[str, str]) -> str:
    """The target's name for a source role (itself when the map does not name it)."""
    return role_map.get(role, role)


def unknown_privileges(*versions: int) -> frozenset[str]:
    """Privileges at least one of these servers (server_version_num) cannot grant."""
    oldest = min(versions)
    return frozenset(p for p, since in PRIVILEGES_SINCE.items() if since > oldest)


def acl_map(
    rows: Iterable[Mapping[str, Any]],
    *,
    role_map: Mapping[str, str],
    ignore: frozenset[str] = frozenset(),
    ignore_grantees: frozenset[str] = frozenset(),
    owner: Callable[[str], str] | None = None,
) -> dict[str, list[str]]:
    """Exploded ACL rows (grantee, privilege, grantable) as {grantee: sorted privileges},
    a grantable privilege marked with '*', grantees through the role map; privileges in
    `ignore`, grantees in `ignore_grantees` (names before mapping) and the owner's own
    privileges (rows marked `owner_privilege` whose grantee is the owner, named through
    `owner`) left out."""
    acl: dict[str, set[str]] = {}
    for row in rows:
        grantee, privilege = row.get("grantee"), row.get("privilege")
        if grantee is None or privilege is None or privilege in ignore:
            continue
        if grantee in ignore_grantees:
            continue
        name = map_role(str(grantee), role_map)
        owned_by = row.get("owner")
        if owned_by and row.get("owner_privilege"):
            compared_as = owner(str(owned_by)) if owner else map_role(str(owned_by), role_map)
            if grantee == owned_by or name == compared_as:
                continue  # comes with ownership (compared as the owner), granted or not
        acl.setdefault(name, set()).add(f"{privilege}{'*' if row.get('grantable') else ''}")
    return {grantee: sorted(privs) for grantee, privs in sorted(acl.items())}


def options_map(options: Iterable[str] | None) -> dict[str, str]:
    """reloptions ('key=value' strings) as a sorted dict."""
    pairs = (o.split("=", 1) for o in options or ())
    return dict(sorted((p[0], p[1] if len(p) > 1 else "") for p in pairs))


def setting_value(name: str, value: str) -> str:
    """A setting's value for comparison and evidence; secrets become a digest."""
    if _SECRET_SETTING.search(name):
        return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:12]
    return value


def settings_map(config: Iterable[str] | None) -> dict[str, str]:
    """pg_db_role_setting.setconfig ('name=value' strings) as a sorted dict, secrets hidden."""
    pairs = (c.split("=", 1) for c in config or ())
    return dict(sorted((p[0], setting_value(p[0], p[1] if len(p) > 1 else "")) for p in pairs))
