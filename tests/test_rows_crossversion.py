"""Typed row hashes agree across major versions (15 -> 18), so the fast path is honest there."""

from __future__ import annotations

import psycopg
import pytest

from migrator.tools import server_bindirs
from pgcutover.servers import server_pair
from verify.catalog import read_tables
from verify.connect import parse_url, snapshot_connection
from verify.rows import MD5, TYPED, hash_method, row_parity

# Every type family the contracts care about, in one small table made the same way twice.
TABLE = """
CREATE TABLE public.families (
    id text PRIMARY KEY, n numeric, n2 numeric(10, 2), f float8, ts timestamptz, j jsonb,
    js json, a text[], b bytea, u uuid, flag boolean, iv interval, d date
);
INSERT INTO public.families VALUES
    ('ё-1', 10.50, 10.50, 0.30000000000000004, '2026-11-01 00:00:00.000001+00',
     '{"b": 1.10, "a": [null, "x"]}', '{"b": 1.10,  "a": 1}', ARRAY['a', NULL, ''],
     '\\x00ff5c', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true, '1 day', '2026-11-20'),
    ('z', 'NaN', 0, 'Infinity', 'infinity', '[]', 'null', '{}', '', NULL, NULL, NULL, NULL),
    ('Ж', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '24 hours', NULL);
"""


@pytest.mark.crossversion
def test_typed_hashes_agree_from_postgresql_15_to_18() -> None:
    if len({d.version for d in server_bindirs()}) < 2:
        pytest.skip("needs two PostgreSQL major versions (Debian's 15 and the wheel's 18)")
    with server_pair(cross_version=True, use_docker=False) as pair:
        source, target = parse_url(pair.source_url), parse_url(pair.target_url)
        for endpoint in (source, target):
            with psycopg.connect(endpoint.conninfo, autocommit=True) as conn:
                conn.execute(TABLE)
        with psycopg.connect(target.conninfo, autocommit=True) as conn:
            conn.execute("UPDATE public.families SET iv = '1 day' WHERE id = 'Ж'")
        with (
            snapshot_connection(source, role="source") as src,
            snapshot_connection(target, role="target") as tgt,
        ):
            versions = {c.info.server_version // 10000 for c in (src, tgt)}
            assert len(versions) == 2
            assert hash_method(src, tgt) == TYPED
            (table,) = read_tables(src, ("public",))
            for method in (TYPED, MD5):
                found = row_parity(src, tgt, table, method=method).differences
                # '24 hours' = '1 day' as intervals, yet not the same data.
                assert (found.missing, found.extra, found.changed) == ([], [], [("Ж",)]), method
