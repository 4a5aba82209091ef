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
