"""The plan: what moves, what stays on the source, and how roles and owners are handled.

One function, `build_plan`, decides it from the source, the target and the user's
choices, for every verb: `plan` prints it, `copy` carries it out and records it on
the target, `sync` follows its scope, and `verify` checks exactly what it moved and
lists every difference it made on purpose (an owner mapped, a role created NOLOGIN,
a schema left behind) as accepted, with its reason. It lives here, below both the
copier and the checker, so the checker never imports what it checks.

The rules (DESIGN.md, "Migrator"):
- Scope: user schemas move; a schema Supabase manages moves only when an object that
  moves depends on it (then whole); the rest stay on the source and are listed.
- Roles that in-scope objects name as grantee, in a policy or in default privileges are
  created on the target when missing (NOLOGIN, no password, no SUPERUSER or REPLICATION;
  every other attribute as on the source), or with `supabase_roles = "skip"` the grants
  and policies naming them are left out and listed.
- Owners stay where the owner role exists on the target (or is created) and the target's
  user may act as it, as pg_restore does; else the target's user owns the objects, listed.
- Extensions are recreated with CREATE EXTENSION; Supabase's platform extensions, which a
  plain host cannot have, stay behind unless something that moves depends on one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgcutover.config import (
    SUPABASE_API_ROLES,
    SUPABASE_MANAGED_ROLES,
    TOOL_SCHEMA,
    is_supabase_managed,
)
from pgcutover.errors import ScopeConflict, UnknownSchema
from verify.catalog import Conn, fetch_all

PLAN_FORMAT = 1

# Roles Supabase's API and services use; `supabase_roles = "skip"` leaves out what names them.
SUPABASE_ROLES: frozenset[str] = frozenset(SUPABASE_API_ROLES + SUPABASE_MANAGED_ROLES)

# Extensions only Supabase's platform provides: a plain PostgreSQL host cannot create them.
# They stay behind (listed) unless an object that moves depends on one.
SUPABASE_PLATFORM_EXTENSIONS: frozenset[str] = frozenset(
    {
        "pg_graphql",
        "pg_net",
        "pgsodium",
        "supabase_vault",
        "pgjwt",
        "pg_tle",
        "wrappers",
        "supautils",
        "pg_jsonschema",
        "index_advisor",
        "pg_hashids",
        "pgmq",
    }
)

# Attributes a created role never gets: logging in needs a password the source cannot give
# (and the operator should choose); superuser and replication are the host's to grant.
WITHHELD_ATTRIBUTES: tuple[str, ...] = ("login", "superuser", "replication")

STORAGE_NOTE = "Supabase Storage files are not in the database: move them separately"


@dataclass(frozen=True)
class RoleAttributes:
    """What a role may do, as the catalog says (one side)."""

    superuser: bool = False
    login: bool = False
    inherit: bool = True
    createrole: bool = False
    createdb: bool = False
    replication: bool = False
    bypassrls: bool = False
    connection_limit: int = -1
    member_of: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()  # ALTER ROLE ... SET, 'name=value'
    database_settings: tuple[str, ...] = ()  # ALTER ROLE ... IN DATABASE ... SET


@dataclass(frozen=True)
class RolePlan:
    """One role that objects in scope name, and what the plan does about it.

    action: "present" (the target has it), "create" (the copy creates it), "skip"
    (`supabase_roles = "skip"`: grants and policies naming it are left out), or
    "absent" (only owns objects; the target lacks it, so its objects are re-owned).
    """

    name: str
    named_by: tuple[str, ...]
    action: str
    owner_on_target: str  # who owns its objects on the target: itself or the target's user
    source: RoleAttributes = field(default_factory=RoleAttributes)
    withheld: tuple[str, ...] = ()  # attributes a created role does not get

    @property
    def owns(self) -> bool:
        """Whether the role owns objects in scope."""
        return "owner" in self.named_by

    @property
    def owner_mapped(self) -> bool:
        """Whether its objects are owned by another role on the target."""
        return self.owns and self.owner_on_target != self.name


@dataclass(frozen=True)
class ExtensionPlan:
    """An extension of the source: recreated on the target, or left behind with a reason."""

    name: str
    schema: str
    version: str
    action: str  # "create", "skip" or "present" (built in, such as plpgsql)
    used: bool  # an object that moves depends on it
    reason: str = ""


@dataclass(frozen=True)
class LeftBehind:
    """A schema that stays on the source, with what it holds."""

    schema: str
    reason: str
    tables: int = 0
    rows: int = 0
    rows_exact: bool = True
    policies: int = 0
    note: str = ""

    def describe(self) -> str:
        """'storage: 3 tables, 750 rows, 3 policies stay on the source (reason)'."""
        rows = f"{self.rows}" if self.rows_exact else f"~{self.rows}"
        what = f"{self.tables} tables, {rows} rows, {self.policies} policies"
        note = f"; {self.note}" if self.note else ""
        return f"{self.schema}: {what} stay on the source ({self.reason}){note}"


@dataclass(frozen=True)
class MatView:
    """A materialized view that moves: refreshed after the data when the source's holds data."""

    schema: str
    name: str
    populated: bool
    reads: tuple[str, ...] = ()  # materialized views it reads (refreshed before it)

    @property
    def qualified(self) -> str:
        """schema.name."""
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class PlanOptions:
    """The user's choices that shape a plan (flags, or pgcutover.toml)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    supabase_roles: str = "create"  # or "skip"


@dataclass(frozen=True)
class Plan:
    """What moves, what stays and why, and what the copy does about roles and owners."""

    schemas: tuple[str, ...]
    left_behind: tuple[LeftBehind, ...]
    roles: tuple[RolePlan, ...]
    extensions: tuple[ExtensionPlan, ...]
    matviews: tuple[MatView, ...]  # refresh order
    target_user: str
    options: PlanOptions = field(default_factory=PlanOptions)
    # Filled in by the copy that carried the plan out (recorded on the target):
    dropped: tuple[str, ...] = ()  # grants and policies left out (supabase_roles = "skip")
    refused: tuple[str, ...] = ()  # role settings and memberships the target refused
    recorded: bool = False

    def role(self, name: str) -> RolePlan | None:
        """The plan for one role, if objects in scope name it."""
        return next((r for r in self.roles if r.name == name), None)

    @property
    def owner_map(self) -> dict[str, str]:
        """Source owner -> the role that owns its objects on the target, where they differ."""
        return {r.name: r.owner_on_target for r in self.roles if r.owner_mapped}

    @property
    def skipped_roles(self) -> tuple[str, ...]:
        """Roles whose grants and policies are left out."""
        return tuple(r.name for r in self.roles if r.action == "skip")

    @property
    def roles_left_out(self) -> frozenset[str]:
        """Roles the target will not have (absent there, or skipped): what they own belongs
        to the target's user, what names them is left out."""
        return frozenset(r.name for r in self.roles if r.action in ("absent", "skip"))

    @property
    def created_roles(self) -> tuple[RolePlan, ...]:
        """Roles the copy creates."""
        return tuple(r for r in self.roles if r.action == "create")

    @property
    def extensions_to_create(self) -> tuple[ExtensionPlan, ...]:
        """Extensions the copy creates on the target."""
        return tuple(e for e in self.extensions if e.action == "create")

    def left_behind_schema(self, name: str) -> LeftBehind | None:
        """The record of a schema that stays on the source, if it does."""
        return next((s for s in self.left_behind if s.schema == name), None)


