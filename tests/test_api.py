"""The Supabase API spot check, offline: requests as the client sends them, PostgREST's
answers from a mock transport, the target's rows from a real database.

No Supabase server runs here: the check is untested against a live project.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.fix_contracts import damage_target
from verify.api import (
    ApiAccess,
    ApiUnavailable,
    ClientFor,
    NotAllowed,
    RowRequest,
    api_access,
    api_keys,
    compare_rows,
    fetch_api_rows,
    make_client,
    row_request,
    target_rows,
)
from verify.catalog import Table, read_tables
from verify.connect import Endpoint, snapshot_connection

httpx = pytest.importorskip("httpx")
pytest.importorskip("supabase")

KEY = "sb_secret_not_a_real_key_0123456789"
ACCESS = ApiAccess("https://abcd.supabase.co", KEY, "SUPABASE_KEY")
Handler = Callable[[Any], Any]


def _client(handler: Handler) -> ClientFor:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return lambda schema: make_client(ACCESS, schema=schema, http=http)


def _error(code: str, message: str) -> dict[str, Any]:
    # PostgREST's error body always has all four keys (supabase 2.33 requires them).
    return {"code": code, "details": None, "hint": None, "message": message}


def _answer(rows: list[dict[str, Any]], seen: list[Any] | None = None) -> Handler:
    def handler(request: Any) -> Any:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, json=rows)

    return handler


def test_access_takes_the_url_and_the_first_key_set() -> None:
    env = {"SUPABASE_URL": "https://x.supabase.co", "SUPABASE_ANON_KEY": "a", "SUPABASE_KEY": "k"}
    found = api_access(env)
    assert found is not None and (found.key, found.key_variable) == ("k", "SUPABASE_KEY")
    assert api_access({"SUPABASE_URL": "https://x.supabase.co"}) is None
    assert api_access({"SUPABASE_KEY": "k"}) is None
    assert KEY not in repr(ACCESS)


def test_the_request_reads_every_column_ordered_by_the_key_first_rows_only() -> None:
    seen: list[Any] = []
    request = RowRequest("public", "appointments_cache", ("company_id", "external_id"), 20)
    assert fetch_api_rows(_client(_answer([], seen)), request) == []
    sent = seen[0]
    assert sent.url.path == "/rest/v1/appointments_cache"
    assert dict(sent.url.params) == {
        "select": "*",
        "order": "company_id.asc,external_id.asc",
        "limit": "20",
    }
    assert sent.headers["apikey"] == KEY and sent.headers["accept-profile"] == "public"


def test_a_table_outside_public_is_read_through_its_own_schema() -> None:
    seen: list[Any] = []
    fetch_api_rows(_client(_answer([], seen)), RowRequest("auth", "users", ("id",), 5))
    assert seen[0].url.path == "/rest/v1/users"
    assert seen[0].headers["accept-profile"] == "auth"


def test_a_table_without_a_primary_key_gets_no_request() -> None:
    assert row_request(Table("public", "webhook_inbox", "r", None, 0, 0), 20) is None
    keyed = Table("public", "clients", "r", None, 0, 0, primary_key=("id",))
    assert row_request(keyed, 5) == RowRequest("public", "clients", ("id",), 5)


def test_a_role_that_may_not_read_is_a_skip_other_errors_break() -> None:
    def denied(request: Any) -> Any:
        return httpx.Response(401, json=_error("42501", "permission denied"))

    def broken(request: Any) -> Any:
        return httpx.Response(500, json=_error("XX000", "internal"))

    request = RowRequest("public", "clients", ("id",), 5)
    with pytest.raises(NotAllowed, match=r"public\.clients: permission denied"):
        fetch_api_rows(_client(denied), request)
    from postgrest.exceptions import APIError

    with pytest.raises(APIError):
        fetch_api_rows(_client(broken), request)


def test_without_the_package_the_client_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "supabase", None)
    with pytest.raises(ApiUnavailable, match=r"pip install 'pgcutover\[supabase\]'"):
        make_client(ACCESS)


# --- against a real target ----------------------------------------------------------------


@pytest.fixture
def sides(
    source_db: Endpoint, target_db: Endpoint
) -> Iterator[tuple[psycopg.Connection[Any], psycopg.Connection[Any], dict[str, Table]]]:
    with (
        snapshot_connection(source_db, role="source") as src,
        snapshot_connection(target_db, role="target") as tgt,
    ):
        yield src, tgt, {t.qualified: t for t in read_tables(tgt, ("auth", "public"))}


def _as_postgrest(conn: psycopg.Connection[Any], table: Table, limit: int) -> list[dict[str, Any]]:
    """The first rows by key as PostgREST answers them (json_agg of the rows)."""
    query = sql.SQL(
        "SELECT json_agg(t)::text FROM (SELECT * FROM {} ORDER BY {} LIMIT {}) t"
    ).format(
        sql.Identifier(table.schema, table.name),
        sql.SQL(", ").join(sql.Identifier(k) for k in table.primary_key),
        sql.Literal(limit),
    )
    return json.loads(conn.execute(query).fetchone()[0])  # type: ignore[index]


@pytest.mark.parametrize(
    "name", ["public.clients", "public.appointments_cache", "public.bookings", "auth.users"]
)
def test_rows_read_through_the_api_equal_the_targets_by_key(
    sides: tuple[Any, Any, dict[str, Table]], name: str
) -> None:
    src, tgt, tables = sides
    table = tables[name]
    request = row_request(table, 20)
    assert request is not None
    rows = fetch_api_rows(_client(_answer(_as_postgrest(src, table, 20))), request)
    found = compare_rows(
        request, rows, target_rows(tgt, table, request.key, api_keys(rows, request.key))
    )
    assert found.rows == 20
    assert found.equal, found.message()


def test_a_missing_and_a_changed_row_are_named_with_personal_values_masked(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    damage_target(
        target_db,
        "DELETE FROM public.clients WHERE id = 2",
        "UPDATE public.clients SET phone = '+79990001122' WHERE id = 3",
    )
    with (
        snapshot_connection(source_db, role="source") as src,
        snapshot_connection(target_db, role="target") as tgt,
    ):
        table = {t.qualified: t for t in read_tables(tgt, ("public",))}["public.clients"]
        request = RowRequest("public", "clients", ("id",), 5)
        rows = fetch_api_rows(_client(_answer(_as_postgrest(src, table, 5))), request)
        found = compare_rows(
            request, rows, target_rows(tgt, table, ("id",), api_keys(rows, ("id",)))
        )
    assert found.missing == ["id=2"]
    assert [c["key"] for c in found.changed] == ["id=3"]
    assert found.changed[0]["columns"] == ["phone"]
    assert found.changed[0]["target"] == {"phone": "+7 *** *** 11 22"}
    assert found.message().startswith(
        "public.clients: of 5 rows read through the API, 1 missing on the target (id=2); "
        "1 differ (id=3 in phone)"
    )
