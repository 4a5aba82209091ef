"""Configuration: defaults, environment variables and pgcutover.toml.

A leaf: imports nothing of ours, so every room may read it.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, replace
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

# Roles Supabase runs its own services as (`--supabase-roles skip` leaves out what names
# them, with the API roles above).
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
class ScopeConfig:
    """[scope]: which schemas plan, copy, sync and verify take in or leave out (one setting
    for every verb, so what was copied is what is checked)."""

    include_schemas: tuple[str, ...] = ()
    exclude_schemas: tuple[str, ...] = ()


@dataclass(frozen=True)
class CopyConfig:
    """[copy]: how the copy runs."""

    jobs: int = 2
    supabase_roles: str = "create"  # or "skip"
    split_mb: float | None = None  # None: the migrator's default


@dataclass(frozen=True)
class SyncConfig:
    """[sync]: how sync finds changed rows."""

    change_column: str = "updated_at"


@dataclass(frozen=True)
class SchemaConfig:
    """[schema]: role names that differ by design, roles whose grants are not compared,
    accepted differences."""

    role_map: dict[str, str] = field(default_factory=dict)
    accepted: tuple[Accepted, ...] = ()
    exclude_roles: tuple[str, ...] = ()

    @property
    def ignored_grantees(self) -> frozenset[str]:
        """Grantees whose privileges are not compared: excluded and not mapped."""
        return frozenset(self.exclude_roles) - set(self.role_map)

    def accepted_reason(self, kind: str, name: str) -> str | None:
        """The reason an object's difference is accepted, or None."""
        wanted = f"{kind} {name}"
        return next((a.reason for a in self.accepted if a.object == wanted), None)


@dataclass(frozen=True)
class QueriesConfig:
    """[queries]: the folder of the application's queries (none: no query contracts)."""

    dir: str | None = None


@dataclass(frozen=True)
class MaskConfig:
    """[mask]: columns holding personal data beyond those detected by name."""

    personal_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutOfScope:
    """A personal-data table that deliberately does not move: reported as accepted, with the
    reason (e.g. storage.objects whose files went to another object store)."""

    table: str  # schema.name
    reason: str


@dataclass(frozen=True)
class ResidencyConfig:
    """[residency]: personal-data tables and columns beyond those detected, tables out of
    scope (with reasons), and whether the source must hold no personal rows any more."""

    tables: tuple[str, ...] = ()  # schema.name
    personal_columns: tuple[str, ...] = ()  # schema.table.column, or a bare column name
    out_of_scope: tuple[OutOfScope, ...] = ()
    source_must_be_empty: bool = False

    def out_of_scope_reason(self, table: str) -> str | None:
        """Why a table is declared out of scope, or None."""
        return next((o.reason for o in self.out_of_scope if o.table == table), None)


@dataclass(frozen=True)
class OperationalConfig:
    """[operational]: how the application will use the target."""

    app_role: str | None = None  # the target role the application connects as (default: URL's user)
    source_app_role: str | None = None  # the role it used on the source (default: app_role)
    migrations_table: str | None = None  # schema.table (default: a schema_migrations found)
    max_round_trip_ms: float = 100.0
    require_tls: bool = False  # also required when the target URL says sslmode=require


@dataclass(frozen=True)
class AppConfig:
    """[app]: the application's code, for code readiness."""

    dir: str | None = None
    # Modules of the project that wrap the Supabase client (import specifiers or dotted
    # names, matched by their end: "lib/supabase", "app.db.supabase_client").
    wrappers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiConfig:
    """[api]: the optional Supabase API spot check."""

    schemas: tuple[str, ...] = ("public",)  # the schemas the project's API exposes
    sample_rows: int = 20