# ---------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------


def _closure(start: set[str], edges: Iterable[tuple[str, str]], allowed: set[str]) -> set[str]:
    """`start` plus every allowed schema reachable from it through dependencies."""
    depends: dict[str, set[str]] = {}
    for src, dst in edges:
        depends.setdefault(src, set()).add(dst)
    found, todo = set(start), list(start)
    while todo:
        for dep in depends.get(todo.pop(), ()):
            if dep in allowed and dep not in found:
                found.add(dep)
                todo.append(dep)
    return found


def source_schemas(conn: Conn) -> tuple[str, ...]:
    """Every schema of a database but PostgreSQL's own and ours (TOOL_SCHEMA)."""
    return tuple(r["name"] for r in fetch_all(conn, "plan_schemas") if r["name"] != TOOL_SCHEMA)


def user_schemas(conn: Conn) -> tuple[str, ...]:
    """The schemas of a database that are the application's (not PostgreSQL's, not
    Supabase's, not ours)."""
    return tuple(s for s in source_schemas(conn) if not is_supabase_managed(s))


def decide_scope(conn: Conn, options: PlanOptions) -> tuple[tuple[str, ...], dict[str, str]]:
    """(schemas that move, {schema left behind: reason}).

    User schemas and those the user includes move; every schema they depend on moves too
    (whole), unless the user excluded it; so does a schema holding an extension that is not
    one of Supabase's platform ones (Supabase's `extensions`: the application calls
    pgcrypto or uuid-ossp from function bodies and through its search_path, which no
    catalog dependency records); Supabase's other schemas stay behind.
    """
    names = source_schemas(conn)
    unknown = sorted((set(options.include) | set(options.exclude)) - set(names))
    if unknown:
        raise UnknownSchema(
            f"schema {unknown[0]!r} (in --include-schema/--exclude-schema or [scope]) does not "
            "exist on the source"
        )
    excluded = set(options.exclude)
    user = {n for n in names if not is_supabase_managed(n)}
    start = (user | set(options.include) | _extension_homes(conn)) & set(names)
    edges = [
        (r["from_schema"], r["to_schema"])
        for r in fetch_all(conn, "schema_dependencies")
        if r["from_schema"] and r["to_schema"] and r["from_schema"] != r["to_schema"]
    ]
    moving = _closure(start - excluded, edges, set(names) - excluded)
    needed = {(src, dst) for src, dst in edges if src in moving and dst in excluded}
    if needed:
        src, dst = sorted(needed)[0]
        raise ScopeConflict(
            f"{src} depends on {dst}, which is excluded: a copy without it could not restore "
            f"(foreign keys, types, defaults); move {dst} too, or exclude {src} as well"
        )
    left: dict[str, str] = {}
    for name in names:
        if name in excluded:
            left[name] = "excluded by --exclude-schema or [scope] exclude_schemas"
        elif name not in moving:
            left[name] = "Supabase-managed, nothing of the application depends on it"
    return tuple(sorted(moving)), dict(sorted(left.items()))


