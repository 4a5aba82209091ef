"""Row parity with Buffer semantics on real servers: verify.buffer_parity's judge.

Only rows whose hashes differ are revived; a row whose only difference is how its Buffers
are written is re-encoded (the same data), anything else is a change named by column and
JSON path, and each JSON column keeps the rows whose Buffers differ.
"""

from __future__ import annotations

import base64
import json

import psycopg
import pytest

from tests.fix_data_faults import on_target, snapshot_pair
from verify.buffer_parity import TableVerdict, table_verdict
from verify.connect import Endpoint
from verify.row_report import parity_report
from verify.rows import TYPED

KEY = bytes(range(32))
_B64_BUFFER = json.dumps({"type": "Buffer", "data": base64.b64encode(KEY).decode()})
_ARRAY_BUFFER = json.dumps({"type": "Buffer", "data": list(KEY)})
# The same key in the two shapes Baileys writes, next to a number kept as written.
B64 = f'{{"k": {_B64_BUFFER}, "n": 1.10}}'
ARRAY = f'{{"k": {_ARRAY_BUFFER}, "n": 1.10}}'


def _both(
    source: Endpoint, target: Endpoint, create: str, source_rows: str, target_rows: str
) -> None:
    with psycopg.connect(source.conninfo, autocommit=True) as conn:
        conn.execute(create + source_rows)
    on_target(target, create + target_rows)


def _verdict(source: Endpoint, target: Endpoint, name: str) -> tuple[TableVerdict, str]:
    with snapshot_pair(source, target) as (src, tgt, tables):
        table = tables[f"public.{name}"]
        verdict = table_verdict(src, tgt, table, method=TYPED)
        report = parity_report(
            verdict.parity, table, src, tgt, reencoded=verdict.reencoded_columns()
        )
    return verdict, report.message


@pytest.mark.parametrize("column_type", ["json", "jsonb"])
def test_a_buffer_rewritten_as_a_byte_array_is_reencoded_not_changed(
    source_db: Endpoint, target_db: Endpoint, column_type: str
) -> None:
    create = f"CREATE TABLE public.keys (id int PRIMARY KEY, doc {column_type}); "
    _both(
        source_db,
        target_db,
        create,
        f"INSERT INTO public.keys VALUES (1, '{B64}'), (2, '{B64}')",
        f"INSERT INTO public.keys VALUES (1, '{ARRAY}'), (2, '{B64}')",
    )
    verdict, message = _verdict(source_db, target_db, "keys")
    assert verdict.parity.equal
    assert verdict.parity.differences.reencoded == [(1,)]
    assert (verdict.buffers["doc"].rows_reencoded, verdict.buffers["doc"].rows_differing) == (1, 0)
    assert message == "public.keys: rows equal (2); 1 row re-encoded, same bytes (doc)"


def test_a_number_beside_a_reencoded_buffer_is_a_change_at_its_path(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    create = "CREATE TABLE public.keys (id int PRIMARY KEY, doc jsonb); "
    changed = ARRAY.replace('"n": 1.10', '"n": 1.1')  # 1.1 is not 1.10 in the stored data
    _both(
        source_db,
        target_db,
        create,
        f"INSERT INTO public.keys VALUES (1, '{B64}')",
        f"INSERT INTO public.keys VALUES (1, '{changed}')",
    )
    verdict, message = _verdict(source_db, target_db, "keys")
    assert verdict.parity.differences.changed == [(1,)]
    assert verdict.buffers["doc"].equal  # the Buffer itself revives to the same bytes
    assert message.endswith("1 changed: id=1 in doc['n']")


def test_json_text_that_parses_alike_is_a_change_named_by_its_column(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    # json keeps its text: a reformatted document is not the same data, and the message
    # names the column even though both parse to the same value.
    create = "CREATE TABLE public.docs (id int PRIMARY KEY, doc json); "
    _both(
        source_db,
        target_db,
        create,
        """INSERT INTO public.docs VALUES (1, '{"a":1}')""",
        """INSERT INTO public.docs VALUES (1, '{"a": 1}')""",
    )
    verdict, message = _verdict(source_db, target_db, "docs")
    assert verdict.parity.differences.changed == [(1,)]
    assert message.endswith("1 changed: id=1 in doc")


def test_a_lost_row_of_a_keyless_table_loses_its_buffers(
    source_db: Endpoint, target_db: Endpoint
) -> None:
    create = "CREATE TABLE public.log (at int, doc jsonb); "
    flipped = ARRAY.replace("[0, 1,", "[9, 1,")
    _both(
        source_db,
        target_db,
        create,
        f"INSERT INTO public.log VALUES (1, '{ARRAY}'), (2, '{B64}')",
        f"INSERT INTO public.log VALUES (1, '{flipped}'), (2, '{B64}')",
    )
    verdict, _ = _verdict(source_db, target_db, "log")
    totals = verdict.parity.differences.totals
    assert (totals["missing"], totals["extra"]) == (1, 1)
    problems = sorted(str(d) for _, found in verdict.buffers["doc"].differences for d in found)
    assert problems == [
        "$: row missing on the source (row -> absent)",
        "$: row missing on the target (row -> absent)",
    ]


def test_identical_tables_revive_nothing(source_db: Endpoint, target_db: Endpoint) -> None:
    verdict, message = _verdict(source_db, target_db, "whatsapp_keys")
    assert verdict.parity.unequal_buckets == 0
    assert verdict.buffers["value"].rows_with_buffers == 0
    assert message == "public.whatsapp_keys: rows equal (728)"