@dataclass(frozen=True)
class Config:
    """Everything pgcutover.toml can say, with defaults when there is no file."""

    scope: ScopeConfig = field(default_factory=ScopeConfig)
    copy: CopyConfig = field(default_factory=CopyConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    schema: SchemaConfig = field(default_factory=SchemaConfig)
    queries: QueriesConfig = field(default_factory=QueriesConfig)
    mask: MaskConfig = field(default_factory=MaskConfig)
    residency: ResidencyConfig = field(default_factory=ResidencyConfig)
    operational: OperationalConfig = field(default_factory=OperationalConfig)
    app: AppConfig = field(default_factory=AppConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    path: str | None = None


# The test id form, so that a user may paste what the report shows.
_TEST_ID = re.compile(r"^test_(?P<kind>\w+)\[(?P<name>.+)\]$")

# Keys that moved, so an old file gets a pointer rather than "unknown key".
_MOVED = {
    ("copy", "include_schema"): "[scope] include_schemas",
    ("copy", "exclude_schema"): "[scope] exclude_schemas",
    ("schema", "exclude_schemas"): "[scope] exclude_schemas",
    ("copy", "change_column"): "[sync] change_column",
}


def _object_key(value: str) -> str:
    match = _TEST_ID.match(value.strip())
    return f"{match['kind']} {match['name']}" if match else value.strip()


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadConfig(f"{where} must be a list of strings")
    return tuple(value)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadConfig(f"{where} must be a non-empty string")
    return value


def _whole(value: Any, where: str, *, at_least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < at_least:
        raise BadConfig(f"{where} must be a whole number of at least {at_least}, not {value!r}")
    return value


def _positive(value: Any, where: str, *, unit: str = "megabytes") -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise BadConfig(f"{where} must be a number of {unit} above 0, not {value!r}")
    return float(value)


def _role_map(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise BadConfig(f'{where} must map role names to role names: {{source = "target"}}')
    return dict(value)


def _accepted(value: Any, where: str) -> tuple[Accepted, ...]:
    if not isinstance(value, list):
        raise BadConfig(f"{where} must be an array of tables: [[schema.accepted]]")
    found = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or not entry.get("object") or not entry.get("reason"):
            raise BadConfig(f"[[schema.accepted]] #{i + 1} needs both object and reason")
        unknown = sorted(set(entry) - {"object", "reason"})
        if unknown:
            raise BadConfig(f"[[schema.accepted]] #{i + 1} has unknown key {unknown[0]!r}")
        found.append(Accepted(_object_key(str(entry["object"])), str(entry["reason"])))
    return tuple(found)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise BadConfig(f"{where} must be true or false, not {value!r}")
    return value


def _out_of_scope(value: Any, where: str) -> tuple[OutOfScope, ...]:
    if not isinstance(value, list):
        raise BadConfig(f"{where} must be an array of tables: [[residency.out_of_scope]]")
    found = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or not entry.get("table") or not entry.get("reason"):
            raise BadConfig(f"[[residency.out_of_scope]] #{i + 1} needs both table and reason")
        unknown = sorted(set(entry) - {"table", "reason"})
        if unknown:
            raise BadConfig(f"[[residency.out_of_scope]] #{i + 1} has unknown key {unknown[0]!r}")
        found.append(OutOfScope(str(entry["table"]).strip(), str(entry["reason"])))
    return tuple(found)


def _choice(*allowed: str) -> Any:
    def check(value: Any, where: str) -> str:
        if value not in allowed:
            raise BadConfig(f"{where} must be one of {', '.join(allowed)}, not {value!r}")
        return str(value)

    return check


# Every section and key pgcutover.toml may hold, each with the function that checks it.
# Other tools' sections are refused too: a typo must never be ignored silently.
_SECTIONS: dict[str, tuple[type, dict[str, Any]]] = {
    "scope": (ScopeConfig, {"include_schemas": _strings, "exclude_schemas": _strings}),
    "copy": (
        CopyConfig,
        {
            "jobs": lambda v, w: _whole(v, w, at_least=1),
            "supabase_roles": _choice("create", "skip"),
            "split_mb": _positive,
        },
    ),
    "sync": (SyncConfig, {"change_column": _string}),
    "schema": (
        SchemaConfig,
        {"role_map": _role_map, "accepted": _accepted, "exclude_roles": _strings},
    ),
    "queries": (QueriesConfig, {"dir": _string}),
    "mask": (MaskConfig, {"personal_columns": _strings}),
    "residency": (
        ResidencyConfig,
        {
            "tables": _strings,
            "personal_columns": _strings,
            "out_of_scope": _out_of_scope,
            "source_must_be_empty": _flag,
        },
    ),
    "operational": (
        OperationalConfig,
        {
            "app_role": _string,
            "source_app_role": _string,
            "migrations_table": _string,
            "max_round_trip_ms": lambda v, w: _positive(v, w, unit="milliseconds"),
            "require_tls": _flag,
        },
    ),
    "app": (AppConfig, {"dir": _string, "wrappers": _strings}),
    "api": (
        ApiConfig,
        {"schemas": _strings, "sample_rows": lambda v, w: _whole(v, w, at_least=1)},
    ),
}


def _section(name: str, data: Any) -> Any:
    """One section's dataclass from its TOML table, every key checked."""
    kind, checks = _SECTIONS[name]
    if not isinstance(data, dict):
        raise BadConfig(f"[{name}] must be a table")
    values = {}
    for key, value in data.items():
        if (name, key) in _MOVED:
            raise BadConfig(f"[{name}] {key} is now {_MOVED[(name, key)]}")
        if key not in checks:
            raise BadConfig(
                f"[{name}] has unknown key {key!r} (known: {', '.join(sorted(checks))})"
            )
        values[key] = checks[key](value, f"{name}.{key}")
    return kind(**values)


def parse_config(data: dict[str, Any]) -> Config:
    """A Config from parsed TOML; raises `BadConfig` naming the section and key to fix."""
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise BadConfig(
            f"unknown section [{unknown[0]}] (known: {', '.join(f'[{s}]' for s in _SECTIONS)})"
        )
    return Config(**{name: _section(name, table) for name, table in data.items()})


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
    present, else defaults. Raises `BadConfig` naming the file, section and key to fix."""
    if path is None:
        if not Path(CONFIG_FILE).is_file():
            return Config()
        path = CONFIG_FILE
    file = Path(path)
    data = _read_toml(file)  # its errors name the file already
    try:
        config = parse_config(data)
    except BadConfig as exc:
        raise BadConfig(f"config {file}: {exc}") from None
    return replace(config, path=str(file))
