"""Row parity without shipping rows: bucket hashes computed in the database, then exact keys.

See DESIGN.md, "Canonical forms" and "Row parity without shipping rows". A row's hash is
64-bit and computed by the server: `hash_record_extended` over terms chosen per type so
that two rows hash alike only when their canonical text (`ROW(...)::text`) is the same
(`hash_terms`); when the two servers hash a probe row differently the hash becomes the
first 16 hex digits of md5 over that text. Both methods hence tell the same rows apart.

1. Both sides, concurrently: count and sum of (mixed) row hashes per bucket, bucket =
   hash(key) mod B.
2. Only for unequal buckets, both sides stream (bucket, key, row hash) ordered by bucket and
   are merged one bucket at a time: exact missing, extra and changed keys, flat memory.
A table without a key is compared as a multiset of row hashes (bucket = row hash mod B).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, TypeVar

import psycopg
from psycopg import sql

from pgcutover.errors import NoPrimaryKey
from verify.catalog import Column, Table, fetch_all
from verify.connect import use_canonical_settings

Conn = psycopg.Connection[Any]
Key = tuple[Any, ...]
T = TypeVar("T")
U = TypeVar("U")

TYPED, MD5 = "typed", "md5"
ROWS_PER_BUCKET = 1000
# The estimate takes the larger of reltuples and the table's current size in bytes / 256,
# so a large table never analysed (reltuples -1) still gets enough buckets; this floor only
# keeps a table that grew since its statistics from landing in a handful.
MIN_BUCKETS = 1 << 6
MAX_BUCKETS = 1 << 20
SAMPLE = 100  # keys kept per kind of difference for evidence; totals are always exact
KEYS_PER_QUERY = 1000  # bound the parameters of one statement (PostgreSQL allows 65535)

# The seed of every typed row hash. Not 0: some hash functions return the seed itself for
# a value (float 0 and -0, numeric NaN and infinities), and hash_record_extended hashes a
# NULL field as 0, so with seed 0 those values were NULL to the hash.
ROW_HASH_SEED = 0x70676375746F76  # "pgcutov"

# How each column enters the typed row hash (see DESIGN.md, "Canonical forms"): two values
# hash alike only when their canonical text is the same, in the same way on every server.
# - the value itself where the type's hash covers all of its data: 32-bit integers, dates,
#   booleans, uuid, bytea, network addresses;
# - text types under the "C" collation (a nondeterministic collation hashes 'a' like 'A');
# - the binary send form where the value hash loses data: bigint and the timestamps hash
#   hi XOR lo 32 bits (1 hashes like 4294967296), numeric hashes neither its sign (5 like
#   -5), its scale (10.5 like 10.50) nor its special values (NaN like Infinity);
# - floats by value (NaN payloads print alike and hash alike) plus a term that tells -0
#   from 0, which print differently;
# - everything else as its text: arrays (their hash ignores dimensions and bounds, and
#   inherits their elements' flaws), json (text is its data), jsonb (1.10 prints unlike 1.1
#   but hashes alike), intervals ('1 day' = '24 hours'), enums (hashed by OID), timetz,
#   ranges, domains, composites. Unbounded bpchar keeps its trailing spaces (its text cast
#   drops them).
_BY_VALUE = frozenset(
    {"smallint", "integer", "oid", "date", "boolean", "uuid", "bytea", "inet", "cidr", "macaddr"}
)
_TEXT_TYPES = frozenset({"text", "character varying", "character"})
_SEND = {
    "bigint": "int8send",
    "timestamp with time zone": "timestamptz_send",
    "timestamp without time zone": "timestamp_send",
    "time without time zone": "time_send",
    "numeric": "numeric_send",
}
_FLOATS = frozenset({"double precision", "real"})
_TYPMOD = re.compile(r"\(\d+(?:,\s*\d+)?\)")


def hash_terms(column: Column) -> list[sql.Composable]:
    """The column's terms in the typed row hash (see the table above)."""
    ident = sql.Identifier(column.name)
    base = _TYPMOD.sub("", column.type)
    if base in _BY_VALUE:
        return [ident]
    if base in _TEXT_TYPES:
        return [sql.SQL('{} COLLATE "C"').format(ident)]
    if base in _SEND:
        return [sql.SQL("{}({})").format(sql.SQL(_SEND[base]), ident)]
    if base in _FLOATS:
        return [ident, sql.SQL("CASE WHEN {} = 0 THEN {}::text END").format(ident, ident)]
    if base == "bpchar":
        return [sql.SQL('textin(bpcharout({})) COLLATE "C"').format(ident)]
    return [sql.SQL('{}::text COLLATE "C"').format(ident)]


