"""The demo dataset: the review's row counts, determinism, and the awkward values it promises.

Each test that loads data creates (and drops) a database of its own on the session's
source server.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pgcutover.demo import PII_COLUMNS, DemoSummary, load_demo
from pgcutover.errors import TargetNotEmpty
from pgcutover.servers import create_database
from tests.fix_servers import Servers, drop_database, unique_name
from verify.connect import Endpoint

# The review's counts, plus our guesses for the tables it does not count.
REVIEW_COUNTS = {
    "auth.users": 25,
    "public.companies": 1,
    "public.clients": 1299,
    "public.services": 63,
    "public.staff": 12,
    "public.staff_schedules": 56,
    "public.bookings": 38,
    "public.reminders": 76,
    "public.appointments_cache": 120,
    "public.dialog_contexts": 21,
    "public.sync_status": 6,
    "public.whatsapp_auth": 1,
    "public.whatsapp_keys": 728,
    "public.schema_migrations": 14,
    "public.webhook_inbox": 40,  # keyless, fixed size; one delivery present twice
}
MESSAGE_PARTITIONS = (
    "public.messages_2026_09",
    "public.messages_2026_10",
    "public.messages_2026_11",
    "public.messages_default",
)


@contextmanager
def scratch_database(server: Endpoint) -> Iterator[str]:
    """A new, uniquely named database on the server (dropped afterwards); yields its URL."""
    name = unique_name("demo_test")
    endpoint = create_database(server, name)
    try:
        yield endpoint.url
    finally:
        drop_database(server, name)


@pytest.fixture(scope="module")
def demo(servers: Servers) -> Iterator[tuple[str, DemoSummary]]:
    """The demo at scale 1, default seed, loaded once for the read-only tests of this module."""
    with scratch_database(servers.source) as conninfo:
        yield conninfo, load_demo(conninfo)


def fetch(
    conninfo: str, query: str, params: tuple[Any, ...] | None = None
) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute(query, params).fetchall()


def fingerprints(conninfo: str, tables: list[str]) -> dict[str, str]:
    """md5 of every table's rows in canonical text, sorted: equal means identical data."""
    result = {}
    with psycopg.connect(conninfo) as conn:
        for table in tables:
            schema, name = table.split(".")
            row = conn.execute(
                sql.SQL(
                    "SELECT md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM {} t"
                ).format(sql.Identifier(schema, name))
            ).fetchone()
            assert row is not None
            result[table] = row[0]
    return result


def revive(value: Any) -> Any:
    """The Baileys reviver, small: Buffer objects (either shape) and legacy buffers to bytes."""
    if isinstance(value, list):
        return [revive(item) for item in value]
    if isinstance(value, dict):
        if value.get("type") == "Buffer":
            data = value["data"]
            return base64.b64decode(data) if isinstance(data, str) else bytes(data)
        if value.get("buffer") is True:
            return base64.b64decode(value["value"])
        return {key: revive(item) for key, item in value.items()}
    return value


def test_load_demo_rejects_a_non_positive_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        load_demo("host=/nonexistent dbname=never", scale=0)


def test_load_demo_gives_review_row_counts_at_scale_1(demo: tuple[str, DemoSummary]) -> None:
    _conninfo, summary = demo
    assert set(summary.tables) == set(REVIEW_COUNTS) | set(MESSAGE_PARTITIONS)
    assert {t: n for t, n in summary.tables.items() if t in REVIEW_COUNTS} == REVIEW_COUNTS
    # Partitioned: each leaf listed (the parent is not), rows in every one, the default too.
    assert sum(summary.tables[p] for p in MESSAGE_PARTITIONS) == 600
    assert all(summary.tables[p] > 0 for p in MESSAGE_PARTITIONS)
    assert summary.seconds > 0


def test_load_demo_is_deterministic(servers: Servers, demo: tuple[str, DemoSummary]) -> None:
    conninfo, summary = demo
    tables = list(summary.tables)
    with scratch_database(servers.source) as again, scratch_database(servers.source) as other_seed:
        load_demo(again)
        load_demo(other_seed, seed=7)
        assert fingerprints(again, tables) == fingerprints(conninfo, tables)
        differing = fingerprints(other_seed, tables)
        assert differing["public.clients"] != fingerprints(conninfo, tables)["public.clients"]


