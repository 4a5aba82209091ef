"""Buffer parity: every Baileys Buffer revives to the same bytes on the target (CRITICAL in
the review: a key that revives differently silently breaks the WhatsApp session).

Assertions stay plain (PYTEST_DONT_REWRITE): a failure reads as the contract's sentence.
"""

from __future__ import annotations

from typing import Any

import pytest

from pgcutover.pytest_plugin import (
    Side,
    nothing_to_check,
    personal_columns,
    sides,
    table_verdict,
)
from reports.evidence import Difference, attach_json, explain_failure, key_lookup, label, note
from verify.buffer_parity import (
    UnreadableRows,
    buffer_columns,
    key_columns,
    stream_column,
)
from verify.buffers import credential_problems, revive
from verify.catalog import Column, Table
from verify.mask import mask_phone_numbers
from verify.row_report import format_key
from verify.rows import SAMPLE

BufferColumn = tuple[Table, Column]
CREDENTIAL_COLUMNS = ("creds",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per source JSON column (any may hold Buffers): `public.whatsapp_keys.value`."""
    wanted = {"buffer_column", "credentials_column"} & set(metafunc.fixturenames)
    if not wanted:
        return
    source = sides(metafunc.config)["source"]
    found = buffer_columns(sorted(source.tables.values(), key=lambda t: t.qualified))
    what = "JSON column holding Baileys Buffers"  # none at all, so none holding Buffers
    if "credentials_column" in wanted:
        found = [(t, c) for t, c in found if c.name in CREDENTIAL_COLUMNS]
        what = f"credentials column ({', '.join(CREDENTIAL_COLUMNS)}) holding Buffers"
    params = [pytest.param(f, id=f"{f[0].qualified}.{f[1].name}") for f in found]
    if not params:  # said in words, not as pytest's "got empty parameter set"
        params = nothing_to_check(f"no {what} found", "Buffer parity")
    metafunc.parametrize(wanted.pop(), params)


def test_buffers_revive_equal(
    buffer_column: BufferColumn,
    source: Side,
    target: Side,
    mask: bool,
    row_verdicts: dict[Any, Any],
    request: pytest.FixtureRequest,
) -> None:
    """Each row's JSON revives (Baileys' reviver) to the same Buffers on both sides: bytes
    equal whatever the shape, none lost, none turned into a string. Rows whose hashes are
    equal hold the same JSON; only the others are revived (the bucket pass is row parity's
    own, one per table and side)."""
    table, column = buffer_column
    where = f"{table.qualified}.{column.name}"
    label(feature="Buffer parity", story=where, severity="blocker")
    assert table.qualified in target.tables, f"{table.qualified} is missing on the target"
    with target.savepoint():
        try:
            verdict = table_verdict(request.config, table, source, target, row_verdicts)
        except UnreadableRows as exc:
            pytest.fail(str(exc), pytrace=False)
    found = verdict.buffers[column.name]
    shown = found.differences[:SAMPLE]  # a live source's pass keeps every differing row
    parity = verdict.parity
    personal = personal_columns(request.config)
    keys = [format_key(parity.key.columns, k, mask=mask, personal=personal) for k, _ in shown]
    rows = [
        {"key": key, "differences": [str(d) for d in differences]}
        for key, (_, differences) in zip(keys, shown, strict=True)
    ]
    attach_json(
        "buffer parity",
        {
            "column": where,
            "table_rows": {"source": parity.source_rows, "target": parity.target_rows},
            "rows_differing_by_hash": sum(parity.differences.totals.values()),
            "rows_with_buffers": found.rows_with_buffers,
            "rows_reencoded": found.rows_reencoded,
            "rows_differing": found.rows_differing,
            "rows": rows,
        },
    )
    if found.equal and found.rows_reencoded:
        note(f"{where}: {found.rows_reencoded} rows re-encoded, same bytes")
    if not found.equal:
        explain_failure(
            [
                Difference(key, f"{d.path} ({d.problem})", d.source, d.target)
                for key, (_, differences) in zip(keys, shown, strict=True)
                for d in differences
            ],
            [
                key_lookup(
                    table.schema, table.name, parity.key.columns, k, mask=mask, personal=personal
                )
                for k, _ in shown[:1]
                if parity.key.columns
            ],
        )
    first = rows[0] if rows else {"key": "", "differences": []}
    more = found.rows_differing - 1
    assert found.equal, (
        f"{where}: {found.rows_differing} row(s) revive to different Buffers; "
        f"{first['key']} at {'; '.join(first['differences'][:3])}"
        + (f" (+{more} more rows)" if more > 0 else "")
    )


def _key_text(columns: tuple[str, ...], key: tuple[str | None, ...], mask: bool = True) -> str:
    values = [mask_phone_numbers(str(v)) if mask else str(v) for v in key]
    if len(columns) == 1:
        return f"{columns[0]}={values[0]}"
    return f"({', '.join(columns)})=({', '.join(values)})"


def test_credentials_shape(
    credentials_column: BufferColumn, source: Side, target: Side, mask: bool
) -> None:
    """Credentials on the target have what Baileys needs: key pairs of 32/33-byte Buffers,
    signedPreKey with keyPair and signature, registrationId, advSecretKey."""
    table, column = credentials_column
    where = f"{table.qualified}.{column.name}"
    label(feature="Buffer parity", story=where, severity="blocker")
    keys = key_columns(source.conn, table, column.name)
    on_source = {
        key: set(credential_problems(revive(value)))
        for key, value in stream_column(source.conn, table, column.name, keys)
    }
    found = []
    with target.savepoint():
        for key, value in stream_column(target.conn, table, column.name, keys):
            found += [
                Difference(_key_text(keys, key, mask), column.name, "as on the source", p)
                for p in credential_problems(revive(value))
                if p not in on_source.get(key, set())
            ]
    problems = [f"{d.key} {d.target}" for d in found]
    attach_json(
        "credential shape",
        {
            "column": where,
            "problems_on_target": problems,
            "already_on_source": {
                _key_text(keys, k, mask): sorted(v) for k, v in on_source.items() if v
            },
        },
    )
    if problems:
        explain_failure(found)
    assert not problems, f"{where}: {len(problems)} problem(s): {'; '.join(problems[:3])}"