_INTEGER_TYPES = ("smallint", "integer", "bigint")


@dataclass(frozen=True)
class RowKey:
    """How rows of one table are identified: columns (empty for whole rows) and why."""

    columns: tuple[str, ...]
    kind: str  # "primary key", "unique index <name>", "whole row"

    @property
    def keyless(self) -> bool:
        """Rows are identified only by their whole content (compared as a multiset)."""
        return not self.columns


def row_key(conn: Conn, table: Table) -> RowKey:
    """The primary key, else the narrowest unique index on NOT NULL columns (on any columns
    for a materialized view, whose columns cannot be NOT NULL), else the whole row."""
    if table.primary_key:
        return RowKey(table.primary_key, "primary key")
    found = fetch_all(
        conn, "unique_key", schema=table.schema, table=table.name, nullable=table.is_matview
    )
    if found:
        return RowKey(tuple(found[0]["columns"]), f"unique index {found[0]['index_name']}")
    return RowKey((), "whole row")


def bucket_count(table: Table) -> int:
    """B, a power of two giving about ROWS_PER_BUCKET rows per bucket (from the catalog's
    estimate; size in bytes stands in for tables never analysed), never below MIN_BUCKETS."""
    rows = max(table.est_rows, table.bytes // 256)
    wanted = max(1, rows // ROWS_PER_BUCKET)
    return max(MIN_BUCKETS, min(MAX_BUCKETS, 1 << (wanted - 1).bit_length()))


# One row of the types tables hold most, each hashed through `hash_terms`: the same number
# on two servers means their typed row hashes can be compared.
_PROBE = (
    ("bigint", "9007199254740993"),
    ("text", "'Ёлка ❤️ '"),
    ("numeric(10, 2)", "10.50"),
    ("numeric", "-10.50"),
    ("timestamp with time zone", "'2026-11-19 18:42:07.123456+00'"),
    ("jsonb", """'{"b": [1.10, null], "a": "x"}'"""),
    ("text[]", "ARRAY['a', NULL, '']"),
    ("bytea", "'\\x00ff5c'"),
    ("double precision", "0.30000000000000004"),
    ("double precision", "'-0'"),
    ("boolean", "true"),
    ("uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"),
    ("text", "NULL"),
    ("integer", "42"),
    ("smallint", "7"),
    ("date", "'2026-11-20'"),
    ("time without time zone", "'10:30:00.000001'"),
    ("timestamp without time zone", "'2026-11-20 10:00'"),
    ("character varying(10)", "'x'"),
    ("character(3)", "'ab'"),
    ("bpchar", "'a '"),
    ("real", "1.5"),
    ("interval", "'1 day 02:00'"),
    ("inet", "'10.0.0.1/24'"),
    ("macaddr", "'08:00:2b:01:02:03'"),
    ("json", """'{"a":  1}'"""),
)


def probe_query() -> sql.Composed:
    """The probe row, hashed the way `HashPlan` hashes a table's rows."""
    columns = [Column(f"c{i}", t, False, "", "", i) for i, (t, _) in enumerate(_PROBE)]
    values = sql.SQL(", ").join(
        sql.SQL("({})::{} AS {}").format(sql.SQL(literal), sql.SQL(t), sql.Identifier(c.name))
        for c, (t, literal) in zip(columns, _PROBE, strict=True)
    )
    terms = sql.SQL(", ").join(term for c in columns for term in hash_terms(c))
    return sql.SQL("SELECT hash_record_extended(ROW({}), {}) FROM (SELECT {}) p").format(
        terms, sql.Literal(ROW_HASH_SEED), values
    )


def hash_method(source: Conn, target: Conn) -> str:
    """TYPED when both servers hash the probe row alike, else MD5."""
    probe = probe_query()
    values = [conn.execute(probe).fetchone() for conn in (source, target)]
    return TYPED if values[0] == values[1] else MD5


@dataclass(frozen=True)
class HashPlan:
    """Everything both sides need to hash one table the same way."""

    table: Table
    key: RowKey
    method: str
    buckets: int

    @property
    def relation(self) -> sql.Composable:
        """The table, schema-qualified."""
        return sql.Identifier(self.table.schema, self.table.name)

    def _columns(self, names: Iterable[str] | None = None) -> list[Column]:
        if names is None:
            return list(self.table.columns)
        by_name = {c.name: c for c in self.table.columns}
        return [by_name[n] for n in names]

    def _hash(self, columns: list[Column]) -> sql.Composable:
        if self.method == MD5:
            row = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
            return sql.SQL("('x' || substr(md5(ROW({})::text), 1, 16))::bit(64)::bigint").format(
                row
            )
        row = sql.SQL(", ").join(term for c in columns for term in hash_terms(c))
        return sql.SQL("hash_record_extended(ROW({}), {})").format(row, sql.Literal(ROW_HASH_SEED))

    @property
    def row_hash(self) -> sql.Composable:
        """64-bit hash of the row over the source's columns, by name, in the source's order."""
        return self._hash(self._columns())

    def columns_hash(self, names: Iterable[str]) -> sql.Composable:
        """64-bit hash of some of the row's columns, as the row hash would hash them."""
        return self._hash(self._columns(names))

    @property
    def key_hash(self) -> sql.Composable:
        """64-bit hash of the key (of the whole row for a keyless table)."""
        if self.key.keyless:
            return self.row_hash
        columns = self._columns(self.key.columns)
        if self.method == TYPED and len(columns) == 1 and columns[0].type in _INTEGER_TYPES:
            # The common serial key: its own hash, without building a record per row.
            return sql.SQL("hashint8extended({}::bigint, 0)").format(
                sql.Identifier(columns[0].name)
            )
        return self._hash(columns)

    @property
    def bucket(self) -> sql.Composable:
        """hash(key) mod B, in [0, B)."""
        b = sql.Literal(self.buckets)
        return sql.SQL("mod(mod({}, {}) + {}, {})").format(self.key_hash, b, b, b)

    def key_list(self) -> sql.Composable:
        """The key columns, comma-separated."""
        return sql.SQL(", ").join(sql.Identifier(c) for c in self.key.columns)


def leaf_size(conn: Conn, table: Table) -> Table:
    """`table` with the estimated rows and bytes of all its leaves (a partitioned parent's
    own estimate is zero, which would put a whole partitioned table in one bucket)."""
    relation = sql.Identifier(table.schema, table.name).as_string(conn)
    found = fetch_all(conn, "table_size", relation=relation)
    if not found:
        return table
    return replace(table, est_rows=int(found[0]["est_rows"]), bytes=int(found[0]["bytes"]))


def hash_plan(conn: Conn, table: Table, method: str = TYPED) -> HashPlan:
    """How `table` is hashed: its key (read on `conn`, the source), method and bucket count."""
    return HashPlan(table, row_key(conn, table), method, bucket_count(leaf_size(conn, table)))


BucketSums = dict[int, tuple[int, int]]


@contextmanager
def hash_aggregate(conn: Conn) -> Iterator[None]:
    """Steer the planner to a hash aggregate for the bucket query.

    The planner takes the number of buckets for the number of distinct keys (a million
    groups for a million rows) and sorts every row; B groups fit a hash table easily. The
    setting is put back afterwards (a failed transaction rolls it back by itself)."""
    row = conn.execute("SELECT current_setting('enable_sort')").fetchone()
    previous = str(row[0]) if row else "on"
    conn.execute("SELECT set_config('enable_sort', 'off', false)")
    try:
        yield
    finally:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
            conn.execute("SELECT set_config('enable_sort', %s, false)", (previous,))


def bucket_query(plan: HashPlan) -> sql.Composed:
    """The first pass's SQL: per bucket, the row count and the sum of mixed row hashes.

    A record hash is a linear sum of its fields' hashes, so a plain sum over a bucket would
    only see each column's multiset of values: two rows swapping their phone numbers would
    sum alike. Hashing each row hash once more (as text, a 64-bit hash of 64 bits) breaks
    the linearity."""
    return sql.SQL(
        "SELECT b, count(*), sum(hashtextextended(h::text, {})) "
        "FROM (SELECT {} AS b, {} AS h FROM {}) s GROUP BY b"
    ).format(sql.Literal(ROW_HASH_SEED), plan.bucket, plan.row_hash, plan.relation)


def bucket_sums(conn: Conn, plan: HashPlan) -> BucketSums:
    """First pass: bucket -> (row count, sum of row hashes), one scan of the table."""
    with hash_aggregate(conn):
        return {int(b): (int(n), int(s)) for b, n, s in conn.execute(bucket_query(plan))}


def unequal_buckets(source: BucketSums, target: BucketSums) -> list[int]:
    """Buckets whose count or hash sum differ between the sides, ascending."""
    return sorted(b for b in source.keys() | target.keys() if source.get(b) != target.get(b))


def both(on_source: Callable[[], T], on_target: Callable[[], U]) -> tuple[T, U]:
    """Run the two sides' work concurrently (each callable uses its own connection)."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pgcutover-rows") as pool:
        src, tgt = pool.submit(on_source), pool.submit(on_target)
        return src.result(), tgt.result()


def _hashable(value: Any) -> Any:
    # Keys come back typed; the odd unhashable one (a json key) is keyed by its JSON text.
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


FETCH_ROWS = 1000
Row = tuple[Any, ...]


def _fetched(cur: psycopg.ServerCursor[Any], first: list[Row]) -> Iterator[Row]:
    yield from first
    while batch := cur.fetchmany(FETCH_ROWS):
        yield from batch


@contextmanager
def bucket_streams(
    source: Conn, target: Conn, plan: HashPlan, buckets: list[int]
) -> Iterator[tuple[Iterator[Row], Iterator[Row]]]:
    """Second pass: (bucket, row hash, *key) of the rows in `buckets` on both sides, ordered
    by bucket. For a keyless table the key is the row itself, as JSON (for evidence).

    Server-side cursors (the callers' connections are inside a transaction): a judge may run
    its own queries while the streams are open, and both servers start their scan at once."""
    if plan.key.keyless:
        key: sql.Composable = sql.SQL("to_jsonb(t)")
    else:
        key = plan.key_list()
    query = sql.SQL(
        "SELECT * FROM (SELECT {} AS pgcutover_bucket, {} AS pgcutover_hash, {} FROM {} AS t) s"
        " WHERE pgcutover_bucket = ANY(%s) ORDER BY pgcutover_bucket"
    ).format(plan.bucket, plan.row_hash, key, plan.relation)
    with (
        source.cursor(name="pgcutover_rows") as src,
        target.cursor(name="pgcutover_rows") as tgt,
    ):
        for cur in (src, tgt):
            cur.execute(query, (buckets,))
        first = both(lambda: src.fetchmany(FETCH_ROWS), lambda: tgt.fetchmany(FETCH_ROWS))
        yield _fetched(src, first[0]), _fetched(tgt, first[1])


def _by_bucket(rows: Iterator[Row]) -> Iterator[tuple[int, list[Row]]]:
    for bucket, group in itertools.groupby(rows, key=lambda r: int(r[0])):
        yield bucket, list(group)


def merge_buckets(
    source: Iterator[Row], target: Iterator[Row]
) -> Iterator[tuple[list[Row], list[Row]]]:
    """Pair the two bucket-ordered streams one bucket at a time: (source rows, target rows)."""
    src, tgt = _by_bucket(source), _by_bucket(target)
    s, t = next(src, None), next(tgt, None)
    while s is not None or t is not None:
        if t is None or (s is not None and s[0] < t[0]):
            assert s is not None
            yield s[1], []
            s = next(src, None)
        elif s is None or t[0] < s[0]:
            yield [], t[1]
            t = next(tgt, None)
        else:
            yield s[1], t[1]
            s, t = next(src, None), next(tgt, None)


# A difference: its kind and the key (for keyless tables, the row as JSON). Kinds: missing
# (source only), extra (target only), changed, and reencoded (a judge found the same data
# under another JSON encoding: a note, not a difference).
MISSING, EXTRA, CHANGED, REENCODED = "missing", "extra", "changed", "reencoded"
Event = tuple[str, Key]
# Sees the differences in batches and may reclassify them (see verify.buffer_parity).
Judge = Callable[[list[Event]], list[Event]]


def _unmatched(source: Counter[T], target: Counter[T]) -> Iterator[tuple[str, T]]:
    """(MISSING, item) once for each time an item is on the source more often than on the
    target, (EXTRA, item) the other way round."""
    for kind, surplus in ((MISSING, source - target), (EXTRA, target - source)):
        for item, n in surplus.items():
            for _ in range(n):
                yield kind, item


def _by_key(rows: list[Row]) -> tuple[dict[Key, int], Counter[tuple[Key, int]]]:
    """(key -> row hash) of rows with a whole key, and the (key, row hash) counts of rows
    whose key holds a NULL (a unique index lets those repeat)."""
    keyed: dict[Key, int] = {}
    null_keyed: Counter[tuple[Key, int]] = Counter()
    for r in rows:
        key = tuple(_hashable(v) for v in r[2:])
        if None in key:
            null_keyed[(key, r[1])] += 1
        else:
            keyed[key] = r[1]
    return keyed, null_keyed


def keyed_differences(pairs: Iterator[tuple[list[Row], list[Row]]]) -> Iterator[Event]:
    """Missing, extra and changed keys, one bucket at a time.

    A unique index lets many rows share a key holding a NULL (a materialized view's key):
    those rows are compared as a multiset of (key, row hash), missing or extra, never
    changed."""
    for src_rows, tgt_rows in pairs:
        (src, src_null), (tgt, tgt_null) = _by_key(src_rows), _by_key(tgt_rows)
        for kind, (key, _) in _unmatched(src_null, tgt_null):
            yield kind, key
        for key, h in src.items():
            if key not in tgt:
                yield MISSING, key
            elif tgt[key] != h:
                yield CHANGED, key
        for key in tgt.keys() - src.keys():
            yield EXTRA, key


def multiset_differences(pairs: Iterator[tuple[list[Row], list[Row]]]) -> Iterator[Event]:
    """Rows of a keyless table missing or extra on the target, counting duplicates."""
    for src_rows, tgt_rows in pairs:
        src = Counter(r[1] for r in src_rows)
        tgt = Counter(r[1] for r in tgt_rows)
        sample = {r[1]: r[2] for r in itertools.chain(src_rows, tgt_rows)}
        for kind, h in _unmatched(src, tgt):
            yield kind, (sample[h],)


@dataclass
class Differences:
    """Keys (or, for keyless tables, rows) that differ, with exact totals and kept samples."""

    limit: int | None = None  # keep at most this many per kind (None: keep all)
    missing: list[Key] = field(default_factory=list)
    extra: list[Key] = field(default_factory=list)
    changed: list[Key] = field(default_factory=list)
    reencoded: list[Key] = field(default_factory=list)
    totals: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, key: Key) -> None:
        """Count one difference of `kind` and keep its key while under the limit."""
        self.totals[kind] += 1
        kept: list[Key] = getattr(self, kind)
        if self.limit is None or len(kept) < self.limit:
            kept.append(key)

    @property
    def any(self) -> bool:
        """Whether any row differs (re-encoded rows hold the same data: they do not)."""
        return any(self.totals[kind] for kind in (MISSING, EXTRA, CHANGED))


@dataclass(frozen=True)
class RowParity:
    """The verdict of one table: counts, buckets, and the differing keys."""

    table: str
    key: RowKey
    method: str
    buckets: int
    unequal_buckets: int
    source_rows: int
    target_rows: int
    differences: Differences

    sql: str = ""  # the first pass's query, to reproduce a finding by hand
    rechecked: int = 0  # live sources: differing keys looked at again in a later snapshot
    forgiven: int = 0  # of those, the ones that had caught up
    inside_window: int = 0  # of those, the ones the source changed within --grace of now

    @property
    def equal(self) -> bool:
        """Both sides hold the same rows (a count difference always shows as keys too)."""
        return not self.differences.any


def compare_rows(
    source: Conn,
    target: Conn,
    plan: HashPlan,
    *,
    limit: int | None = SAMPLE,
    judge: Judge | None = None,
) -> RowParity:
    """Compare one table's rows on both sides as `plan` says: at most two scans per side;
    `judge` sees the differing keys, a thousand at a time, while the second pass runs."""
    src_sums, tgt_sums = both(lambda: bucket_sums(source, plan), lambda: bucket_sums(target, plan))
    unequal = unequal_buckets(src_sums, tgt_sums)
    found = Differences(limit=limit)
    if unequal:
        differences = multiset_differences if plan.key.keyless else keyed_differences
        with bucket_streams(source, target, plan, unequal) as (src, tgt):
            events = differences(merge_buckets(src, tgt))
            while batch := list(itertools.islice(events, KEYS_PER_QUERY)):
                for kind, key in judge(batch) if judge else batch:
                    found.add(kind, key)
    return RowParity(
        table=plan.table.qualified,
        key=plan.key,
        method=plan.method,
        buckets=plan.buckets,
        unequal_buckets=len(unequal),
        source_rows=sum(n for n, _ in src_sums.values()),
        target_rows=sum(n for n, _ in tgt_sums.values()),
        differences=found,
        sql=bucket_query(plan).as_string(source),
    )


def row_parity(
    source: Conn,
    target: Conn,
    table: Table,
    *,
    method: str = TYPED,
    limit: int | None = SAMPLE,
) -> RowParity:
    """Compare one table's rows on both sides: at most two scans per side."""
    return compare_rows(source, target, hash_plan(source, table, method), limit=limit)


@dataclass(frozen=True)
class KeyDiff:
    """Exact key differences of one table between two connections."""

    key_columns: tuple[str, ...]
    missing: list[tuple[Any, ...]]  # keys on source, not on target
    extra: list[tuple[Any, ...]]  # keys on target, not on source
    changed: list[tuple[Any, ...]]  # keys on both sides whose rows differ


def diff_keys(source: Conn, target: Conn, table: Table) -> KeyDiff:
    """Exact key differences of one table between two connections (each already inside the
    transaction/snapshot the caller chose), at most two scans per side.

    Raises NoPrimaryKey for a table with neither a primary key nor a unique index on NOT NULL
    columns: without a key, a changed row cannot be told from a deleted one plus a new one.
    """
    for conn in (source, target):
        use_canonical_settings(conn)  # text forms (intervals, composites) must print alike
    plan = hash_plan(source, table, hash_method(source, target))
    if plan.key.keyless:
        raise NoPrimaryKey(
            f"{table.qualified} has no primary key and no unique index on NOT NULL columns: "
            "add one to compare it by key"
        )
    found = compare_rows(source, target, plan, limit=None).differences
    return KeyDiff(plan.key.columns, found.missing, found.extra, found.changed)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_grace(text: str) -> timedelta:
    """'5m', '30s', '1h', '250ms', '2d' (a bare number is seconds) as a timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"bad --grace {text!r}: use a duration such as 30s, 5m or 1h")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2] or "s"])


def count_rows(conn: Conn, schema: str, table: str) -> int:
    """Exact row count of one table (a partitioned parent counts its partitions' rows)."""
    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0


_PAIRS_PER_OBJECT = 50  # json_build_object takes at most 100 arguments
_TRUE = sql.SQL("true")


def _rows_by_keys(
    conn: Conn,
    plan: HashPlan,
    select: sql.Composable,
    keys: list[Key],
    also: sql.Composable = _TRUE,
    also_params: tuple[Any, ...] = (),
) -> Iterator[tuple[Any, ...]]:
    """(*key, *select) of the rows with these keys (and `also`), a thousand keys a query."""
    key_cols = plan.key_list()
    width = len(plan.key.columns)
    one = sql.SQL("({})").format(sql.SQL(", ").join([sql.Placeholder()] * width))
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        query = sql.SQL("SELECT {}, {} FROM {} WHERE ({}) IN ({}) AND {}").format(
            key_cols, select, plan.relation, key_cols, sql.SQL(", ").join([one] * len(chunk)), also
        )
        yield from conn.execute(query, [v for key in chunk for v in key] + list(also_params))


def _key_of(row: tuple[Any, ...], width: int) -> Key:
    return tuple(_hashable(v) for v in row[:width])


def values_by_keys(
    conn: Conn, plan: HashPlan, select: list[sql.Composable], keys: list[Key]
) -> dict[Key, Row]:
    """{key: (*select)} for those of `keys` present on `conn` (keyed tables only)."""
    if not keys or plan.key.keyless:
        return {}
    width = len(plan.key.columns)
    rows = _rows_by_keys(conn, plan, sql.SQL(", ").join(select), keys)
    return {_key_of(row, width): tuple(row[width:]) for row in rows}


def canonical_text(column: Column) -> sql.Composable:
    """The column's value as the text its row shows (`ROW(...)::text` keeps what a plain
    text cast of bpchar drops: its trailing spaces)."""
    ident = sql.Identifier(column.name)
    if column.type == "bpchar":
        return sql.SQL("textin(bpcharout({}))").format(ident)
    return sql.SQL("{}::text").format(ident)


def fetch_rows_as_text(conn: Conn, plan: HashPlan, keys: list[Key]) -> dict[Key, dict[str, Any]]:
    """The rows of `keys` as {column: canonical text} (evidence for changed keys)."""
    cols = plan.table.columns
    objects = [
        sql.SQL("jsonb_build_object({})").format(
            sql.SQL(", ").join(
                sql.SQL("{}, {}").format(sql.Literal(c.name), canonical_text(c))
                for c in cols[i : i + _PAIRS_PER_OBJECT]
            )
        )
        for i in range(0, len(cols), _PAIRS_PER_OBJECT)
    ]
    found = values_by_keys(conn, plan, [sql.SQL(" || ").join(objects)], keys)
    return {key: values[0] for key, values in found.items()}


def recently_changed(
    conn: Conn, plan: HashPlan, keys: list[Key], change_column: str, grace: timedelta
) -> set[Key]:
    """Those of `keys` whose `change_column` lies within `grace` of the server's now()."""
    if not keys or plan.key.keyless:
        return set()
    recent = sql.SQL("{} > now() - %s").format(sql.Identifier(change_column))
    rows = _rows_by_keys(conn, plan, _TRUE, keys, recent, (grace,))
    return {_key_of(row, len(plan.key.columns)) for row in rows}


def row_hashes(conn: Conn, plan: HashPlan, keys: list[Key]) -> dict[Key, int]:
    """Row hash of each of `keys` present on `conn` (a fresh look, for the live re-check)."""
    found = values_by_keys(conn, plan, [plan.row_hash], keys)
    return {key: int(values[0]) for key, values in found.items()}
