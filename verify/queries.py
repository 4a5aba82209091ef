"""The application's queries, run on both sides and compared as results.

A query file is SQL with a header of `-- key: value` lines:

    -- ordered: true            rows compare in order (else as a multiset)
    -- float_tolerance: 1e-9    relative tolerance for float columns (default: exact)
    -- params: {"company_id": "studio-lotos"}   one line per parameter set (each a test id)

Parameters are psycopg named placeholders, `%(company_id)s`: values never enter the SQL.
A result is its columns (names and type names, as the server's format_type writes them) plus
its rows. Queries come only from a folder the user names (`queries_folder`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from pgcutover.config import Config
from pgcutover.errors import NoQueries
from verify.buffers import holds_buffer, revive, same_json
from verify.catalog import fetch_all
from verify.mask import error_line, is_personal, mask_value

Conn = psycopg.Connection[Any]
MAX_ROWS = 100_000  # an application query, not a table dump: refuse to hold more


@dataclass(frozen=True)
class Query:
    """One application query and how its results compare."""

    name: str  # the file's name without .sql: the test id's first part
    sql: str
    ordered: bool = False
    float_tolerance: float = 0.0
    param_sets: tuple[Mapping[str, Any], ...] = field(default_factory=lambda: ({},))


@dataclass(frozen=True)
class QueryResult:
    """Columns (name, type) and rows of one run, or the error it raised."""

    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[Any, ...], ...]
    error: str | None = None


class QueryFileError(ValueError):
    """A query file whose header cannot be read."""


class QueryBroken(RuntimeError):
    """A query that fails on the source: the check itself is broken (infrastructure), so it
    cannot judge the target. Not an AssertionError, so reports show it as broken."""


def queries_folder(named: str | None, config: Config, *, flag: str) -> Path | None:
    """The application's queries folder the user named: `named` (the flag, relative to the
    working directory), else pgcutover.toml's [queries] dir (relative to the file); None when
    neither names one. A named folder that does not exist or holds no *.sql is `NoQueries`."""
    if named:
        folder, source = Path(named), flag
    elif config.queries.dir:
        base = Path(config.path).parent if config.path else Path()
        folder, source = base / config.queries.dir, "[queries] dir"
    else:
        return None
    folder = folder.absolute()
    if not folder.is_dir():
        raise NoQueries(f"the queries folder {folder} ({source}) does not exist")
    if not any(folder.glob("*.sql")):
        raise NoQueries(f"the queries folder {folder} ({source}) holds no .sql file")
    return folder.resolve()


def parse_query(name: str, text: str) -> Query:
    """Read the `-- key: value` header and the SQL of one query file."""
    ordered, tolerance, params = False, 0.0, []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--") or ":" not in stripped:
            if stripped and not stripped.startswith("--"):
                break  # the header ends where the SQL begins
            continue
        key, _, value = stripped[2:].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "ordered":
            ordered = value.lower() in ("true", "yes", "1")
        elif key == "float_tolerance":
            tolerance = float(value)
        elif key == "params":
            try:
                loaded = json.loads(value)
            except json.JSONDecodeError as exc:
                raise QueryFileError(f"{name}: params is not JSON: {exc.msg}") from None
            if not isinstance(loaded, dict):
                raise QueryFileError(f"{name}: params must be a JSON object")
            params.append(loaded)
    return Query(name, text, ordered, tolerance, tuple(params) or ({},))


def load_queries(folder: Path) -> list[Query]:
    """Every *.sql in `folder`, sorted by name."""
    return [
        parse_query(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.sql"))
    ]


def syntax_problem(conn: Conn, query: Query) -> str | None:
    """What the server says when the query does not parse (asked with EXPLAIN, so nothing
    runs), with its line in the file; None when it parses. Other errors (a table missing on
    the source) are left to the query contract, which reports them as broken."""
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(b"EXPLAIN " + query.sql.encode(), query.param_sets[0] or None)
    except psycopg.errors.SyntaxError as exc:
        message = error_line(exc)
        position = int(exc.diag.statement_position or 0) - len("EXPLAIN ")
        line = query.sql[: max(position, 0)].count("\n") + 1
        return f"{message} (line {line})" if position > 0 else message
    except psycopg.Error:
        return None
    return None


def params_id(params: Mapping[str, Any], personal: Iterable[str] = ()) -> str:
    """A short, stable test id for one parameter set; personal values (by name, or listed in
    `personal`) masked, since test ids reach every report."""
    personal = tuple(personal)
    shown = {k: mask_value(v) if is_personal(k, personal) else v for k, v in sorted(params.items())}
    return ",".join(f"{k}={v}" for k, v in shown.items()) or "no-params"


def run_query(conn: Conn, query: Query, params: Mapping[str, Any]) -> QueryResult:
    """Run inside a savepoint, so an error on one side does not end the session's snapshot."""
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(query.sql.encode(), params or None)
            if cur.description is None:
                return QueryResult((), ())
            names = [col.name for col in cur.description]
            oids = [col.type_code for col in cur.description]
            rows = cur.fetchmany(MAX_ROWS + 1)
            types = [r["name"] for r in fetch_all(conn, "type_names", oids=oids)]
            columns = tuple(zip(names, types, strict=True))
    except psycopg.Error as exc:
        return QueryResult((), (), error=error_line(exc))
    if len(rows) > MAX_ROWS:
        return QueryResult(
            columns, (), error=f"more than {MAX_ROWS} rows: not an application query"
        )
    return QueryResult(columns, tuple(tuple(r) for r in rows))


