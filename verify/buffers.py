"""Binary buffers inside JSON, revived the way Baileys 6.x revives them.

Baileys (the WhatsApp library) keeps Signal keys as Node Buffers inside JSON and reads
them back with `JSON.parse(text, BufferJSON.reviver)` (lib/Utils/generics.js). What that
reviver does defines what "the same key" means, so `revive` mirrors it rule for rule:

- JSON.parse calls the reviver bottom-up: children are revived before their parent.
- An object with `type === 'Buffer'` or `buffer === true` (strictly: the string "Buffer",
  the boolean true) becomes bytes taken from `data || value` (JavaScript truthiness); its
  other keys are ignored. `{"type": "buffer"}` is not a Buffer.
- A string is decoded with Node's lenient base64 (`decode_base64_like_node`): padding
  optional, characters outside the alphabet skipped (whitespace too), both the standard
  and the URL-safe alphabet, decoding stops at the first '='.
- Anything else goes through `Buffer.from(x || [])`: an array is coerced element by
  element to a byte (ToNumber, then mod 256); a falsy value gives no bytes; a number, a
  boolean true or a plain object makes Node throw, which we keep as `Unrevivable`.

Strings are never equal to Buffers, even of the same bytes: much real key material is
plain base64 text (session records, advSecretKey) and must stay text.

Row parity judges stored JSON this way (`same_json` over revived values, numbers compared
by their text as everywhere in row parity): two values are the same when Baileys would
revive the same bytes inside the same surrounding JSON.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_SIXBITS = {ord(c): i for i, c in enumerate(_ALPHABET)} | {ord("-"): 62, ord("_"): 63}
_CANONICAL = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


class JsonNumber(float):
    """A JSON number: JavaScript's double for the reviver, its text for comparisons (1.10
    is not 1.1 in the stored data, though JavaScript reads both as the same number)."""

    text: str

    def __new__(cls, text: str) -> JsonNumber:
        number = super().__new__(cls, text)  # 1e400 is inf, as in JavaScript
        number.text = text
        return number


def parse_json(text: str) -> Any:
    """JSON text as Python values, numbers as `JsonNumber`."""
    return json.loads(text, parse_float=JsonNumber, parse_int=JsonNumber)


@dataclass(frozen=True)
class Unrevivable:
    """A Buffer wrapper Node cannot turn into bytes (Buffer.from throws): kept as its JSON."""

    original: Any

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unrevivable) and _strict_equal(self.original, other.original)

    def __hash__(self) -> int:
        return 0


def _utf16_low_bytes(text: str) -> Iterator[int]:
    # Node decodes a non-Latin-1 string over its UTF-16 code units, each cut to its low byte.
    for ch in text:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            yield (0xD800 + (code >> 10)) & 0xFF
            yield (0xDC00 + (code & 0x3FF)) & 0xFF
        else:
            yield code & 0xFF


def decode_base64_like_node(text: str) -> bytes:
    """Buffer.from(text, 'base64') as Node 20 computes it (see module docstring)."""
    if _CANONICAL.fullmatch(text):
        return base64.b64decode(text)  # the common case, and already exact
    out = bytearray()
    bits = nbits = 0
    for code in _utf16_low_bytes(text):
        if code == ord("="):
            break
        six = _SIXBITS.get(code)
        if six is None:
            continue
        bits = (bits << 6 | six) & 0xFFFFFF
        nbits += 6
        if nbits >= 8:
            nbits -= 8
            out.append((bits >> nbits) & 0xFF)
    return bytes(out)


def _js_truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


_JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
_JS_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_JS_RADIX = re.compile(r"0(?:[xX](?P<x>[0-9a-fA-F]+)|[oO](?P<o>[0-7]+)|[bB](?P<b>[01]+))")


def _string_to_number(text: str) -> float:
    text = text.strip(_JS_SPACE)
    if not text:
        return 0.0
    radix = _JS_RADIX.fullmatch(text)
    if radix:
        digits, base = next((v, b) for b, v in zip((16, 8, 2), radix.groups(), strict=True) if v)
        return _to_float(int(digits, base))
    if _JS_DECIMAL.fullmatch(text):
        return float(text.replace("Infinity", "inf"))
    return math.nan


def _to_float(number: int | float) -> float:
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


class _NodeThrows(Exception):
    """Node would throw a TypeError here."""


def _to_string(value: Any) -> str:
    """JavaScript ToString, for the values a revived JSON document can hold."""
    if value is None:
        return ""  # only reached through Array.prototype.join, where null joins as ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, list):
        return ",".join(_to_string(v) for v in value)
    if isinstance(value, dict):
        if "toString" in value:  # an own, non-callable toString: ToPrimitive throws
            raise _NodeThrows
        return "[object Object]"
    return repr(value)  # numbers are handled by _to_number before reaching here


def _to_number(value: Any) -> float:
    """JavaScript ToNumber, for the values a revived JSON document can hold."""
    if value is None:
        return 0.0
    if value is True or value is False:
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return _to_float(value)
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], (int, float)):
        return _to_number(value[0])  # String(n) parses back to n
    if isinstance(value, dict) and "toString" not in value:
        return math.nan
    return _string_to_number(_to_string(value))


def _to_uint8(value: Any) -> int:
    number = _to_number(value)
    if math.isnan(number) or math.isinf(number):
        return 0
    return int(number) % 256  # int() truncates toward zero, as ToUint8 does


def _buffer_from(value: Any) -> bytes:
    """Buffer.from(value || []) for a non-string value."""
    if not _js_truthy(value):
        return b""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, list):
        return bytes(_to_uint8(v) for v in value)
    if isinstance(value, dict):
        if _js_truthy(value.get("valueOf")):
            raise _NodeThrows  # value.valueOf() is not a function
        if "length" in value:
            length = value["length"]
            if not isinstance(length, (int, float)) or isinstance(length, bool):
                return b""
            length = _to_float(length)
            if math.isnan(length) or length <= 0:
                return b""
            if math.isinf(length) or length > 2**31:
                raise _NodeThrows  # RangeError: invalid array length
            return bytes(_to_uint8(value.get(str(i))) for i in range(int(length)))
    raise _NodeThrows  # a number, true, or a plain object: ERR_INVALID_ARG_TYPE


def is_buffer_wrapper(value: Any) -> bool:
    """Whether Baileys' reviver turns this (already revived) object into a Buffer."""
    return isinstance(value, dict) and (
        value.get("buffer") is True
        or (isinstance(value.get("type"), str) and value.get("type") == "Buffer")
    )


