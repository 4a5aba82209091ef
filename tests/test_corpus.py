"""The foreign corpus copied and verified as a user would, and the copy checked independently.

Each database of tests/corpus/ is copied three ways (see tests/fix_corpus.py): into a
fresh server without its roles, into a server that has them, and from PostgreSQL 15 to
the newest. For each, the real CLI runs `copy` then `verify`; the verdict must be GO with
the plan's deliberate differences listed, and tests/corpus/check.py (our own catalog SQL,
nothing of verify/ or migrator/) must agree that rows, owners, role attributes,
materialized views and extension privileges came across.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.corpus import check
from tests.fix_corpus import Case, Copied, Corpus, Verified, case_params, without_failures

# One xdist worker runs the whole corpus (pyproject: --dist loadgroup): its servers, builds
# and copies are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("corpus")

CASES = case_params()


def accepted_differences(case: Case) -> tuple[str, ...]:
    """Names the clean copy's verdict must list as deliberate differences of the plan, in
    the console summary and in gate.json (not as failures). The wording around them is the
    product's; this is the one place to adjust what is expected.

    - supabase: storage is left behind (nothing of the app depends on it), and its files
      with it (storage.objects, declared out of scope in the corpus's pgcutover.toml); on a
      target without Supabase's roles, supabase_auth_admin (LOGIN on the source) is created
      NOLOGIN.
    - types, awkward on a fresh server: zoo_writer and AppUser could log in on the source
      and are created NOLOGIN. (Roles created exactly as on the source, NOLOGIN already,
      differ in nothing and need not be listed.)
    """
    if case.db == "supabase":
        files = ("storage", "storage.objects")
        return files if case.variant == "roles" else (*files, "supabase_auth_admin")
    if case.variant == "fresh":
        return {"types": ("zoo_writer",), "awkward": ("AppUser",)}[case.db]
    return ()


def schemas_expected(case: Case) -> tuple[set[str], set[str]]:
    """(schemas the copy must move, schemas it must leave behind)."""
    if case.db == "supabase":
        moved = {"public", "auth"} | ({"extensions"} if case.layout.contrib else set())
        return moved, {"storage"}
    return {"types": {"public", "zoo"}, "awkward": {"public", "Sales Data"}}[case.db], set()


def copied_ok(corpus: Corpus, case: Case) -> Copied:
    """The case's copy, failing the test when `copy` itself did not finish."""
    copied = corpus.copied(case)
    code = copied.copy.returncode
    assert code == 0, f"copy exited {code}: {copied.copy.stderr.strip()[-2000:]}"
    return copied


def gate(verified: Verified) -> dict[str, Any]:
    """gate.json of a verify run."""
    data: dict[str, Any] = json.loads((verified.report_dir / "gate.json").read_text("utf-8"))
    return data


def failure_lines(verified: Verified) -> str:
    """Every failed contract with its message, one per line (the console stops at 20)."""
    path = verified.report_dir / "gate.json"
    if not path.exists():
        return verified.result.stdout + verified.result.stderr
    return "\n".join(f"{f['name']}: {f['message']}" for f in gate(verified)["failures"])


@pytest.mark.parametrize("case", CASES)
def test_clean_copy_exits_0(
    corpus: Corpus, case: Case, record_property: pytest.RecordProperty
) -> None:
    copied = corpus.copied(case)
    record_property("copy_seconds", round(copied.copy_seconds, 2))
    code = copied.copy.returncode
    assert code == 0, copied.copy.stderr.strip()[-2000:]


@pytest.mark.parametrize("case", CASES)
def test_clean_copy_verifies_go(
    corpus: Corpus, case: Case, record_property: pytest.RecordProperty
) -> None:
    copied_ok(corpus, case)
    verified = corpus.verified(case)
    record_property("verify_seconds", round(verified.seconds, 2))
    code, console = verified.result.returncode, verified.result.stdout
    assert code == 0, failure_lines(verified)
    assert "VERDICT: GO" in console


# What residency finds in the supabase corpus: Supabase Auth's tables and the app's own.
SUPABASE_PERSONAL = (
    "auth.audit_log_entries",
    "auth.identities",
    "auth.users",
    "public.clients",
    "public.profiles",
)


@pytest.mark.parametrize("case", case_params(lambda c: c.db == "supabase"))
def test_clean_copy_prints_residency_and_the_targets_readiness(corpus: Corpus, case: Case) -> None:
    copied_ok(corpus, case)
    console = " ".join(corpus.verified(case).result.stdout.split())  # lines wrap
    assert f"personal-data tables on the target: 5/{len(SUPABASE_PERSONAL)}" in console
    for table in SUPABASE_PERSONAL:
        assert f"{table}: all " in console, f"{table} not on the target:\n{console}"
    assert "accepted: storage.objects: declared out of scope" in console
    assert "target readiness: 10/10 checks passed" in console
    assert "ok round_trip: round trip " in console


@pytest.mark.parametrize("case", case_params(accepted_differences))
def test_clean_copy_lists_the_plans_accepted_differences(corpus: Corpus, case: Case) -> None:
    copied_ok(corpus, case)
    verified = corpus.verified(case)
    # Listed as accepted, not as a failure: failures and gate.json's failures aside.
    console = without_failures(verified.result.stdout + verified.result.stderr)
    report = json.dumps(
        {k: v for k, v in gate(verified).items() if k != "failures"}, ensure_ascii=False
    )
    for name in accepted_differences(case):
        assert name in console, f"{name!r} not in the console summary:\n{console}"
        assert name in report, f"{name!r} not in gate.json"


@pytest.mark.parametrize("case", CASES)
def test_copy_moves_what_the_application_needs_and_leaves_the_rest(
    corpus: Corpus, case: Case
) -> None:
    copied = copied_ok(corpus, case)
    moved = set(check.moved_schemas(copied.source, copied.target))
    must_move, must_stay = schemas_expected(case)
    assert must_move <= moved, f"not moved: {sorted(must_move - moved)}"
    assert not moved & must_stay, (
        f"moved, though nothing depends on it: {sorted(moved & must_stay)}"
    )


@pytest.mark.parametrize("case", CASES)
def test_copy_has_every_row_of_the_source(corpus: Corpus, case: Case) -> None:
    copied = copied_ok(corpus, case)
    schemas = check.moved_schemas(copied.source, copied.target)
    on_source, on_target = check.row_fingerprints(copied.source, copied.target, schemas)
    assert on_source, "no table to compare"
    diff = check.differences(on_source, on_target)
    assert not diff, check.explain(diff)


@pytest.mark.parametrize("case", CASES)
def test_copy_keeps_owners_where_the_owner_role_exists(corpus: Corpus, case: Case) -> None:
    copied = copied_ok(corpus, case)
    schemas = check.moved_schemas(copied.source, copied.target)
    expected, actual = check.owners(copied.source, copied.target, schemas)
    assert expected, "no object to compare"
    diff = check.differences(expected, actual)
    assert not diff, check.explain(diff)


@pytest.mark.parametrize("case", CASES)
def test_copy_gives_named_roles_the_sources_attributes(corpus: Corpus, case: Case) -> None:
    copied = copied_ok(corpus, case)
    schemas = check.moved_schemas(copied.source, copied.target)
    roles = check.named_roles(copied.source, schemas)
    on_source, on_target = check.role_attributes(copied.source, copied.target, roles)
    assert on_source, "no role named by the copied objects"
    diff = check.differences(on_source, on_target)
    assert not diff, check.explain(diff)


@pytest.mark.parametrize("case", CASES)
def test_copy_populates_materialized_views_as_the_source(corpus: Corpus, case: Case) -> None:
    copied = copied_ok(corpus, case)
    schemas = check.moved_schemas(copied.source, copied.target)
    on_source, on_target = check.matview_population(copied.source, copied.target, schemas)
    assert on_source, "no materialized view to compare"
    diff = check.differences(on_source, on_target)
    assert not diff, check.explain(diff)


def _has_moved_extensions(case: Case) -> bool:
    # supabase: pgcrypto/uuid-ossp/pg_stat_statements in extensions (contrib only: without
    # them nothing of the app uses extensions); types: citext, hstore, btree_gist in zoo.
    return case.db == "types" or (case.db == "supabase" and case.layout.contrib)


@pytest.mark.parametrize("case", case_params(_has_moved_extensions))
def test_copy_keeps_extensions_and_their_members_privileges(corpus: Corpus, case: Case) -> None:
    copied = copied_ok(corpus, case)
    schemas = check.moved_schemas(copied.source, copied.target)
    assert check.extensions_in(copied.target, schemas) == check.extensions_in(
        copied.source, schemas
    )
    on_source, on_target = check.extension_acls(copied.source, copied.target, schemas)
    assert on_source, "no extension member to compare"
    diff = check.differences(on_source, on_target)
    assert not diff, check.explain(diff)
