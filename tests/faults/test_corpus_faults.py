"""Faults injected into a clean copy of each corpus database: `pgcutover verify` says NO-GO
(exit 1) and names the object.

Each fault damages a clone of the case's copied target (the fresh-server variant: there a
role is the target's own, so changing it leaves the source alone), then runs the real CLI.
Per database: a row deleted, a materialized view left stale (its base rows equal again,
its contents not), and a role attribute lost or an owner changed (supabase both).
Contract names are the ones the gate uses or will use: test_row_parity[<schema>.<table or matview>],
test_role[<role>], test_table[<schema>.<table>].
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.fix_contracts import damage_target
from tests.fix_corpus import Case, Corpus, restore_role_statement

# With tests/test_corpus.py on one worker: the faults clone the copies it made.
pytestmark = pytest.mark.xdist_group("corpus")


@dataclass(frozen=True)
class Fault:
    """What to break on the target, and the failed contract that must name it."""

    db: str
    name: str
    damage: tuple[str, ...]
    contract: str  # e.g. "test_row_parity"
    names: str  # what the contract's id must hold, e.g. "public.clients"
    role: str | None = None  # a cluster-wide role the damage changes, restored afterwards

    @property
    def id(self) -> str:
        """The test id: supabase-row-deleted, ..."""
        return f"{self.db}-{self.name}"


def _matview_stale(update: str, undo: str, matview: str) -> tuple[str, ...]:
    # Refresh from changed base rows, then put the base rows back: only the view differs.
    return (update, f"REFRESH MATERIALIZED VIEW {matview}", undo)


FAULTS = (
    Fault(
        "supabase",
        "row-deleted",
        ("DELETE FROM public.clients WHERE id = 7",),
        "test_row_parity",
        "public.clients",
    ),
    Fault(
        "supabase",
        "matview-stale",
        _matview_stale(
            "UPDATE public.bookings SET price = price + 100 WHERE id = md5('public.bookings/3')::uuid",
            "UPDATE public.bookings SET price = price - 100 WHERE id = md5('public.bookings/3')::uuid",
            "public.company_daily_revenue",
        ),
        "test_row_parity",
        "public.company_daily_revenue",
    ),
    Fault(
        "supabase",
        "role-bypassrls-lost",
        ("ALTER ROLE service_role NOBYPASSRLS",),
        "test_role",
        "service_role",
        role="service_role",
    ),
    Fault(
        "supabase",
        "owner-changed",
        ("ALTER TABLE public.api_keys OWNER TO anon",),
        "test_table",
        "public.api_keys",
    ),
    Fault(
        "types",
        "keyless-duplicate-deleted",
        (
            "DELETE FROM public.pgbench_history WHERE ctid = ("
            "SELECT ctid FROM public.pgbench_history WHERE tid = 3 ORDER BY ctid LIMIT 1)",
        ),
        "test_row_parity",
        "public.pgbench_history",
    ),
    Fault(
        "types",
        "matview-stale",
        _matview_stale(
            "UPDATE zoo.orders SET qty = qty + 1 WHERE id = 1000",
            "UPDATE zoo.orders SET qty = qty - 1 WHERE id = 1000",
            "zoo.order_summary",
        ),
        "test_row_parity",
        "zoo.order_summary",
    ),
    Fault(
        "types",
        "role-noinherit-lost",
        ("ALTER ROLE zoo_writer INHERIT",),
        "test_role",
        "zoo_writer",
        role="zoo_writer",
    ),
    Fault(
        "awkward",
        "row-deleted",
        ('DELETE FROM public."клиенты" WHERE "ид" = 5',),
        "test_row_parity",
        "клиенты",
    ),
    Fault(
        "awkward",
        "matview-stale",
        _matview_stale(
            'UPDATE "Sales Data"."order items" SET qty = qty + 1 WHERE "order id" = 1 AND "line no" = 1',
            'UPDATE "Sales Data"."order items" SET qty = qty - 1 WHERE "order id" = 1 AND "line no" = 1',
            '"Sales Data"."Monthly Report (v2)"',
        ),
        "test_row_parity",
        "Monthly Report (v2)",
    ),
    Fault(
        "awkward",
        "owner-changed",
        ('ALTER TABLE "Sales Data"."MixedCase" OWNER TO "Report Reader"',),
        "test_table",
        "MixedCase",
    ),
)


@pytest.mark.parametrize("fault", [pytest.param(f, id=f.id) for f in FAULTS])
def test_fault_in_a_clean_copy_gives_no_go_naming_the_object(corpus: Corpus, fault: Fault) -> None:
    case = Case(fault.db, "fresh")
    copied = corpus.copied(case)
    code = copied.copy.returncode
    assert code == 0, f"copy exited {code}: {copied.copy.stderr.strip()[-2000:]}"
    target = corpus.create_database(
        case.layout.target, f"fault_{fault.db}", template=copied.target.dbname
    )
    server = corpus.server(case.layout.target)
    restore = restore_role_statement(server, fault.role) if fault.role else None
    try:
        damage_target(target, *fault.damage)
        verified = corpus.verify(copied.source, target, f"fault-{fault.id}")
    finally:
        if restore is not None:
            damage_target(server, restore)
    code, console = verified.result.returncode, verified.result.stdout
    assert code == 1, console + verified.result.stderr
    assert "VERDICT: NO-GO" in console
    failures = json.loads((verified.report_dir / "gate.json").read_text("utf-8"))["failures"]
    named = [
        f["name"]
        for f in failures
        if f["name"].startswith(f"{fault.contract}[") and fault.names in f["name"]
    ]
    assert named, f"no failed {fault.contract}[...{fault.names}...]; failed: " + ", ".join(
        f["name"] for f in failures
    )
    assert fault.names in console, f"{fault.names!r} not named in the console summary"
