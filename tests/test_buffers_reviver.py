"""verify.buffers revives JSON exactly as Baileys 6.x BufferJSON.reviver does under Node."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from verify.buffers import (
    JsonNumber,
    Unrevivable,
    buffer_differences,
    credential_problems,
    decode_base64_like_node,
    parse_json,
    revive,
    same_json,
)

B64 = {"type": "Buffer", "data": "AAEC/w=="}
LIST = {"type": "Buffer", "data": [0, 1, 2, 255]}
LEGACY = {"buffer": True, "value": "AAEC/w=="}
BYTES = b"\x00\x01\x02\xff"


@pytest.mark.parametrize("wrapper", [B64, LIST, LEGACY], ids=["base64", "array", "legacy"])
def test_all_three_shapes_revive_to_the_same_bytes(wrapper: dict[str, Any]) -> None:
    assert revive(wrapper) == BYTES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AAEC/w", BYTES),  # padding missing
        ("AAEC\n/w==", BYTES),  # whitespace inside
        ("AAEC_w==", BYTES),  # URL-safe alphabet
        ("AAEC-w", b"\x00\x01\x02\xfb"),  # '-' is 62, not skipped as Python's decoder does
        ("QQ=QUJD", b"A"),  # decoding stops at the first '='
        ("Q", b""),  # a lone character gives no byte
        ("Q!U!J!D", b"ABC"),  # characters outside the alphabet are skipped
    ],
)
def test_base64_is_decoded_leniently_like_node(text: str, expected: bytes) -> None:
    assert decode_base64_like_node(text) == expected


def test_array_bytes_are_coerced_modulo_256() -> None:
    wrapper = {"type": "Buffer", "data": [256, -1, 1.9, "7", None, True, "x"]}
    assert revive(wrapper) == bytes([0, 255, 1, 7, 0, 1, 0])


def test_other_keys_of_the_wrapper_are_ignored_and_data_wins_over_value() -> None:
    assert revive({"type": "Buffer", "data": "AQ==", "value": "Ag==", "note": 1}) == b"\x01"
    assert revive({"buffer": True, "data": "", "value": "Ag=="}) == b"\x02"


@pytest.mark.parametrize(
    "not_a_buffer",
    [
        {"type": "buffer", "data": "AQ=="},
        {"buffer": "true", "value": "AQ=="},
        {"buffer": 1, "value": "AQ=="},
        {"Type": "Buffer", "data": [1]},
    ],
)
def test_a_differently_spelt_tag_is_not_a_buffer(not_a_buffer: dict[str, Any]) -> None:
    assert revive(not_a_buffer) == not_a_buffer


def test_a_number_as_data_is_unrevivable_as_in_node() -> None:
    assert isinstance(revive({"type": "Buffer", "data": 5}), Unrevivable)


def test_revival_recurses_through_objects_and_arrays() -> None:
    assert revive({"a": [{"k": LIST}], "b": {"c": B64}}) == {"a": [{"k": BYTES}], "b": {"c": BYTES}}


def test_base64_shape_against_array_shape_is_no_difference() -> None:
    assert buffer_differences(revive({"k": B64}), revive({"k": LIST})) == []


def test_a_flipped_byte_is_named_by_path() -> None:
    flipped = {"type": "Buffer", "data": [0, 1, 3, 255]}
    (found,) = buffer_differences(revive({"k": [B64]}), revive({"k": [flipped]}))
    assert found.path == "$.k[0]" and "first at byte 2" in found.problem


def test_a_buffer_turned_into_its_base64_string_is_a_difference() -> None:
    (found,) = buffer_differences(revive({"k": B64}), revive({"k": "AAEC/w=="}))
    assert found.problem == "Buffer became a string (its base64)"


def test_a_dropped_nested_buffer_is_a_difference() -> None:
    (found,) = buffer_differences(revive({"a": {"b": B64, "c": 1}}), revive({"a": {"c": 1}}))
    assert (found.path, found.problem) == ("$.a.b", "Buffer lost")


def test_strings_are_compared_as_strings_never_as_buffers() -> None:
    assert buffer_differences(revive({"s": "AAEC/w=="}), revive({"s": "AAEC/w=="})) == []
    (found,) = buffer_differences(revive({"s": "AAEC/w=="}), revive({"s": B64}))
    assert found.problem == "became a Buffer"


def test_credentials_with_a_short_key_are_named() -> None:
    creds = {
        "noiseKey": {"private": {"type": "Buffer", "data": [1] * 32}, "public": B64},
        "signedIdentityKey": {"private": LIST, "public": LIST},
        "signedPreKey": {"keyPair": {"private": LIST, "public": LIST}, "signature": LIST},
        "registrationId": 7,
        "advSecretKey": "c2VjcmV0",
    }
    problems = credential_problems(revive(creds))
    assert "$.noiseKey.public: Buffer(4 bytes), expected a 32 or 33 byte Buffer" in problems
    assert not any(p.startswith("$.registrationId") for p in problems)


# --- the real thing: Node's JSON.parse with the 6.x reviver semantics over a corpus ------
_NODE_SCRIPT = r"""
const docs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const reviver = (_, v) => {
  if (typeof v === 'object' && v !== null && (v.buffer === true || v.type === 'Buffer')) {
    const raw = v.data || v.value;
    return typeof raw === 'string' ? Buffer.from(raw, 'base64') : Buffer.from(raw || []);
  }
  return v;
};
const enc = (v) => Buffer.isBuffer(v) ? {'$bytes': v.toString('hex')}
  : Array.isArray(v) ? v.map(enc)
  : (v !== null && typeof v === 'object') ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, enc(x)]))
  : v;