def revive(value: Any) -> Any:
    """The value JSON.parse(text, BufferJSON.reviver) gives, with Buffers as `bytes`."""
    if isinstance(value, list):
        return [revive(v) for v in value]
    if not isinstance(value, dict):
        return value
    revived = {k: revive(v) for k, v in value.items()}
    if not is_buffer_wrapper(revived):
        return revived
    data = revived.get("data")
    chosen = data if _js_truthy(data) else revived.get("value")
    try:
        if isinstance(chosen, str):
            return decode_base64_like_node(chosen)
        return _buffer_from(chosen)
    except _NodeThrows:
        return Unrevivable(value)


def _strict_equal(a: Any, b: Any) -> bool:
    """JavaScript's view of equal JSON values (no bool/number mixing, strings are strings),
    with parsed JSON numbers compared by their text."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, JsonNumber) and isinstance(b, JsonNumber):
        return a.text == b.text
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return _to_float(a) == _to_float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_strict_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def same_json(a: Any, b: Any) -> bool:
    """Whether two revived values are the same data: the same bytes for every Buffer, the
    same surrounding JSON (numbers by their text, object keys in any order)."""
    if isinstance(a, bytes) or isinstance(b, bytes):
        return isinstance(a, bytes) and isinstance(b, bytes) and a == b
    if isinstance(a, Unrevivable) or isinstance(b, Unrevivable):
        return bool(a == b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return _strict_equal(a, b)


def holds_buffer(value: Any) -> bool:
    """Whether a revived value has bytes (or an unrevivable wrapper) anywhere inside."""
    if isinstance(value, (bytes, Unrevivable)):
        return True
    if isinstance(value, dict):
        return any(holds_buffer(v) for v in value.values())
    if isinstance(value, list):
        return any(holds_buffer(v) for v in value)
    return False


@dataclass(frozen=True)
class BufferDifference:
    """One place where the two sides revive to different Buffers."""

    path: str  # JSONPath-like: $.signedPreKey.keyPair.private, $[0].seed
    problem: str
    source: str
    target: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem} ({self.source} -> {self.target})"


def describe(value: Any) -> str:
    """A short, secret-free description of a revived value (never the key bytes)."""
    if isinstance(value, bytes):
        return f"Buffer({len(value)} bytes)"
    if isinstance(value, Unrevivable):
        return "unrevivable Buffer wrapper"
    if isinstance(value, str):
        return f"string({len(value)} chars)"
    if isinstance(value, dict):
        return f"object({len(value)} keys)"
    if isinstance(value, list):
        return f"array({len(value)})"
    return "absent" if value is _ABSENT else type(value).__name__


_ABSENT: Any = object()


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", key):
        return f"{path}.{key}"
    return f"{path}[{key!r}]"


def buffer_differences(source: Any, target: Any, path: str = "$") -> list[BufferDifference]:
    """Where revived `source` and `target` differ in their Buffers (other differences are
    row parity's business): bytes changed, a Buffer lost, a Buffer turned into a string."""
    src_buf, tgt_buf = holds_buffer(source), holds_buffer(target)
    if not (src_buf or tgt_buf):
        return []
    if isinstance(source, bytes) and isinstance(target, bytes):
        if source == target:
            return []
        where = next(
            (i for i, (x, y) in enumerate(zip(source, target, strict=False)) if x != y), None
        )
        detail = f"first at byte {where}" if where is not None else "different length"
        return [
            BufferDifference(path, f"bytes differ, {detail}", describe(source), describe(target))
        ]
    if isinstance(source, dict) and isinstance(target, dict):
        found = []
        for key in sorted(source.keys() | target.keys()):
            found += buffer_differences(
                source.get(key, _ABSENT), target.get(key, _ABSENT), _child(path, key)
            )
        return found
    if isinstance(source, list) and isinstance(target, list):
        found = []
        for i in range(max(len(source), len(target))):
            a = source[i] if i < len(source) else _ABSENT
            b = target[i] if i < len(target) else _ABSENT
            found += buffer_differences(a, b, _child(path, i))
        return found
    if isinstance(source, Unrevivable) and _strict_equal(source, target):
        return []
    if isinstance(source, bytes) and isinstance(target, str):
        same = decode_base64_like_node(target) == source
        problem = "Buffer became a string" + (" (its base64)" if same else "")
        return [BufferDifference(path, problem, describe(source), describe(target))]
    if src_buf and target is _ABSENT:
        return [BufferDifference(path, "Buffer lost", describe(source), "absent")]
    if src_buf:
        return [BufferDifference(path, "Buffer lost", describe(source), describe(target))]
    return [BufferDifference(path, "became a Buffer", describe(source), describe(target))]


# --- credentials (whatsapp_auth.creds) ------------------------------------------------
_KEY_PAIRS = ("noiseKey", "signedIdentityKey", "pairingEphemeralKeyPair")
_REQUIRED = ("noiseKey", "signedIdentityKey", "signedPreKey", "registrationId", "advSecretKey")


def _key_pair_problems(pair: Any, path: str) -> list[str]:
    if not isinstance(pair, dict):
        return [f"{path}: not a key pair ({describe(pair)})"]
    problems = []
    for half in ("private", "public"):
        value = pair.get(half, _ABSENT)
        if not isinstance(value, bytes) or len(value) not in (32, 33):
            problems.append(f"{path}.{half}: {describe(value)}, expected a 32 or 33 byte Buffer")
    return problems


def credential_problems(creds: Any) -> list[str]:
    """What makes revived Baileys credentials unusable: required fields and key pair sizes."""
    if not isinstance(creds, dict):
        return [f"$: credentials are {describe(creds)}, not an object"]
    problems = [f"$.{name}: missing" for name in _REQUIRED if name not in creds]
    for name in _KEY_PAIRS:
        if name in creds:
            problems += _key_pair_problems(creds[name], f"$.{name}")
    pre_key = creds.get("signedPreKey")
    if isinstance(pre_key, dict):
        problems += _key_pair_problems(pre_key.get("keyPair"), "$.signedPreKey.keyPair")
        if not isinstance(pre_key.get("signature"), bytes):
            problems.append(
                f"$.signedPreKey.signature: {describe(pre_key.get('signature', _ABSENT))}, "
                "expected a Buffer"
            )
    elif "signedPreKey" in creds:
        problems.append(f"$.signedPreKey: {describe(pre_key)}, expected an object")
    registration = creds.get("registrationId")
    if "registrationId" in creds and (
        not isinstance(registration, int) or isinstance(registration, bool)
    ):
        problems.append(f"$.registrationId: {describe(registration)}, expected an integer")
    if "advSecretKey" in creds and not isinstance(creds["advSecretKey"], str):
        problems.append(f"$.advSecretKey: {describe(creds['advSecretKey'])}, expected a string")
    return problems
