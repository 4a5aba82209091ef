"""Schema transfer with pg_dump (custom format) and pg_restore: pre-data, then post-data.

Indexes, foreign keys and triggers belong to post-data, so they are built once
on loaded tables and no trigger fires during the load. Passwords go to the
programs through a private passfile (verify.connect.libpq_login), never on their
command line.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from migrator.tools import BinDir, newest_with
from pgcutover.errors import SchemaRestoreFailed, ToolMissing
from verify.catalog import Conn
from verify.connect import Endpoint, libpq_login
from verify.mask import error_line, scrub
from verify.plan import Plan


def pick_dump_tools(source_major: int) -> BinDir:
    """The newest folder with pg_dump and pg_restore; refuses one older than the source."""
    return newest_with("pg_dump", "pg_restore", at_least=source_major)


# pg_dump's session on the source is read-only like every other (pg_dump itself only reads
# in a READ ONLY transaction; this makes the session say so too) and names itself as ours.
SOURCE_SESSION = {
    "PGOPTIONS": "-c default_transaction_read_only=on",
    "PGAPPNAME": "pgcutover-source",
}


def _run(
    tool: Path, args: list[str], endpoint: Endpoint, what: str, *, session: dict[str, str]
) -> None:
    """Run a libpq program logged in as `endpoint` (its password in a passfile), with the
    session settings given (PGOPTIONS adds to the user's own)."""
    try:
        with libpq_login(endpoint) as env:
            options = " ".join(o for o in (env.get("PGOPTIONS"), session.get("PGOPTIONS")) if o)
            result = subprocess.run(
                [str(tool), *args],
                capture_output=True,
                text=True,
                env={**env, **session, **({"PGOPTIONS": options} if options else {})},
                stdin=subprocess.DEVNULL,
            )
    except OSError as exc:
        raise ToolMissing(f"{tool.name} could not run: {exc.strerror}") from None
    if result.returncode != 0:
        errors = [ln for ln in result.stderr.splitlines() if "error" in ln.lower()]
        first = scrub(
            errors[0] if errors else result.stderr.strip()[-300:], [endpoint.password or ""]
        )
        raise SchemaRestoreFailed(f"{what} failed: {first}")


def dump_pattern(name: str) -> str:
    """A pg_dump name pattern matching exactly `name` (quoted: case, spaces, dots and
    wildcard characters are taken literally)."""
    return '"' + name.replace('"', '""') + '"'


def dump_schema(
    tools: BinDir,
    source: Endpoint,
    schemas: tuple[str, ...],
    path: Path,
    *,
    extensions: tuple[str, ...] = (),
    snapshot: str = "",
) -> None:
    """pg_dump the schema of `schemas` (no data) to `path` in custom format, as of `snapshot`.

    Naming the extensions too (`--extension`) brings CREATE EXTENSION, in its schema after
    that schema is created with its owner, and the privileges granted on their member
    objects (EXECUTE on extensions.gen_random_bytes to anon), which a per-schema dump
    leaves behind.
    """
    args = [
        "--schema-only",
        *([f"--snapshot={snapshot}"] if snapshot else []),
        "--format=custom",
        f"--file={path}",
        "--no-publications",
        "--no-subscriptions",
        *[f"--schema={dump_pattern(s)}" for s in schemas],
        *[f"--extension={dump_pattern(e)}" for e in extensions],
        f"--dbname={source.conninfo_without_password()}",
    ]
    _run(
        tools.program("pg_dump"),
        args,
        source,
        "pg_dump of the source schema",
        session=SOURCE_SESSION,
    )


def restore_script(tools: BinDir, dump: Path, section: str, *, target_major: int) -> str:
    """The SQL pg_restore would run for `section`, fitted to the target's version.

    pg_restore writes the script and psycopg runs it, rather than `pg_restore -d`,
    because a newer pg_restore sets parameters an older server lacks
    (transaction_timeout exists from 17) and writes psql-only \\restrict lines. A schema
    the target already has (public, always) is kept, not created, and still gets the
    source's owner and comment.
    """
    result = subprocess.run(
        [str(tools.program("pg_restore")), f"--section={section}", "--file=-", str(dump)],
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
        if line.startswith("CREATE SCHEMA ") and not line.startswith("CREATE SCHEMA IF NOT"):
            line = "CREATE SCHEMA IF NOT EXISTS " + line.removeprefix("CREATE SCHEMA ")
        kept.append(line)
    return "\n".join(kept)


def apply_script(target: Conn, script: str, what: str) -> None:
    """Run a restore script on the target in one transaction: all of it or none."""
    try:
        with target.transaction():
            target.execute(script.encode())
    except psycopg.Error as exc:
        raise SchemaRestoreFailed(f"{what} failed on the target: {error_line(exc)}") from None


@dataclass
class Restored:
    """What fitting a section to the plan left out, and what the target could not take."""

    dropped: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def restore_section(
    tools: BinDir, dump: Path, target: Conn, section: str, *, plan: Plan
) -> Restored:
    """Restore one section (pre-data or post-data) of the dump into the target, fitted to
    the plan (see `fit_script`); run inside the caller's transaction."""
    script = restore_script(tools, dump, section, target_major=target.info.server_version // 10000)
    script, dropped = fit_script(script, plan)
    homes = {e.schema for e in plan.extensions_to_create}
    script, member_grants = split_extension_grants(script, homes)
    apply_script(target, script, f"restoring {section}")
    return Restored(dropped, apply_each(target, member_grants))


_NAME = r'(?:"(?:[^"]|"")+"|[^\s.;,"(]+)'
_ACL_ON = re.compile(
    rf"^(?:GRANT|REVOKE) .+? ON (?:FUNCTION|PROCEDURE|TABLE|SEQUENCE) (?P<schema>{_NAME})\."
)


def split_extension_grants(script: str, schemas: set[str]) -> tuple[str, list[str]]:
    """Take out the privileges given on objects in the extensions' schemas, to apply one by one.

    A target of another major version may create a newer extension whose functions have
    other signatures (pg_stat_statements_reset gained an argument in 17): a grant on the
    old signature must not sink the whole restore.
    """
    if not schemas:
        return script, []
    kept, taken = [], []
    for line in script.splitlines():
        acl = _ACL_ON.match(line)
        if acl and _unquote(acl["schema"]) in schemas:
            taken.append(line)
        else:
            kept.append(line)
    return "\n".join(kept), taken


def apply_each(target: Conn, statements: list[str]) -> list[str]:
    """Run each statement in its own savepoint; one whose object the target's extension lacks
    is listed, not fatal. Returns the list (one line each)."""
    refused = []
    for statement in statements:
        try:
            with target.transaction():
                target.execute(statement.encode())
        except (psycopg.errors.UndefinedFunction, psycopg.errors.UndefinedTable) as exc:
            refused.append(
                f"{statement.rstrip(';')}: {error_line(exc)} (the target's extension differs)"
            )
        except psycopg.Error as exc:
            raise SchemaRestoreFailed(
                f"restoring privileges failed on the target: {error_line(exc)}"
            ) from None
    return refused


_ROLE = r'(?:"(?:[^"]|"")+"|[^\s;,"]+)'
_OWNER = re.compile(rf"^ALTER .+ OWNER TO (?P<role>{_ROLE});$")
_DEFAULT_FOR = re.compile(rf"^ALTER DEFAULT PRIVILEGES FOR ROLE (?P<role>{_ROLE}) ")
_GRANT = re.compile(
    rf"^(?:ALTER DEFAULT PRIVILEGES .*?)?(?:GRANT|REVOKE) .* (?:TO|FROM) (?P<role>{_ROLE})"
    rf"(?: WITH GRANT OPTION)?(?: GRANTED BY {_ROLE})?;$"
)
_POLICY = re.compile(
    r"^CREATE POLICY (?P<name>\S+) ON (?P<table>\S+)(?: AS \w+)?(?: FOR \w+)? "
    r"TO (?P<roles>.+?)(?: USING| WITH CHECK|;)"
)


def _unquote(name: str) -> str:
    name = name.strip()
    return name[1:-1].replace('""', '"') if name.startswith('"') and name.endswith('"') else name


def fit_script(script: str, plan: Plan) -> tuple[str, list[str]]:
    """The restore script as the plan decided: owner changes kept only where the role owns
    its objects on the target (else the target's user keeps them), default privileges of
    roles the target lacks left out, and grants, policies and default privileges naming a
    skipped role left out. Returns the script and what was left out (never silently).

    pg_dump writes one statement per line for these (a policy runs to the line ending in
    `;`), and quotes role names that need it.
    """
    mapped = set(plan.owner_map)
    skipped = set(plan.skipped_roles)
    gone = plan.roles_left_out
    kept: list[str] = []
    dropped: list[str] = []
    lines = iter(script.splitlines())
    for line in lines:
        owner = _OWNER.match(line)
        if owner and _unquote(owner["role"]) in mapped:
            continue  # the object stays with the target's user: listed by the plan, per role
        default_for = _DEFAULT_FOR.match(line)
        if default_for and _unquote(default_for["role"]) in gone:
            dropped.append(line.rstrip(";"))
            continue
        grant = _GRANT.match(line)
        if grant and _unquote(grant["role"]) in skipped:
            dropped.append(line.rstrip(";"))
            continue
        policy = _POLICY.match(line)
        if policy and {_unquote(r) for r in policy["roles"].split(",")} & skipped:
            statement = line
            while not statement.rstrip().endswith(";"):
                statement = next(lines, ";")
            dropped.append(f"CREATE POLICY {policy['name']} ON {policy['table']}")
            continue
        kept.append(line)
    return "\n".join(kept), dropped
