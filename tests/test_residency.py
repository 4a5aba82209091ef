"""Residency detection on real databases, and how one personal table is judged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pgcutover.demo import PII_COLUMNS
from tests.fix_servers import execute, unique_name
from verify.catalog import Table, read_tables
from verify.connect import Endpoint, parse_url, snapshot_connection
from verify.plan import source_schemas
from verify.residency import (
    ACCEPTED,
    DECLARED,
    INCOMPLETE,
    LEFT_ON_SOURCE,
    NOT_ON_TARGET,
    NOTHING_TO_MOVE,
    ON_TARGET,
    SOURCE_EMPTY,
    SOURCE_HOLDS_ROWS,
    UNREAD,
    Declarations,
    PersonalTable,
    Placement,
    Signal,
    declarations,
    detect,
    judge,
    sampled_signals,
    table_signals,
)

NONE = Declarations()


@pytest.fixture
def source(source_db: Endpoint) -> Iterator[psycopg.Connection[Any]]:
    with snapshot_connection(source_db, role="source") as conn:
        yield conn


def _tables(conn: psycopg.Connection[Any]) -> dict[str, Table]:
    return {t.qualified: t for t in read_tables(conn, source_schemas(conn))}


def _signals(
    conn: psycopg.Connection[Any], name: str, declared: Declarations = NONE
) -> dict[str, str]:
    return {s.where: s.category for s in table_signals(conn, _tables(conn)[name], declared)}


def test_detection_finds_every_table_the_demo_marks_personal_and_explains_it(
    source: psycopg.Connection[Any],
) -> None:
    found = {p.qualified: p for p in detect(source, _tables(source).values(), NONE)}
    for table, columns in PII_COLUMNS.items():
        assert table in found, f"{table} not detected"
        places = {s.where.split(".")[0] for s in found[table].signals}
        assert places & set(columns), f"{table}: {found[table].explain()}"
    for plain in (
        "public.companies",
        "public.services",
        "public.staff_schedules",
        "public.reminders",
        "public.sync_status",
        "public.webhook_inbox",
    ):
        assert plain not in found


def test_detection_finds_phones_in_values_no_column_name_announces(
    source: psycopg.Connection[Any],
) -> None:
    # Signal session ids carry a client's phone: 79222222223.1.
    keys = _signals(source, "public.whatsapp_keys")
    assert keys == {"key_id": "phone"}
    assert _signals(source, "public.whatsapp_auth")["creds.me.id"] == "phone"


def test_json_keys_are_found_at_any_depth_with_their_path(source: psycopg.Connection[Any]) -> None:
    signals = _signals(source, "public.appointments_cache")
    assert signals["payload.client.phone"] == "phone"
    assert _signals(source, "public.messages")["payload.key.remoteJid"] == "phone"
    assert _signals(source, "auth.users")["raw_user_meta_data.full_name"] == "person name"


def test_a_weak_name_alone_does_not_make_a_table_personal(source: psycopg.Connection[Any]) -> None:
    signals = table_signals(source, _tables(source)["public.services"], NONE)
    assert [(s.where, s.strong) for s in signals] == [("name", False)]
    assert not any(
        p.qualified == "public.services" for p in detect(source, _tables(source).values(), NONE)
    )


def test_declared_tables_and_columns_are_personal(source: psycopg.Connection[Any]) -> None:
    declared = declarations(["public.sync_status"], ["public.reminders.last_error"], ["state"])
    found = {p.qualified: p for p in detect(source, _tables(source).values(), declared)}
    assert found["public.sync_status"].signals[0] == Signal(
        "*", DECLARED, "declared in [residency] tables"
    )
    assert found["public.reminders"].signals[0].why == "declared in [residency] personal_columns"
    assert "state" in _signals(source, "public.dialog_contexts", declared)


def test_a_name_masked_everywhere_is_a_hint_a_masked_column_of_a_table_a_declaration(
    source: psycopg.Connection[Any],
) -> None:
    declared = declarations([], [], ["payload", "public.companies.settings"])
    found = {p.qualified: p for p in detect(source, _tables(source).values(), declared)}
    assert "public.webhook_inbox" not in found  # only its payload is masked everywhere
    assert "payload" in {s.where for s in found["public.messages"].signals}
    assert found["public.companies"].signals[0].why == "declared in [mask] personal_columns"


def test_names_types_and_shapes_of_a_new_table_are_explained(
    source_db: Endpoint, source: psycopg.Connection[Any]
) -> None:
    execute(
        source_db,
        """CREATE TABLE public.guests (
               id int PRIMARY KEY, familiya text, data_rozhdeniya date, last_seen inet,
               contact public.phone_e164, note text, extra jsonb)""",
        """INSERT INTO public.guests VALUES
               (1, 'Иванова', '1990-01-01', '10.0.0.1', '+79990000001', 'anna@example.ru',
                '{"kontakty": {"telefon": "+7 999 000-00-02"}}'),
               (2, 'Петров', NULL, NULL, '+79990000003', 'petr@example.ru', '{}')""",
    )
    with snapshot_connection(source_db, role="source") as fresh:
        signals = _signals(fresh, "public.guests")
    assert signals == {
        "familiya": "person name",
        "data_rozhdeniya": "birth date",
        "last_seen": "IP address",
        "contact": "phone",
        "note": "e-mail",
        "extra.kontakty.telefon": "phone",
    }


def test_flags_and_timestamps_about_personal_data_are_not_personal_data(
    source_db: Endpoint,
) -> None:
    execute(
        source_db,
        """CREATE TABLE public.logins (
               id int PRIMARY KEY, email_confirmed_at timestamptz, phone_verified boolean,
               birth_date timestamptz, identity jsonb, history jsonb[])""",
        """INSERT INTO public.logins VALUES (1, now(), true, '1990-01-01',
               '{"email_verified": true, "email": "a@example.ru"}',
               ARRAY['{"phone": "+79990000001"}'::jsonb])""",
    )
    with snapshot_connection(source_db, role="source") as conn:
        signals = _signals(conn, "public.logins")
    assert signals == {"birth_date": "birth date", "identity.email": "e-mail"}


def test_storage_objects_are_personal_while_they_describe_files(
    source_db: Endpoint,
) -> None:
    execute(
        source_db,
        "CREATE SCHEMA storage",
        "CREATE TABLE storage.objects (id uuid PRIMARY KEY, bucket_id text, name text)",
    )
    with snapshot_connection(source_db, role="source") as conn:
        assert "storage.objects" not in {
            p.qualified for p in detect(conn, _tables(conn).values(), NONE)
        }
    execute(source_db, "INSERT INTO storage.objects VALUES (gen_random_uuid(), 'avatars', 'a.jpg')")
    with snapshot_connection(source_db, role="source") as conn:
        found = {p.qualified: p for p in detect(conn, _tables(conn).values(), NONE)}
    assert found["storage.objects"].signals[0].why == (
        "1 row describing files kept in Supabase Storage, outside the database"
    )


def test_a_table_the_source_user_may_not_read_is_named_not_sampled(source_db: Endpoint) -> None:
    role = unique_name("reader")
    execute(
        source_db,
        f"CREATE ROLE {role} LOGIN PASSWORD 'pw'",
        f"GRANT USAGE ON SCHEMA public TO {role}",
    )
    url = make_url(source_db.url).set(username=role, password="pw")
    reader = parse_url(url.render_as_string(hide_password=False))
    try:
        with snapshot_connection(reader, role="source") as conn:
            table = _tables(conn)["public.clients"]
            assert sampled_signals(conn, table) == [
                Signal("*", UNREAD, "values not sampled: the source's user may not read it", False)
            ]
            # Names still tell: the table is found all the same.
            assert {s.where for s in table_signals(conn, table, NONE)} >= {"phone", "email"}
    finally:
        execute(source_db, f"DROP OWNED BY {role}", f"DROP ROLE {role}")


# --- judging one table (pure) ------------------------------------------------------------
_TABLE = Table("public", "clients", "r", None, 0, 0)
_PERSONAL = PersonalTable(_TABLE, (Signal("phone", "phone", "phone (name matches)"),))
_FILES = PersonalTable(
    Table("storage", "objects", "r", None, 0, 0), (Signal("*", "files", "3 rows describe files"),)
)


@pytest.mark.parametrize(
    ("where", "status", "ok", "says"),
    [
        (
            Placement(True, on_target=True, source_rows=3, target_rows=3, parity_equal=True),
            ON_TARGET,
            True,
            "all 3 rows on the target",
        ),
        (
            Placement(True, on_target=False, source_rows=3),
            NOT_ON_TARGET,
            False,
            "personal data (phone) is missing on the target",
        ),
        (
            Placement(
                True,
                on_target=True,
                source_rows=3,
                target_rows=2,
                parity_equal=False,
                differences={"missing": 1},
            ),
            INCOMPLETE,
            False,
            "3 rows on the source, 2 on the target (1 missing)",
        ),
        (
            Placement(False, "Supabase-managed", source_rows=4),
            LEFT_ON_SOURCE,
            False,
            "4 rows of personal data (phone) stay on the source: Supabase-managed",
        ),
        (
            Placement(False, "Supabase-managed", source_rows=0),
            NOTHING_TO_MOVE,
            True,
            "holds no rows",
        ),
    ],
)
def test_a_personal_table_is_judged_by_where_its_rows_are(
    where: Placement, status: str, ok: bool, says: str
) -> None:
    verdict = judge(_PERSONAL, where)
    assert (verdict.status, verdict.ok) == (status, ok)
    assert says in verdict.message


def test_a_declared_reason_makes_any_placement_accepted() -> None:
    verdict = judge(_PERSONAL, Placement(True, on_target=False), out_of_scope="kept in Supabase")
    assert (verdict.status, verdict.ok, verdict.counts_as_personal) == (ACCEPTED, True, False)
    assert verdict.accepted_reason == "kept in Supabase"


def test_after_cutover_the_source_must_hold_no_rows() -> None:
    holding = judge(
        _PERSONAL, Placement(True, on_target=True, source_rows=7), source_must_be_empty=True
    )
    assert (holding.status, holding.ok) == (SOURCE_HOLDS_ROWS, False)
    assert "the source still holds 7 rows of personal data (phone)" in holding.message
    empty = judge(
        _PERSONAL, Placement(True, on_target=True, source_rows=0), source_must_be_empty=True
    )
    assert (empty.status, empty.ok) == (SOURCE_EMPTY, True)


def test_files_left_behind_are_counted_as_files() -> None:
    verdict = judge(_FILES, Placement(False, "Supabase-managed", source_rows=3))
    assert verdict.message.startswith(
        "storage.objects: 3 files in Supabase Storage, outside the database, stay there"
    )
    assert "[[residency.out_of_scope]] with where they went" in verdict.message
