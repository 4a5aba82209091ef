"""An independent check of a copy, with our own catalog SQL (tests/corpus/sql/).

It imports nothing from verify/ or migrator/: a checker that shared the product's code
would share its blind spots. Each function reads one aspect from both sides and returns
(source's view, target's view) in a form that compares with `==`, so a failing assert
shows pytest's diff of exactly what differs.

What is in scope is read from the target itself: the schemas that exist on both sides
(the copy created them; a schema left behind is not on the target).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from verify.connect import Endpoint

SQL_DIR = Path(__file__).parent / "sql"

# Text forms must not depend on either server's defaults: both sides read alike.
_SESSION = (
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';"
    " SET extra_float_digits = 1; SET bytea_output = 'hex'; SET lc_monetary = 'C';"
    " SET search_path = ''"
)

Conn = psycopg.Connection[dict[str, Any]]


@contextmanager
def reading(endpoint: Endpoint) -> Iterator[Conn]:
    """A read-only REPEATABLE READ session with fixed text settings."""
    with psycopg.connect(endpoint.conninfo, row_factory=dict_row, autocommit=True) as conn:
        conn.execute(_SESSION)
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield conn
        finally:
            conn.execute("ROLLBACK")


def _rows(conn: Conn, name: str, **params: Any) -> list[dict[str, Any]]:
    query = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return conn.execute(query, params).fetchall()


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> dict[str, Any]:
    """{key: (expected, actual)} for every key whose values differ (a missing key is None):
    what a failing assert should print, instead of two whole catalogs."""
    return {
        key: (expected.get(key), actual.get(key))
        for key in sorted(expected.keys() | actual.keys())
        if expected.get(key) != actual.get(key)
    }


def explain(diff: dict[str, Any]) -> str:
    """One line per difference: "<key>: expected <x>, target has <y>"."""
    return "\n".join(
        f"{key}: expected {want!r}, target has {got!r}" for key, (want, got) in diff.items()
    )


def moved_schemas(source: Endpoint, target: Endpoint) -> list[str]:
    """User schemas present on both sides: what the copy moved."""
    with reading(source) as src, reading(target) as tgt:
        on_source = {r["name"] for r in _rows(src, "schemas")}
        on_target = {r["name"] for r in _rows(tgt, "schemas")}
    return sorted(on_source & on_target)


def _fingerprint(conn: Conn, unit: dict[str, Any]) -> tuple[int, str] | str:
    """(rows, md5 of the rows' text in byte order), or why the target cannot be read."""
    row = sql.SQL("ROW({})::text").format(sql.SQL(", ").join(map(sql.Identifier, unit["columns"])))
    query = sql.SQL(
        "SELECT count(*) AS n, md5(coalesce(string_agg(r, E'\\n' ORDER BY r COLLATE \"C\"), ''))"
        " AS md5 FROM (SELECT {} AS r FROM {}.{}) AS t"
    ).format(row, sql.Identifier(unit["schema"]), sql.Identifier(unit["name"]))
    try:
        with conn.transaction():  # a savepoint: one unreadable table must not end the session
            result = conn.execute(query).fetchone()
    except psycopg.Error as exc:
        return f"unreadable: {(exc.diag.message_primary or str(exc)).strip()}"
    assert result is not None
    return int(result["n"]), str(result["md5"])


def row_fingerprints(
    source: Endpoint, target: Endpoint, schemas: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per table (and populated materialized view) of the source: row count and ordered md5
    of the rows' text, on each side, reading the target by the source's column names."""
    with reading(source) as src, reading(target) as tgt:
        units = _rows(src, "row_units", schemas=schemas)
        return (
            {f"{u['schema']}.{u['name']}": _fingerprint(src, u) for u in units},
            {f"{u['schema']}.{u['name']}": _fingerprint(tgt, u) for u in units},
        )


def owners(
    source: Endpoint, target: Endpoint, schemas: list[str]
) -> tuple[dict[str, str], dict[str, str | None]]:
    """(expected, actual) owner per schema, relation, function and type of the source: the
    source's owner where that role exists on the target, else the target's connecting user."""
    with reading(source) as src, reading(target) as tgt:
        on_source = {r["object"]: r["owner"] for r in _rows(src, "owners", schemas=schemas)}
        on_target = {r["object"]: r["owner"] for r in _rows(tgt, "owners", schemas=schemas)}
        target_roles = {
            r["rolname"] for r in tgt.execute("SELECT rolname FROM pg_catalog.pg_roles").fetchall()
        }
        connected = tgt.execute("SELECT current_user AS u").fetchone()
    assert connected is not None
    expected = {
        obj: owner if owner in target_roles else str(connected["u"])
        for obj, owner in on_source.items()
    }
    return expected, {obj: on_target.get(obj) for obj in on_source}


def named_roles(source: Endpoint, schemas: list[str]) -> list[str]:
    """Roles the source's objects in `schemas` grant to, name in policies or in default
    privileges."""
    with reading(source) as src:
        return [r["name"] for r in _rows(src, "named_roles", schemas=schemas)]


def role_attributes(
    source: Endpoint, target: Endpoint, roles: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per role: INHERIT, CREATEROLE, CREATEDB, BYPASSRLS, CONNECTION LIMIT, role-wide
    settings and memberships among `roles` (LOGIN aside); None where the target lacks it."""
    with reading(source) as src, reading(target) as tgt:
        on_source = {r.pop("name"): r for r in _rows(src, "roles", roles=roles)}
        on_target = {r.pop("name"): r for r in _rows(tgt, "roles", roles=roles)}
    return on_source, {name: on_target.get(name) for name in on_source}


def matview_population(
    source: Endpoint, target: Endpoint, schemas: list[str]
) -> tuple[dict[str, bool], dict[str, bool | None]]:
    """relispopulated of every materialized view, per side (None: missing on the target)."""
    with reading(source) as src, reading(target) as tgt:
        on_source = {r["name"]: r["populated"] for r in _rows(src, "matviews", schemas=schemas)}
        on_target = {r["name"]: r["populated"] for r in _rows(tgt, "matviews", schemas=schemas)}
    return on_source, {name: on_target.get(name) for name in on_source}


def _without_owners(acl: list[str], owners: set[str]) -> list[str]:
    # An owner holds every privilege implicitly; whether its entry is spelled out (and who
    # owns the member: CREATE EXTENSION makes the connecting user the owner) is no difference.
    return sorted(entry for entry in acl if entry.split("=", 1)[0] not in owners)


def extension_acls(
    source: Endpoint, target: Endpoint, schemas: list[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Privileges on extension members ("grantee=PRIVILEGE", * for grant option) per side,
    owners' own entries aside, for the members both sides have (another server version may
    ship another set of members; which extensions exist is `extensions_in`'s question)."""
    with reading(source) as src, reading(target) as tgt:
        on_source = {r["object"]: r for r in _rows(src, "extension_acls", schemas=schemas)}
        on_target = {r["object"]: r for r in _rows(tgt, "extension_acls", schemas=schemas)}
    expected: dict[str, list[str]] = {}
    actual: dict[str, list[str]] = {}
    for obj in sorted(on_source.keys() & on_target.keys()):
        owners = {on_source[obj]["owner"], on_target[obj]["owner"]}
        expected[obj] = _without_owners(on_source[obj]["acl"], owners)
        actual[obj] = _without_owners(on_target[obj]["acl"], owners)
    return expected, actual


def extensions_in(endpoint: Endpoint, schemas: list[str]) -> list[str]:
    """Names of the extensions installed in `schemas`."""
    with reading(endpoint) as conn:
        return [
            r["extname"]
            for r in conn.execute(
                "SELECT e.extname FROM pg_catalog.pg_extension AS e"
                " JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace"
                " WHERE n.nspname = ANY(%(schemas)s) ORDER BY 1",
                {"schemas": schemas},
            ).fetchall()
        ]
