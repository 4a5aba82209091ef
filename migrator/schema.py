"""Schema transfer with pg_dump (custom format) and pg_restore: pre-data, then post-data.

Indexes, foreign keys and triggers belong to post-data, so they are built once
on loaded tables and no trigger fires during the load. Passwords go to the
programs through PGPASSWORD, never on their command line.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import psycopg

from migrator.tools import BinDir, newest_with
from pgcutover.errors import SchemaRestoreFailed, ToolMissing
from verify.catalog import Conn
from verify.connect import Endpoint
from verify.mask import scrub


def pick_dump_tools(source_major: int) -> BinDir:
    """The newest folder with pg_dump and pg_restore; refuses one older than the source."""
    return newest_with("pg_dump", "pg_restore", at_least=source_major)


def _run(tool: Path, args: list[str], endpoint: Endpoint, what: str) -> None:
    env = {**os.environ, **endpoint.libpq_env()}
    try:
        result = subprocess.run(
            [str(tool), *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
        )
    except OSError as exc:
        raise ToolMissing(f"{tool.name} could not run: {exc.strerror}") from None
    if result.returncode != 0:
        errors = [ln for ln in result.stderr.splitlines() if "error" in ln.lower()]
        first = scrub(
            errors[0] if errors else result.stderr.strip()[-300:], [endpoint.password or ""]
        )
        raise SchemaRestoreFailed(f"{what} failed: {first}")


def dump_schema(
    tools: BinDir, source: Endpoint, schemas: tuple[str, ...], path: Path, *, snapshot: str = ""
) -> None:
    """pg_dump the schema of `schemas` (no data) to `path` in custom format, as of `snapshot`."""
    args = [
        "--schema-only",
        *([f"--snapshot={snapshot}"] if snapshot else []),
        "--format=custom",
        f"--file={path}",
        "--no-publications",
        "--no-subscriptions",
        *[f"--schema={s}" for s in schemas],
        f"--dbname={source.conninfo_without_password()}",
    ]
    _run(tools.program("pg_dump"), args, source, "pg_dump of the source schema")


def _toc_without_schemas(tools: BinDir, dump: Path, existing: set[str], folder: Path) -> Path:
    """A pg_restore list file that leaves out CREATE SCHEMA for schemas the target has."""
    toc = subprocess.run(
        [str(tools.program("pg_restore")), "--list", str(dump)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
    ).stdout
    lines = []
    for line in toc.splitlines():
        parts = line.split()
        # "<id>; <catalog oid> <oid> SCHEMA - <name> <owner>"
        if len(parts) >= 6 and parts[3] == "SCHEMA" and parts[4] == "-" and parts[5] in existing:
            line = ";" + line
        lines.append(line)
    path = folder / "restore.list"
    path.write_text("\n".join(lines) + "\n")
    return path


def restore_script(
    tools: BinDir, dump: Path, section: str, *, target_major: int, existing_schemas: set[str]
) -> str:
    """The SQL pg_restore would run for `section`, fitted to the target's version.

    pg_restore writes the script and psycopg runs it, rather than `pg_restore -d`,
    because a newer pg_restore sets parameters an older server lacks
    (transaction_timeout exists from 17) and writes psql-only \\restrict lines.
    """
    toc = _toc_without_schemas(tools, dump, existing_schemas, dump.parent)
    result = subprocess.run(
        [
            str(tools.program("pg_restore")),
            f"--section={section}",
            "--no-owner",
            "--file=-",
            f"--use-list={toc}",
            str(dump),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise SchemaRestoreFailed(f"pg_restore {section} failed: {result.stderr.strip()[-300:]}")
    kept = []
    for line in result.stdout.splitlines():
        if line.startswith(("\\restrict", "\\unrestrict")):
            continue
        if target_major < 17 and line.startswith("SET transaction_timeout"):
            continue
        kept.append(line)
    return "\n".join(kept)


def apply_script(target: Conn, script: str, what: str) -> None:
    """Run a restore script on the target in one transaction: all of it or none."""
    try:
        with target.transaction():
            target.execute(script.encode())
    except psycopg.Error as exc:
        detail = (exc.diag.message_primary or str(exc)).strip().splitlines()[0]
        raise SchemaRestoreFailed(f"{what} failed on the target: {detail}") from None


def restore_section(
    tools: BinDir, dump: Path, target: Conn, section: str, *, drop_roles: tuple[str, ...] = ()
) -> list[str]:
    """Restore one section (pre-data or post-data) of the dump into the target.

    Grants and policies naming `drop_roles` are left out; the list of them is returned.
    """
    existing = {r[0] for r in target.execute("SELECT nspname FROM pg_namespace").fetchall()}
    script = restore_script(
        tools,
        dump,
        section,
        target_major=target.info.server_version // 10000,
        existing_schemas=existing,
    )
    script, dropped = drop_role_statements(script, drop_roles)
    apply_script(target, script, f"restoring {section}")
    return dropped


_GRANT = re.compile(
    r"^(?:ALTER DEFAULT PRIVILEGES .*?)?(?:GRANT|REVOKE) .* (?:TO|FROM) (?P<role>\S+?)"
    r"(?: WITH GRANT OPTION)?(?: GRANTED BY \S+)?;$"
)
_POLICY = re.compile(
    r"^CREATE POLICY (?P<name>\S+) ON (?P<table>\S+)(?: AS \w+)?(?: FOR \w+)? "
    r"TO (?P<roles>.+?)(?: USING| WITH CHECK|;)"
)


def _unquote(name: str) -> str:
    name = name.strip()
    return name[1:-1].replace('""', '"') if name.startswith('"') and name.endswith('"') else name


def drop_role_statements(script: str, roles: tuple[str, ...]) -> tuple[str, list[str]]:
    """Leave out the GRANTs, REVOKEs and policies of `script` that name any of `roles`.

    pg_dump writes one GRANT per grantee and line, and a policy from CREATE POLICY
    to the line ending in `;`. Returns the script and what was left out, for the list
    the user sees (`--supabase-roles skip` never drops silently).
    """
    if not roles:
        return script, []
    wanted = set(roles)
    kept: list[str] = []
    dropped: list[str] = []
    lines = iter(script.splitlines())
    for line in lines:
        grant = _GRANT.match(line)
        if grant and _unquote(grant["role"]) in wanted:
            dropped.append(line.rstrip(";"))
            continue
        policy = _POLICY.match(line)
        if policy and {_unquote(r) for r in policy["roles"].split(",")} & wanted:
            statement = line
            while not statement.rstrip().endswith(";"):
                statement = next(lines, ";")
            dropped.append(f"CREATE POLICY {policy['name']} ON {policy['table']}")
            continue
        kept.append(line)
    return "\n".join(kept), dropped
