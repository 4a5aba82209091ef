"""Roles compared the way the plan decided: what the application may see or do, on both sides.

A role's attributes that change what the application sees (BYPASSRLS: Supabase's
service_role reads every row through it), what it may do (INHERIT, CREATEROLE, CREATEDB,
CONNECTION LIMIT), the roles it belongs to, and its settings (ALTER ROLE ... SET:
statement_timeout, search_path) must be the same on the target. LOGIN is withheld on
purpose (a role is created NOLOGIN: the operator gives it a password) and SUPERUSER and
REPLICATION are the host's to give: those differences are accepted or noted, never
failures. A role the target lacks because it only owned objects is accepted too, with
the role its objects belong to there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verify.normalize import settings_map
from verify.plan import Plan, RoleAttributes, RolePlan


@dataclass
class RoleFinding:
    """What the comparison of one role found: problems fail, accepted and notes are listed."""

    name: str
    problems: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)


def _effective(attrs: RoleAttributes, name: str) -> Any:
    # A superuser may do all of these whatever its flags say.
    if name in ("bypassrls", "createrole", "createdb") and attrs.superuser:
        return True
    return getattr(attrs, name)


_COMPARED = ("bypassrls", "inherit", "createrole", "createdb", "connection_limit")


def _members_in(attrs: RoleAttributes, among: set[str]) -> list[str]:
    return sorted(set(attrs.member_of) & among)


def compare_role(
    plan: Plan,
    role: RolePlan,
    source: RoleAttributes,
    target: RoleAttributes | None,
    *,
    both_sides: set[str],
) -> RoleFinding:
    """Compare one role the plan names. `both_sides`: roles that exist on both, among which
    memberships are compared."""
    found = RoleFinding(role.name)
    if role.action == "skip":
        found.accepted.append(
            "not created (--supabase-roles skip): the grants and policies naming it were left out"
            + (
                f"; the objects it owns belong to {role.owner_on_target} there"
                if role.owner_mapped
                else ""
            )
        )
        return found
    if target is None:
        if role.action == "absent" or role.owner_mapped:
            found.accepted.append(
                f"absent on the target: it only owns objects on the source, and those belong to "
                f"{role.owner_on_target} there (owner mapped by the plan)"
            )
        else:
            found.problems.append(f"role {role.name} is missing on the target")
        return found
    found.evidence = {"source": _shown(source), "target": _shown(target)}
    if role.name == plan.target_user:
        # The target's administrator: its attributes are the host's, not the application's.
        for attr in (*_COMPARED, "superuser", "login"):
            if getattr(source, attr) != getattr(target, attr):
                found.notes.append(
                    f"{attr}: {getattr(source, attr)} on the source, {getattr(target, attr)} on "
                    f"the target (the target's own user: the host's to set)"
                )
        return found
    for attr in _COMPARED:
        src, tgt = _effective(source, attr), _effective(target, attr)
        if src != tgt:
            found.problems.append(f"{attr}: {src} on the source, {tgt} on the target")
    if source.login and not target.login:
        found.accepted.append(
            "NOLOGIN on the target: pgcutover never gives a role a password; to let the "
            f"application log in as it: ALTER ROLE {role.name} LOGIN PASSWORD '...'"
        )
    elif target.login and not source.login:
        found.notes.append("LOGIN on the target, NOLOGIN on the source")
    for attr in ("superuser", "replication"):
        if getattr(source, attr) != getattr(target, attr):
            found.notes.append(
                f"{attr}: {getattr(source, attr)} on the source, {getattr(target, attr)} on the "
                "target (withheld by pgcutover: the host's to give)"
            )
    if not target.superuser:
        src_groups = _members_in(source, both_sides)
        tgt_groups = _members_in(target, both_sides)
        if src_groups != tgt_groups:
            missing = sorted(set(src_groups) - set(tgt_groups))
            extra = sorted(set(tgt_groups) - set(src_groups))
            found.problems.append(
                "member of "
                + "; ".join(
                    part
                    for part in (
                        f"{', '.join(missing)} on the source only" if missing else "",
                        f"{', '.join(extra)} on the target only" if extra else "",
                    )
                    if part
                )
            )
    refused = [
        r for r in plan.refused if r.startswith((f"role {role.name}:", f"membership {role.name} "))
    ]
    for scope, src_cfg, tgt_cfg in (
        ("", source.settings, target.settings),
        (" in this database", source.database_settings, target.database_settings),
    ):
        src_map, tgt_map = settings_map(src_cfg), settings_map(tgt_cfg)
        for key in sorted(src_map.keys() | tgt_map.keys()):
            if src_map.get(key) == tgt_map.get(key):
                continue
            sentence = (
                f"setting {key}{scope}: {src_map.get(key)!r} on the source, "
                f"{tgt_map.get(key)!r} on the target"
            )
            if any(f": {key}:" in r for r in refused):
                found.accepted.append(f"{sentence} (the target refused it during the copy)")
            else:
                found.problems.append(sentence)
    return found


def _shown(attrs: RoleAttributes) -> dict[str, Any]:
    """Attributes for evidence, settings by name and value (secret-looking ones digested)."""
    return {
        "superuser": attrs.superuser,
        "login": attrs.login,
        "inherit": attrs.inherit,
        "createrole": attrs.createrole,
        "createdb": attrs.createdb,
        "replication": attrs.replication,
        "bypassrls": attrs.bypassrls,
        "connection_limit": attrs.connection_limit,
        "member_of": list(attrs.member_of),
        "settings": settings_map(attrs.settings),
        "settings in this database": settings_map(attrs.database_settings),
    }
