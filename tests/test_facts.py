"""The application contracts' facts reach the gate's summary, console and gate.json."""

from __future__ import annotations

import json
from pathlib import Path

from reports.console import verdict_lines
from reports.facts import API, CODE, OPERATIONAL, RESIDENCY, fact_blocks, write_fact
from reports.gate import gate


def _residency(alluredir: Path) -> None:
    write_fact(
        alluredir,
        RESIDENCY,
        "public.clients",
        {
            "status": "on the target",
            "ok": True,
            "counted": True,
            "message": "public.clients: all 3 rows on the target",
            "places": "phone, email",
        },
    )
    write_fact(
        alluredir,
        RESIDENCY,
        "auth.users",
        {
            "status": "left on the source",
            "ok": False,
            "counted": True,
            "message": "auth.users: 4 rows of personal data stay on the source",
            "places": "email",
        },
    )
    write_fact(
        alluredir,
        RESIDENCY,
        "storage.objects",
        {
            "status": "declared out of scope",
            "ok": True,
            "counted": False,
            "message": "storage.objects: declared out of scope: files moved by rclone",
        },
    )


def test_residency_counts_tables_on_the_target_failures_first(tmp_path: Path) -> None:
    _residency(tmp_path)
    [block] = fact_blocks(tmp_path)
    assert block.headline == "personal-data tables on the target: 1/2"
    assert block.items == (
        "NOT auth.users: 4 rows of personal data stay on the source [email]",
        "public.clients: all 3 rows on the target [phone, email]",
        "accepted: storage.objects: declared out of scope: files moved by rclone",
    )


def test_a_rerun_of_one_object_replaces_its_fact(tmp_path: Path) -> None:
    _residency(tmp_path)
    _residency(tmp_path)
    assert fact_blocks(tmp_path)[0].headline.endswith("1/2")


def test_blocks_come_in_a_fixed_order_and_say_when_a_check_did_not_run(tmp_path: Path) -> None:
    write_fact(
        tmp_path,
        API,
        "not configured",
        {"ok": True, "status": "not checked", "message": "no SUPABASE_URL"},
    )
    write_fact(
        tmp_path, CODE, "src/db.js", {"ok": False, "message": "line 2: imports x", "scanned": 12}
    )
    write_fact(tmp_path, OPERATIONAL, "tls", {"ok": True, "figure": "TLS in use", "order": 1})
    write_fact(
        tmp_path,
        OPERATIONAL,
        "schema_migrations",
        {"ok": True, "status": "not checked", "figure": "no table", "order": 2},
    )
    write_fact(
        tmp_path,
        OPERATIONAL,
        "round_trip",
        {"ok": False, "figure": "round trip 250 ms", "order": 0},
    )
    blocks = fact_blocks(tmp_path)
    assert [b.headline for b in blocks] == [
        "target readiness: 1/2 checks passed",
        "files still on Supabase: 1 (of 12 scanned)",
        "Supabase API spot check: not run (no SUPABASE_URL)",
    ]
    assert blocks[0].items == (
        "NOT OK round_trip: round trip 250 ms",
        "ok tls: TLS in use",
        "n/a schema_migrations: no table",
    )


def test_the_gate_prints_facts_in_the_console_summary_and_gate_json(tmp_path: Path) -> None:
    alluredir = tmp_path / "allure-results"
    _residency(alluredir)
    verdict = gate(alluredir, tmp_path)
    lines = verdict_lines(verdict, tmp_path)
    assert "personal-data tables on the target: 1/2" in lines
    assert "  public.clients: all 3 rows on the target [phone, email]" in lines
    summary = (tmp_path / "summary.md").read_text()
    assert "**personal-data tables on the target: 1/2**" in summary
    assert "- accepted: storage.objects: declared out of scope: files moved by rclone" in summary
    data = json.loads((tmp_path / "gate.json").read_text())
    assert data["facts"][0]["headline"] == "personal-data tables on the target: 1/2"


def test_without_allure_results_no_fact_is_written(tmp_path: Path) -> None:
    write_fact(None, RESIDENCY, "x", {"ok": True})
    assert list(tmp_path.iterdir()) == []