def test_load_demo_scales_linearly_with_one_row_at_least(servers: Servers) -> None:
    with scratch_database(servers.source) as conninfo:
        tiny = load_demo(conninfo, scale=0.01).tables
    assert tiny["public.clients"] == 13
    assert tiny["public.whatsapp_keys"] == 7
    assert sum(tiny[p] for p in MESSAGE_PARTITIONS) == 6
    assert all(tiny[t] >= 1 for t in REVIEW_COUNTS)


def test_load_demo_refuses_a_non_empty_database(demo: tuple[str, DemoSummary]) -> None:
    conninfo, _summary = demo
    with pytest.raises(TargetNotEmpty, match="not empty"):
        load_demo(conninfo)


def test_demo_has_buffers_in_both_shapes(demo: tuple[str, DemoSummary]) -> None:
    conninfo, _summary = demo
    shapes = fetch(
        conninfo,
        """
        SELECT count(*) FILTER (WHERE jsonb_path_exists(value,
                   'strict $.** ? (@.type == "Buffer" && @.data.type() == "string")')),
               count(*) FILTER (WHERE jsonb_path_exists(value,
                   'strict $.** ? (@.type == "Buffer" && @.data.type() == "array")')),
               count(*) FILTER (WHERE jsonb_path_exists(value, 'strict $.** ? (@.buffer == true)')),
               count(*) FILTER (WHERE jsonb_typeof(value) = 'array'
                                  AND jsonb_path_exists(value, 'strict $.**.type ? (@ == "Buffer")'))
          FROM public.whatsapp_keys
        """,
    )[0]
    base64_rows, list_rows, legacy_rows, buffers_in_arrays = shapes
    assert base64_rows > 0 and list_rows > 0 and legacy_rows > 0 and buffers_in_arrays > 0

    (creds,) = fetch(conninfo, "SELECT creds FROM public.whatsapp_auth")[0]
    assert isinstance(creds["noiseKey"]["private"]["data"], str)
    assert isinstance(creds["pairingEphemeralKeyPair"]["private"]["data"], list)
    assert creds["routingInfo"]["buffer"] is True
    revived = revive(creds)
    for pair in ("noiseKey", "pairingEphemeralKeyPair", "signedIdentityKey"):
        assert len(revived[pair]["private"]) == 32
        assert len(revived[pair]["public"]) in (32, 33)
    assert len(revived["signedPreKey"]["keyPair"]["public"]) == 33
    assert len(revived["signedPreKey"]["signature"]) == 64
    assert isinstance(revived["signalIdentities"][0]["identifierKey"], bytes)  # inside an array
    assert isinstance(revived["registrationId"], int)
    assert isinstance(revived["advSecretKey"], str)  # base64 text, not a Buffer
    assert len(base64.b64decode(revived["advSecretKey"])) == 32


def test_demo_whatsapp_keys_have_review_types_and_ttls(demo: tuple[str, DemoSummary]) -> None:
    conninfo, _summary = demo
    rows = fetch(
        conninfo,
        """
        SELECT key_type, min(expires_at - updated_at) = max(expires_at - updated_at),
               extract(day FROM min(expires_at - updated_at))::int,
               count(*) FILTER (WHERE jsonb_typeof(value) = 'string')
          FROM public.whatsapp_keys GROUP BY key_type ORDER BY key_type
        """,
    )
    ttl = {kind: days for kind, same, days, _ in rows if same}
    assert ttl == {
        "app-state-sync-key": 14,
        "app-state-sync-version": 14,
        "lid-mapping": 7,
        "pre-key": 7,
        "sender-key": 7,
        "sender-key-memory": 14,
        "session": 7,
    }
    plain_strings = {kind: n for kind, _, _, n in rows}
    assert plain_strings["session"] > 0  # sessions stored as base64 text, not Buffers


