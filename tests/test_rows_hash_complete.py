"""Row hashes are value-complete: two rows that differ in one value never hash alike.

A property test on real servers. Each type family has a list of edge values (NULL among
them). For every ordered pair (a, b) of a family's values, the source holds a row keyed
(a, b) with value a and the target the same key with value b; row parity, on PostgreSQL 15,
on PostgreSQL 18 and from 15 to 18, with both hash methods, must report exactly the keys
whose values differ. "Differ" is PostgreSQL's own canonical text of the value in a row
(`ROW(v)::text`, which tells NULL from '' and -0 from 0): the md5 method hashes that text,
and the typed method must agree with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg import sql

from migrator.tools import server_bindirs
from pgcutover.servers import create_database, server_pair
from verify.catalog import Table, read_tables
from verify.connect import Endpoint, parse_url, snapshot_connection
from verify.rows import MD5, TYPED, row_parity

# Compared sides: same server version on both, and the cross-version move 15 -> 18.
PAIRINGS = ("15", "18", "15->18")

# (column type, edge values as SQL literals of that type; None is NULL).
# fmt: off
FAMILIES: dict[str, tuple[str, list[str | None]]] = {
    "smallint": ("smallint", [None, "0", "1", "-1", "256", "32767", "-32768"]),
    "integer": ("integer", [None, "0", "1", "-1", "65536", "2147483647", "-2147483648"]),
    # 1 and 2^32 (and 0 and 2^32 + 1) fold to the same 32 bits in PostgreSQL's int8 hash.
    "bigint": ("bigint", [None, "0", "1", "-1", "4294967296", "4294967297", "-4294967297",
        "4294967295", "9223372036854775807", "-9223372036854775808"]),
    "numeric": ("numeric", [None, "0", "0.0", "0.00", "1", "-1", "5", "-5", "10.5", "10.50",
        "-10.50", "0.1", "1e-20", "100", "'NaN'", "'Infinity'", "'-Infinity'"]),
    "numeric(10,2)": ("numeric(10, 2)", [None, "0", "1", "-1", "10.5", "-10.5", "0.01", "-0.01",
        "99999999.99", "'NaN'"]),
    "real": ("real", [None, "0", "'-0'", "'NaN'", "'Infinity'", "'-Infinity'", "1", "-1", "0.1",
        "1.17549435e-38", "3.4028235e38"]),
    "double precision": ("double precision", [None, "0", "'-0'", "'NaN'", "'Infinity'",
        "'-Infinity'", "1", "-1", "0.1", "0.3", "0.30000000000000004", "5e-324",
        "1.7976931348623157e308"]),
    "text": ("text", [None, "''", "' '", "'a'", "'a '", "' a'", "'A'", "'NULL'", '\'""\'',
        "'Ёлка'", "E'\\t'", "E'a\\\\b'", "'()'"]),
    "varchar(10)": ("character varying(10)", [None, "''", "' '", "'a'", "'a '", "'A'", "'NULL'"]),
    "char(3)": ("character(3)", [None, "''", "'a'", "'a  '", "' a'", "'A'"]),
    "bpchar": ("bpchar", [None, "''", "'a'", "'a '", "'a  '", "' a'"]),
    "bytea": ("bytea", [None, "''", "'\\x00'", "'\\x0000'", "'\\xff'", "'a'"]),
    "boolean": ("boolean", [None, "true", "false"]),
    "uuid": ("uuid", [None, "'00000000-0000-0000-0000-000000000000'",
        "'ffffffff-ffff-ffff-ffff-ffffffffffff'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"]),
    "date": ("date", [None, "'infinity'", "'-infinity'", "'2000-01-01'", "'1970-01-01'",
        "'4713-01-01 BC'", "'5874897-12-31'"]),
    # 2000-01-01 is 0 µs; 01:11:34.967297 later is 2^32 + 1 µs: the int8 hash folds both.
    "timestamp": ("timestamp", [None, "'infinity'", "'-infinity'", "'2000-01-01 00:00'",
        "'2000-01-01 00:00:00.000001'", "'2000-01-01 01:11:34.967297'", "'1970-01-01 00:00'",
        "'294276-12-31 23:59:59'"]),
    "timestamptz": ("timestamp with time zone", [None, "'infinity'", "'-infinity'",
        "'2000-01-01 00:00+00'", "'2000-01-01 03:00+03'", "'2000-01-01 00:00:00.000001+00'",
        "'2000-01-01 01:11:34.967297+00'"]),
    "time": ("time", [None, "'00:00'", "'24:00'", "'00:00:00.000001'", "'01:11:34.967297'",
        "'23:59:59.999999'"]),
    "timetz": ("time with time zone", [None, "'00:00+00'", "'03:00+03'", "'00:00+03'",
        "'24:00+00'"]),
    "interval": ("interval", [None, "'0'", "'1 day'", "'24 hours'", "'1 mon'", "'30 days'",
        "'-1 day'", "'1 microsecond'"]),
    "inet": ("inet", [None, "'0.0.0.0'", "'10.0.0.1'", "'10.0.0.1/8'", "'10.0.0.1/32'", "'::1'",
        "'::ffff:10.0.0.1'"]),
    "cidr": ("cidr", [None, "'10.0.0.0/8'", "'10.0.0.0/16'", "'0.0.0.0/0'", "'::/0'"]),
    "macaddr": ("macaddr", [None, "'00:00:00:00:00:00'", "'ff:ff:ff:ff:ff:ff'",
        "'08:00:2b:01:02:03'"]),
    "json": ("json", [None, "'null'", "'{}'", "'[]'", "'1.10'", "'1.1'", "'0'", '\'""\'',
        '\'{"a":1}\'', '\'{"a": 1}\'', '\'{"a":1,"a":2}\'', "'[null]'"]),
    "jsonb": ("jsonb", [None, "'null'", "'{}'", "'[]'", "'1.10'", "'1.1'", "'0'", "'-0'",
        '\'""\'', '\'{"a":1}\'', '\'{"a": 1.0}\'', '\'{"a":null}\'', "'[null]'", "'-5'", "'5'"]),
    "integer[]": ("integer[]", [None, "'{}'", "'{NULL}'", "'{0}'", "'{NULL,NULL}'", "'{1,2}'",
        "'[0:1]={1,2}'", "'{{1,2},{3,4}}'", "'{1,2,3,4}'"]),
    "text[]": ("text[]", [None, "'{}'", '\'{""}\'', "'{NULL}'", '\'{"NULL"}\'', "'{a,b}'",
        '\'{"a,b"}\'']),
    "bigint[]": ("bigint[]", [None, "'{1}'", "'{4294967296}'", "'{0}'", "'{NULL}'"]),
    "numeric[]": ("numeric[]", [None, "'{5}'", "'{-5}'", "'{NaN}'", "'{Infinity}'", "'{5.0}'"]),
    "double precision[]": ("double precision[]", [None, "'{0}'", "'{-0}'", "'{NaN}'", "'{NULL}'"]),
    "enum": ("edge.mood", [None, "'sad'", "'ok'", "'happy'"]),
    "domain": ("edge.amount", [None, "0", "-5", "5", "5.0", "'NaN'"]),
    "int4range": ("int4range", [None, "'empty'", "'[1,2)'", "'[1,3)'", "'(,)'", "'[1,)'"]),
    "numrange": ("numrange", [None, "'empty'", "'[1,2)'", "'[1.0,2)'", "'[-1,2)'"]),
    "composite": ("edge.pair", [None, "ROW(NULL, NULL)", "ROW(1, NULL)", "ROW(1, '')",
        "ROW(NULL, '')", "ROW(-1, 'a')"]),
}
# fmt: on
SCHEMA = """
CREATE SCHEMA edge;
CREATE TYPE edge.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN edge.amount AS numeric CHECK (VALUE IS DISTINCT FROM 42);
CREATE TYPE edge.pair AS (n integer, t text);
"""


def _table_name(family: str) -> str:
    return "t_" + "".join(ch if ch.isalnum() else "_" for ch in family)


def _values(type_name: str, values: list[str | None]) -> sql.Composable:
    """VALUES (1, v1), (2, v2), ... with each literal cast to the column's type."""
    rows = [
        sql.SQL("({}, ({})::{})").format(
            sql.Literal(n), sql.SQL(v if v is not None else "NULL"), sql.SQL(type_name)
        )
        for n, v in enumerate(values, start=1)
    ]
    return sql.SQL("VALUES ") + sql.SQL(", ").join(rows)


