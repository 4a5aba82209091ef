"""Moving changed rows into a live target: COPY into a staging table, then batched upserts.

Rows go by COPY into a temporary staging table (temporary tables write no WAL),
then one `INSERT ... SELECT ... ON CONFLICT (pk) DO UPDATE ... WHERE target IS
DISTINCT FROM excluded` per batch. Staged rows identical to the target's are
filtered out before the INSERT, so an unchanged row is neither written nor locked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from verify.catalog import Conn, Table

STAGE = "pgcutover_stage"
KEYS = "pgcutover_keys"
# Types without an equality operator compare by their text.
_NO_EQUALITY = {"json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle"}


@dataclass(frozen=True)
class Upserted:
    """What one table's upsert wrote."""

    staged: int
    inserted: int
    updated: int


def _comparable(alias: str, table: Table, cols: Sequence[str]) -> sql.Composable:
    types = {c.name: c.type for c in table.columns}
    parts = []
    for c in cols:
        ident = sql.Identifier(alias, c)
        parts.append(
            sql.SQL("{}::text").format(ident) if types.get(c, "") in _NO_EQUALITY else ident
        )
    return sql.SQL("ROW({})").format(sql.SQL(", ").join(parts))


def _key_match(left: str, right: str, key: Sequence[str]) -> sql.Composable:
    return sql.SQL(" AND ").join(
        sql.SQL("{} = {}").format(sql.Identifier(left, k), sql.Identifier(right, k)) for k in key
    )


def create_stage(
    target: Conn, table: Table, name: str = STAGE, *, columns: Sequence[str] = ()
) -> None:
    """A temporary table shaped like `table`'s copyable columns, dropped at commit."""
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in (columns or table.copy_columns))
    target.execute(
        sql.SQL(
            "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM ONLY {} WITH NO DATA"
        ).format(sql.Identifier(name), cols, sql.Identifier(table.schema, table.name))
    )


def stream_into(
    source: Conn,
    target: Conn,
    select: sql.Composable,
    params: Sequence[Any] | None,
    name: str,
    columns: Sequence[str],
) -> int:
    """COPY the rows of `select` on the source into temp table `name` on the target."""
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    out_sql = sql.SQL("COPY ({}) TO STDOUT (FORMAT BINARY)").format(select)
    in_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(sql.Identifier(name), cols)
    with source.cursor() as src_cur, target.cursor() as tgt_cur:
        with src_cur.copy(out_sql, params) as reader, tgt_cur.copy(in_sql) as writer:
            for chunk in reader:
                writer.write(chunk)
        return max(tgt_cur.rowcount, 0)


def upsert_from_stage(target: Conn, table: Table, staged: int, *, batch_rows: int) -> Upserted:
    """INSERT ... ON CONFLICT (pk) DO UPDATE from the stage, one statement per batch."""
    ident = sql.Identifier(table.schema, table.name)
    cols = list(table.copy_columns)
    key = list(table.primary_key)
    batched = staged > batch_rows
    if batched:
        # Numbered once, after the COPY, only when there is more than one batch.
        target.execute(
            sql.SQL(
                "ALTER TABLE {} ADD COLUMN _pgcutover_n bigint GENERATED ALWAYS AS IDENTITY"
            ).format(sql.Identifier(STAGE))
        )
    non_key = [c for c in cols if c not in key]
    col_list = sql.SQL(", ").join(sql.Identifier(c) for c in cols)
    s_cols = sql.SQL(", ").join(sql.Identifier("s", c) for c in cols)
    overriding = (
        sql.SQL(" OVERRIDING SYSTEM VALUE")
        if any(c.identity == "a" for c in table.columns)
        else sql.SQL("")
    )
    action: sql.Composable
    if non_key:
        action = sql.SQL("DO UPDATE SET {} WHERE {} IS DISTINCT FROM {}").format(
            sql.SQL(", ").join(
                sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c))
                for c in non_key
            ),
            _comparable("t", table, non_key),
            _comparable("excluded", table, non_key),
        )
    else:
        action = sql.SQL("DO NOTHING")
    statement = sql.SQL(
        "INSERT INTO {ident} AS t ({cols}){overriding} SELECT {s_cols} FROM {stage} s"
        " WHERE {batch}"
        " AND NOT EXISTS (SELECT 1 FROM ONLY {ident} cur WHERE {match} AND {cur} IS NOT DISTINCT FROM {s})"
        " ON CONFLICT ({key}) {action} RETURNING (xmax = 0)"
    ).format(
        ident=ident,
        cols=col_list,
        overriding=overriding,
        s_cols=s_cols,
        stage=sql.Identifier(STAGE),
        match=_key_match("cur", "s", key),
        cur=_comparable("cur", table, cols),
        s=_comparable("s", table, cols),
        key=sql.SQL(", ").join(sql.Identifier(k) for k in key),
        action=action,
        batch=sql.SQL("s._pgcutover_n > %s AND s._pgcutover_n <= %s" if batched else "true"),
    )
    inserted = updated = 0
    with target.cursor() as cur:
        for low in range(0, staged, batch_rows):
            cur.execute(statement, (low, low + batch_rows) if batched else None)
            for (was_insert,) in cur.fetchall():
                if was_insert:
                    inserted += 1
                else:
                    updated += 1
    return Upserted(staged, inserted, updated)


