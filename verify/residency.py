"""Residency (152-FZ): which tables hold personal data, and whether each is on the target.

Detection reads every schema of the source, Supabase's own included (auth.users holds
e-mails and phones; auth.identities, auth.audit_log_entries and storage.objects can too),
and explains each table it finds, column by column:
- the column's name (verify.personal's vocabulary: English, Russian transliteration and
  Cyrillic), or its type (inet is an IP address; a domain named phone_e164 is a phone);
- in a sample of rows: the key paths of JSON columns (`context.client_name`), and text
  or JSON string values shaped like phone numbers or e-mails (`79991234567.0`, a WhatsApp
  key id that carries a client's phone);
- declarations: [residency] tables and personal_columns, [mask] personal_columns.
A weak signal (a bare `name`) never makes a table personal alone. The rows of
storage.objects describe files kept outside the database, in Supabase Storage: that table
is personal whenever it holds rows.

Judging a table (`judge`) is a pure function of what the contract read: where the plan
put the table, whether its row parity passed, the declarations, and the row counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from verify.catalog import Column, Conn, Table, load_sql
from verify.mask import error_line
from verify.personal import (
    BIRTH_DATE,
    DEVICE,
    EMAIL,
    IP_ADDRESS,
    PERSONAL_TERMS,
    PHONE,
    RESIDENCY_TERMS,
    NameMatch,
    name_match,
    words,
)
from verify.rows import count_rows

SAMPLE_ROWS = 200
# The shared vocabulary (masking uses it too) and names personal in the reference system.
TERMS = PERSONAL_TERMS + RESIDENCY_TERMS

# Anchored shapes of a whole value: an international phone, a Russian mobile without its
# "+", a WhatsApp id (79991234567@s.whatsapp.net, 79991234567:12@s.whatsapp.net) or a
# Signal session id (79991234567.0); an e-mail. Epoch timestamps (10 or 13 digits starting
# with 1) match none of them.
PHONE_VALUE = (
    r"^(\+[0-9][0-9 ()-]{9,17}[0-9]|[78]9[0-9]{9}"
    r"|[0-9]{10,14}(:[0-9]{1,3})?@(s\.whatsapp\.net|c\.us)|[0-9]{10,14}\.[0-9]{1,2})$"
)
EMAIL_VALUE = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
# WhatsApp ids look like e-mails: a contact's is a phone (above), a group's is neither.
WHATSAPP_ID = r"@(s\.whatsapp\.net|c\.us|g\.us|lid|broadcast|newsletter)$"
# A sampled column counts when this many of its values (or all, if fewer) have a shape.
MIN_SHAPED_VALUES = 2

_TEXT_TYPES = ("text", "character varying", "character", "citext", "bpchar")
_TYPE_CATEGORIES = {"inet": IP_ADDRESS, "cidr": IP_ADDRESS, "macaddr": DEVICE, "macaddr8": DEVICE}

# Tables whose rows stand for files kept outside the database.
FILE_TABLES = {"storage.objects": "files kept in Supabase Storage, outside the database"}
DECLARED = "declared"
UNREAD = "not sampled"


@dataclass(frozen=True)
class Signal:
    """One reason a table holds personal data."""

    where: str  # a column, a JSON path (column.key.key), or "*" for the whole table
    category: str  # phone, e-mail, person name, ..., or "declared"
    why: str
    strong: bool = True


@dataclass(frozen=True, repr=False)
class PersonalTable:
    """A table detection or a declaration says holds personal data, with the reasons."""

    table: Table
    signals: tuple[Signal, ...]

    def __repr__(self) -> str:
        # Reports show a contract's parameter by its repr: the table's name says enough.
        return self.qualified

    @property
    def qualified(self) -> str:
        """schema.name."""
        return self.table.qualified

    def _strongest_first(self) -> list[Signal]:
        return sorted(self.signals, key=lambda s: not s.strong)

    @property
    def categories(self) -> tuple[str, ...]:
        """What kinds of personal data it holds, strongest evidence first, once each."""
        return tuple(dict.fromkeys(s.category for s in self._strongest_first()))

    def places(self, limit: int = 4) -> str:
        """Where its personal data is, briefly: 'phone, email, name' ('+2 more' past limit)."""
        seen = list(dict.fromkeys(s.where for s in self._strongest_first()))
        shown = seen[:limit]
        more = len(seen) - len(shown)
        return ", ".join(shown) + (f" +{more} more" if more else "")

    def explain(self) -> str:
        """One line: which columns and why, e.g. 'phone (phone), email (e-mail), name
        (person name, weak)'."""
        parts = [f"{s.where} ({s.category}{'' if s.strong else ', weak'})" for s in self.signals]
        return ", ".join(parts)

    def evidence(self) -> dict[str, Any]:
        """Each signal with its reason, for the report."""
        return {
            "table": self.qualified,
            "signals": [
                {"where": s.where, "category": s.category, "why": s.why, "strong": s.strong}
                for s in self.signals
            ],
        }


