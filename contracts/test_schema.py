"""Schema equivalence: the target's objects are the source's, by name, kind by kind.

Each contract runs once per object found on EITHER side, so an object only the
target has (a leftover copy of a personal-data table) fails under its own name.
A difference declared in pgcutover.toml ([[schema.accepted]]) is reported as
accepted, with its reason, instead of failing; schemas left out of the
comparison are listed as skipped, each with the reason.

Assertions stay plain (PYTEST_DONT_REWRITE): a failure reads as the contract's sentence.
"""

from __future__ import annotations

import warnings

import pytest

from pgcutover.pytest_plugin import ENVIRONMENT_FACTS, nothing_to_check, plan_of, settings_of, sides
from reports.evidence import (
    Difference,
    Reproduction,
    attach_json,
    differences_from_deepdiff,
    explain_failure,
    label,
    mark_accepted,
)
from verify.catalog import SCHEMA_KINDS, load_sql
from verify.schema_diff import SchemaPair, read_schema_pair

_PAIR = pytest.StashKey[SchemaPair]()
# A skipped test never runs label(); allure-pytest reads this mark instead, so a left-out
# schema still files under "Schema" in the report.
_SCHEMA_FEATURE = pytest.mark.allure_label("Schema", label_type="feature")
# The catalog query (verify/sql/) that reads each kind, to reproduce a finding by hand.
_CATALOG_SQL = {
    "schema": "schema_schemas",
    "table": "schema_tables",
    "columns": "schema_columns",
    "rls": "schema_tables",
    "constraint": "schema_constraints",
    "index": "schema_indexes",
    "view": "schema_views",
    "function": "schema_functions",
    "trigger": "schema_triggers",
    "enum": "schema_types",
    "domain": "schema_types",
    "sequence": "schema_sequences",
    "extension": "schema_extensions",
    "policy": "schema_policies",
    "grants": "schema_grants",
    "default_privileges": "schema_default_privileges",
    "settings": "schema_settings",
    "comment": "schema_comments",
}


def _schema_pair(config: pytest.Config) -> SchemaPair:
    """Both catalogs, read once per session (collection and every contract share them)."""
    if _PAIR not in config.stash:
        settings = settings_of(config)
        both = sides(config)
        source, target = both["source"], both["target"]
        pair = read_schema_pair(
            source.conn, target.conn, plan_of(config), target.user_schemas, settings.schema
        )
        config.stash[_PAIR] = pair
        facts = config.stash.setdefault(ENVIRONMENT_FACTS, {})
        facts["schema.compared"] = ", ".join(pair.schemas)
        facts["schema.left_on_source"] = ", ".join(pair.excluded) or "none"
        facts["schema.excluded_roles"] = ", ".join(sorted(settings.schema.ignored_grantees))
    return config.stash[_PAIR]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """test_<kind>(name) runs once per object of that kind on either side."""
    kind = metafunc.function.__name__.removeprefix("test_")
    if kind not in SCHEMA_KINDS or "name" not in metafunc.fixturenames:
        return
    pair = _schema_pair(metafunc.config)
    params = []
    for name in pair.names(kind):
        left = pair.skipped_reason(kind, name)
        marks = [pytest.mark.skip(reason=left), _SCHEMA_FEATURE] if left else []
        params.append(pytest.param(name, id=name, marks=marks))
    if kind == "schema":
        params += [
            pytest.param(
                name,
                id=name,
                marks=[pytest.mark.skip(reason=f"left on the source: {why}"), _SCHEMA_FEATURE],
            )
            for name, why in pair.excluded.items()
        ]
    if not params:
        params = nothing_to_check(f"no {kind.replace('_', ' ')} on either side", "Schema")
    metafunc.parametrize("name", params)


@pytest.fixture(scope="session")
def schema_pair(request: pytest.FixtureRequest) -> SchemaPair:
    """Both sides' schema catalogs, read once."""
    return _schema_pair(request.config)


def _presence(found: object) -> str:
    return "present" if found else "missing"


