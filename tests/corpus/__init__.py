"""A foreign corpus: databases the demo did not make, to copy and verify end to end.

Each database is one SQL file here, loaded into an existing empty database by
`build_<name>(endpoint, contrib=...)`. Nothing here imports pgcutover.demo: the corpus
exists to show what the product does with schemas it was not written around.

- supabase: Supabase's own roles, auth/storage/extensions schemas with their real owners
  and grants (from supabase/postgres's init scripts and migrations), and a booking app in
  public that depends on auth (and, with contrib, on extensions) but not on storage.
- types: pgbench-shaped tables plus schema `zoo` holding every type family and object kind.
- awkward: names that break naive code (quoting, spaces, reserved words, 63 bytes,
  Cyrillic, dots) and values that break naive text handling.

A file is split into sections by lines `-- corpus: <name> [when contrib|core]`; each
section runs in its own transaction, `when contrib` ones only on servers that ship
pgcrypto and uuid-ossp, `when core` ones only on the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from verify.connect import Endpoint

HERE = Path(__file__).parent
_SECTION = re.compile(r"^-- corpus: (?P<name>[\w-]+)(?: when (?P<when>contrib|core))?\s*$", re.M)


@dataclass(frozen=True)
class Section:
    """One transaction's worth of a corpus script."""

    name: str
    when: str | None  # "contrib", "core" or None (always)
    sql: str


def sections(script: str) -> list[Section]:
    """The sections of a corpus script, in order (text before the first marker is ignored)."""
    marks = list(_SECTION.finditer(script))
    return [
        Section(m["name"], m["when"], script[m.end() : nxt.start() if nxt else len(script)])
        for m, nxt in zip(marks, [*marks[1:], None], strict=True)
    ]


def run_script(endpoint: Endpoint, name: str, *, contrib: bool) -> None:
    """Run tests/corpus/<name>.sql on the database, section by section."""
    script = (HERE / f"{name}.sql").read_text(encoding="utf-8")
    with psycopg.connect(endpoint.conninfo, autocommit=True) as conn:
        for section in sections(script):
            if section.when == ("core" if contrib else "contrib"):
                continue
            with conn.transaction():
                conn.execute(section.sql)


def build_supabase(endpoint: Endpoint, *, contrib: bool) -> None:
    """Supabase's platform schemas and roles plus a booking app (pgcrypto/uuid-ossp in
    `extensions` only with contrib)."""
    run_script(endpoint, "supabase", contrib=contrib)


def build_types(endpoint: Endpoint, *, contrib: bool) -> None:
    """pgbench's tables plus schema `zoo`: every type family and object kind (only
    extensions that both the wheel and Debian's PostgreSQL ship, so contrib changes nothing)."""
    run_script(endpoint, "types", contrib=contrib)


def build_awkward(endpoint: Endpoint, *, contrib: bool) -> None:
    """Identifiers and values that break naive code (contrib changes nothing)."""
    run_script(endpoint, "awkward", contrib=contrib)


BUILDERS: dict[str, Callable[..., None]] = {
    "supabase": build_supabase,
    "types": build_types,
    "awkward": build_awkward,
}