def _ordinals(count: int) -> sql.Composable:
    return sql.SQL("VALUES ") + sql.SQL(", ").join(
        sql.SQL("({})").format(sql.Literal(n)) for n in range(1, count + 1)
    )


def load_edges(endpoint: Endpoint, side: str) -> None:
    """One table per family: rows keyed (a, b) holding value a (source) or b (target)."""
    with psycopg.connect(endpoint.conninfo, autocommit=True) as conn:
        conn.execute(SCHEMA)
        for family, (type_name, values) in FAMILIES.items():
            table = sql.Identifier("edge", _table_name(family))
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (a integer, b integer, pre text, v {}, post double precision,"
                    " PRIMARY KEY (a, b))"
                ).format(table, sql.SQL(type_name))
            )
            # The value sits between two other columns: its place in the row hash matters.
            if side == "source":
                select = "SELECT x.n, y.n, 'x', x.v, 1.5 FROM ({}) x(n, v) CROSS JOIN ({}) y(n)"
                parts = (_values(type_name, values), _ordinals(len(values)))
            else:
                select = "SELECT x.n, y.n, 'x', y.v, 1.5 FROM ({}) x(n) CROSS JOIN ({}) y(n, v)"
                parts = (_ordinals(len(values)), _values(type_name, values))
            conn.execute(sql.SQL("INSERT INTO {} ").format(table) + sql.SQL(select).format(*parts))


