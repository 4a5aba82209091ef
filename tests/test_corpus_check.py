"""The corpus's own checker (tests/corpus/check.py) is worth trusting: it finds nothing
between a database and its clone, and names each kind of damage done to the clone.

No pgcutover copy is involved: the "target" is a CREATE DATABASE ... TEMPLATE clone of
the types corpus, so whatever the checker reports is the checker's doing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.corpus import check, sections
from tests.fix_contracts import damage_target
from tests.fix_corpus import Corpus, restore_role_statement, without_failures
from verify.connect import Endpoint

pytestmark = pytest.mark.xdist_group("corpus")

SCHEMAS = ["public", "zoo"]


@pytest.fixture
def pair(corpus: Corpus) -> Iterator[tuple[Endpoint, Endpoint]]:
    """Two clones of the types corpus on one server: a source and a "target" to damage."""
    template = corpus.template("types", "src18", contrib=False)
    yield (
        corpus.create_database("src18", "check_src", template=template),
        corpus.create_database("src18", "check_tgt", template=template),
    )


def test_checker_finds_no_difference_between_a_database_and_its_clone(
    pair: tuple[Endpoint, Endpoint],
) -> None:
    source, target = pair
    assert check.moved_schemas(source, target) == SCHEMAS
    for expected, actual in (
        check.row_fingerprints(source, target, SCHEMAS),
        check.owners(source, target, SCHEMAS),
        check.matview_population(source, target, SCHEMAS),
        check.extension_acls(source, target, SCHEMAS),
    ):
        assert expected
        assert check.differences(expected, actual) == {}


def test_checker_names_a_deleted_row_and_an_unpopulated_materialized_view(
    pair: tuple[Endpoint, Endpoint],
) -> None:
    source, target = pair
    damage_target(
        target,
        "DELETE FROM zoo.scalars WHERE id = 3",
        "REFRESH MATERIALIZED VIEW zoo.order_summary WITH NO DATA",
    )
    diff = check.differences(*check.row_fingerprints(source, target, SCHEMAS))
    assert set(diff) == {"zoo.scalars", "zoo.order_summary"}
    assert "has not been populated" in diff["zoo.order_summary"][1]
    assert check.differences(*check.matview_population(source, target, SCHEMAS)) == {
        "zoo.order_summary": (True, False)
    }


def test_checker_names_a_changed_owner_and_an_extension_members_grant(
    pair: tuple[Endpoint, Endpoint],
) -> None:
    source, target = pair
    damage_target(
        target,
        "ALTER TABLE zoo.orders OWNER TO zoo_reader",
        "GRANT EXECUTE ON FUNCTION zoo.citext_eq(zoo.citext, zoo.citext) TO zoo_reader",
    )
    # Its identity and serial sequences follow the table.
    assert check.differences(*check.owners(source, target, SCHEMAS)) == {
        "table zoo.orders": ("zoo_writer", "zoo_reader"),
        "sequence zoo.orders_id_seq": ("zoo_writer", "zoo_reader"),
        "sequence zoo.ticket_seq": ("zoo_writer", "zoo_reader"),
    }
    diff = check.differences(*check.extension_acls(source, target, SCHEMAS))
    assert list(diff) == ["zoo.citext_eq(zoo.citext, zoo.citext)"]
    assert "zoo_reader=EXECUTE" in diff["zoo.citext_eq(zoo.citext, zoo.citext)"][1]


def test_checker_finds_the_roles_grants_policies_and_default_privileges_name(
    pair: tuple[Endpoint, Endpoint],
) -> None:
    source, _ = pair
    # zoo_reader: grants and a policy; zoo_writer: grants; zoo_auditor: a grant in public;
    # zoo_owner: only default privileges (it owns things too, which does not name it).
    assert check.named_roles(source, SCHEMAS) == [
        "zoo_auditor",
        "zoo_owner",
        "zoo_reader",
        "zoo_writer",
    ]


def test_checker_names_a_role_attribute_that_differs_between_servers(corpus: Corpus) -> None:
    source = corpus.create_database(
        "src15", "check_roles", template=corpus.template("types", "src15", contrib=False)
    )
    target = corpus.create_database(
        "src18", "check_roles", template=corpus.template("types", "src18", contrib=False)
    )
    roles = ["zoo_reader", "zoo_writer"]
    assert check.differences(*check.role_attributes(source, target, roles)) == {}
    server = corpus.server("src18")
    restore = restore_role_statement(server, "zoo_writer")
    damage_target(server, "ALTER ROLE zoo_writer INHERIT CONNECTION LIMIT -1")
    try:
        diff = check.differences(*check.role_attributes(source, target, roles))
    finally:
        damage_target(server, restore)
    assert list(diff) == ["zoo_writer"]
    expected, actual = diff["zoo_writer"]
    assert (expected["inherit"], expected["connlimit"]) == (False, 5)
    assert (actual["inherit"], actual["connlimit"]) == (True, -1)


def test_sections_run_by_condition_in_order() -> None:
    script = (
        "ignored\n-- corpus: a\nSELECT 1;\n-- corpus: b when contrib\nSELECT 2;\n"
        "-- corpus: c when core\nSELECT 3;\n"
    )
    assert [(s.name, s.when, s.sql.strip()) for s in sections(script)] == [
        ("a", None, "SELECT 1;"),
        ("b", "contrib", "SELECT 2;"),
        ("c", "core", "SELECT 3;"),
    ]


def test_console_without_failures_drops_each_failed_entry_with_its_continuation_lines() -> None:
    console = (
        "contracts run: 3\n"
        "  FAILED test_table[zoo.orders]: owner zoo_writer on the source,\n"
        "      postgres on the target\n"
        "  skipped test_role[zoo_writer]: accepted: NOLOGIN on the target;\n"
        "      ALTER ROLE zoo_writer LOGIN\n"
        "VERDICT: NO-GO"
    )
    assert without_failures(console).splitlines() == [
        "contracts run: 3",
        "  skipped test_role[zoo_writer]: accepted: NOLOGIN on the target;",
        "      ALTER ROLE zoo_writer LOGIN",
        "VERDICT: NO-GO",
    ]
