"""Operational readiness: the target can serve the application as the source did.

Each check is its own test (`test_operational[timezone]`) and adds a figure to the gate's
summary ("round trip 0.4 ms", "TimeZone UTC"). A check that cannot be made (a connection
or permission error, a role to compare with that the source lacks) is broken, not failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pgcutover.pytest_plugin import Side, allure_dir, settings_of
from reports.evidence import attach_json, label
from reports.facts import OPERATIONAL, write_fact
from verify.mask import scrub
from verify.operational import (
    Check,
    SideSession,
    check_collation,
    check_encoding,
    check_privileges,
    check_read_write,
    check_round_trip,
    check_schema_migrations,
    check_sequences,
    check_slow_queries,
    check_statement_timeout,
    check_timezone,
    check_tls,
    database_facts,
    missing_role,
    open_session,
    role_settings,
)
from verify.plan import Plan


@pytest.fixture(scope="session")
def sessions(
    request: pytest.FixtureRequest, source: Side, target: Side
) -> Iterator[dict[str, SideSession]]:
    """Plain sessions on both sides (as the application's would start), each with the role
    the application uses there: [operational] app_role (default: the target URL's user) and
    source_app_role (default: the same name)."""
    settings = settings_of(request.config).operational
    app_role = settings.app_role or target.endpoint.user
    opened = {
        "source": open_session(
            source.endpoint, side="source", app_role=settings.source_app_role or app_role
        ),
        "target": open_session(target.endpoint, side="target", app_role=app_role),
    }
    yield opened
    for session in opened.values():
        session.conn.close()


def _settings(sessions: dict[str, SideSession]) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        role_settings(sessions["source"], sessions["source"].app_role),
        role_settings(sessions["target"], sessions["target"].app_role),
    )


def _statement_timeout(sessions: dict[str, SideSession], _: Plan, __: Any) -> Check | None:
    missing = missing_role(sessions["source"], sessions["target"])
    if missing:
        return missing
    roles = (sessions["source"].app_role, sessions["target"].app_role)
    return check_statement_timeout(*_settings(sessions), roles)


_Run = Callable[[dict[str, SideSession], Plan, Any], Check | None]
CHECKS: dict[str, _Run] = {
    "round_trip": lambda s, _, conf: check_round_trip(s["target"], conf.max_round_trip_ms),
    "tls": lambda s, _, conf: check_tls(s["target"], conf.require_tls),
    "encoding": lambda s, _, __: check_encoding(
        database_facts(s["source"]), database_facts(s["target"])
    ),
    "collation": lambda s, _, __: check_collation(
        database_facts(s["source"]), database_facts(s["target"])
    ),
    "timezone": lambda s, _, __: check_timezone(*_settings(s)),
    "read_write": lambda s, _, __: check_read_write(
        role_settings(s["target"], s["target"].app_role)
    ),
    "statement_timeout": _statement_timeout,
    "privileges": lambda s, plan, _: check_privileges(s["source"], s["target"], plan.schemas),
    "sequences": lambda s, plan, _: check_sequences(s["source"], s["target"], plan.schemas),
    "schema_migrations": lambda s, _, conf: check_schema_migrations(
        s["source"], s["target"], conf.migrations_table
    ),
    "slow_queries": lambda s, _, __: check_slow_queries(s["target"]),
}


@pytest.mark.parametrize("check", list(CHECKS))
def test_operational(
    check: str, sessions: dict[str, SideSession], plan: Plan, request: pytest.FixtureRequest
) -> None:
    """The target is ready for the application in this respect (see each check in
    verify.operational: round trip, TLS, encoding, collation, TimeZone, writable sessions,
    statement_timeout, the application role's privileges and sequences, the schema version,
    slow-query monitoring)."""
    label(feature="Operational readiness", story=check, severity="normal")
    conf = settings_of(request.config).operational
    where = allure_dir(request.config)
    order = {"order": list(CHECKS).index(check)}
    try:
        result = CHECKS[check](sessions, plan, conf)
    except Exception as exc:
        figure = f"could not check: {scrub(str(exc))}"
        write_fact(where, OPERATIONAL, check, {"ok": False, "figure": figure} | order)
        raise
    if result is None:
        why = "the source keeps no schema_migrations table (name yours in [operational] migrations_table)"
        write_fact(
            where, OPERATIONAL, check, {"ok": True, "status": "not checked", "figure": why} | order
        )
        pytest.skip(f"{check}: {why}")
    attach_json(check, result.evidence | {"figure": result.figure})
    if result.ok and result.message:
        attach_json("note", result.message)
    write_fact(where, OPERATIONAL, check, {"ok": result.ok, "figure": result.figure} | order)
    assert result.ok, result.message