@dataclass(frozen=True)
class Declarations:
    """What the user says holds personal data ([residency] and [mask])."""

    tables: frozenset[str] = frozenset()
    columns: frozenset[str] = frozenset()  # schema.table.column or a bare column name
    where: dict[str, str] = field(default_factory=dict)  # declared item -> config key
    # Bare names masked everywhere ([mask] personal_columns, --personal-column): a hint
    # about any table with such a column, not a declaration of one.
    hints: frozenset[str] = frozenset()

    def names_column(self, table: Table, column: str) -> tuple[str, bool] | None:
        """(the config key that names this column personal, whether it is a declaration
        rather than a hint), or None."""
        for item in (f"{table.qualified}.{column}", column):
            if item in self.columns:
                return self.where[item], True
        if column in self.hints:
            return "[mask] personal_columns", False
        return None


def declarations(
    tables: Iterable[str], residency_columns: Iterable[str], mask_columns: Iterable[str] = ()
) -> Declarations:
    """Declarations from [residency] tables / personal_columns, and from [mask]
    personal_columns (or --personal-column): a masked column named with its table
    (schema.table.column) is declared personal; a bare name masked everywhere (`payload`)
    only adds to the reasons of a table found otherwise."""
    masked = set(mask_columns)
    where = {c: "[mask] personal_columns" for c in masked if c.count(".") == 2}
    where |= {c: "[residency] personal_columns" for c in residency_columns}
    hints = frozenset(c for c in masked if c.count(".") != 2)
    return Declarations(frozenset(tables), frozenset(where), where, hints)


def _type_name(column: Column) -> str:
    """The type's own name: public.phone_e164 -> phone_e164, text[] -> text."""
    base = column.type.removesuffix("[]").split("(")[0]
    return base.rsplit(".", 1)[-1].strip('"')


# Types that hold facts about personal data (email_confirmed_at, phone_verified), not the data.
_METADATA_TYPES = frozenset(
    {
        "boolean",
        "timestamp with time zone",
        "timestamp without time zone",
        "time with time zone",
        "time without time zone",
        "interval",
    }
)


def holds_values(type_name: str, category: str) -> bool:
    """Whether a column of this type can hold personal data of this category itself: a
    flag or a timestamp named after an e-mail does not (a birth date may be a timestamp)."""
    base = type_name.split("(")[0]
    return base not in _METADATA_TYPES or (category == BIRTH_DATE and "[]" not in type_name)


