"""Operational readiness fails naming what the application would meet on the target: a
revoked grant, another TimeZone or encoding, read-only sessions, a lost statement_timeout,
schema_migrations behind, TLS required but not in use; what cannot be checked is broken."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg import sql

from pgcutover.runner import VerifyOutcome
from tests.fix_app_faults import AppRun, results_of, summary_of
from tests.fix_contracts import failed_of, failure
from tests.fix_servers import Servers, drop_database, unique_name
from verify.connect import Endpoint, connect

pytestmark = pytest.mark.xdist_group("operational")

LATEST = "20250124080858_upcoming_bookings_view"


def _target_damage(db: Endpoint) -> list[sql.Composable | str]:
    name = sql.Identifier(db.dbname)
    return [
        "REVOKE SELECT ON public.services FROM authenticated",
        sql.SQL("ALTER DATABASE {} SET timezone = 'Europe/Moscow'").format(name),
        sql.SQL("ALTER DATABASE {} SET default_transaction_read_only = on").format(name),
        f"DELETE FROM public.schema_migrations WHERE version = '{LATEST}'",
    ]


def _source_timeout(db: Endpoint) -> list[sql.Composable | str]:
    return [
        sql.SQL("ALTER ROLE authenticated IN DATABASE {} SET statement_timeout = '8s'").format(
            sql.Identifier(db.dbname)
        )
    ]


@pytest.fixture
def damaged(app_run: AppRun) -> VerifyOutcome:
    return app_run(
        "operational",
        on_source=_source_timeout,
        on_target=_target_damage,
        config='[operational]\napp_role = "authenticated"\nrequire_tls = true\n',
        pytest_args=("-k", "test_operational"),
    )


def test_each_fault_fails_its_own_check(damaged: VerifyOutcome) -> None:
    assert failed_of(damaged, "test_operational") == {
        "test_operational[privileges]",
        "test_operational[timezone]",
        "test_operational[read_write]",
        "test_operational[statement_timeout]",
        "test_operational[schema_migrations]",
        "test_operational[tls]",
    }
    passed = {n for n, r in results_of(damaged, "test_operational").items() if r.status == "passed"}
    assert passed == {
        f"test_operational[{c}]"
        for c in ("round_trip", "encoding", "collation", "sequences", "slow_queries")
    }


@pytest.mark.parametrize(
    ("check", "says"),
    [
        (
            "privileges",
            "role authenticated on the target: 1 privileges lost: public.services: SELECT",
        ),
        ("timezone", "TimeZone Europe/Moscow on the target (ALTER DATABASE)"),
        ("read_write", "default_transaction_read_only is on on the target (ALTER DATABASE)"),
        ("statement_timeout", "role authenticated has no statement_timeout on the target"),
        ("schema_migrations", f"1 versions behind the source: {LATEST}"),
        ("tls", "TLS is required (sslmode=prefer; [operational] require_tls)"),
    ],
)
def test_the_failure_names_what_differs(damaged: VerifyOutcome, check: str, says: str) -> None:
    assert says in failure(damaged, f"test_operational[{check}]").message


def test_the_summary_shows_each_figure(damaged: VerifyOutcome) -> None:
    summary = summary_of(damaged)
    assert "**target readiness: 5/11 checks passed**" in summary
    assert "- NOT OK timezone: TimeZone Europe/Moscow" in summary
    assert "- ok round_trip: round trip " in summary


@pytest.fixture
def latin1_target(servers: Servers) -> Iterator[Endpoint]:
    name = unique_name("latin1")
    with connect(servers.target, role="server", read_only=False, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} ENCODING 'LATIN1' LOCALE 'C' TEMPLATE template0").format(
                sql.Identifier(name)
            )
        )
    yield servers.target.with_dbname(name)
    drop_database(servers.target, name)


def test_another_encoding_fails_and_an_unknown_role_breaks(
    app_run: AppRun, latin1_target: Endpoint
) -> None:
    outcome = app_run(
        "encoding",
        target=latin1_target,
        config='[operational]\nsource_app_role = "no_such_role"\n',
        pytest_args=("-k", "test_operational"),
    )
    found = results_of(outcome, "test_operational")
    assert found["test_operational[encoding]"].status == "failed"
    assert "encoding LATIN1 on the target, UTF8 on the source" in (
        found["test_operational[encoding]"].message
    )
    for check in ("privileges", "sequences", "statement_timeout"):
        result = found[f"test_operational[{check}]"]
        assert result.status == "broken", result
        assert "role no_such_role does not exist on the source" in result.message