def _extension_homes(conn: Conn) -> set[str]:
    """Schemas holding an extension a plain host can also create (not a platform one)."""
    return {
        r["schema"]
        for r in fetch_all(conn, "schema_extensions")
        if r["schema"] != "pg_catalog" and r["name"] not in SUPABASE_PLATFORM_EXTENSIONS
    }


_EXACT_COUNT_BYTES = 64 * 1024 * 1024


def describe_left_behind(conn: Conn, left: dict[str, str]) -> tuple[LeftBehind, ...]:
    """Each schema left behind with its tables, rows (exact for tables under 64 MB, else the
    planner's estimate) and policies."""
    found: dict[str, dict[str, Any]] = {
        s: {"tables": 0, "rows": 0, "exact": True, "pol": 0} for s in left
    }
    for r in fetch_all(conn, "left_behind", schemas=list(left)):
        entry = found[r["schema"]]
        entry["tables"] += 1
        entry["pol"] += int(r["policies"])
        if not r["holds_rows"]:
            continue
        if r["bytes"] <= _EXACT_COUNT_BYTES:
            query = sql.SQL("SELECT count(*) FROM ONLY {}").format(
                sql.Identifier(r["schema"], r["name"])
            )
            try:
                with conn.transaction():
                    row = conn.execute(query).fetchone()
                entry["rows"] += int(row[0]) if row else 0
                continue
            except psycopg.errors.InsufficientPrivilege:
                pass  # a table the source's user may not read: its estimate stands in
        entry["rows"] += int(r["est_rows"])
        entry["exact"] = False
    return tuple(
        LeftBehind(
            schema=name,
            reason=left[name],
            tables=e["tables"],
            rows=e["rows"],
            rows_exact=e["exact"],
            policies=e["pol"],
            note=STORAGE_NOTE if name == "storage" and e["rows"] else "",
        )
        for name, e in found.items()
    )