def column_signals(table: Table, column: Column, declared: Declarations) -> list[Signal]:
    """Signals from a column's name, its type and the declarations (no data read)."""
    found: list[Signal] = []
    named = declared.names_column(table, column.name)
    if named:
        key, strong = named
        why = f"declared in {key}" if strong else f"masked as personal everywhere ({key})"
        found.append(Signal(column.name, DECLARED, why, strong))
    match = name_match(column.name, TERMS)
    if match and holds_values(column.type, match.category):
        found.append(Signal(column.name, match.category, match.why, match.strong))
    type_name = _type_name(column)
    if type_name in _TYPE_CATEGORIES:
        category = _TYPE_CATEGORIES[type_name]
        found.append(Signal(column.name, category, f"{category} (type {type_name})"))
    elif not match:
        by_type = type_match(type_name)
        if by_type and by_type.strong and words(type_name) != words(column.name):
            found.append(
                Signal(
                    column.name,
                    by_type.category,
                    f'{by_type.category} (type {type_name} matches "{by_type.term}")',
                )
            )
    return found


def type_match(type_name: str) -> NameMatch | None:
    """What a type's name says its values are: a domain `phone_e164` holds phones (a type
    name may end in a format's name, so its leading words count too)."""
    parts = words(type_name)
    for end in range(len(parts), 0, -1):
        found = name_match("_".join(parts[:end]), TERMS)
        if found:
            return found
    return None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _shape_params(rows: int) -> dict[str, Any]:
    return {"phone": PHONE_VALUE, "email": EMAIL_VALUE, "whatsapp": WHATSAPP_ID, "rows": rows}


def _shaped(count: int, total: int) -> bool:
    return count > 0 and count >= min(MIN_SHAPED_VALUES, total)


def _shape_signals(where: str, total: int, phones: int, emails: int) -> list[Signal]:
    found = []
    for category, count in ((PHONE, phones), (EMAIL, emails)):
        if _shaped(count, total):
            found.append(
                Signal(
                    where,
                    category,
                    f"{category} ({count} of {total} sampled values look like one)",
                )
            )
    return found


def text_value_signals(conn: Conn, table: Table, rows: int = SAMPLE_ROWS) -> list[Signal]:
    """Signals from text columns whose sampled values are shaped like phones or e-mails
    (counted in the database: no value leaves it)."""
    columns = [c for c in table.columns if _type_name(c) in _TEXT_TYPES and "[]" not in c.type]
    if not columns:
        return []
    counts = []
    for c in columns:
        ident = sql.Identifier(c.name)
        counts.append(
            sql.SQL(
                "count({0}), count(*) FILTER (WHERE {0} ~ %(phone)s), "
                "count(*) FILTER (WHERE {0} ~ %(email)s AND {0} !~ %(whatsapp)s)"
            ).format(ident)
        )
    query = sql.SQL("SELECT {} FROM (SELECT {} FROM {} LIMIT %(rows)s) s").format(
        sql.SQL(", ").join(counts),
        sql.SQL(", ").join(sql.Identifier(c.name) for c in columns),
        sql.Identifier(table.schema, table.name),
    )
    row = conn.execute(query, _shape_params(rows)).fetchone()
    if row is None:
        return []
    found = []
    for i, c in enumerate(columns):
        total, phones, emails = (int(v) for v in row[3 * i : 3 * i + 3])
        found += _shape_signals(c.name, total, phones, emails)
    return found


def json_signals(conn: Conn, table: Table, column: str, rows: int = SAMPLE_ROWS) -> list[Signal]:
    """Signals from one JSON column's key paths and string values in a sample of rows."""
    query = sql.SQL(load_sql("residency_json_sample")).format(
        relation=sql.Identifier(table.schema, table.name), column=sql.Identifier(column)
    )
    found = []
    with conn.cursor() as cur:
        cur.execute(
            query,
            _shape_params(rows),
        )
        sampled = cur.fetchall()
    for path, key, holding, strings, scalars, phones, emails in sampled:
        where = f"{column}.{path}"
        match = name_match(key, TERMS) if key else None
        # A key only of flags, objects or nulls (email_verified) holds no personal value.
        if match and scalars:
            found.append(
                Signal(
                    where,
                    match.category,
                    f"{match.why}; a key of {holding} sampled rows",
                    match.strong,
                )
            )
        found += _shape_signals(where, int(strings), int(phones), int(emails))
    return found