def _keys_subquery(table: Table) -> sql.Composable:
    """SELECT of the key columns from one text array parameter per column, cast back."""
    types = {c.name: c.type for c in table.columns}
    key = list(table.primary_key)
    return sql.SQL("SELECT {} FROM unnest({}) AS u({})").format(
        sql.SQL(", ").join(
            sql.SQL("u.{}::{}").format(sql.Identifier(f"k{i}"), sql.SQL(types[k]))
            for i, k in enumerate(key)
        ),
        sql.SQL(", ").join(sql.SQL("%s::text[]") for _ in key),
        sql.SQL(", ").join(sql.Identifier(f"k{i}") for i in range(len(key))),
    )


def _key_arrays(table: Table, keys: Sequence[Sequence[Any]]) -> list[list[str | None]]:
    return [
        [None if k[i] is None else str(k[i]) for k in keys] for i in range(len(table.primary_key))
    ]


def key_select(table: Table, keys: Sequence[Sequence[Any]]) -> tuple[sql.Composable, list[Any]]:
    """(SELECT copyable columns WHERE key IN keys, params): keys travel as text arrays."""
    select = sql.SQL("SELECT {} FROM ONLY {} WHERE ({}) IN ({})").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in table.copy_columns),
        sql.Identifier(table.schema, table.name),
        sql.SQL(", ").join(sql.Identifier(k) for k in table.primary_key),
        _keys_subquery(table),
    )
    return select, list(_key_arrays(table, keys))


def delete_keys(target: Conn, table: Table, keys: Sequence[Sequence[Any]]) -> int:
    """DELETE the rows with these primary keys from the target."""
    if not keys:
        return 0
    statement = sql.SQL("DELETE FROM ONLY {} WHERE ({}) IN ({})").format(
        sql.Identifier(table.schema, table.name),
        sql.SQL(", ").join(sql.Identifier(k) for k in table.primary_key),
        _keys_subquery(table),
    )
    return target.execute(statement, _key_arrays(table, keys)).rowcount


def keys_missing_at_source(source: Conn, target: Conn, table: Table) -> list[tuple[Any, ...]]:
    """Primary keys on the target that the source (in its snapshot) no longer has."""
    key = list(table.primary_key)
    create_stage(target, table, KEYS, columns=key)
    select = sql.SQL("SELECT {} FROM ONLY {}").format(
        sql.SQL(", ").join(sql.Identifier(k) for k in key),
        sql.Identifier(table.schema, table.name),
    )
    stream_into(source, target, select, None, KEYS, key)
    rows = target.execute(
        sql.SQL(
            "SELECT {} FROM ONLY {} t WHERE NOT EXISTS (SELECT 1 FROM {} k WHERE {}) ORDER BY 1"
        ).format(
            sql.SQL(", ").join(sql.Identifier("t", k) for k in key),
            sql.Identifier(table.schema, table.name),
            sql.Identifier(KEYS),
            _key_match("k", "t", key),
        )
    ).fetchall()
    return [tuple(r) for r in rows]
