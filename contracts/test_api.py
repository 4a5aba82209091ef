"""The Supabase API spot check (optional): rows read through the API, as the application
reads them, are on the target with the same values.

Runs when SUPABASE_URL and a key (SUPABASE_KEY, SUPABASE_SERVICE_ROLE_KEY or
SUPABASE_ANON_KEY) are set and the supabase package is installed (`pip install
'pgcutover[supabase]'`); otherwise one skipped test says why. Untested against a live
project (see verify.api).
"""

from __future__ import annotations

import functools
import importlib.util

import pytest

from pgcutover.pytest_plugin import (
    Side,
    allure_dir,
    personal_columns,
    settings_of,
    sides,
)
from reports.evidence import attach_json, label
from reports.facts import API, write_fact
from verify.api import (
    INSTALL_HINT,
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

NOT_SET = (
    "set SUPABASE_URL and SUPABASE_KEY (or SUPABASE_SERVICE_ROLE_KEY / SUPABASE_ANON_KEY) to "
    "compare rows read through the Supabase API with the target"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per table of the API's schemas ([api] schemas) with a primary key."""
    if "api_request" not in metafunc.fixturenames:
        return
    if api_access() is None:
        metafunc.parametrize("api_request", [pytest.param(None, id="not configured")])
        return
    if importlib.util.find_spec("supabase") is None:
        metafunc.parametrize("api_request", [pytest.param(None, id="not installed")])
        return
    settings = settings_of(metafunc.config).api
    tables = sides(metafunc.config)["source"].tables.values()  # those of the plan's schemas
    found = [
        request
        for t in sorted(tables, key=lambda t: t.qualified)
        if t.parent is None
        and t.kind in ("r", "p")
        and t.schema in settings.schemas
        and (request := row_request(t, settings.sample_rows)) is not None
    ]
    metafunc.parametrize("api_request", found, ids=[r.qualified for r in found])


@pytest.fixture(scope="session")
def api_client() -> ClientFor | None:
    """The supabase client of each schema, built once on first use (None without access
    or without the package)."""
    access = api_access()
    if access is None or importlib.util.find_spec("supabase") is None:
        return None
    return functools.cache(lambda schema: make_client(access, schema=schema))


def test_api_rows(
    api_request: RowRequest | None,
    api_client: ClientFor | None,
    target: Side,
    mask: bool,
    request: pytest.FixtureRequest,
) -> None:
    """The rows the key's role reads through the API (first rows by primary key) are on
    the target with the same values."""
    where = allure_dir(request.config)
    story = api_request.qualified if api_request else "not configured"
    label(feature="Supabase API spot check", story=story, severity="normal")
    if api_request is None or api_client is None:
        why = (
            NOT_SET if api_access() is None else f"the supabase package is missing: {INSTALL_HINT}"
        )
        write_fact(where, API, story, {"ok": True, "status": "not checked", "message": why})
        pytest.skip(why)
    try:
        rows = fetch_api_rows(api_client, api_request)
    except NotAllowed as exc:
        write_fact(where, API, story, {"ok": True, "status": "not allowed", "message": str(exc)})
        pytest.skip(f"the key's role may not read it through the API: {exc}")
    table = target.tables.get(api_request.qualified)
    assert table is not None, f"{api_request.qualified} is missing on the target"
    with target.savepoint():
        on_target = target_rows(
            target.conn, table, api_request.key, api_keys(rows, api_request.key)
        )
    found = compare_rows(
        api_request,
        rows,
        on_target,
        mask=mask,
        personal=personal_columns(request.config),
    )
    attach_json(
        "API rows against the target",
        {
            "table": found.table,
            "rows": found.rows,
            "missing": found.missing,
            "changed": found.changed,
        },
    )
    write_fact(
        where,
        API,
        story,
        {
            "ok": found.equal,
            "message": found.message() if not found.equal else f"{found.rows} rows equal",
        },
    )
    assert found.equal, found.message()
