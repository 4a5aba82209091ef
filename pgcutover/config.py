"""Configuration: defaults, environment variables and pgcutover.toml.

A leaf: imports nothing of ours, so every room may read it.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ENV_SOURCE_URL = "PGCUTOVER_SOURCE_URL"
ENV_TARGET_URL = "PGCUTOVER_TARGET_URL"

# Schemas Supabase manages. They move only when user objects depend on them
# (then whole); the rest are skipped and listed. The list the Supabase CLI's own
# dump excludes, plus auth and extensions, which usually are depended on.
SUPABASE_MANAGED_SCHEMAS: tuple[str, ...] = (
    "auth",
    "extensions",
    "_analytics",
    "_realtime",
    "_supavisor",
    "storage",
    "realtime",
    "supabase_functions",
    "supabase_migrations",
    "cron",
    "dbdev",
    "graphql",
    "graphql_public",
    "net",
    "pgmq",
    "pgsodium",
    "pgsodium_masks",
    "pgtle",
    "repack",
    "vault",
    "pgbouncer",
    "tiger",
    "tiger_data",
    "topology",
)
SUPABASE_MANAGED_PREFIXES: tuple[str, ...] = ("timescaledb_",)

# Roles the Supabase API grants to: the application's policies and grants name them.
SUPABASE_API_ROLES: tuple[str, ...] = ("anon", "authenticated", "service_role")

# Roles Supabase runs its own services as. Privileges granted to them are Supabase's
# plumbing, not the application's: the schema contracts leave them out on both sides
# (and say so in the report) unless pgcutover.toml maps or lists roles otherwise.
SUPABASE_MANAGED_ROLES: tuple[str, ...] = (
    "supabase_admin",
    "supabase_auth_admin",
    "supabase_storage_admin",
    "supabase_realtime_admin",
    "supabase_replication_admin",
    "supabase_read_only_user",
    "supabase_functions_admin",
    "supabase_etl_admin",
    "dashboard_user",
    "authenticator",
    "pgbouncer",
    "pgsodium_keyholder",
    "pgsodium_keyiduser",
    "pgsodium_keymaker",
    "pg_graphql",
)

# Our own bookkeeping on the target: never compared, never copied.
TOOL_SCHEMA = "pgcutover"


def is_supabase_managed(schema: str) -> bool:
    """Whether Supabase, not the application, owns this schema."""
    return schema in SUPABASE_MANAGED_SCHEMAS or schema.startswith(SUPABASE_MANAGED_PREFIXES)


def url_from_env(role: str) -> str | None:
    """PGCUTOVER_SOURCE_URL or PGCUTOVER_TARGET_URL, for role "source" or "target"."""
    return os.environ.get(ENV_SOURCE_URL if role == "source" else ENV_TARGET_URL) or None


CONFIG_FILE = "pgcutover.toml"


class BadConfig(ValueError):
    """pgcutover.toml is unreadable or says something we cannot use (one line, names the key)."""


@dataclass(frozen=True)
class Accepted:
    """A deliberate schema difference: the contract reports it as accepted, with the reason."""

    object: str  # "<kind> <name>", e.g. "policy public.clients.clients_own_row"
    reason: str


@dataclass(frozen=True)
class SchemaConfig:
    """[schema]: schemas and roles left out of the comparison, role names, accepted
    differences."""

    exclude_schemas: tuple[str, ...] = ()
    role_map: dict[str, str] = field(default_factory=dict)
    accepted: tuple[Accepted, ...] = ()
    exclude_roles: tuple[str, ...] = SUPABASE_MANAGED_ROLES

    @property
    def ignored_grantees(self) -> frozenset[str]:
        """Grantees whose privileges are not compared: excluded and not mapped."""
        return frozenset(self.exclude_roles) - set(self.role_map)

    def accepted_reason(self, kind: str, name: str) -> str | None:
        """The reason an object's difference is accepted, or None."""
        wanted = f"{kind} {name}"
        return next((a.reason for a in self.accepted if a.object == wanted), None)


@dataclass(frozen=True)
class Config:
    """Everything pgcutover.toml can say, with defaults when there is no file."""

    schema: SchemaConfig = field(default_factory=SchemaConfig)
    path: str | None = None


# The test id form, so that a user may paste what the report shows.
_TEST_ID = re.compile(r"^test_(?P<kind>\w+)\[(?P<name>.+)\]$")


def _object_key(value: str) -> str:
    match = _TEST_ID.match(value.strip())
    return f"{match['kind']} {match['name']}" if match else value.strip()


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadConfig(f"{key} must be a list of strings")
    return tuple(value)


def _schema_config(data: dict[str, Any]) -> SchemaConfig:
    unknown = sorted(set(data) - {"exclude_schemas", "exclude_roles", "role_map", "accepted"})
    if unknown:
        raise BadConfig(f"[schema] has unknown key {unknown[0]!r}")
    role_map = data.get("role_map", {})
    if not isinstance(role_map, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in role_map.items()
    ):
        raise BadConfig('schema.role_map must map role names to role names: {source = "target"}')
    accepted = []
    for i, entry in enumerate(data.get("accepted", [])):
        if not isinstance(entry, dict) or not entry.get("object") or not entry.get("reason"):
            raise BadConfig(f"[[schema.accepted]] #{i + 1} needs both object and reason")
        accepted.append(Accepted(_object_key(str(entry["object"])), str(entry["reason"])))
    return SchemaConfig(
        exclude_schemas=_strings(data.get("exclude_schemas", []), "schema.exclude_schemas"),
        role_map=dict(role_map),
        accepted=tuple(accepted),
        exclude_roles=_strings(
            data.get("exclude_roles", list(SUPABASE_MANAGED_ROLES)), "schema.exclude_roles"
        ),
    )


def _read_toml(file: Path) -> dict[str, Any]:
    """The parsed file, or `BadConfig` naming it and what is wrong."""
    try:
        data: dict[str, Any] = tomllib.loads(file.read_text(encoding="utf-8"))
        return data
    except OSError as exc:
        raise BadConfig(f"cannot read config {file}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadConfig(f"config {file} is not valid TOML: {exc}") from None


def load_config(path: str | Path | None = None) -> Config:
    """Read pgcutover.toml: the given path (which must exist), else ./pgcutover.toml if
    present, else defaults. Raises `BadConfig` naming the file and what to fix."""
    if path is None:
        if not Path(CONFIG_FILE).is_file():
            return Config()
        path = CONFIG_FILE
    file = Path(path)
    schema = _read_toml(file).get("schema", {})
    if not isinstance(schema, dict):
        raise BadConfig(f"config {file}: [schema] must be a table")
    try:
        return Config(schema=_schema_config(schema), path=str(file))
    except BadConfig as exc:
        raise BadConfig(f"config {file}: {exc}") from None


def copy_section(path: str | None = None) -> dict[str, object]:
    """The [copy] table of pgcutover.toml (the given path, else ./pgcutover.toml if present).

    Keys the migrator reads: include_schema, exclude_schema (lists of names), jobs,
    supabase_roles ("create" or "skip"), split_mb, change_column (for sync). Flags
    given on the command line win over these.
    """
    file = path or (CONFIG_FILE if Path(CONFIG_FILE).is_file() else None)
    if file is None:
        return {}
    section = _read_toml(Path(file)).get("copy", {})
    if not isinstance(section, dict):
        raise BadConfig(f"{file}: [copy] must be a table")
    return dict(section)
