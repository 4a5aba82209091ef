"""Damage the demo's target on purpose, so the gate can be seen saying NO-GO.

Each fault names the object it damages; the gate must name the same object.
Faults run as the target's superuser with session_replication_role=replica,
so foreign keys do not stop a row from going missing: that is the point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

Conn = psycopg.Connection[Any]


@dataclass(frozen=True)
class Fault:
    """A way to damage the target and the object it damages."""

    name: str
    table: str
    description: str
    apply: Callable[[Conn], None]


def _delete_one_client(conn: Conn) -> None:
    conn.execute("SET LOCAL session_replication_role = replica")
    conn.execute(
        "DELETE FROM public.clients WHERE ctid = (SELECT ctid FROM public.clients ORDER BY id LIMIT 1)"
    )


def _add_rogue_migration(conn: Conn) -> None:
    conn.execute(
        "INSERT INTO public.schema_migrations (version) VALUES (%s)", ("99990101000000_rogue",)
    )


def _widen_a_numeric(conn: Conn) -> None:
    row = conn.execute(
        """SELECT a.attname FROM pg_attribute a
           WHERE a.attrelid = 'public.services'::regclass AND a.attnum > 0
             AND NOT a.attisdropped AND format_type(a.atttypid, a.atttypmod) LIKE 'numeric(%%'
           ORDER BY a.attnum LIMIT 1"""
    ).fetchone()
    if row is None:
        raise LookupError("public.services has no numeric(p,s) column to damage")
    conn.execute(
        sql.SQL("ALTER TABLE public.services ALTER COLUMN {} TYPE numeric").format(
            sql.Identifier(row[0])
        )
    )


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "missing-row", "public.clients", "deleted one row of public.clients", _delete_one_client
        ),
        Fault(
            "extra-row",
            "public.schema_migrations",
            "added a migration row the source never had",
            _add_rogue_migration,
        ),
        Fault(
            "column-type",
            "public.services",
            "changed a numeric(p,s) column of public.services to unconstrained numeric",
            _widen_a_numeric,
        ),
    )
}


def break_target(conn: Conn, name: str) -> Fault:
    """Apply fault `name` to the target in one transaction; return it."""
    fault = FAULTS[name]
    with conn.transaction():
        fault.apply(conn)
    return fault
