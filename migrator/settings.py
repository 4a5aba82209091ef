"""Database- and role-level settings follow the schema (pg_dump -n leaves them behind).

`ALTER DATABASE ... SET` and `ALTER ROLE ... SET` live in the cluster, not in a
schema, so a per-schema dump never carries them; yet an application depends on
them (Supabase gives `anon` and `authenticated` their own statement_timeout).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from migrator.roles import existing_roles
from migrator.sqlfiles import fetch_all
from verify.catalog import Conn
from verify.mask import error_line

# Settings whose value is a list of names: each element is quoted on its own, as
# pg_dumpall does, or search_path = '"$user", public' would become one schema name.
LIST_SETTINGS = frozenset(
    {
        "search_path",
        "temp_tablespaces",
        "session_preload_libraries",
        "local_preload_libraries",
        "shared_preload_libraries",
        "unix_socket_directories",
    }
)


@dataclass(frozen=True)
class Setting:
    """One `name=value` for the database (role '') or a role, here or everywhere."""

    role: str
    in_database: bool
    name: str
    value: str

    @property
    def where(self) -> str:
        """For messages: 'database' or 'role anon' (never the value: it may be a secret)."""
        return f"role {self.role}" if self.role else "database"


def read_settings(source: Conn, roles: tuple[str, ...]) -> list[Setting]:
    """The source database's settings, and those of `roles` (the roles the plan carries)."""
    found = []
    for row in fetch_all(source, "db_role_settings"):
        if row["role"] and row["role"] not in roles:
            continue
        for entry in row["settings"] or []:
            name, _, value = str(entry).partition("=")
            found.append(Setting(row["role"], bool(row["in_database"]), name, value))
    return found


def _split_list(value: str) -> list[str]:
    items, current, quoted = [], "", False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            items.append(current.strip())
            current = ""
            continue
        current += ch
    items.append(current.strip())
    return [i[1:-1] if len(i) > 1 and i[0] == i[-1] == '"' else i for i in items if i]


def alter_statement(setting: Setting, target_db: str) -> sql.Composed:
    """ALTER DATABASE/ROLE ... SET for the target, values as literals."""
    values: list[str] = (
        _split_list(setting.value) if setting.name in LIST_SETTINGS else [setting.value]
    )
    assignment = sql.SQL("SET {} = {}").format(
        sql.Identifier(*setting.name.split(".")),
        sql.SQL(", ").join(sql.Literal(v) for v in values),
    )
    if not setting.role:
        return sql.SQL("ALTER DATABASE {} ").format(sql.Identifier(target_db)) + assignment
    scope = (
        sql.SQL(" IN DATABASE {} ").format(sql.Identifier(target_db))
        if setting.in_database
        else sql.SQL(" ")
    )
    return sql.SQL("ALTER ROLE {}").format(sql.Identifier(setting.role)) + scope + assignment


def copy_settings(source: Conn, target: Conn, roles: tuple[str, ...]) -> list[str]:
    """Apply the source's database and role settings on the target; returns the ones the
    target refused (an unknown parameter, a role it lacks), as 'where: name: why'."""
    target_db = target.info.dbname
    existing = existing_roles(target)
    refused = []
    for setting in read_settings(source, roles):
        if setting.role and setting.role not in existing:
            refused.append(f"{setting.where}: {setting.name}: the target has no such role")
            continue
        try:
            with target.transaction():
                target.execute(alter_statement(setting, target_db))
        except psycopg.Error as exc:
            refused.append(f"{setting.where}: {setting.name}: {error_line(exc)}")
    return refused