def _strongest_per_place(signals: list[Signal]) -> tuple[Signal, ...]:
    """One signal per (place, category), strong before weak, declarations first."""
    best: dict[tuple[str, str], Signal] = {}
    for s in signals:
        key = (s.where, s.category)
        if key not in best or (s.strong and not best[key].strong):
            best[key] = s
    return tuple(sorted(best.values(), key=lambda s: (s.category != DECLARED, not s.strong)))


def table_signals(
    conn: Conn,
    table: Table,
    declared: Declarations,
    *,
    rows: int = SAMPLE_ROWS,
    file_rows: int = 0,
) -> tuple[Signal, ...]:
    """Every signal of one table: declarations, names, types, sampled values; `file_rows`
    is how many rows a file table (storage.objects) holds."""
    found: list[Signal] = []
    if table.qualified in declared.tables:
        found.append(Signal("*", DECLARED, "declared in [residency] tables"))
    if table.qualified in FILE_TABLES and file_rows:
        found.append(
            Signal(
                "*",
                "files",
                f"{_count(file_rows, 'row')} describing {FILE_TABLES[table.qualified]}",
            )
        )
    for column in table.columns:
        found += column_signals(table, column, declared)
    if table.kind != "m" or table.populated:
        found += sampled_signals(conn, table, rows)
    return _strongest_per_place(found)


def sampled_signals(conn: Conn, table: Table, rows: int = SAMPLE_ROWS) -> list[Signal]:
    """Signals from a sample of the table's values; a table the source's user may not read
    (some of Supabase's own) says so instead, as a weak signal."""
    try:
        with conn.transaction():
            found = text_value_signals(conn, table, rows)
            for column in table.json_columns:
                found += json_signals(conn, table, column.name, rows)
            return found
    except psycopg.errors.InsufficientPrivilege:
        return [Signal("*", UNREAD, "values not sampled: the source's user may not read it", False)]
    except psycopg.Error as exc:
        # Detection must never stop the run: a table it cannot sample is named by its
        # columns alone, and says why.
        return [Signal("*", UNREAD, f"values not sampled: {error_line(exc)}", False)]


def is_personal_table(signals: Iterable[Signal]) -> bool:
    """A table is personal when one signal is strong (a bare `name` alone is not enough)."""
    return any(s.strong for s in signals)


def candidate_tables(tables: Iterable[Table]) -> list[Table]:
    """Tables judged for residency: plain and partitioned tables and materialized views,
    not partitions (their parent stands for them)."""
    return sorted((t for t in tables if t.parent is None), key=lambda t: t.qualified)


def file_rows_of(conn: Conn, table: Table) -> int:
    """Rows of a file table: exact, or the planner's estimate when it may not be read."""
    try:
        with conn.transaction():
            return count_rows(conn, table.schema, table.name)
    except psycopg.errors.InsufficientPrivilege:
        return table.est_rows


def detect(
    conn: Conn, tables: Iterable[Table], declared: Declarations, *, rows: int = SAMPLE_ROWS
) -> list[PersonalTable]:
    """The personal-data tables among `tables` (the source's, every schema), explained."""
    found = []
    for table in candidate_tables(tables):
        file_rows = file_rows_of(conn, table) if table.qualified in FILE_TABLES else 0
        signals = table_signals(conn, table, declared, rows=rows, file_rows=file_rows)
        if is_personal_table(signals):
            found.append(PersonalTable(table, signals))
    return found


# ---------------------------------------------------------------------------------------
# Judging one table
# ---------------------------------------------------------------------------------------
ON_TARGET = "on the target"
NOT_ON_TARGET = "missing on the target"
INCOMPLETE = "incomplete on the target"
LEFT_ON_SOURCE = "left on the source"
NOTHING_TO_MOVE = "empty on the source, left there"
ACCEPTED = "declared out of scope"
SOURCE_HOLDS_ROWS = "still holds rows on the source"
SOURCE_EMPTY = "empty on the source"


