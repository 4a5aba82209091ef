"""Facts the application contracts leave for the gate's summary.

Residency, operational readiness, code readiness and the API spot check each answer a
question an approver asks in one line ("personal-data tables on the target: 9/10"). Each
test writes its own small JSON fact into allure-results (one file per object, so parallel
workers and retries never clash); the gate reads them back and prints the lines.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FACT_PREFIX = "pgcutover-fact-"
RESIDENCY, OPERATIONAL, CODE, API = "residency", "operational", "code", "api"
_SHOWN = 30


def write_fact(alluredir: Path | None, family: str, item: str, data: dict[str, Any]) -> None:
    """Record one object's outcome (no-op when the run keeps no allure-results)."""
    if alluredir is None:
        return
    alluredir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(item.encode()).hexdigest()[:16]
    payload = {"family": family, "item": item, **data}
    (alluredir / f"{FACT_PREFIX}{family}-{digest}.json").write_text(
        json.dumps(payload, ensure_ascii=False, default=str), encoding="utf-8"
    )


def read_facts(alluredir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every recorded fact by family, each family's in item order."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(alluredir.glob(f"{FACT_PREFIX}*.json")):
        fact = json.loads(path.read_text(encoding="utf-8"))
        found.setdefault(fact["family"], []).append(fact)
    for facts in found.values():
        facts.sort(key=lambda f: str(f["item"]))
    return found


@dataclass(frozen=True)
class FactBlock:
    """One summary line and the list under it."""

    headline: str
    items: tuple[str, ...] = ()


def _listed(items: list[str]) -> list[str]:
    if len(items) <= _SHOWN:
        return items
    return [*items[:_SHOWN], f"... and {len(items) - _SHOWN} more (see allure-results)"]


def residency_block(facts: list[dict[str, Any]]) -> FactBlock:
    """'personal-data tables on the target: 9/10', the ones not there first."""
    counted = [f for f in facts if f.get("counted", True)]
    on_target = [f for f in counted if f["ok"]]
    headline = f"personal-data tables on the target: {len(on_target)}/{len(counted)}"
    if any(f.get("mode") == "source_must_be_empty" for f in facts):
        holding = [f for f in facts if f["status"] == "still holds rows on the source"]
        headline = (
            f"personal-data tables emptied on the source: {len(counted) - len(holding)}/"
            f"{len(counted)}"
        )
    items = [f"NOT {f['message']} [{f.get('places', '')}]" for f in counted if not f["ok"]]
    items += [f"{f['message']} [{f.get('places', '')}]" for f in on_target]
    items += [f"accepted: {f['message']}" for f in facts if not f.get("counted", True)]
    return FactBlock(headline, tuple(_listed(items)))


def operational_block(facts: list[dict[str, Any]]) -> FactBlock:
    """'target readiness: 10/11 checks passed' and each check's figure."""
    checked = [f for f in facts if f.get("status") != "not checked"]
    passed = sum(1 for f in checked if f["ok"])
    ordered = sorted(facts, key=lambda f: (f["ok"], f.get("order", 0)))
    items = [
        f"{'NOT OK' if not f['ok'] else 'n/a' if f.get('status') else 'ok'} {f['item']}: "
        f"{f['figure']}"
        for f in ordered
    ]
    return FactBlock(f"target readiness: {passed}/{len(checked)} checks passed", tuple(items))


def code_block(facts: list[dict[str, Any]]) -> FactBlock:
    """'files still on Supabase: 3' with each file and what ties it."""
    if all(f.get("status") == "not checked" for f in facts):
        return FactBlock(f"files still on Supabase: not checked ({facts[0]['message']})")
    tied = [f for f in facts if not f["ok"]]
    scanned = max((int(f.get("scanned", 0)) for f in facts), default=0)
    items = [f"{f['item']}: {f['message']}" for f in tied]
    return FactBlock(
        f"files still on Supabase: {len(tied)} (of {scanned} scanned)", tuple(_listed(items))
    )


def api_block(facts: list[dict[str, Any]]) -> FactBlock:
    """'Supabase API spot check: 5/5 tables equal' (or why it did not run)."""
    if all(f.get("status") == "not checked" for f in facts):
        return FactBlock(f"Supabase API spot check: not run ({facts[0]['message']})")
    ran = [f for f in facts if f.get("status") is None]
    equal = [f for f in ran if f["ok"]]
    items = [f"NOT {f['item']}: {f['message']}" for f in ran if not f["ok"]]
    items += [f"not read ({f['message']})" for f in facts if f.get("status") == "not allowed"]
    return FactBlock(
        f"Supabase API spot check: {len(equal)}/{len(ran)} tables as the target holds them",
        tuple(_listed(items)),
    )


_BLOCKS = {
    RESIDENCY: residency_block,
    OPERATIONAL: operational_block,
    CODE: code_block,
    API: api_block,
}


def fact_blocks(alluredir: Path) -> list[FactBlock]:
    """The summary blocks of every family that recorded facts, in a fixed order."""
    facts = read_facts(alluredir)
    return [block(facts[family]) for family, block in _BLOCKS.items() if facts.get(family)]


def fact_lines(blocks: list[FactBlock], *, indent: str = "  ") -> list[str]:
    """The blocks as plain lines: each headline, its items indented under it."""
    lines = []
    for block in blocks:
        lines.append(block.headline)
        lines += [f"{indent}{item}" for item in block.items]
    return lines
