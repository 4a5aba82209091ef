"""Configuration: defaults, environment variables and (later) pgcutover.toml.

A leaf: imports nothing of ours, so every room may read it.
"""

from __future__ import annotations

import os

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

# Our own bookkeeping on the target: never compared, never copied.
TOOL_SCHEMA = "pgcutover"


def is_supabase_managed(schema: str) -> bool:
    """Whether Supabase, not the application, owns this schema."""
    return schema in SUPABASE_MANAGED_SCHEMAS or schema.startswith(SUPABASE_MANAGED_PREFIXES)


def url_from_env(role: str) -> str | None:
    """PGCUTOVER_SOURCE_URL or PGCUTOVER_TARGET_URL, for role "source" or "target"."""
    return os.environ.get(ENV_SOURCE_URL if role == "source" else ENV_TARGET_URL) or None


CONFIG_FILE = "pgcutover.toml"


def copy_section(path: str | None = None) -> dict[str, object]:
    """The [copy] table of pgcutover.toml (the given path, else ./pgcutover.toml if present).

    Keys the migrator reads: include_schema, exclude_schema (lists of names), jobs,
    supabase_roles ("create" or "skip"), split_mb, change_column (for sync). Flags
    given on the command line win over these.
    """
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    file = path or (CONFIG_FILE if os.path.exists(CONFIG_FILE) else None)
    if file is None:
        return {}
    try:
        with open(file, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ValueError(f"cannot read {file}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{file} is not valid TOML: {exc}") from None
    section = data.get("copy", {})
    if not isinstance(section, dict):
        raise ValueError(f"{file}: [copy] must be a table")
    return dict(section)
