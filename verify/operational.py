"""Operational readiness: is the target ready to serve the application as the source did?

Each check reads both sides as the application's sessions would start (a plain session,
not the canonical one the data contracts use: TimeZone and read-only defaults are what is
being checked) and returns a `Check`: passed or not, a figure for the summary, a sentence,
evidence. A connection or permission problem is not a finding: it raises, and the
contract reports it as broken.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgcutover.errors import PgcutoverError
from verify.catalog import Conn, fetch_all
from verify.connect import Endpoint, connect

ROUND_TRIPS = 5
TLS_MODES = ("require", "verify-ca", "verify-full")
# Spellings of UTC that behave alike.
_UTC = frozenset(
    {
        "utc",
        "etc/utc",
        "gmt",
        "etc/gmt",
        "uct",
        "etc/uct",
        "zulu",
        "etc/zulu",
        "universal",
        "etc/universal",
        "greenwich",
        "etc/greenwich",
        "gmt0",
        "etc/gmt0",
    }
)
# Tables a deployed application reads its schema version from, in the order tried.
MIGRATION_TABLES = ("public.schema_migrations", "supabase_migrations.schema_migrations")
SETTINGS = ("TimeZone", "statement_timeout", "default_transaction_read_only")


class CannotCheck(PgcutoverError):
    """A check that cannot be made as configured (a role that does not exist on the source)."""


@dataclass(frozen=True)
class Check:
    """The outcome of one operational check."""

    ok: bool
    figure: str  # what the summary shows: "0.4 ms", "UTF8", "8s on both"
    message: str = ""  # the sentence when not ok (or a note when ok)
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class SideSession:
    """One side as the application meets it: a plain session (read-only transactions,
    the database's own defaults), and the role the application uses there."""

    name: str  # "source" or "target"
    endpoint: Endpoint
    conn: Conn
    app_role: str

    def rows(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """verify/sql/<query>.sql in a read-only transaction."""
        with self.conn.transaction():
            return fetch_all(self.conn, query, **params)


def open_session(endpoint: Endpoint, *, side: str, app_role: str) -> SideSession:
    """A plain session on `endpoint`: every transaction READ ONLY (the source's session is
    read-only as well), nothing else set, so it starts as the application's would."""
    conn = connect(endpoint, role=side, read_only=side == "source", autocommit=True)
    conn.read_only = True
    return SideSession(side, endpoint, conn, app_role)


# ---------------------------------------------------------------------------------------
# Figures and comparisons
# ---------------------------------------------------------------------------------------


def round_trip_ms(conn: Conn, times: int = ROUND_TRIPS) -> list[float]:
    """Milliseconds of `times` SELECT 1 round trips on an open connection."""
    found = []
    for _ in range(times):
        started = time.perf_counter()
        conn.execute("SELECT 1").fetchone()
        found.append((time.perf_counter() - started) * 1000)
    return found


def check_round_trip(target: SideSession, max_ms: float) -> Check:
    """The median of a few SELECT 1 round trips is within `max_ms`."""
    times = round_trip_ms(target.conn)
    median = statistics.median(times)
    figure = f"round trip {median:.1f} ms (median of {len(times)})"
    return Check(
        median <= max_ms,
        figure,
        f"the target answers in {median:.1f} ms, over the {max_ms:g} ms allowed "
        "([operational] max_round_trip_ms)",
        {"round_trips_ms": [round(t, 3) for t in times], "max_ms": max_ms},
    )


def sslmode(endpoint: Endpoint) -> str:
    """The URL's sslmode ('prefer' when it names none, as libpq does)."""
    return str(conninfo_to_dict(endpoint.conninfo).get("sslmode", "prefer"))


def check_tls(target: SideSession, require: bool) -> Check:
    """TLS is in use when the URL asks for it (sslmode=require or stronger) or the
    configuration requires it."""
    mode = sslmode(target.endpoint)
    required = require or mode in TLS_MODES
    state = target.rows("op_tls")[0]
    why = f"sslmode={mode}" + ("; [operational] require_tls" if require else "")
    if state["ssl"]:
        figure = f"TLS in use ({state['version']})"
    else:
        figure = "TLS not in use" + ("" if required else " (not required)")
    return Check(
        bool(state["ssl"]) or not required,
        figure,
        f"TLS is required ({why}) but the connection to the target is not encrypted",
        {"sslmode": mode, "required": required, **state},
    )


def database_facts(side: SideSession) -> dict[str, Any]:
    """Encoding and locale of the side's database."""
    return side.rows("op_database")[0]


def check_encoding(source: dict[str, Any], target: dict[str, Any]) -> Check:
    """The target database's encoding is the source's."""
    same = source["encoding"] == target["encoding"]
    return Check(
        same,
        f"encoding {target['encoding']}",
        f"encoding {target['encoding']} on the target, {source['encoding']} on the source",
        {"source": source["encoding"], "target": target["encoding"]},
    )


_LOCALE_KEYS = ("collate", "ctype", "provider", "locale")


def check_collation(source: dict[str, Any], target: dict[str, Any]) -> Check:
    """The target database's collation, ctype and locale provider are the source's (text
    sorts, compares and changes case the same way)."""
    differ = [k for k in _LOCALE_KEYS if source[k] != target[k]]
    shown = ", ".join(f"{k} {target[k]!r} (source {source[k]!r})" for k in differ)
    return Check(
        not differ,
        f"collation {target['collate']}" + (f", {target['locale']}" if target["locale"] else ""),
        f"the target database sorts text differently: {shown}",
        {
            "source": {k: source[k] for k in _LOCALE_KEYS},
            "target": {k: target[k] for k in _LOCALE_KEYS},
        },
    )


def role_settings(side: SideSession, role: str) -> dict[str, dict[str, str]]:
    """name -> {value, origin, unit} of the settings a new session of `role` starts with."""
    rows = side.rows("op_role_settings", role=role, names=list(SETTINGS))
    return {
        r["name"]: {"value": r["value"], "origin": r["origin"], "unit": r["unit"] or ""}
        for r in rows
    }


def same_timezone(a: str, b: str) -> bool:
    """Whether two TimeZone values name the same zone (UTC's spellings are one)."""
    a, b = a.strip().lower(), b.strip().lower()
    return a == b or (a in _UTC and b in _UTC)


def check_timezone(source: dict[str, dict[str, str]], target: dict[str, dict[str, str]]) -> Check:
    """The application's sessions get the source's TimeZone on the target (timestamps
    without a zone, date_trunc and to_char depend on it)."""
    src, tgt = source["TimeZone"], target["TimeZone"]
    return Check(
        same_timezone(src["value"], tgt["value"]),
        f"TimeZone {tgt['value']}",
        f"TimeZone {tgt['value']} on the target ({tgt['origin']}), {src['value']} on the "
        f"source ({src['origin']}): set it with ALTER DATABASE ... SET timezone",
        {"source": src, "target": tgt},
    )


def check_read_write(target: dict[str, dict[str, str]]) -> Check:
    """The application's sessions on the target may write (default_transaction_read_only off)."""
    found = target["default_transaction_read_only"]
    return Check(
        found["value"] == "off",
        f"default_transaction_read_only {found['value']}",
        f"default_transaction_read_only is {found['value']} on the target ({found['origin']}):"
        " the application could not write",
        {"target": found},
    )


_UNITS_MS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}


def duration_ms(value: str, unit: str = "ms") -> int:
    """A setting's duration in ms: '8s', '8000', '1min' (a bare number is in `unit`)."""
    text = value.strip().strip("'").lower()
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    suffix = text[len(number) :].strip() or unit.lower() or "ms"
    return int(float(number or 0) * _UNITS_MS.get(suffix, 1))


def check_statement_timeout(
    source: dict[str, dict[str, str]], target: dict[str, dict[str, str]], roles: tuple[str, str]
) -> Check:
    """The application's role has a statement_timeout on the target when it had one on the
    source (a runaway query must not hold a connection of the pool for ever)."""
    src, tgt = source["statement_timeout"], target["statement_timeout"]
    src_ms = duration_ms(src["value"], src["unit"])
    tgt_ms = duration_ms(tgt["value"], tgt["unit"])
    shown = (
        f"{src['value']}{src['unit'] if src['value'].isdigit() else ''}",
        f"{tgt['value']}{tgt['unit'] if tgt['value'].isdigit() else ''}",
    )
    return Check(
        src_ms == 0 or tgt_ms > 0,
        f"statement_timeout {shown[1]} for {roles[1]} (source: {shown[0]} for {roles[0]})",
        f"role {roles[1]} has no statement_timeout on the target; {roles[0]} had "
        f"{shown[0]} on the source ({src['origin']}): ALTER ROLE {roles[1]} SET "
        f"statement_timeout = '{src['value']}'",
        {"source": src | {"ms": src_ms}, "target": tgt | {"ms": tgt_ms}},
    )


def role_exists(side: SideSession, role: str) -> bool:
    """Whether `role` exists on this side."""
    with side.conn.transaction():
        row = side.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (role,)
        ).fetchone()
    return bool(row and row[0])


