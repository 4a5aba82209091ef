"""The API spot check through the contracts, offline: a small stand-in for PostgREST on
127.0.0.1 answers GET /rest/v1/<table>?select=*&order=...&limit=N from the source database
(rows as PostgREST renders them), so the contract's whole path runs without Supabase."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import psycopg
import pytest
from psycopg import sql

from pgcutover.servers import create_database
from tests.fix_app_faults import AppRun, results_of, summary_of
from tests.fix_contracts import failed_of, failure
from tests.fix_servers import Servers, drop_database, unique_name
from verify.connect import Endpoint

pytest.importorskip("supabase")
pytestmark = pytest.mark.xdist_group("api")
_ORDER = re.compile(r"^(?P<column>[^.]+)\.asc$")


def _rows(source: Endpoint, schema: str, table: str, order: list[str], limit: int) -> Any:
    query = sql.SQL(
        "SELECT coalesce(json_agg(t), '[]')::text FROM (SELECT * FROM {} ORDER BY {} LIMIT {}) t"
    ).format(
        sql.Identifier(schema, table),
        sql.SQL(", ").join(sql.Identifier(c) for c in order),
        sql.Literal(limit),
    )
    with psycopg.connect(source.conninfo, autocommit=True) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        return conn.execute(query).fetchone()[0]  # type: ignore[index]


@pytest.fixture(scope="module")
def postgrest(servers: Servers, demo_source_template: Endpoint) -> Iterator[str]:
    """A PostgREST stand-in over its own copy of the demo source; its base URL."""
    source = create_database(
        servers.source, unique_name("api"), template=demo_source_template.dbname
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            params = parse_qs(url.query)
            table = url.path.removeprefix("/rest/v1/")
            schema = self.headers.get("Accept-Profile", "public")
            order = [_ORDER.match(o)["column"] for o in params["order"][0].split(",")]  # type: ignore[index]
            body = _rows(source, schema, table, order, int(params["limit"][0])).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()
    drop_database(servers.source, source.dbname)


def test_rows_read_through_the_api_that_differ_on_the_target_fail_by_key(
    app_run: AppRun, postgrest: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPABASE_URL", postgrest)
    monkeypatch.setenv("SUPABASE_KEY", "sb_secret_offline_key_for_tests_only")
    outcome = app_run(
        "api",
        on_target=("UPDATE public.clients SET phone = '+79990001122' WHERE id = 3",),
        config="[api]\nsample_rows = 5\n",
        pytest_args=("-k", "test_api_rows"),
    )
    assert failed_of(outcome, "test_api_rows") == {"test_api_rows[public.clients]"}
    message = failure(outcome, "test_api_rows[public.clients]").message
    assert message == ("public.clients: of 5 rows read through the API, 1 differ (id=3 in phone)")
    passed = [n for n, r in results_of(outcome, "test_api_rows").items() if r.status == "passed"]
    assert (
        "test_api_rows[public.bookings]" in passed
        and "test_api_rows[public.webhook_inbox]" not in passed
    )
    assert "**Supabase API spot check: " in summary_of(outcome)
    assert (
        "sb_secret_offline_key_for_tests_only"
        not in (outcome.report_dir / "pytest.log").read_text()
    )
