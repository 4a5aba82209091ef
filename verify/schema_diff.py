"""Comparing one schema object across the two sides: sentences, warnings, notes, evidence.

A problem fails the contract; a warning is reported and passes (an extension
that is older on the target); a note is attached and passes (a different
column order: columns are compared by name).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pgcutover.config import TOOL_SCHEMA, SchemaConfig
from verify.catalog import (
    Conn,
    ReadFrame,
    SchemaCatalog,
    SchemaObject,
    read_schema_catalog,
    server_version,
)
from verify.diff import deep_difference
from verify.normalize import unknown_privileges
from verify.plan import Plan


@dataclass
class Finding:
    """What the comparison of one object found."""

    kind: str
    name: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No problem (warnings and notes do not fail a contract)."""
        return not self.problems


def object_names(kind: str, source: SchemaCatalog, target: SchemaCatalog) -> list[str]:
    """Names of `kind` on either side, sorted: an object only the target has is compared too."""
    return sorted(source.names(kind) | target.names(kind))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def field_differences(source: Any, target: Any, path: str = "") -> list[str]:
    """Sentences naming each differing leaf of two nested dicts, by dotted path."""
    if isinstance(source, dict) and isinstance(target, dict):
        found: list[str] = []
        for key in sorted(source.keys() | target.keys(), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in target:
                found.append(f"{where} missing on the target")
            elif key not in source:
                found.append(f"{where} extra on the target (not on the source)")
            else:
                found += field_differences(source[key], target[key], where)
        return found
    if source == target:
        return []
    return [f"{path}: {_short(source)} on the source, {_short(target)} on the target"]


def _version_tuple(version: str) -> tuple[int, ...] | None:
    parts = version.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def _extension_finding(source: SchemaObject, target: SchemaObject, found: Finding) -> None:
    """A lower extension version fails; a higher one is a note; anything else is compared."""
    rest = {k: v for k, v in source.fields.items() if k != "version"}
    found.problems.extend(
        field_differences(rest, {k: v for k, v in target.fields.items() if k != "version"})
    )
    src_v, tgt_v = str(source.fields["version"]), str(target.fields["version"])
    if src_v == tgt_v:
        return
    src_t, tgt_t = _version_tuple(src_v), _version_tuple(tgt_v)
    if src_t is not None and tgt_t is not None and tgt_t > src_t:
        found.notes["version"] = (
            f"newer on the target: {src_v} on the source, {tgt_v} on the target"
        )
    else:
        # An older extension may lack functions or behaviour the application relies on.
        found.problems.append(
            f"extension {source.name}: version {src_v} on the source, {tgt_v} (older) on the "
            "target: ALTER EXTENSION ... UPDATE there"
        )


def compare_object(
    kind: str, name: str, source: SchemaObject | None, target: SchemaObject | None
) -> Finding:
    """Compare one object; either side may lack it."""
    found = Finding(kind, name)
    if source is None and target is None:
        found.problems.append(f"{kind} {name} exists on neither side")
        return found
    if target is None:
        found.problems.append(f"{kind} {name} is missing on the target")
        return found
    if source is None:
        found.problems.append(f"extra {kind} {name} on the target (not on the source)")
        return found
    if kind == "extension":
        _extension_finding(source, target, found)
    else:
        found.problems.extend(field_differences(source.fields, target.fields))
    src_order = [c for c in source.notes.get("column order", []) if c in target.fields]
    tgt_order = [c for c in target.notes.get("column order", []) if c in source.fields]
    if src_order != tgt_order:
        found.notes["column order"] = {"source": src_order, "target": tgt_order}
    if found.problems:
        found.evidence.update(deep_difference(source.fields, target.fields))
    return found


@dataclass(frozen=True)
class SchemaPair:
    """Both sides' schema catalogs over the schemas the plan moved, and what stays behind."""

    source: SchemaCatalog
    target: SchemaCatalog
    schemas: tuple[str, ...]
    excluded: dict[str, str]  # schema left behind -> why, with what it holds
    config: SchemaConfig
    plan: Plan

    def compare(self, kind: str, name: str) -> Finding:
        """The finding for one object."""
        source, target = self.source.get(kind, name), self.target.get(kind, name)
        if kind == "grants" and source is not None and target is not None:
            source, target = without_extension_owners(source, target)
        return compare_object(kind, name, source, target)

    def names(self, kind: str) -> list[str]:
        """Names of `kind` on either side (extensions: the source's, and the target's in the
        compared schemas)."""
        if kind == "extension":
            extra = {
                n
                for n in self.target.names(kind)
                if self.target.objects[kind][n].fields["schema"] in self.schemas
            }
            return sorted(self.source.names(kind) | extra)
        names = object_names(kind, self.source, self.target)
        if kind == "grants":
            # An extension's objects come with its version (btree_gist 1.8 has functions 1.7
            # lacks): one only a side has is the extension's business (test_extension).
            names = [n for n in names if not self._extension_member_on_one_side(n)]
        return names

    def _extension_member_on_one_side(self, name: str) -> bool:
        source, target = self.source.get("grants", name), self.target.get("grants", name)
        only = source if target is None else target if source is None else None
        return only is not None and "extension member owned by" in only.notes

    def skipped_reason(self, kind: str, name: str) -> str | None:
        """Why the plan leaves this object behind (so it is not compared), if it does."""
        if kind == "extension":
            ext = next((e for e in self.plan.extensions if e.name == name), None)
            if ext is not None and ext.action == "skip":
                return f"left on the source by the plan: {ext.reason}"
        return None

    def accepted_reason(self, kind: str, name: str) -> str | None:
        """Why a difference in this object is deliberate: declared in pgcutover.toml, or made
        by the plan (a policy or default privileges naming a role the copy leaves out)."""
        declared = self.config.accepted_reason(kind, name)
        if declared:
            return declared
        source = self.source.get(kind, name)
        if source is None:
            return None
        skipped = set(self.plan.skipped_roles)
        if kind == "policy" and skipped & set(source.fields["roles"]):
            names = ", ".join(sorted(skipped & set(source.fields["roles"])))
            return f"left out by --supabase-roles skip: the policy names {names}"
        if kind == "default_privileges":
            gone = self.plan.roles_left_out
            owner = name.rsplit(".", 1)[-1]
            grantees = set(source.fields["privileges"])
            if owner in gone:
                return f"left out: the target has no role {owner} to create objects"
            if grantees and grantees <= skipped:
                return (
                    f"left out by --supabase-roles skip: granted to {', '.join(sorted(grantees))}"
                )
        return None


def without_extension_owners(
    source: SchemaObject, target: SchemaObject
) -> tuple[SchemaObject, SchemaObject]:
    """The privileges of an extension's member object without its owner on either side.

    Whoever runs CREATE EXTENSION owns its objects (supabase_admin on Supabase, the copy's
    user on the target): their privileges come with that, and are no grant to compare.
    """
    owners = {side.notes.get("extension member owned by") for side in (source, target)} - {None}
    if not owners:
        return source, target

    def trimmed(side: SchemaObject) -> SchemaObject:
        privileges = {k: v for k, v in side.fields["privileges"].items() if k not in owners}
        return replace(side, fields={**side.fields, "privileges": privileges})

    return trimmed(source), trimmed(target)


def comparison_scope(
    plan: Plan, target_schemas: tuple[str, ...]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """Schemas compared: those the plan moved, and the target's own user schemas (an extra
    one there fails); and those left on the source, each with the plan's reason and what it
    holds, so that the report lists every exclusion."""
    excluded = {s.schema: s.describe() for s in plan.left_behind}
    wanted = (set(plan.schemas) | set(target_schemas)) - set(excluded) - {TOOL_SCHEMA}
    return tuple(sorted(wanted)), dict(sorted(excluded.items()))


def read_schema_pair(
    source: Conn,
    target: Conn,
    plan: Plan,
    target_schemas: tuple[str, ...],
    config: SchemaConfig,
) -> SchemaPair:
    """Read both catalogs, each once, in the frame that makes them comparable: owners the
    plan mapped and the config's role map applied to the source; grants to roles the plan
    leaves out, and to the config's excluded roles, not compared."""
    schemas, excluded = comparison_scope(plan, target_schemas)
    ignore = unknown_privileges(server_version(source), server_version(target))
    skip = config.ignored_grantees | frozenset(plan.skipped_roles)
    source_frame = ReadFrame(dict(config.role_map), ignore, skip, owner_map=plan.owner_map)
    target_frame = ReadFrame({}, ignore, skip)
    return SchemaPair(
        source=read_schema_catalog(source, schemas, source_frame),
        target=read_schema_catalog(target, schemas, target_frame),
        schemas=schemas,
        excluded=excluded,
        config=config,
        plan=plan,
    )
