"""Sequences: the target's next values are never behind the source's, nor behind its data.

Assertions stay plain (PYTEST_DONT_REWRITE): a failure reads as the contract's sentence.
"""

from __future__ import annotations

import pytest

from pgcutover.pytest_plugin import Side, nothing_to_check, plan_of, sides
from reports.evidence import Difference, Reproduction, attach_json, explain_failure, label, quoted
from verify.catalog import read_sequences
from verify.sequences import (
    collides_with_data,
    column_extreme,
    sequence_state,
    steps_behind,
)

Sequence = tuple[str, str]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per source sequence: `public.clients_id_seq`."""
    if "sequence" in metafunc.fixturenames:
        source = sides(metafunc.config)["source"]
        found = read_sequences(source.conn, plan_of(metafunc.config).schemas)
        params = [pytest.param(s, id=f"{s[0]}.{s[1]}") for s in found]
        if not params:  # said in words, not as pytest's "got empty parameter set"
            params = nothing_to_check("no sequence on the source", "Sequences")
        metafunc.parametrize("sequence", params)


def test_sequence_not_behind_source(sequence: Sequence, source: Side, target: Side) -> None:
    """The target's next value is at or past the source's (last_value and is_called together);
    ahead is a note, not a failure."""
    schema, name = sequence
    label(feature="Sequences", story=f"{schema}.{name}", severity="critical")
    src = sequence_state(source.conn, schema, name)
    try:
        with target.savepoint():
            tgt = sequence_state(target.conn, schema, name)
    except Exception as exc:  # a missing sequence fails this contract, not the session
        pytest.fail(f"{schema}.{name}: cannot read it on the target ({exc})", pytrace=False)
    behind = steps_behind(src, tgt)
    attach_json(
        "sequence",
        {
            "sequence": f"{schema}.{name}",
            "source": {
                "last_value": src.last_value,
                "is_called": src.is_called,
                "next": src.next_value,
            },
            "target": {
                "last_value": tgt.last_value,
                "is_called": tgt.is_called,
                "next": tgt.next_value,
            },
            "note": f"target ahead by {-behind} (bumped at cutover?)" if behind < 0 else "",
        },
    )
    if behind > 0:
        explain_failure(
            [
                Difference(
                    f"{schema}.{name}", "next value", str(src.next_value), str(tgt.next_value)
                )
            ],
            [Reproduction(f"SELECT last_value, is_called FROM {quoted(schema, name)}")],
        )
    assert behind <= 0, (
        f"{schema}.{name}: next value {tgt.next_value} on the target, {src.next_value} on the "
        f"source ({behind} behind: the target would hand out values the source already gave)"
    )


def test_sequence_ahead_of_data(sequence: Sequence, source: Side, target: Side) -> None:
    """An owned sequence's next value on the target is past every value already in its column."""
    schema, name = sequence
    label(feature="Sequences", story=f"{schema}.{name}", severity="critical")
    owner = sequence_state(source.conn, schema, name).owner
    if owner is None:
        attach_json("sequence", {"sequence": f"{schema}.{name}", "owner": None})
        return  # no column to collide with
    with target.savepoint():
        tgt = sequence_state(target.conn, schema, name)
        extreme = column_extreme(target.conn, owner, tgt.increment)
    column = ".".join(owner)
    attach_json(
        "sequence",
        {
            "sequence": f"{schema}.{name}",
            "column": column,
            "target_next": tgt.next_value,
            "column_extreme": extreme,
        },
    )
    if collides_with_data(tgt, extreme):
        explain_failure(
            [
                Difference(f"{schema}.{name}", "next value", "", str(tgt.next_value)),
                Difference(f"{schema}.{name}", f"highest {column}", "", str(extreme)),
            ],
            [
                Reproduction(
                    f"SELECT last_value, is_called FROM {quoted(schema, name)};\n"
                    f"SELECT min({quoted(owner[2])}), max({quoted(owner[2])}) "
                    f"FROM {quoted(owner[0], owner[1])}",
                    where="the target",
                )
            ],
        )
    assert not collides_with_data(tgt, extreme), (
        f"{schema}.{name}: next value {tgt.next_value} on the target, but {column} already "
        f"holds {extreme}: the next insert collides"
    )