def test_demo_keeps_awkward_values(demo: tuple[str, DemoSummary]) -> None:
    conninfo, _summary = demo
    checks = fetch(
        conninfo,
        r"""
        SELECT bool_or(email IS NULL) AND bool_or(email = ''),
               bool_or(name ~ '[А-Яа-яЁё]' AND name LIKE '%🌸%'),
               bool_or(name LIKE '% '),
               bool_or(balance::text = '10.50' AND loyalty_points::text = '10.50'),
               bool_or(loyalty_points::text = '10.5'),
               bool_or(last_visit_at = '2026-11-19 18:42:07.123456+00'),
               bool_or(array_position(tags, NULL) IS NOT NULL),
               bool_or(position('\x00'::bytea IN avatar) > 0),
               bool_or(rating = 0.30000000000000004::float8),
               bool_or(is_vip IS NULL) AND bool_or(is_vip) AND bool_or(NOT is_vip),
               bool_or(preferences -> 'score' = '1.0'::jsonb
                       AND (preferences -> 'score')::text = '1.0'),
               bool_or(notes LIKE E'%\n%\t%' AND strpos(notes, E'\\') > 0),
               bool_or(phone !~ '^\+79[0-9]{9}$')
          FROM public.clients
        """,
    )[0]
    names = [
        "NULL and '' in one column",
        "Cyrillic with emoji",
        "trailing space",
        "numeric(10,2) and numeric keep 10.50",
        "numeric 10.5",
        "microseconds",
        "NULL array element",
        "NUL byte in bytea",
        "float8 digits",
        "three-valued boolean",
        "jsonb 1.0",
        "newline, tab and backslash",
        "a phone off the +7 9xx shape",
    ]
    assert dict(zip(names, checks, strict=True)) == dict.fromkeys(names[:-1], True) | {
        names[-1]: False
    }


def test_demo_schema_has_the_supabase_features(demo: tuple[str, DemoSummary]) -> None:
    conninfo, _summary = demo
    facts = fetch(
        conninfo,
        """
        SELECT
          (SELECT count(*) FROM pg_roles WHERE NOT rolcanlogin
              AND rolname IN ('anon', 'authenticated', 'service_role')),
          (SELECT count(*) FROM pg_class WHERE relrowsecurity
              AND oid IN ('public.clients'::regclass, 'public.bookings'::regclass)),
          (SELECT count(*) FROM pg_policies WHERE tablename IN ('clients', 'bookings')),
          (SELECT count(*) FROM pg_policies WHERE qual LIKE '%auth.uid()%'),
          (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.messages'::regclass),
          (SELECT attidentity FROM pg_attribute
            WHERE attrelid = 'public.reminders'::regclass AND attname = 'id'),
          pg_get_serial_sequence('public.clients', 'id') IS NOT NULL,
          (SELECT last_value FROM public.clients_id_seq),
          (SELECT count(*) FROM pg_constraint WHERE contype = 'f'
              AND confrelid = 'auth.users'::regclass),
          (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'
              AND indexdef LIKE 'CREATE UNIQUE INDEX%' AND indexname NOT LIKE '%pkey'),
          (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'
              AND indexdef LIKE '% WHERE %'),
          (SELECT count(*) FROM pg_enum WHERE enumtypid = 'public.booking_status'::regtype),
          to_regclass('public.upcoming_bookings') IS NOT NULL,
          (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%updated_at'),
          obj_description('public.clients'::regclass, 'pg_class') IS NOT NULL,
          col_description('public.clients'::regclass,
              (SELECT attnum FROM pg_attribute
                WHERE attrelid = 'public.clients'::regclass AND attname = 'phone')) IS NOT NULL,
          has_table_privilege('anon', 'public.services', 'SELECT'),
          has_table_privilege('anon', 'public.clients', 'SELECT')
        """,
    )[0]
    assert facts == (3, 2, 5, 2, 4, "a", True, 1299, 2, 4, 4, 5, True, 3, True, True, True, False)

    with psycopg.connect(conninfo) as conn:
        sub = "11111111-2222-4333-8444-555555555555"
        conn.execute("SELECT set_config('request.jwt.claim.sub', %s, true)", (sub,))
        assert conn.execute("SELECT auth.uid()").fetchone() == (uuid.UUID(sub),)


def test_pii_columns_name_existing_columns(demo: tuple[str, DemoSummary]) -> None:
    conninfo, _summary = demo
    existing = {
        (f"{schema}.{table}", column)
        for schema, table, column in fetch(
            conninfo,
            "SELECT table_schema, table_name, column_name FROM information_schema.columns",
        )
    }
    wanted = {(table, column) for table, columns in PII_COLUMNS.items() for column in columns}
    assert wanted <= existing
    assert PII_COLUMNS["public.clients"] == ["name", "phone", "email"]