@dataclass(frozen=True)
class EdgePair:
    """A source and a target database holding the edge tables."""

    source: Endpoint
    target: Endpoint


@pytest.fixture(scope="module")
def edge_pairs() -> Iterator[dict[str, EdgePair]]:
    """The pairings available here: 15, 18 and 15 -> 18 (Debian's 15 and the wheel's 18)."""
    versions = {d.version for d in server_bindirs()}
    with server_pair(cross_version=len(versions) > 1, use_docker=False) as pair:
        old, new = parse_url(pair.source_url), parse_url(pair.target_url)
        servers = {"15": old, "18": new} if len(versions) > 1 else {"18": new}
        made: dict[str, Endpoint] = {}
        for version, server in servers.items():
            for side in ("source", "target"):
                made[f"{version}-{side}"] = create_database(server, f"edge_{side}")
                load_edges(made[f"{version}-{side}"], side)
        pairs = {v: EdgePair(made[f"{v}-source"], made[f"{v}-target"]) for v in servers}
        if "15" in servers:
            pairs["15->18"] = EdgePair(made["15-source"], made["18-target"])
        yield pairs


def _texts(conn: psycopg.Connection[Any], table: Table) -> dict[int, str]:
    """Each edge value's canonical text in a row (NULL is '()', '' is '("")')."""
    query = sql.SQL("SELECT a, ROW(v)::text FROM {} WHERE b = 1").format(
        sql.Identifier(table.schema, table.name)
    )
    return {int(a): str(text) for a, text in conn.execute(query)}


@pytest.mark.parametrize("method", [TYPED, MD5])
@pytest.mark.parametrize(
    "pairing",
    [pytest.param(p, marks=pytest.mark.crossversion) if "->" in p else p for p in PAIRINGS],
)
@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_single_value_change_is_reported(
    edge_pairs: dict[str, EdgePair], pairing: str, method: str, family: str
) -> None:
    if pairing not in edge_pairs:
        pytest.skip(f"needs PostgreSQL 15 and 18 here for {pairing}")
    pair = edge_pairs[pairing]
    with (
        snapshot_connection(pair.source, role="source") as src,
        snapshot_connection(pair.target, role="target") as tgt,
    ):
        table = next(t for t in read_tables(src, ("edge",)) if t.name == _table_name(family))
        texts = _texts(src, table)
        found = row_parity(src, tgt, table, method=method, limit=None).differences
    _, values = FAMILIES[family]
    expected = {(a, b) for a in texts for b in texts if texts[a] != texts[b]}
    reported = set(found.changed)
    missed = sorted(expected - reported)
    invented = sorted(reported - expected)

    def shown(keys: list[tuple[int, int]]) -> list[str]:
        return [f"{values[a - 1] or 'NULL'} -> {values[b - 1] or 'NULL'}" for a, b in keys]

    assert (found.missing, found.extra) == ([], [])
    assert not missed, f"{family} ({method}, {pairing}): not reported: {shown(missed)}"
    assert not invented, f"{family} ({method}, {pairing}): equal values reported: {shown(invented)}"
