"""The Supabase API spot check: rows as the application reads them, against the target.

With SUPABASE_URL and a key in the environment, a deterministic sample of each table (the
first rows by primary key that the key's role may see: row-level security applies) is
read through the `supabase` Python client, the way the application reads it, and compared
with the same keys on the target, read as PostgREST renders rows (`to_json` of the row,
both parsed by the same JSON reader). `supabase` is optional (`pip install
'pgcutover[supabase]'`) and imported only here, only when the check runs.

Untested against a live Supabase project: the request building and the comparison are
tested offline (an HTTP transport that answers as PostgREST does).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql

from pgcutover.errors import PgcutoverError
from verify.catalog import Conn, Table
from verify.mask import mask_phone_numbers, mask_row

URL_VARIABLE = "SUPABASE_URL"
# The key the application reads with first: its own; then the service and the anon key.
KEY_VARIABLES = ("SUPABASE_KEY", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_ANON_KEY")
INSTALL_HINT = "pip install 'pgcutover[supabase]'"
# PostgREST's answers that mean "this role may not read it" rather than "broken".
NOT_ALLOWED = frozenset({"42501", "PGRST301", "PGRST302", "401", "403"})


class ApiUnavailable(PgcutoverError):
    """The supabase package is not installed."""


@dataclass(frozen=True, repr=False)
class ApiAccess:
    """Where the project's API is and the key to read it with (never shown)."""

    url: str
    key: str
    key_variable: str

    def __repr__(self) -> str:
        return f"ApiAccess({self.url!r}, key from {self.key_variable})"


def api_access(env: Mapping[str, str] | None = None) -> ApiAccess | None:
    """SUPABASE_URL and the first key set (SUPABASE_KEY, SUPABASE_SERVICE_ROLE_KEY,
    SUPABASE_ANON_KEY), or None when either is missing."""
    env = os.environ if env is None else env
    url = env.get(URL_VARIABLE, "").strip()
    for name in KEY_VARIABLES:
        key = env.get(name, "").strip()
        if url and key:
            return ApiAccess(url, key, name)
    return None


def make_client(access: ApiAccess, *, schema: str = "public", http: Any = None) -> Any:
    """A supabase client for `access` reading `schema` (sessions neither kept nor
    refreshed); `http`, an httpx.Client, carries its requests (tests give one that answers
    offline).

    One client per schema rather than `client.schema()`: supabase 2.33, the newest for
    Python 3.10, builds that client without the given httpx client."""
    try:
        from supabase import ClientOptions, create_client
    except ImportError:
        raise ApiUnavailable(f"the supabase package is not installed: {INSTALL_HINT}") from None
    options = ClientOptions(
        schema=schema, auto_refresh_token=False, persist_session=False, httpx_client=http
    )
    return create_client(access.url, access.key, options)


# The client of a schema, made on first use (see make_client).
ClientFor = Callable[[str], Any]


@dataclass(frozen=True)
class RowRequest:
    """One table's sample through the API: every column, ordered by the key, first N."""

    schema: str
    table: str
    key: tuple[str, ...]
    limit: int

    @property
    def qualified(self) -> str:
        """schema.table."""
        return f"{self.schema}.{self.table}"


def row_request(table: Table, limit: int) -> RowRequest | None:
    """The request for a table's sample; None for a table without a primary key (no
    deterministic order, no key to look the rows up by on the target)."""
    if not table.primary_key:
        return None
    return RowRequest(table.schema, table.name, table.primary_key, limit)


def build_query(client_for: ClientFor, request: RowRequest) -> Any:
    """The query for `request` (not yet sent) on its schema's client: select=*,
    order=key.asc, limit."""
    query = client_for(request.schema).table(request.table).select("*")
    for column in request.key:
        query = query.order(column)
    return query.limit(request.limit)


class NotAllowed(Exception):
    """The key's role may not read the table through the API."""


