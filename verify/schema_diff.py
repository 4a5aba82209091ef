"""Comparing one schema object across the two sides: sentences, warnings, notes, evidence.

A problem fails the contract; a warning is reported and passes (an extension
that is older on the target); a note is attached and passes (a different
column order: columns are compared by name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pgcutover.config import TOOL_SCHEMA, SchemaConfig
from verify.catalog import (
    Conn,
    ReadFrame,
    SchemaCatalog,
    SchemaObject,
    SchemaScope,
    read_schema_catalog,
    roles_used,
    server_version,
)
from verify.diff import deep_difference
from verify.normalize import map_role, unknown_privileges


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
    """A lower extension version is a warning; a higher one a note; anything else is compared."""
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
        found.warnings.append(
            f"extension {source.name}: version {src_v} on the source, {tgt_v} on the target"
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
    """Both sides' schema catalogs over the same schemas, and what was left out and why."""

    source: SchemaCatalog
    target: SchemaCatalog
    schemas: tuple[str, ...]
    excluded: dict[str, str]  # schema -> reason
    config: SchemaConfig

    def compare(self, kind: str, name: str) -> Finding:
        """The finding for one object."""
        return compare_object(kind, name, self.source.get(kind, name), self.target.get(kind, name))

    def names(self, kind: str) -> list[str]:
        """Names of `kind` on either side."""
        return object_names(kind, self.source, self.target)


def comparison_scope(
    source: SchemaScope, target: SchemaScope, exclude: tuple[str, ...]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """Schemas compared (in scope on either side, not excluded by config) and those left
    out with the reason, so that the report can list every exclusion."""
    excluded = {s: "excluded in pgcutover.toml ([schema] exclude_schemas)" for s in exclude}
    for scope in (source, target):
        for schema, reason in scope.skipped.items():
            excluded.setdefault(schema, reason)
    wanted = (set(source.included) | set(target.included)) - set(exclude) - {TOOL_SCHEMA}
    for schema in wanted:
        excluded.pop(schema, None)
    return tuple(sorted(wanted)), dict(sorted(excluded.items()))


def read_schema_pair(
    source: Conn,
    target: Conn,
    source_scope: SchemaScope,
    target_scope: SchemaScope,
    config: SchemaConfig,
) -> SchemaPair:
    """Read both catalogs, each once, in the frame that makes them comparable."""
    schemas, excluded = comparison_scope(source_scope, target_scope, config.exclude_schemas)
    ignore = unknown_privileges(server_version(source), server_version(target))
    skip = config.ignored_grantees
    source_frame = ReadFrame(dict(config.role_map), ignore, skip)
    target_frame = ReadFrame({}, ignore, skip)
    app_roles = {map_role(r, config.role_map) for r in roles_used(source, schemas)}
    app_roles |= set(roles_used(target, schemas))
    app_roles -= skip
    return SchemaPair(
        source=read_schema_catalog(source, schemas, source_frame, app_roles=app_roles),
        target=read_schema_catalog(target, schemas, target_frame, app_roles=app_roles),
        schemas=schemas,
        excluded=excluded,
        config=config,
    )
