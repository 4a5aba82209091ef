"""verify.rows on real servers: exact keys, keyless tables, hash methods, live re-checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest

from pgcutover.errors import NoPrimaryKey
from tests.fix_data_faults import on_target, snapshot_pair
from verify.catalog import Column, Table
from verify.connect import Endpoint, use_canonical_settings
from verify.row_report import live_recheck
from verify.rows import (
    MD5,
    TYPED,
    bucket_count,
    diff_keys,
    hash_method,
    hash_terms,
    leaf_size,
    parse_grace,
    row_parity,
)


def test_diff_keys_names_missing_extra_and_changed_composite_text_keys(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    on_target(
        target_db,
        "DELETE FROM public.appointments_cache WHERE external_id = '700000005'",
        "INSERT INTO public.appointments_cache SELECT company_id, 'Ёж-1', payload, fetched_at, "
        "updated_at FROM public.appointments_cache WHERE external_id = '700000006'",
        "UPDATE public.appointments_cache SET payload = payload || '{\"deleted\": true}' "
        "WHERE external_id IN ('700000007', '700000100')",
    )
    with snapshot_pair(source_db, target_db) as (src, tgt, tables):
        found = diff_keys(src, tgt, tables["public.appointments_cache"])
    assert found.key_columns == ("company_id", "external_id")
    assert found.missing == [("studio-lotos", "700000005")]
    assert found.extra == [("studio-lotos", "Ёж-1")]
    assert sorted(found.changed) == [("studio-lotos", "700000007"), ("studio-lotos", "700000100")]


def test_diff_keys_finds_nothing_on_a_clean_copy(source_db: Endpoint, target_db: Endpoint) -> None:
    with snapshot_pair(source_db, target_db) as (src, tgt, tables):
        found = diff_keys(src, tgt, tables["public.clients"])
    assert (found.missing, found.extra, found.changed) == ([], [], [])


def test_diff_keys_refuses_a_keyless_table_in_one_line(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    with (
        snapshot_pair(source_db, target_db) as (src, tgt, tables),
        pytest.raises(NoPrimaryKey, match=r"^public.webhook_inbox has no primary key") as caught,
    ):
        diff_keys(src, tgt, tables["public.webhook_inbox"])
    assert "\n" not in str(caught.value)


def test_md5_and_typed_hashes_give_the_same_verdicts(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    on_target(
        target_db,
        "UPDATE public.clients SET loyalty_points = 10.5 WHERE id = 1",
        "UPDATE public.bookings SET status = 'cancelled' WHERE status = 'completed' "
        "AND id = (SELECT id FROM public.bookings WHERE status = 'completed' ORDER BY id LIMIT 1)",
        "DELETE FROM public.webhook_inbox WHERE ctid = (SELECT min(ctid) FROM public.webhook_inbox)",
    )
    with snapshot_pair(source_db, target_db) as (src, tgt, tables):
        assert hash_method(src, tgt) == TYPED
        for name in ("public.clients", "public.bookings", "public.webhook_inbox"):
            typed = row_parity(src, tgt, tables[name], method=TYPED).differences
            md5 = row_parity(src, tgt, tables[name], method=MD5).differences
            assert typed.totals == md5.totals and sum(typed.totals.values()) == 1, name
            assert (typed.missing, typed.changed) == (md5.missing, md5.changed), name


def test_a_live_row_that_caught_up_is_forgiven_and_an_old_one_is_not(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    # The live source just wrote row 1 (the target lags); target row 2 is simply wrong.
    with psycopg.connect(source_db.conninfo, autocommit=True) as conn:
        conn.execute("UPDATE public.clients SET notes = 'new', updated_at = now() WHERE id = 1")
    on_target(target_db, "UPDATE public.clients SET notes = 'stale' WHERE id = 2")
    with snapshot_pair(source_db, target_db) as (src, tgt, tables):
        table = tables["public.clients"]
        parity = row_parity(src, tgt, table, limit=None)
        assert sorted(parity.differences.changed) == [(1,), (2,)]
        # Meanwhile the sync catches row 1 up; the re-check looks in fresh snapshots.
        with psycopg.connect(source_db.conninfo) as conn:
            row = conn.execute("SELECT updated_at FROM public.clients WHERE id = 1").fetchone()
        assert row is not None
        on_target(
            target_db,
            psycopg.sql.SQL(
                "UPDATE public.clients SET notes = 'new', updated_at = {} WHERE id = 1"
            ).format(psycopg.sql.Literal(row[0])),
        )
        rechecked = live_recheck(
            parity, table, source_db, target_db, "updated_at", timedelta(minutes=5)
        )
    assert (rechecked.rechecked, rechecked.forgiven) == (1, 1)
    assert rechecked.differences.changed == [(2,)]


def test_rows_the_source_changed_inside_the_window_pass_and_the_rest_still_differ(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    # The source wrote rows 1 (update) and a new client inside the window, and deleted row 3;
    # the target was changed on row 2 with a fresh timestamp, and on row 4 with an old one.
    with psycopg.connect(source_db.conninfo, autocommit=True) as conn:
        conn.execute("UPDATE public.clients SET notes = 'new', updated_at = now() WHERE id = 1")
        conn.execute(
            "INSERT INTO public.clients (company_id, name, phone)"
            " SELECT company_id, 'New', '+79990000000' FROM public.clients WHERE id = 1"
        )
        conn.execute("SET session_replication_role = replica")
        conn.execute("DELETE FROM public.clients WHERE id = 3")
    on_target(
        target_db,
        "UPDATE public.clients SET notes = 'forged', updated_at = now() WHERE id = 2",
        "UPDATE public.clients SET notes = 'stale' WHERE id = 4",
    )
    with snapshot_pair(source_db, target_db) as (src, tgt, tables):
        table = tables["public.clients"]
        parity = row_parity(src, tgt, table, limit=None)
        rechecked = live_recheck(
            parity, table, source_db, target_db, "updated_at", timedelta(minutes=1)
        )
    assert rechecked.inside_window == 2  # row 1 and the new client
    assert sorted(rechecked.differences.changed) == [(2,), (4,)]
    assert rechecked.differences.extra == [(3,)]  # a deletion has no timestamp to read
    assert rechecked.differences.missing == []


def test_parse_grace_reads_durations_and_rejects_nonsense() -> None:
    assert parse_grace("5m") == timedelta(minutes=5)
    assert parse_grace("30") == timedelta(seconds=30)
    with pytest.raises(ValueError, match="--grace"):
        parse_grace("five minutes")


@pytest.mark.parametrize(
    ("type_name", "terms"),
    [
        ("integer", ['"v"']),
        ("bigint", ['int8send("v")']),
        ("numeric(10,2)", ['numeric_send("v")']),
        ("numeric", ['numeric_send("v")']),
        ("character varying(64)", ['"v" COLLATE "C"']),
        ("timestamp(3) with time zone", ['timestamptz_send("v")']),
        ("double precision", ['"v"', 'CASE WHEN "v" = 0 THEN "v"::text END']),
        ("bpchar", ['textin(bpcharout("v")) COLLATE "C"']),
        ("text[]", ['"v"::text COLLATE "C"']),
        ("jsonb", ['"v"::text COLLATE "C"']),
        ("public.booking_status", ['"v"::text COLLATE "C"']),
    ],
)
def test_each_type_enters_the_row_hash_by_a_form_that_keeps_all_its_data(
    type_name: str, terms: list[str]
) -> None:
    column = Column("v", type_name, False, "", "", 1)
    assert [t.as_string() for t in hash_terms(column)] == terms


def test_buckets_hold_about_a_thousand_rows_and_are_never_few() -> None:
    table = Table("public", "t", "r", None, est_rows=10_000_000, bytes=0)
    assert bucket_count(table) == 16384
    assert bucket_count(Table("public", "t", "r", None, est_rows=0, bytes=0)) == 64
    # Never analysed (no estimate), 300 MB on disk: sized from the bytes.
    assert bucket_count(Table("public", "t", "r", None, est_rows=0, bytes=300 << 20)) == 2048


def test_diff_keys_on_the_callers_sessions_sets_text_forms_for_its_transaction_only(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    with psycopg.connect(target_db.conninfo, options="-c TimeZone=Asia/Tokyo") as conn:
        conn.execute("SELECT 1")  # psycopg opened a transaction, as the migrator's would
        use_canonical_settings(conn)
        assert conn.execute("SHOW TimeZone").fetchone() == ("UTC",)
        conn.commit()
        assert conn.execute("SHOW TimeZone").fetchone() == ("Asia/Tokyo",)


def test_a_partitioned_parent_gets_buckets_for_all_its_partitions_rows(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    with psycopg.connect(source_db.conninfo, autocommit=True) as conn:
        # Exact estimates: an autovacuum of the template after the demo's ANALYZE may have
        # left extrapolated ones (886 of 1,299 rows seen once).
        conn.execute("ANALYZE")
    with snapshot_pair(source_db, target_db) as (src, _tgt, tables):
        # Autovacuum never analyses a partitioned parent, so its own estimate is often -1.
        parent = replace(tables["public.messages"], est_rows=0, bytes=0)
        assert leaf_size(src, parent).est_rows == 600
        assert leaf_size(src, tables["public.clients"]).est_rows == 1299


def test_a_unique_index_on_not_null_columns_keys_a_table_without_primary_key(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    table_sql = (
        "CREATE TABLE public.promo_codes (code text NOT NULL, company_id text NOT NULL, "
        "note text, uses int); "
        "CREATE UNIQUE INDEX promo_codes_note_key ON public.promo_codes (note); "
        "CREATE UNIQUE INDEX promo_codes_code_key ON public.promo_codes (company_id, code); "
        "INSERT INTO public.promo_codes SELECT 'CODE' || g, 'studio-lotos', NULL, g "
        "FROM generate_series(1, 50) g"
    )
    with psycopg.connect(source_db.conninfo, autocommit=True) as conn:
        conn.execute(table_sql)
    on_target(target_db, table_sql, "UPDATE public.promo_codes SET uses = 0 WHERE code = 'CODE7'")
    with snapshot_pair(source_db, target_db) as (src, tgt, tables):
        found = diff_keys(src, tgt, tables["public.promo_codes"])
    # The nullable `note` index cannot identify rows; (company_id, code) can.
    assert found.key_columns == ("company_id", "code")
    assert (found.missing, found.extra, found.changed) == ([], [], [("studio-lotos", "CODE7")])


def test_a_materialized_view_is_compared_by_its_unique_index_and_null_keys_as_whole_rows(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    view_sql = (
        "CREATE TABLE public.visits (id int PRIMARY KEY, city text, kind text NOT NULL); "
        "INSERT INTO public.visits VALUES (1, 'Kazan', 'new'), (2, 'Kazan', 'new'), "
        "(3, 'Perm', 'new'), (4, NULL, 'new'), (5, NULL, 'repeat'); "
        "CREATE MATERIALIZED VIEW public.visits_by_city AS "
        "SELECT city, kind, count(*) AS n FROM public.visits GROUP BY city, kind; "
        "CREATE UNIQUE INDEX visits_by_city_key ON public.visits_by_city (city, kind)"
    )
    with psycopg.connect(source_db.conninfo, autocommit=True) as conn:
        conn.execute(view_sql)
    # Stale on the target: refreshed from other rows, which are then put back.
    on_target(
        target_db,
        view_sql,
        "UPDATE public.visits SET city = 'Perm' WHERE id = 2",
        "UPDATE public.visits SET kind = 'other' WHERE id = 5",
        "REFRESH MATERIALIZED VIEW public.visits_by_city",
        "UPDATE public.visits SET city = 'Kazan' WHERE id = 2",
        "UPDATE public.visits SET kind = 'repeat' WHERE id = 5",
    )
    with snapshot_pair(source_db, target_db) as (src, tgt, tables):
        found = row_parity(src, tgt, tables["public.visits_by_city"], limit=None)
        base = row_parity(src, tgt, tables["public.visits"], limit=None)
    assert base.equal
    assert found.key.columns == ("city", "kind")
    assert found.key.kind == "unique index public.visits_by_city_key"
    differences = found.differences
    # Keys without NULL are named as changed; the NULL-keyed rows as a multiset.
    assert sorted(differences.changed) == [("Kazan", "new"), ("Perm", "new")]
    assert (differences.missing, differences.extra) == ([(None, "repeat")], [(None, "other")])