def fetch_api_rows(client_for: ClientFor, request: RowRequest) -> list[dict[str, Any]]:
    """The sample as the API returns it; raises `NotAllowed` when the role may not read it
    (other API errors propagate: the check is broken, not failed)."""
    from postgrest.exceptions import APIError

    try:
        response = build_query(client_for, request).execute()
    except APIError as exc:
        if str(exc.code) in NOT_ALLOWED:
            raise NotAllowed(f"{request.qualified}: {exc.message or exc.code}") from None
        raise
    return list(response.data or [])


def target_rows(
    conn: Conn, table: Table, key: tuple[str, ...], keys: list[tuple[Any, ...]]
) -> dict[tuple[str, ...], dict[str, Any]]:
    """The target's rows with these keys (JSON values, as the API gives them), rendered as
    PostgREST renders a row (to_json), by key."""
    if not keys:
        return {}
    types = {c.name: c.type for c in table.columns}
    wanted = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(k), sql.SQL(types[k])) for k in key
    )
    columns = sql.SQL(", ").join(sql.Identifier(k) for k in key)
    query = sql.SQL(
        "SELECT to_json(t)::text FROM {} AS t WHERE ({}) IN "
        "(SELECT {} FROM jsonb_to_recordset(%s::jsonb) AS x({}))"
    ).format(sql.Identifier(table.schema, table.name), columns, columns, wanted)
    records = [dict(zip(key, values, strict=True)) for values in keys]
    found = {}
    for (text,) in conn.execute(query, (json.dumps(records),)):
        row = json.loads(text)
        found[_key_of(row, key)] = row
    return found


def _key_of(row: Mapping[str, Any], key: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(json.dumps(row.get(k), sort_keys=True) for k in key)


@dataclass
class ApiComparison:
    """The API's sample of one table against the target's rows of the same keys."""

    table: str
    rows: int = 0
    missing: list[str] = field(default_factory=list)  # keys the target lacks
    changed: list[dict[str, Any]] = field(default_factory=list)  # key, columns, values

    @property
    def equal(self) -> bool:
        """Every sampled row is on the target with the values the API gave."""
        return not self.missing and not self.changed

    def message(self) -> str:
        """One sentence for a failure."""
        parts = []
        if self.missing:
            parts.append(
                f"{len(self.missing)} missing on the target ({', '.join(self.missing[:3])})"
            )
        if self.changed:
            first = self.changed[0]
            parts.append(
                f"{len(self.changed)} differ ({first['key']} in {', '.join(first['columns'])})"
            )
        return f"{self.table}: of {self.rows} rows read through the API, " + "; ".join(parts)


def _key_text(row: Mapping[str, Any], key: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={row.get(k)}" for k in key)


def compare_rows(
    request: RowRequest,
    api_rows: list[dict[str, Any]],
    on_target: dict[tuple[str, ...], dict[str, Any]],
    *,
    mask: bool = True,
    personal: tuple[str, ...] = (),
) -> ApiComparison:
    """Compare each API row with the target's row of the same key, column by column (only
    the columns the API returned: a role may see fewer)."""
    found = ApiComparison(request.qualified, rows=len(api_rows))
    for row in api_rows:
        key = _key_of(row, request.key)
        shown = _key_text(row, request.key)
        shown = mask_phone_numbers(shown) if mask else shown
        target = on_target.get(key)
        if target is None:
            found.missing.append(shown)
            continue
        columns = [c for c in row if row[c] != target.get(c)]
        if columns:
            api = {c: row[c] for c in columns}
            tgt = {c: target.get(c) for c in columns}
            found.changed.append(
                {
                    "key": shown,
                    "columns": columns,
                    "api": mask_row(api, personal) if mask else api,
                    "target": mask_row(tgt, personal) if mask else tgt,
                }
            )
    return found


def api_keys(api_rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The key values of the API's rows, as JSON values."""
    return [tuple(row.get(k) for k in key) for row in api_rows]
