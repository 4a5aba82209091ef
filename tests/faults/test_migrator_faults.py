"""The migrator's exactly-once guard is its per-unit checkpoint: lose one and the gate says so.

A unit's rows and its `done` mark commit together. If the mark were lost after the rows
landed (a checkpoint written outside the unit's transaction, say), a resumed copy would
copy the unit again. A keyless table accepts the duplicates silently, so this shows that
the contracts, not the migrator's own word, are what catch it, naming the table.
"""

from __future__ import annotations

from migrator.job import run_copy
from tests.fix_contracts import RunContracts, failed_ids
from tests.fix_servers import execute
from verify.connect import Endpoint


def test_a_lost_unit_checkpoint_duplicates_rows_and_the_gate_names_the_table(
    source_db: Endpoint, empty_target: Endpoint, verify_pair: RunContracts
) -> None:
    execute(
        source_db,
        "CREATE TABLE public.audit_log (msg text)",
        "INSERT INTO public.audit_log SELECT 'event ' || g FROM generate_series(1, 25) g",
    )
    run_copy(source_db, empty_target)
    clean = verify_pair(source_db, empty_target)
    assert not any("audit_log" in name for name in failed_ids(clean))
    # The fault: the checkpoint of one finished unit is lost, and the job looks unfinished.
    execute(
        empty_target,
        "UPDATE pgcutover.units SET done = false WHERE table_name = 'audit_log'",
        "UPDATE pgcutover.job SET finished_at = NULL",
    )
    report = run_copy(source_db, empty_target)
    assert report.resumed and report.rows == 25
    outcome = verify_pair(source_db, empty_target)
    assert "test_row_count[public.audit_log]" in failed_ids(outcome)
    assert not outcome.verdict.go