@dataclass(frozen=True)
class Placement:
    """What the contract read about one personal table."""

    moved: bool  # the plan moves its schema
    left_reason: str = ""  # why its schema stays on the source, when it does
    on_target: bool = False
    source_rows: int | None = None
    target_rows: int | None = None
    parity_equal: bool | None = None  # None: not compared
    differences: dict[str, int] = field(default_factory=dict)  # missing/extra/changed totals
    problem: str = ""  # why its rows could not be compared, when they could not


@dataclass(frozen=True)
class Verdict:
    """One personal table's residency: passed or not, in a sentence, and its status."""

    table: str
    status: str
    ok: bool
    message: str
    accepted_reason: str = ""

    @property
    def counts_as_personal(self) -> bool:
        """Whether it counts in 'personal-data tables on the target: N/M' (a table declared
        out of scope, or empty and left behind, holds nothing that must move)."""
        return self.status not in (ACCEPTED, NOTHING_TO_MOVE)


def _rows(count: int | None) -> str:
    return "its 1 row" if count == 1 else f"all {count} rows"


def _differences(found: dict[str, int]) -> str:
    parts = [f"{n} {kind}" for kind, n in found.items() if n]
    return ", ".join(parts) or "rows differ"


def judge(
    personal: PersonalTable,
    where: Placement,
    *,
    out_of_scope: str | None = None,
    source_must_be_empty: bool = False,
) -> Verdict:
    """The residency verdict of one personal table (see the module docstring)."""
    name, what = personal.qualified, ", ".join(personal.categories)
    files = personal.qualified in FILE_TABLES
    if out_of_scope:
        return Verdict(
            name, ACCEPTED, True, f"{name}: declared out of scope: {out_of_scope}", out_of_scope
        )
    if source_must_be_empty:
        if where.source_rows:
            return Verdict(
                name,
                SOURCE_HOLDS_ROWS,
                False,
                f"{name}: the source still holds {where.source_rows} rows of personal data "
                f"({what}); the cutover is not finished until they are deleted there",
            )
        if where.moved and not where.on_target:
            return Verdict(name, NOT_ON_TARGET, False, f"{name} is missing on the target")
        return Verdict(name, SOURCE_EMPTY, True, f"{name}: no rows left on the source")
    if not where.moved:
        if not where.source_rows:
            return Verdict(
                name,
                NOTHING_TO_MOVE,
                True,
                f"{name}: holds no rows; its schema stays on the source",
            )
        if files:
            held = (
                f"{where.source_rows} files in Supabase Storage, outside the database, stay "
                f"there (their rows stay on the source: {where.left_reason}); move the files "
                "and declare the table in [[residency.out_of_scope]] with where they went"
            )
        else:
            held = (
                f"{where.source_rows} rows of personal data ({what}) stay on the source: "
                f"{where.left_reason}; move the schema (--include-schema "
                f"{personal.table.schema}) or declare the table in [[residency.out_of_scope]] "
                "with the reason"
            )
        return Verdict(name, LEFT_ON_SOURCE, False, f"{name}: {held}")
    if not where.on_target:
        return Verdict(
            name, NOT_ON_TARGET, False, f"{name}: personal data ({what}) is missing on the target"
        )
    if where.problem or not where.parity_equal:
        counts = where.problem or (
            f"{where.source_rows} rows on the source, {where.target_rows} on the target "
            f"({_differences(where.differences)})"
        )
        return Verdict(
            name,
            INCOMPLETE,
            False,
            f"{name}: personal data ({what}) is not all on the target: {counts}",
        )
    note = "; the files themselves live in Supabase Storage: move them too" if files else ""
    return Verdict(name, ON_TARGET, True, f"{name}: {_rows(where.source_rows)} on the target{note}")