def missing_role(source: SideSession, target: SideSession) -> Check | None:
    """A failed check when the application's role is missing on the target; raises
    `CannotCheck` when the role to compare with is missing on the source."""
    if not role_exists(source, source.app_role):
        raise CannotCheck(
            f"role {source.app_role} does not exist on the source: set [operational] "
            "source_app_role to the role the application used there (service_role for a "
            "Supabase service key)"
        )
    if role_exists(target, target.app_role):
        return None
    return Check(
        False,
        f"role {target.app_role} missing",
        f"the application's role {target.app_role} does not exist on the target "
        "([operational] app_role)",
    )


def privileges(side: SideSession, schemas: tuple[str, ...]) -> dict[str, set[str]]:
    """object -> privileges of the side's application role (schemas: USAGE; tables and
    views: SELECT, INSERT, UPDATE, DELETE)."""
    rows = side.rows("op_privileges", role=side.app_role, schemas=list(schemas))
    return {r["object"]: set(r["privileges"]) for r in rows}


def privilege_differences(
    source: dict[str, set[str]], target: dict[str, set[str]]
) -> tuple[list[str], list[str]]:
    """(privileges lost on the target, privileges gained there), as 'object: PRIV'."""
    lost, gained = [], []
    for obj in sorted(source.keys() | target.keys()):
        src, tgt = source.get(obj, set()), target.get(obj, set())
        if obj not in target and src:
            lost.append(f"{obj}: missing on the target")
            continue
        lost += [f"{obj}: {p}" for p in sorted(src - tgt)]
        if obj in source:
            gained += [f"{obj}: {p}" for p in sorted(tgt - src)]
    return lost, gained