def judge(pair: SchemaPair, kind: str, name: str) -> None:
    """Compare one object; fail naming it, or report an accepted difference with its reason."""
    label(feature="Schema", story=name, severity="critical")
    finding = pair.compare(kind, name)
    for note, detail in finding.notes.items():
        attach_json(f"note: {note}", detail)
    for warning in finding.warnings:
        attach_json("warning", warning)
        warnings.warn(warning, stacklevel=2)
    reason = pair.accepted_reason(kind, name)
    if finding.ok:
        if reason:
            attach_json("accepted difference no longer differs", {"reason": reason})
        return
    source, target = pair.source.get(kind, name), pair.target.get(kind, name)
    attach_json(f"{kind} difference (deepdiff)", finding.evidence)
    attach_json(
        f"{kind} on both sides",
        {
            "source": source.fields if source else None,
            "target": target.fields if target else None,
        },
    )
    message = f"{name}: {'; '.join(finding.problems)}"
    if reason:
        mark_accepted(reason)
        pytest.xfail(f"accepted: {reason} ({message})")
    catalog_sql = load_sql(_CATALOG_SQL[kind])
    explain_failure(
        differences_from_deepdiff(name, finding.evidence)
        or [Difference(name, kind, _presence(source), _presence(target))],
        [
            Reproduction(
                catalog_sql,
                {"schemas": list(pair.schemas)} if "%(schemas)s" in catalog_sql else None,
            )
        ],
    )
    raise AssertionError(message)


def test_schema(name: str, schema_pair: SchemaPair) -> None:
    """Each schema is on the target, with the same owner (its privileges: test_grants)."""
    judge(schema_pair, "schema", name)


def test_table(name: str, schema_pair: SchemaPair) -> None:
    """Each table is on the target with the same kind, persistence, partitioning and bounds."""
    judge(schema_pair, "table", name)


def test_columns(name: str, schema_pair: SchemaPair) -> None:
    """Each column, by name: same type and typmod, nullability, default, collation, identity
    and generation expression (a different column order is a note, not a failure)."""
    judge(schema_pair, "columns", name)


def test_rls(name: str, schema_pair: SchemaPair) -> None:
    """Row-level security is enabled and forced on the target exactly where on the source."""
    judge(schema_pair, "rls", name)


def test_constraint(name: str, schema_pair: SchemaPair) -> None:
    """Each constraint has the same definition, actions and deferrability, and is validated."""
    judge(schema_pair, "constraint", name)


def test_index(name: str, schema_pair: SchemaPair) -> None:
    """Each index has the same definition and uniqueness, and is valid and ready."""
    judge(schema_pair, "index", name)


def test_view(name: str, schema_pair: SchemaPair) -> None:
    """Each view and materialized view has the same definition and options."""
    judge(schema_pair, "view", name)


def test_function(name: str, schema_pair: SchemaPair) -> None:
    """Each function and procedure has the same signature, language, body, volatility and
    security."""
    judge(schema_pair, "function", name)


def test_trigger(name: str, schema_pair: SchemaPair) -> None:
    """Each trigger has the same definition and enabled state."""
    judge(schema_pair, "trigger", name)


def test_enum(name: str, schema_pair: SchemaPair) -> None:
    """Each enum has the same labels in the same order."""
    judge(schema_pair, "enum", name)


def test_domain(name: str, schema_pair: SchemaPair) -> None:
    """Each domain has the same base type, nullability, default and constraints."""
    judge(schema_pair, "domain", name)


def test_sequence(name: str, schema_pair: SchemaPair) -> None:
    """Each sequence has the same type, increment, bounds and cycling."""
    judge(schema_pair, "sequence", name)


def test_extension(name: str, schema_pair: SchemaPair) -> None:
    """Each extension of the source is installed on the target, whatever schema it lives in
    (an older version is a warning); those the plan leaves behind show as skipped."""
    judge(schema_pair, "extension", name)


def test_policy(name: str, schema_pair: SchemaPair) -> None:
    """Each row-level security policy has the same command, roles, USING and WITH CHECK."""
    judge(schema_pair, "policy", name)


def test_grants(name: str, schema_pair: SchemaPair) -> None:
    """Each table, column, sequence, function and schema grants the same privileges."""
    judge(schema_pair, "grants", name)


def test_default_privileges(name: str, schema_pair: SchemaPair) -> None:
    """ALTER DEFAULT PRIVILEGES grant the same to the same roles."""
    judge(schema_pair, "default_privileges", name)


def test_settings(name: str, schema_pair: SchemaPair) -> None:
    """The database's settings (ALTER DATABASE ... SET), encoding and locale are the same (a
    role's settings: test_role)."""
    judge(schema_pair, "settings", name)


def test_comment(name: str, schema_pair: SchemaPair) -> None:
    """Each comment is on the target, word for word."""
    judge(schema_pair, "comment", name)
