"""What moves and in which order: the plan every later stage follows."""

from __future__ import annotations

from dataclasses import dataclass

from verify.catalog import Conn, SchemaScope, Table, read_sequences, read_tables, roles_used
from verify.catalog import schema_scope as read_scope


@dataclass(frozen=True)
class Plan:
    """Schemas in and out, the tables whose rows move, sequences to set, roles to provide."""

    scope: SchemaScope
    tables: tuple[Table, ...]
    sequences: tuple[tuple[str, str], ...]
    roles: tuple[str, ...]

    @property
    def units(self) -> tuple[Table, ...]:
        """Tables that hold rows: plain tables and leaf partitions, never partitioned parents."""
        return tuple(t for t in self.tables if t.holds_rows)


def build_plan(
    source: Conn, *, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> Plan:
    """Read the source catalog and decide what moves."""
    scope = read_scope(source, include=include, exclude=exclude)
    return Plan(
        scope=scope,
        tables=tuple(read_tables(source, scope.included)),
        sequences=tuple(read_sequences(source, scope.included)),
        roles=tuple(roles_used(source, scope.included)),
    )