# ---------------------------------------------------------------------------------------
# Roles, owners, extensions, materialized views
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetFacts:
    """What the target offers: its user, its roles (and whether the user may act as each),
    the extensions it can create (name -> installed version or None)."""

    user: str
    superuser: bool
    roles: dict[str, bool]
    extensions: dict[str, str | None]

    def can_own_as(self, role: str) -> bool:
        """Whether the target's user may make `role` the owner of an object."""
        return self.superuser or self.roles.get(role, False)


def read_target_facts(conn: Conn) -> TargetFacts:
    """The target's user, roles and available extensions."""
    row = fetch_all(conn, "target_facts")[0]
    return TargetFacts(
        user=row["user_name"],
        superuser=bool(row["superuser"]),
        roles=dict(row["roles"]),
        extensions=dict(row["extensions"]),
    )


def read_role_attributes(conn: Conn, roles: Iterable[str]) -> dict[str, RoleAttributes]:
    """Attributes, memberships and settings of the named roles that exist here."""
    found = {}
    for r in fetch_all(conn, "role_attributes", roles=sorted(set(roles))):
        name = r.pop("name")
        found[name] = _role_attributes(r)
    return found


def _role_attributes(data: dict[str, Any]) -> RoleAttributes:
    """RoleAttributes from a catalog row or its JSON record (lists become tuples)."""
    return RoleAttributes(
        superuser=bool(data["superuser"]),
        login=bool(data["login"]),
        inherit=bool(data["inherit"]),
        createrole=bool(data["createrole"]),
        createdb=bool(data["createdb"]),
        replication=bool(data["replication"]),
        bypassrls=bool(data["bypassrls"]),
        connection_limit=int(data["connection_limit"]),
        member_of=tuple(data["member_of"]),
        members=tuple(data["members"]),
        settings=tuple(data["settings"]),
        database_settings=tuple(data["database_settings"]),
    )


def _withheld(attrs: RoleAttributes) -> tuple[str, ...]:
    return tuple(a for a in WITHHELD_ATTRIBUTES if getattr(attrs, a))


def decide_roles(
    source: Conn, schemas: tuple[str, ...], target: TargetFacts, supabase_roles: str
) -> tuple[RolePlan, ...]:
    """What happens to each role that objects in scope name (see the module's rules)."""
    named = {
        r["name"]: tuple(r["named_by"])
        for r in fetch_all(source, "plan_roles", schemas=list(schemas))
    }
    attributes = read_role_attributes(source, named)
    plans = []
    for name, how in sorted(named.items()):
        present = name in target.roles
        only_owner = set(how) == {"owner"}
        skip = supabase_roles == "skip" and (name in SUPABASE_ROLES or not present)
        if present:
            action = "skip" if skip else "present"
        elif only_owner:
            action = "absent"
        else:
            action = "skip" if skip else "create"
        will_exist = present or action == "create"
        keeps_owner = will_exist and (
            target.can_own_as(name) or (action == "create" and target.superuser)
        )
        if name == target.user:
            keeps_owner = True
        attrs = attributes.get(name, RoleAttributes())
        plans.append(
            RolePlan(
                name=name,
                named_by=how,
                action=action,
                owner_on_target=name if keeps_owner else target.user,
                source=attrs,
                withheld=_withheld(attrs) if action == "create" else (),
            )
        )
    return tuple(plans)


def decide_extensions(
    source: Conn, schemas: tuple[str, ...], target: TargetFacts
) -> tuple[ExtensionPlan, ...]:
    """Each source extension: recreated, or left behind with the reason.

    plpgsql (pg_catalog) is built in: compared, never created. An extension in a
    schema that stays behind stays with it; a Supabase platform extension that nothing
    moving depends on stays behind; every other one in a moving schema is created (and a
    target that cannot create it stops the copy before anything is written).
    """
    found = []
    for r in fetch_all(source, "plan_extensions", schemas=list(schemas)):
        name, schema, used = r["name"], r["schema"], bool(r["used"])
        if schema == "pg_catalog":
            action, reason = "present", "built in (pg_catalog): every server has it"
        elif name in SUPABASE_PLATFORM_EXTENSIONS and not used:
            action = "skip"
            reason = "a Supabase platform extension nothing of the application uses"
        elif schema not in schemas and not used:
            action, reason = "skip", f"its schema {schema} stays on the source"
        else:
            action, reason = "create", ""
        found.append(ExtensionPlan(name, schema, r["version"], action, used, reason))
    return tuple(found)


