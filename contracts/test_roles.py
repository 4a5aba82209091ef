"""Roles: every role an object that moved names (as owner, grantee, in a policy or in
default privileges) can do on the target what it could on the source.

A lost BYPASSRLS, a lost NOINHERIT, a lost membership or a lost statement_timeout fail,
naming the role; what the plan withholds on purpose (LOGIN and the password), a role left
out by `--supabase-roles skip`, and an owner role the target lacks (its objects belong to
the target's user there) are reported as accepted, with the reason.

Assertions stay plain (PYTEST_DONT_REWRITE): a failure reads as the contract's sentence.
"""

from __future__ import annotations

import pytest

from pgcutover.pytest_plugin import Side, nothing_to_check, plan_of
from reports.evidence import (
    Reproduction,
    attach_json,
    differences_from_sentences,
    explain_failure,
    label,
    mark_accepted,
)
from verify.plan import Plan, RoleAttributes, read_role_attributes
from verify.roles import compare_role


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """test_role runs once per role the plan names."""
    if "role_name" in metafunc.fixturenames:
        names = [r.name for r in plan_of(metafunc.config).roles]
        if not names:
            why = "no object that moved names a role"
            metafunc.parametrize("role_name", nothing_to_check(why, "Roles"))
            return
        metafunc.parametrize("role_name", names, ids=names)


Attributes = dict[str, RoleAttributes]


@pytest.fixture(scope="session")
def role_attributes(plan: Plan, source: Side, target: Side) -> tuple[Attributes, Attributes]:
    """The plan's roles as each side holds them, read once per session (one snapshot each)."""
    names = [r.name for r in plan.roles]
    on_source = read_role_attributes(source.conn, names)
    with target.savepoint():
        on_target = read_role_attributes(target.conn, names)
    return on_source, on_target


def test_role(role_name: str, plan: Plan, role_attributes: tuple[Attributes, Attributes]) -> None:
    """The role has the source's attributes, memberships and settings on the target, as the
    plan decided (LOGIN withheld, owner roles the target lacks mapped: accepted)."""
    label(feature="Roles", story=role_name, severity="critical")
    role = plan.role(role_name)
    assert role is not None
    on_source, on_target = role_attributes
    finding = compare_role(
        plan,
        role,
        on_source.get(role_name, role.source),
        on_target.get(role_name),
        both_sides=set(on_source) & set(on_target),
    )
    if finding.evidence:
        attach_json("role on both sides", finding.evidence)
    for note in finding.notes:
        attach_json("note", note)
    if finding.problems:
        explain_failure(
            differences_from_sentences(role_name, finding.problems),
            [Reproduction("SELECT * FROM pg_roles WHERE rolname = %(role)s", {"role": role_name})],
        )
    assert not finding.problems, f"role {role_name}: {'; '.join(finding.problems)}"
    if finding.accepted:
        reason = "; ".join(finding.accepted)
        mark_accepted(reason)
        pytest.xfail(f"accepted: {reason}")
