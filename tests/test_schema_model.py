"""The schema model's pure parts: normalisation, comparison sentences, pgcutover.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgcutover.config import BadConfig, load_config
from verify.catalog import SchemaObject
from verify.normalize import (
    acl_map,
    options_map,
    settings_map,
    sql_text,
    unknown_privileges,
    view_text,
)
from verify.schema_diff import compare_object, field_differences


def test_sql_text_ignores_layout_that_versions_print_differently() -> None:
    pg15 = (
        " SELECT b.id,\n    c.name\n   FROM (public.bookings b\n"
        "     JOIN public.clients c ON ((c.id = b.client_id)));"
    )
    pg18 = (
        "SELECT b.id, c.name FROM ( public.bookings b"
        " JOIN public.clients c ON ((c.id = b.client_id)))"
    )
    assert sql_text(pg15) == sql_text(pg18)


def test_sql_text_keeps_quoted_literals_and_identifiers_byte_for_byte() -> None:
    assert sql_text("x = 'a  ,  b'") != sql_text("x = 'a , b'")
    assert sql_text('SELECT "odd  name"') != sql_text('SELECT "odd name"')
    assert sql_text("CHECK ((a > 0))") != sql_text("CHECK ((a >= 0))")


def test_sql_text_keeps_none_apart_from_empty() -> None:
    assert sql_text(None) is None
    assert sql_text("") == ""


def test_maintain_is_ignored_only_when_one_server_predates_it() -> None:
    assert unknown_privileges(150018, 180001) == {"MAINTAIN"}
    assert unknown_privileges(170002, 180001) == frozenset()


def test_acl_map_maps_grantees_marks_grant_option_and_drops_unknown_privileges() -> None:
    rows = [
        {"grantee": "supabase_admin", "privilege": "SELECT", "grantable": False},
        {"grantee": "supabase_admin", "privilege": "MAINTAIN", "grantable": False},
        {"grantee": "anon", "privilege": "SELECT", "grantable": True},
        {"grantee": None, "privilege": None, "grantable": None},
    ]
    acl = acl_map(rows, role_map={"supabase_admin": "postgres"}, ignore=frozenset({"MAINTAIN"}))
    assert acl == {"anon": ["SELECT*"], "postgres": ["SELECT"]}


def test_options_and_settings_become_sorted_dicts_with_secrets_digested() -> None:
    assert options_map(["security_invoker=true", "check_option=local"]) == {
        "check_option": "local",
        "security_invoker": "true",
    }
    settings = settings_map(["app.settings.jwt_secret=hunter2", "TimeZone=UTC"])
    assert settings["TimeZone"] == "UTC"
    assert "hunter2" not in settings["app.settings.jwt_secret"]
    assert settings == settings_map(["TimeZone=UTC", "app.settings.jwt_secret=hunter2"])


def test_field_differences_name_the_path_and_both_values() -> None:
    found = field_differences(
        {"price": {"type": "numeric(10,2)"}, "gone": {}},
        {"price": {"type": "numeric"}, "new": {}},
    )
    assert found == [
        "gone missing on the target",
        "new extra on the target (not on the source)",
        "price.type: 'numeric(10,2)' on the source, 'numeric' on the target",
    ]


def _columns(*names: str) -> SchemaObject:
    return SchemaObject(
        "columns",
        "public.t",
        {n: {"type": "text"} for n in names},
        notes={"column order": list(names)},
    )


def test_a_different_column_order_is_a_note_not_a_problem() -> None:
    finding = compare_object("columns", "public.t", _columns("a", "b"), _columns("b", "a"))
    assert finding.ok
    assert finding.notes["column order"] == {"source": ["a", "b"], "target": ["b", "a"]}


def test_missing_and_extra_objects_are_problems() -> None:
    obj = _columns("a")
    assert compare_object("columns", "public.t", obj, None).problems == [
        "columns public.t is missing on the target"
    ]
    assert compare_object("columns", "public.t", None, obj).problems == [
        "extra columns public.t on the target (not on the source)"
    ]


def _extension(version: str, schema: str = "public") -> SchemaObject:
    return SchemaObject("extension", "hstore", {"version": version, "schema": schema})


def test_an_older_extension_on_the_target_fails_a_newer_one_is_a_note() -> None:
    older = compare_object("extension", "hstore", _extension("1.8"), _extension("1.4"))
    assert older.problems == [
        "extension hstore: version 1.8 on the source, 1.4 (older) on the target: "
        "ALTER EXTENSION ... UPDATE there"
    ]
    newer = compare_object("extension", "hstore", _extension("1.8"), _extension("1.10"))
    assert newer.ok and not newer.warnings and "version" in newer.notes
    moved = compare_object("extension", "hstore", _extension("1.8"), _extension("1.8", "ext"))
    assert moved.problems == ["schema: 'public' on the source, 'ext' on the target"]


def test_evidence_is_a_deepdiff_of_the_two_objects() -> None:
    finding = compare_object("columns", "public.t", _columns("a"), _columns("a", "b"))
    assert not finding.ok
    assert "dictionary_item_added" in finding.evidence


def test_config_reads_scope_role_map_and_accepted_by_either_name(tmp_path: Path) -> None:
    path = tmp_path / "pgcutover.toml"
    path.write_text(
        '[scope]\nexclude_schemas = ["graphql"]\n'
        '[schema]\nrole_map = { supabase_admin = "postgres" }\n'
        '[[schema.accepted]]\nobject = "test_policy[public.clients.p]"\nreason = "moved"\n'
        '[[schema.accepted]]\nobject = "index public.i"\nreason = "rebuilt"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.scope.exclude_schemas == ("graphql",)
    schema = config.schema
    assert schema.role_map == {"supabase_admin": "postgres"}
    assert schema.accepted_reason("policy", "public.clients.p") == "moved"
    assert schema.accepted_reason("index", "public.i") == "rebuilt"
    assert schema.accepted_reason("index", "public.other") is None


def test_no_config_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.schema.role_map == {}
    assert config.schema.ignored_grantees == frozenset()
    assert config.copy.jobs == 2 and config.sync.change_column == "updated_at"


def test_acl_map_leaves_out_ignored_grantees() -> None:
    rows = [
        {"grantee": "dashboard_user", "privilege": "SELECT", "grantable": False},
        {"grantee": "anon", "privilege": "SELECT", "grantable": False},
    ]
    acl = acl_map(rows, role_map={}, ignore_grantees=frozenset({"dashboard_user"}))
    assert acl == {"anon": ["SELECT"]}


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[schema\n", "not valid TOML"),
        ("[scope]\nexclude_schemas = 'auth'\n", "exclude_schemas must be a list of strings"),
        ("[schema]\nexclude_schemas = ['auth']\n", "now \\[scope\\] exclude_schemas"),
        ("[copy]\njobz = 3\n", "\\[copy\\] has unknown key 'jobz'"),
        ("[copy]\njobs = 0\n", "copy.jobs must be a whole number of at least 1"),
        ("[coppy]\njobs = 3\n", "unknown section \\[coppy\\]"),
        ("[schema]\nrole_map = ['x']\n", "role_map must map role names"),
        ("[schema]\nrolemap = {}\n", "unknown key 'rolemap'"),
        ('[[schema.accepted]]\nobject = "x"\n', "needs both object and reason"),
    ],
)
def test_bad_config_names_the_file_and_what_to_fix(
    tmp_path: Path, text: str, complaint: str
) -> None:
    path = tmp_path / "pgcutover.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadConfig, match=complaint) as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_a_named_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(BadConfig, match="cannot read config"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("pg15", "pg18"),
    [
        (
            "SELECT c.id, c.company_id FROM public.clients c WHERE (c.id > 1)",
            "SELECT id, company_id FROM public.clients c WHERE (id > 1)",
        ),
        (
            "SELECT orders.id FROM zoo.orders WHERE (orders.status = 'orders.x'::text)",
            "SELECT id FROM zoo.orders WHERE (status = 'orders.x'::text)",
        ),
        (
            'SELECT i."Status", count(*) AS "Lines" FROM "Sales Data"."order items" i '
            'GROUP BY i."Status"',
            'SELECT "Status", count(*) AS "Lines" FROM "Sales Data"."order items" i '
            'GROUP BY "Status"',
        ),
    ],
)
def test_a_one_relation_view_compares_equal_with_or_without_column_qualifiers(
    pg15: str, pg18: str
) -> None:
    assert view_text(pg15) == view_text(pg18)


def test_a_view_over_two_relations_keeps_its_qualifiers() -> None:
    text = "SELECT a.id FROM public.a JOIN public.b ON (a.id = b.id)"
    assert view_text(text) == sql_text(text)
    assert view_text("SELECT a.id FROM public.a WHERE (a.id = 2)") != view_text(
        "SELECT a.id FROM public.a WHERE (a.id = 3)"
    )