def refresh_order(views: list[MatView]) -> list[MatView]:
    """Materialized views ordered so each comes after those it reads (a cycle: name order)."""
    by_name = {v.qualified: v for v in views}
    ordered: list[MatView] = []
    placed: set[str] = set()
    pending = sorted(by_name)
    while pending:
        ready = [n for n in pending if {d for d in by_name[n].reads if d in by_name} <= placed]
        for name in ready or pending[:1]:
            ordered.append(by_name[name])
            placed.add(name)
        pending = [n for n in pending if n not in placed]
    return ordered


def read_matviews(conn: Conn, schemas: tuple[str, ...]) -> list[MatView]:
    """Materialized views of `schemas` in refresh order."""
    return refresh_order(
        [
            MatView(r["schema"], r["name"], bool(r["populated"]), tuple(r["reads"]))
            for r in fetch_all(conn, "plan_matviews", schemas=list(schemas))
        ]
    )


def build_plan(source: Conn, target: Conn | None, options: PlanOptions | None = None) -> Plan:
    """Decide the plan from the source's catalog, the target's roles and extensions (when
    given; without a target every role counts as missing), and the user's options."""
    options = options or PlanOptions()
    schemas, left = decide_scope(source, options)
    facts = (
        read_target_facts(target)
        if target is not None
        else TargetFacts(user="(target user)", superuser=True, roles={}, extensions={})
    )
    roles = decide_roles(source, schemas, facts, options.supabase_roles)
    return Plan(
        schemas=schemas,
        left_behind=describe_left_behind(source, left),
        roles=roles,
        extensions=decide_extensions(source, schemas, facts),
        matviews=tuple(read_matviews(source, schemas)),
        target_user=facts.user,
        options=options,
    )


# ---------------------------------------------------------------------------------------
# The record on the target
# ---------------------------------------------------------------------------------------


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as plain data (recorded on the target, printed by `plan --json`)."""
    data = asdict(plan)
    data["format"] = PLAN_FORMAT
    data.pop("recorded")
    return data


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def plan_from_json(data: dict[str, Any]) -> Plan:
    """A plan recorded by `plan_to_json`."""
    roles = tuple(
        RolePlan(
            **{
                **{k: _tuples(v) for k, v in r.items() if k != "source"},
                "source": _role_attributes(r["source"]),
            }
        )
        for r in data["roles"]
    )
    return Plan(
        schemas=tuple(data["schemas"]),
        left_behind=tuple(LeftBehind(**s) for s in data["left_behind"]),
        roles=roles,
        extensions=tuple(ExtensionPlan(**e) for e in data["extensions"]),
        matviews=tuple(
            MatView(m["schema"], m["name"], m["populated"], tuple(m["reads"]))
            for m in data["matviews"]
        ),
        target_user=data["target_user"],
        options=PlanOptions(
            include=tuple(data["options"]["include"]),
            exclude=tuple(data["options"]["exclude"]),
            supabase_roles=data["options"]["supabase_roles"],
        ),
        dropped=tuple(data.get("dropped", ())),
        refused=tuple(data.get("refused", ())),
        recorded=True,
    )


def read_recorded_plan(conn: Conn) -> Plan | None:
    """The plan a copy recorded on this target (schema pgcutover), if there is one."""
    table = f"{TOOL_SCHEMA}.job"
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
    if not row or not row[0]:
        return None
    has_plan = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = %s::regclass"
        " AND attname = 'plan' AND NOT attisdropped)",
        (table,),
    ).fetchone()
    if not has_plan or not has_plan[0]:
        return None
    found = conn.execute(
        sql.SQL("SELECT plan FROM {}").format(sql.Identifier(TOOL_SCHEMA, "job"))
    ).fetchone()
    return plan_from_json(found[0]) if found and found[0] else None
