"""Operational readiness checks on real servers: settings as a role's new session gets them,
privileges and sequences of the application's role, the schema version, TLS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg import sql

from tests.fix_servers import execute, unique_name
from verify.connect import Endpoint, parse_url
from verify.operational import (
    CannotCheck,
    SideSession,
    check_privileges,
    check_read_write,
    check_schema_migrations,
    check_sequences,
    check_statement_timeout,
    check_timezone,
    check_tls,
    duration_ms,
    open_session,
    role_settings,
    same_timezone,
    sslmode,
)


def test_durations_read_as_postgresql_writes_them() -> None:
    assert duration_ms("8s") == 8000
    assert duration_ms("8000", "ms") == 8000
    assert duration_ms("1min") == 60_000
    assert duration_ms("0") == 0


def test_utc_has_many_spellings() -> None:
    assert same_timezone("UTC", "Etc/UTC") and same_timezone("GMT", "utc")
    assert not same_timezone("UTC", "Europe/Moscow")


def test_sslmode_comes_from_the_url() -> None:
    assert sslmode(parse_url("postgresql://u@h/db?sslmode=verify-full")) == "verify-full"
    assert sslmode(parse_url("postgresql://u@h/db")) == "prefer"


@pytest.fixture
def role(source_db: Endpoint, target_db: Endpoint) -> Iterator[str]:
    """An application role on both servers (roles are cluster-wide: a name of its own)."""
    name = unique_name("app")
    for db in (source_db, target_db):
        execute(db, f"CREATE ROLE {name} NOLOGIN", f"GRANT USAGE ON SCHEMA public TO {name}")
    yield name
    for db in (source_db, target_db):
        execute(db, f"DROP OWNED BY {name}", f"DROP ROLE {name}")


@pytest.fixture
def pair(
    source_db: Endpoint, target_db: Endpoint, role: str
) -> Iterator[tuple[SideSession, SideSession]]:
    source = open_session(source_db, side="source", app_role=role)
    target = open_session(target_db, side="target", app_role=role)
    yield source, target
    source.conn.close()
    target.conn.close()


def test_a_new_session_of_the_role_gets_role_then_database_then_server_settings(
    source_db: Endpoint, target_db: Endpoint, role: str, pair: tuple[SideSession, SideSession]
) -> None:
    database = sql.Identifier(target_db.dbname)
    execute(
        target_db,
        sql.SQL("ALTER DATABASE {} SET timezone = 'Europe/Moscow'").format(database),
        sql.SQL("ALTER ROLE {} IN DATABASE {} SET statement_timeout = '8s'").format(
            sql.Identifier(role), database
        ),
    )
    source, target = pair
    on_target = role_settings(target, role)
    assert on_target["TimeZone"] == {
        "value": "Europe/Moscow",
        "origin": "ALTER DATABASE",
        "unit": "",
    }
    assert on_target["statement_timeout"]["value"] == "8s"
    assert on_target["statement_timeout"]["origin"] == "ALTER ROLE ... IN DATABASE"
    assert on_target["default_transaction_read_only"]["value"] == "off"
    on_source = role_settings(source, role)
    assert on_source["TimeZone"]["origin"] == "server"
    timezone = check_timezone(on_source, on_target)
    assert (
        not timezone.ok
        and "TimeZone Europe/Moscow on the target (ALTER DATABASE)" in timezone.message
    )
    # The source had no timeout: the target's extra one is fine.
    assert check_statement_timeout(on_source, on_target, (role, role)).ok
    assert not check_statement_timeout(on_target, on_source, (role, role)).ok
    assert check_read_write(on_target).ok


def test_privileges_lost_and_gained_are_both_named(
    source_db: Endpoint, target_db: Endpoint, role: str, pair: tuple[SideSession, SideSession]
) -> None:
    execute(source_db, f"GRANT SELECT, INSERT ON public.clients TO {role}")
    execute(
        target_db,
        f"GRANT SELECT ON public.clients TO {role}",
        f"GRANT DELETE ON public.bookings TO {role}",
    )
    found = check_privileges(*pair, ("public",))
    assert not found.ok
    assert found.evidence["lost"] == ["public.clients: INSERT"]
    assert found.evidence["gained"] == ["public.bookings: DELETE"]


def test_a_sequence_behind_an_insertable_default_must_be_usable(
    source_db: Endpoint, target_db: Endpoint, role: str, pair: tuple[SideSession, SideSession]
) -> None:
    for db in (source_db, target_db):
        execute(db, f"GRANT INSERT ON public.clients TO {role}")
    execute(source_db, f"GRANT USAGE ON SEQUENCE public.clients_id_seq TO {role}")
    found = check_sequences(*pair, ("public",))
    assert not found.ok
    assert found.evidence["lost"] == ["public.clients_id_seq: USAGE"]
    assert found.evidence["unusable_defaults"] == [
        "public.clients_id_seq: no USAGE, but public.clients takes its default from it"
    ]


def test_a_role_the_source_lacks_cannot_be_compared(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    source = open_session(source_db, side="source", app_role="no_such_role")
    target = open_session(target_db, side="target", app_role="no_such_role")
    try:
        with pytest.raises(CannotCheck, match="set \\[operational\\] source_app_role"):
            check_privileges(source, target, ("public",))
    finally:
        source.conn.close()
        target.conn.close()


def test_schema_migrations_behind_and_ahead_are_named(
    target_db: Endpoint, pair: tuple[SideSession, SideSession]
) -> None:
    execute(
        target_db,
        "DELETE FROM public.schema_migrations WHERE version = "
        "(SELECT max(version) FROM public.schema_migrations)",
        "INSERT INTO public.schema_migrations (version) VALUES ('99999999999999_target_only')",
    )
    found = check_schema_migrations(*pair, None)
    assert found is not None and not found.ok
    assert found.evidence["behind"] == ["20250124080858_upcoming_bookings_view"]
    assert found.evidence["ahead"] == ["99999999999999_target_only"]


def test_tls_is_judged_only_when_required(pair: tuple[SideSession, SideSession]) -> None:
    _, target = pair
    assert check_tls(target, False).ok
    required = check_tls(target, True)
    assert not required.ok
    assert "TLS is required (sslmode=prefer; [operational] require_tls)" in required.message