def _close(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, float) and isinstance(b, float) and tolerance:
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)
    if a == b and type(a) is type(b):
        return True
    if isinstance(a, (dict, list)) and isinstance(b, (dict, list)):
        # JSON holding Baileys Buffers: the application reads the bytes, whatever the shape.
        revived_a, revived_b = revive(a), revive(b)
        if holds_buffer(revived_a) or holds_buffer(revived_b):
            return same_json(revived_a, revived_b)
    return False


def _sort_key(row: tuple[Any, ...]) -> tuple[str, ...]:
    # Rows of any types, NULLs included, ordered the same way on both sides.
    return tuple(f"{type(v).__name__}:{v!r}" for v in row)


def masked(result: QueryResult, personal: Iterable[str] = ()) -> QueryResult:
    """The result with personal columns (by name, or listed in `personal`) masked, for
    messages and evidence."""
    personal = tuple(personal)
    hidden = [is_personal(name, personal) for name, _ in result.columns]
    rows = tuple(
        tuple(mask_value(v) if hide else v for v, hide in zip(row, hidden, strict=True))
        for row in result.rows
    )
    return QueryResult(result.columns, rows, result.error)


def compare_results(
    source: QueryResult,
    target: QueryResult,
    query: Query,
    *,
    mask: bool = True,
    personal: Iterable[str] = (),
) -> list[str]:
    """Sentences naming each difference (personal values masked unless `mask` is off).

    A query that fails on the source raises `QueryBroken` (with its file name and the
    server's message): the source is the reference, so nothing can be judged.
    """
    if source.error:
        raise QueryBroken(f"{query.name}.sql fails on the source: {source.error}")
    personal = tuple(personal)
    if target.error:
        return [f"the query fails on the target: {target.error}"]
    if source.columns != target.columns:
        return [f"columns differ: source {list(source.columns)}, target {list(target.columns)}"]
    if len(source.rows) != len(target.rows):
        return [f"{len(source.rows)} rows on the source, {len(target.rows)} on the target"]
    src, tgt = source.rows, target.rows
    if not query.ordered:
        src, tgt = tuple(sorted(src, key=_sort_key)), tuple(sorted(tgt, key=_sort_key))
    found = []
    for index, (a, b) in enumerate(zip(src, tgt, strict=True)):
        for (column, _), x, y in zip(source.columns, a, b, strict=True):
            if not _close(x, y, query.float_tolerance):
                if mask and is_personal(column, personal):
                    x, y = mask_value(x), mask_value(y)
                found.append(f"row {index + 1} column {column}: source {x!r}, target {y!r}")
    return found
