"""Roles the plan creates on the target, with the source's attributes, and their memberships.

A created role gets every attribute that changes what the application may see or do
(BYPASSRLS, INHERIT or NOINHERIT, CREATEROLE, CREATEDB, CONNECTION LIMIT) and the
memberships that link it to roles the target has; LOGIN, the password, SUPERUSER and
REPLICATION are withheld (verify.plan.WITHHELD_ATTRIBUTES) and listed. What the target
refuses (a managed host may not let its user grant BYPASSRLS) is listed too, never
swallowed: the role contract then fails, naming what is missing.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from migrator import hooks
from verify.catalog import Conn
from verify.mask import error_line
from verify.plan import Plan, RoleAttributes, RolePlan

_FLAGS = (
    ("inherit", "INHERIT", "NOINHERIT"),
    ("createrole", "CREATEROLE", "NOCREATEROLE"),
    ("createdb", "CREATEDB", "NOCREATEDB"),
    ("bypassrls", "BYPASSRLS", "NOBYPASSRLS"),
)


def create_role_statement(name: str, attrs: RoleAttributes) -> sql.Composed:
    """CREATE ROLE ... NOLOGIN with the source's other attributes."""
    options: list[sql.Composable] = [sql.SQL("NOLOGIN")]
    options += [sql.SQL(on if getattr(attrs, flag) else off) for flag, on, off in _FLAGS]
    if attrs.connection_limit != -1:
        options.append(sql.SQL("CONNECTION LIMIT {}").format(sql.Literal(attrs.connection_limit)))
    return sql.SQL("CREATE ROLE {} {}").format(sql.Identifier(name), sql.SQL(" ").join(options))


def existing_roles(target: Conn) -> set[str]:
    """The names of every role on the target."""
    return {str(r[0]) for r in target.execute("SELECT rolname FROM pg_roles").fetchall()}


def _create_one(target: Conn, role: RolePlan) -> str | None:
    """Create `role`; None when done, else why the target refused an attribute.

    A refused attribute (BYPASSRLS needs a superuser before PostgreSQL 16) leaves the role
    created without it rather than not at all: grants to it must still restore.
    """
    try:
        with target.transaction():
            target.execute(create_role_statement(role.name, role.source))
        return None
    except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
        return None  # another session made it meanwhile: all we need
    except psycopg.errors.InsufficientPrivilege as exc:
        why = error_line(exc)
    with target.transaction():
        target.execute(
            create_role_statement(role.name, RoleAttributes(inherit=role.source.inherit))
        )
    return f"role {role.name}: created without its other attributes: {why}"


def _memberships(plan: Plan, created: set[str], existing: set[str]) -> list[tuple[str, str]]:
    """(group, member) pairs of the source to carry: one end created by this copy, both ends
    on the target."""
    pairs = set()
    for role in plan.roles:
        if role.name in created:
            pairs |= {(group, role.name) for group in role.source.member_of}
            pairs |= {(role.name, member) for member in role.source.members}
    return sorted((g, m) for g, m in pairs if g in existing and m in existing)


def create_roles(target: Conn, plan: Plan) -> tuple[list[str], list[str]]:
    """Create the plan's missing roles and carry their memberships.

    Returns (roles created, what the target refused), the latter as one line each.
    """
    existing = existing_roles(target)
    created: list[str] = []
    refused: list[str] = []
    for role in plan.created_roles:
        if role.name in existing:
            continue
        problem = _create_one(target, role)
        if problem:
            refused.append(problem)
        created.append(role.name)
        hooks.maybe_kill(hooks.kill_point(), "roles", str(len(created)))
    existing = existing_roles(target)
    for group, member in _memberships(plan, set(created), existing):
        try:
            with target.transaction():
                target.execute(
                    sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(member))
                )
        except psycopg.Error as exc:
            refused.append(f"membership {member} in {group}: {error_line(exc)}")
    return created, refused
