"""One plan for copy and verify: what moves, roles and owners, materialized views, extension
grants, what stays behind; each case checked with the test's own SQL and by the contracts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from psycopg import sql

from migrator.job import run_copy
from reports.gate import read_results
from tests.fix_cli import pgcutover as cli
from tests.fix_contracts import RunContracts, damage_target, failed_ids, failure
from tests.fix_servers import execute, unique_name
from tests.migrator_helpers import scalar
from verify.connect import Endpoint, connect
from verify.plan import read_recorded_plan


def _statuses(outcome_dir: Path) -> dict[str, tuple[str, str]]:
    return {r.name: (r.status, r.message) for r in read_results(outcome_dir)}


def test_materialized_views_are_refreshed_in_order_and_one_with_no_data_stays_empty(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    execute(
        source_db,
        "CREATE MATERIALIZED VIEW public.client_totals AS"
        " SELECT company_id, count(*) AS n FROM public.clients GROUP BY company_id",
        "CREATE UNIQUE INDEX ON public.client_totals (company_id)",
        # Reads the first view: refreshed after it, or it would see no rows.
        "CREATE MATERIALIZED VIEW public.a_company_count AS"
        " SELECT count(*) AS companies FROM public.client_totals",
        "CREATE MATERIALIZED VIEW public.later AS SELECT id FROM public.clients WITH NO DATA",
    )
    plan = cli("plan", "--source", source_db.url)
    assert "materialized view: public.client_totals (refreshed after the data)" in plan.stdout
    assert "materialized view: public.later (WITH NO DATA on the source" in plan.stdout
    run_copy(source_db, empty_target)
    populated = "SELECT relispopulated FROM pg_class WHERE oid = %s::regclass"
    assert scalar(empty_target, populated % "'public.client_totals'") is True
    assert scalar(empty_target, populated % "'public.later'") is False
    assert scalar(empty_target, "SELECT companies FROM public.a_company_count") == 1
    outcome = verify_pair(source_db, empty_target)
    assert failed_ids(outcome) == set()
    statuses = _statuses(outcome.alluredir)
    assert statuses["test_row_parity[public.client_totals]"][0] == "passed"
    assert statuses["test_row_parity[public.later]"][0] == "skipped"


def test_a_stale_materialized_view_fails_row_parity_naming_it(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    execute(
        source_db,
        "CREATE MATERIALIZED VIEW public.client_totals AS"
        " SELECT company_id, count(*) AS n FROM public.clients GROUP BY company_id",
        "CREATE UNIQUE INDEX ON public.client_totals (company_id)",
    )
    run_copy(source_db, empty_target)
    # Refreshed from other data, base tables put back equal: only the view's rows differ.
    damage_target(
        empty_target,
        "CREATE TEMP TABLE kept AS SELECT * FROM public.clients WHERE id = 1",
        "DELETE FROM public.clients WHERE id = 1",
        "REFRESH MATERIALIZED VIEW public.client_totals",
        "INSERT INTO public.clients OVERRIDING SYSTEM VALUE SELECT * FROM kept",
    )
    outcome = verify_pair(source_db, empty_target)
    assert failed_ids(outcome) == {"test_row_parity[public.client_totals]"}
    message = failure(outcome, "test_row_parity[public.client_totals]").message
    # Compared by its unique index: the company whose count went stale is named.
    assert "public.client_totals" in message and "1 changed" in message
    assert "company_id=" in message


def test_owners_stay_where_the_role_exists_and_map_to_the_target_user_where_it_does_not(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    kept, gone = unique_name("owner_both"), unique_name("owner_src")
    for endpoint in (source_db, empty_target):
        execute(endpoint, sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(kept)))
    execute(
        source_db,
        sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(gone)),
        sql.SQL("ALTER TABLE public.staff OWNER TO {}").format(sql.Identifier(kept)),
        sql.SQL("ALTER TABLE public.services OWNER TO {}").format(sql.Identifier(gone)),
    )
    copied = cli("copy", "--source", source_db.url, "--target", empty_target.url)
    assert copied.returncode == 0, copied.stderr
    assert f"owner {gone} -> postgres" in copied.stdout
    owner = "SELECT relowner::regrole::text FROM pg_class WHERE oid = %s::regclass"
    assert scalar(empty_target, owner % "'public.staff'") == kept
    assert scalar(empty_target, owner % "'public.services'") == "postgres"
    recorded = _recorded(empty_target)
    assert recorded["roles"][gone]["owner_on_target"] == "postgres"
    outcome = verify_pair(source_db, empty_target)
    assert failed_ids(outcome) == set()
    status, message = _statuses(outcome.alluredir)[f"test_role[{gone}]"]
    assert status == "skipped" and "owned by postgres there" not in message
    assert "belong to postgres there (owner mapped by the plan)" in message


def _recorded(target: Endpoint) -> dict[str, dict[str, dict[str, object]]]:
    with connect(target, role="target", read_only=True) as conn:
        plan = read_recorded_plan(conn)
    assert plan is not None
    return {"roles": {r.name: {"owner_on_target": r.owner_on_target} for r in plan.roles}}


def test_created_roles_keep_what_changes_what_the_application_sees(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    reader, group = unique_name("svc"), unique_name("grp")
    ident, group_ident = sql.Identifier(reader), sql.Identifier(group)
    execute(
        source_db,
        sql.SQL("CREATE ROLE {} NOLOGIN").format(group_ident),
        sql.SQL("CREATE ROLE {} LOGIN NOINHERIT BYPASSRLS CONNECTION LIMIT 7").format(ident),
        sql.SQL("GRANT {} TO {}").format(group_ident, ident),
        sql.SQL("ALTER ROLE {} SET statement_timeout = '8s'").format(ident),
        sql.SQL("GRANT SELECT ON public.clients TO {}").format(ident),
        sql.SQL("GRANT SELECT ON public.staff TO {}").format(group_ident),
    )
    run_copy(source_db, empty_target)
    attrs = scalar(
        empty_target,
        "SELECT row(rolcanlogin, rolinherit, rolbypassrls, rolconnlimit)::text"
        f" FROM pg_roles WHERE rolname = '{reader}'",
    )
    assert attrs == "(f,f,t,7)"
    member = f"SELECT pg_has_role('{reader}', '{group}', 'MEMBER')"
    assert scalar(empty_target, member) is True
    outcome = verify_pair(source_db, empty_target, "-k", "test_role")
    assert failed_ids(outcome) == set()
    status, message = _statuses(outcome.alluredir)[f"test_role[{reader}]"]
    assert status == "skipped" and "NOLOGIN on the target" in message
    # The fault the contract guards against: the role loses BYPASSRLS on the target.
    execute(empty_target, sql.SQL("ALTER ROLE {} NOBYPASSRLS INHERIT").format(ident))
    outcome = verify_pair(source_db, empty_target, "-k", "test_role")
    assert failed_ids(outcome) == {f"test_role[{reader}]"}
    message = failure(outcome, f"test_role[{reader}]").message
    assert "bypassrls: True on the source, False on the target" in message
    assert "inherit: False on the source, True on the target" in message


def test_settings_of_a_role_the_target_already_has_are_carried(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    execute(
        source_db,
        sql.SQL("ALTER ROLE postgres IN DATABASE {} SET search_path = public, extensions").format(
            sql.Identifier(source_db.dbname)
        ),
    )
    run_copy(source_db, empty_target)
    found = scalar(
        empty_target,
        "SELECT array_to_string(setconfig, ';') FROM pg_db_role_setting"
        " WHERE setrole = 'postgres'::regrole"
        " AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    assert found == "search_path=public, extensions"


def test_grants_on_extension_member_objects_are_carried(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    execute(
        source_db,
        "CREATE SCHEMA extensions",
        "CREATE EXTENSION hstore WITH SCHEMA extensions",
        "ALTER TABLE public.companies ADD COLUMN tags extensions.hstore",
        "REVOKE EXECUTE ON FUNCTION extensions.hstore_to_json(extensions.hstore) FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION extensions.hstore_to_json(extensions.hstore) TO anon",
    )
    run_copy(source_db, empty_target)
    acl = scalar(
        empty_target,
        "SELECT proacl::text FROM pg_proc"
        " WHERE oid = 'extensions.hstore_to_json(extensions.hstore)'::regprocedure",
    )
    assert "anon=X/" in str(acl)
    assert not re.search(r"[{,]=X/", str(acl)), acl  # PUBLIC's EXECUTE stays revoked
    outcome = verify_pair(source_db, empty_target)
    assert failed_ids(outcome) == set()
    statuses = _statuses(outcome.alluredir)
    # The plan moved `extensions` (a column uses it): the contracts check it, not skip it.
    assert statuses["test_schema[extensions]"][0] == "passed"
    assert statuses["test_extension[hstore]"][0] == "passed"


def test_a_schema_left_behind_is_listed_with_its_tables_rows_and_policies(
    source_db: Endpoint, empty_target: Endpoint, tmp_path: Path
) -> None:
    execute(
        source_db,
        "CREATE SCHEMA storage",
        "CREATE TABLE storage.objects (id int PRIMARY KEY, name text)",
        "INSERT INTO storage.objects SELECT g, 'f' || g FROM generate_series(1, 750) g",
        "ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY read ON storage.objects FOR SELECT TO anon USING (true)",
    )
    plan = cli("plan", "--source", source_db.url)
    assert "left on the source: storage: 1 tables, 750 rows, 1 policies" in plan.stdout
    assert "Supabase Storage files are not in the database" in plan.stdout
    copied = cli("copy", "--source", source_db.url, "--target", empty_target.url)
    assert "left on the source: storage: 1 tables, 750 rows, 1 policies" in copied.stdout
    # Files in Supabase Storage are personal data outside the database: residency wants them
    # declared (where they went) before the gate says GO with storage left behind.
    config = tmp_path / "pgcutover.toml"
    config.write_text(
        '[[residency.out_of_scope]]\ntable = "storage.objects"\n'
        'reason = "files copied to the new object store"\n',
        encoding="utf-8",
    )
    verified = cli(
        "verify",
        "--source",
        source_db.url,
        "--target",
        empty_target.url,
        "--report-dir",
        str(tmp_path / "r"),
        "--config",
        str(config),
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    gate = json.loads((tmp_path / "r" / "gate.json").read_text())
    storage = next(s for s in gate["skipped"] if s["name"] == "test_schema[storage]")
    assert "storage: 1 tables, 750 rows, 1 policies stay on the source" in storage["message"]
    files = next(s for s in gate["skipped"] if s["name"] == "test_residency[storage.objects]")
    assert "files copied to the new object store" in files["message"]


def test_a_public_schema_owned_by_another_role_compares_clean(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    # The target's public belongs to pg_database_owner; the source's to postgres: the copy
    # gives it the source's owner, and the owner's own privileges are no grant on either side.
    execute(source_db, "ALTER SCHEMA public OWNER TO postgres")
    run_copy(source_db, empty_target)
    assert (
        scalar(
            empty_target,
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'",
        )
        == "postgres"
    )
    outcome = verify_pair(source_db, empty_target, "-k", "test_schema or test_grants")
    assert failed_ids(outcome) == set()


def test_verify_follows_the_plan_the_copy_recorded(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    execute(source_db, "CREATE SCHEMA audit", "CREATE TABLE audit.log (id int PRIMARY KEY)")
    copied = cli(
        "copy", "--source", source_db.url, "--target", empty_target.url, "--exclude-schema", "audit"
    )
    assert copied.returncode == 0, copied.stderr
    # No flag here: verify reads what the copy recorded and checks exactly that.
    outcome = verify_pair(source_db, empty_target)
    assert failed_ids(outcome) == set()
    status, message = _statuses(outcome.alluredir)["test_schema[audit]"]
    assert status == "skipped" and "excluded by --exclude-schema" in message


def test_excluding_a_schema_the_moving_ones_depend_on_is_refused_before_anything_is_written(
    source_db: Endpoint, empty_target: Endpoint
) -> None:
    copied = cli(
        "copy", "--source", source_db.url, "--target", empty_target.url, "--exclude-schema", "auth"
    )
    assert copied.returncode == 2
    assert "public depends on auth" in copied.stderr
    assert scalar(empty_target, "SELECT to_regnamespace('pgcutover')") is None