const out = docs.map((text) => {
  try { return enc(JSON.parse(text, reviver)); } catch (e) { return {'$error': true}; }
});
process.stdout.write(JSON.stringify(out));
"""

CORPUS = [
    '{"type":"Buffer","data":"AAEC/w=="}',
    '{"type":"Buffer","data":[0,1,2,255,256,-1,1.9,-1.9,"7"," 0x1f ","1e2","x",null,true,false]}',
    '{"type":"Buffer","data":[[5],[],[1,2],[[3]],["9"],{},{"valueOf":1},[null]]}',
    '{"buffer":true,"value":"AAEC/w"}',
    '{"buffer":true,"data":"","value":"QUJD"}',
    '{"type":"Buffer"}',
    '{"type":"Buffer","data":0,"value":[1,2]}',
    '{"type":"Buffer","data":false,"value":"QQ"}',
    '{"type":"Buffer","data":{"type":"Buffer","data":[7,8]}}',
    '{"type":"Buffer","data":{"length":3,"0":1,"2":"2"}}',
    '{"type":"Buffer","data":{"length":"3"}}',
    '{"type":"Buffer","data":{"length":null}}',
    '{"type":"Buffer","data":[{"type":"Buffer","data":[53]}]}',
    '{"type":"buffer","data":"AQ=="}',
    '{"buffer":"true","value":"AQ=="}',
    '{"TYPE":"Buffer","data":[1]}',
    '{"type":"Buffer","data":"-_-_"}',
    '{"type":"Buffer","data":"AA EC\\n/w=\\t="}',
    '{"type":"Buffer","data":"QQ=QUJD"}',
    '{"type":"Buffer","data":"Q!U!J!D"}',
    '{"type":"Buffer","data":"\u0141UJD"}',
    '{"type":"Buffer","data":"\ud83d\ude00QUJD"}',
    '{"type":"Buffer","data":"=QUJD"}',
    '{"type":"Buffer","data":"QUJD===="}',
    '{"type":"Buffer","data":"Q"}',
    '{"type":"Buffer","data":"QR"}',
    '{"a":[{"type":"Buffer","data":[1]},{"buffer":true,"value":"Ag"}],"b":{"c":"AAEC/w=="}}',
    '[1,"x",{"type":"Buffer","data":[1e400, -1e400, 9007199254740993]}]',
    '{"type":"Buffer","data":[" \\t12\\n", "0b101", "0o17", "+Infinity", ".5e1", "1_0", "1."]}',
]


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def _contains_unrevivable(value: Any) -> bool:
    if isinstance(value, Unrevivable):
        return True
    if isinstance(value, dict):
        return any(_contains_unrevivable(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unrevivable(v) for v in value)
    return False


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_reviver_matches_node_over_a_corpus_of_edge_cases() -> None:
    proc = subprocess.run(
        ["node", "-e", _NODE_SCRIPT],
        input=json.dumps(CORPUS),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    from_node = json.loads(proc.stdout)
    for text, node_value in zip(CORPUS, from_node, strict=True):
        ours = revive(json.loads(text))
        if _contains_unrevivable(ours):
            assert node_value == {"$error": True}, text
        else:
            assert _encode(ours) == _encode(node_value), text


@pytest.mark.parametrize("text", CORPUS)
def test_numbers_kept_as_text_revive_as_javascript_numbers(text: str) -> None:
    # Row parity parses JSON with numbers as JsonNumber (a float that keeps its text): the
    # reviver must give what it gives for plain numbers, as Node would.
    assert same_json(revive(parse_json(text)), revive(json.loads(text)))


def test_json_numbers_compare_by_their_text() -> None:
    number = parse_json("1.10")
    assert isinstance(number, JsonNumber) and number == 1.1 and number.text == "1.10"
    assert not same_json(parse_json("[1.10]"), parse_json("[1.1]"))
    assert same_json(parse_json('{"a": 1, "b": 2}'), parse_json('{"b": 2, "a": 1}'))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (B64, LIST, True),
        (B64, LEGACY, True),
        ({"type": "Buffer", "data": "AAEC_w"}, LIST, True),  # unpadded, URL-safe
        (B64, {"type": "Buffer", "data": [0, 1, 2, 254]}, False),  # a changed byte
        (B64, "AAEC/w==", False),  # a Buffer turned into its base64 string
        ({"k": B64}, {}, False),  # a lost Buffer
        # Node throws on both: the same when written alike (key order aside), else not.
        ({"type": "Buffer", "data": 5}, {"data": 5, "type": "Buffer"}, True),
        ({"type": "Buffer", "data": 5}, {"type": "Buffer", "data": 5.0}, False),
    ],
)
def test_same_json_is_same_bytes_in_the_same_surrounding_json(a: Any, b: Any, same: bool) -> None:
    assert same_json(revive(parse_json(json.dumps(a))), revive(parse_json(json.dumps(b)))) is same