def _first(items: list[str], n: int = 5) -> str:
    more = f" (+{len(items) - n} more)" if len(items) > n else ""
    return "; ".join(items[:n]) + more


def check_privileges(source: SideSession, target: SideSession, schemas: tuple[str, ...]) -> Check:
    """The application's role may SELECT/INSERT/UPDATE/DELETE on the target exactly what it
    could on the source (and use the same schemas): nothing less, nothing more."""
    roles = f"{target.app_role} (source: {source.app_role})"
    missing = missing_role(source, target)
    if missing:
        return missing
    src, tgt = privileges(source, schemas), privileges(target, schemas)
    lost, gained = privilege_differences(src, tgt)
    granted = sum(len(p) for p in tgt.values())
    problems = []
    if lost:
        problems.append(f"{len(lost)} privileges lost: {_first(lost)}")
    if gained:
        problems.append(f"{len(gained)} more than on the source: {_first(gained)}")
    return Check(
        not problems,
        f"{granted} privileges of {roles} on {len(tgt)} objects",
        f"role {target.app_role} on the target: " + "; ".join(problems),
        {"role": target.app_role, "source_role": source.app_role, "lost": lost, "gained": gained},
    )


def sequence_usage(side: SideSession, schemas: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each sequence: the application role's privileges, and tables it may insert into that
    take a default from it."""
    return side.rows("op_sequences", role=side.app_role, schemas=list(schemas))


def check_sequences(source: SideSession, target: SideSession, schemas: tuple[str, ...]) -> Check:
    """The application's role may use the target's sequences as it could the source's, and
    every sequence a table it inserts into draws its default from."""
    missing = missing_role(source, target)
    if missing:
        return missing
    src = {r["sequence"]: set(r["privileges"]) for r in sequence_usage(source, schemas)}
    rows = sequence_usage(target, schemas)
    tgt = {r["sequence"]: set(r["privileges"]) for r in rows}
    lost, _ = privilege_differences(src, tgt)
    unusable = [
        f"{r['sequence']}: no USAGE, but {', '.join(r['default_of_insertable'])} takes "
        "its default from it"
        for r in rows
        if r["default_of_insertable"] and "USAGE" not in r["privileges"]
    ]
    problems = lost + [
        u for u in unusable if u.split(":")[0] not in {x.split(":")[0] for x in lost}
    ]
    return Check(
        not problems,
        f"{len(tgt)} sequences, usable by {target.app_role}"
        if not problems
        else f"{len(problems)} sequences not usable by {target.app_role}",
        f"role {target.app_role} cannot use sequences it needs on the target: {_first(problems)}",
        {"lost": lost, "unusable_defaults": unusable},
    )


def migrations_table(side: SideSession, configured: str | None) -> str | None:
    """The table holding the deployed schema version: the configured one, else the first
    of MIGRATION_TABLES that exists on this side."""
    candidates = (configured,) if configured else MIGRATION_TABLES
    for name in candidates:
        with side.conn.transaction():
            row = side.conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()
        if row and row[0]:
            return name
    return None


def _version_column(side: SideSession, table: str) -> str:
    with side.conn.transaction():
        rows = side.conn.execute(
            "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass "
            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attname <> 'version', a.attnum",
            (table,),
        ).fetchall()
    if not rows:
        raise CannotCheck(f"{table} has no columns to read a version from")
    return str(rows[0][0])


def versions(side: SideSession, table: str) -> list[str]:
    """The versions recorded in a migrations table (its `version` column, else its first)."""
    schema, _, name = table.partition(".")
    column = _version_column(side, table)
    query = sql.SQL("SELECT {}::text FROM {} ORDER BY 1").format(
        sql.Identifier(column), sql.Identifier(schema, name)
    )
    with side.conn.transaction():
        return [str(r[0]) for r in side.conn.execute(query)]


def check_schema_migrations(
    source: SideSession, target: SideSession, configured: str | None
) -> Check | None:
    """The target records the source's migrations, so the deployed code sees its schema
    version; None when the source keeps no migrations table."""
    table = migrations_table(source, configured)
    if table is None:
        return None
    if migrations_table(target, table) is None:
        return Check(
            False,
            f"{table} missing",
            f"{table} is missing on the target: the deployed code cannot read its schema version",
        )
    src, tgt = versions(source, table), versions(target, table)
    behind = sorted(set(src) - set(tgt))
    ahead = sorted(set(tgt) - set(src))
    latest = max(tgt, default="none")
    problems = []
    if behind:
        problems.append(f"{len(behind)} versions behind the source: {_first(behind)}")
    if ahead:
        problems.append(f"{len(ahead)} versions the source lacks: {_first(ahead)}")
    return Check(
        not problems,
        f"schema version {latest} ({len(tgt)} migrations in {table})",
        f"{table} on the target: " + "; ".join(problems),
        {
            "table": table,
            "source_latest": max(src, default=None),
            "target_latest": latest,
            "behind": behind,
            "ahead": ahead,
        },
    )


def check_slow_queries(target: SideSession) -> Check:
    """pg_stat_statements or a slow-query log records slow queries (the review asks for
    slow-query monitoring); when neither does, a note, not a failure."""
    found = target.rows("op_monitoring")[0]
    log = str(found["log_min_duration_statement"])
    parts = []
    if found["pg_stat_statements"]:
        parts.append("pg_stat_statements")
    if log not in ("-1", ""):
        parts.append(f"log_min_duration_statement {log}")
    note = (
        ""
        if parts
        else "note: nothing records slow queries on the target: CREATE EXTENSION pg_stat_statements "
        "or set log_min_duration_statement (the review suggests 100ms)"
    )
    return Check(
        True,
        " and ".join(parts) if parts else "nothing records slow queries (a note)",
        note,
        found,
    )
