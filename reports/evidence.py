"""Allure labels and attachments: what an approver reads next to each contract.

A failing contract's page shows its sentence as the error, then (in the description,
visible without a click) what it promised, a small table of the values that differ and
the SQL with its parameters to check it by hand; the full evidence stays attached.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import allure
from psycopg import sql

from verify.mask import is_personal, mask_phone_numbers, mask_row, mask_value

EPIC = "Cutover gate"

SEVERITY = {
    "blocker": allure.severity_level.BLOCKER,
    "critical": allure.severity_level.CRITICAL,
    "normal": allure.severity_level.NORMAL,
}


def label(*, feature: str, story: str, severity: str) -> None:
    """Label the running test: the gate (epic), the contract family, the object, how bad a failure is."""
    allure.dynamic.epic(EPIC)
    allure.dynamic.feature(feature)
    allure.dynamic.story(story)
    allure.dynamic.severity(SEVERITY[severity])


def mark_accepted(reason: str) -> None:
    """Tag the running test as an accepted difference, so the report lists it as such."""
    allure.dynamic.tag("accepted")
    allure.dynamic.label("pgcutover", "accepted")
    allure.dynamic.description(f"Accepted difference: {reason}")


def note(text: str) -> None:
    """Say something an approver should know about a passing test (a harmless difference,
    such as re-encoded Buffers): the test's description and an attachment named after it,
    not a warning (a warning reads as a problem)."""
    allure.dynamic.description(text)
    allure.attach(text, name=f"note: {text}", attachment_type=allure.attachment_type.TEXT)


def attach_json(name: str, data: Any) -> None:
    """Attach `data` as pretty JSON (already masked and secret-free: callers' duty)."""
    allure.attach(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        name=name,
        attachment_type=allure.attachment_type.JSON,
    )


def attach_sql(name: str, text: str) -> None:
    """Attach the SQL a contract ran, so a finding can be reproduced by hand."""
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


SHOWN_DIFFERENCES = 20
_CELL_CHARS = 120
_PATH_PART = re.compile(r"\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]")
_ADDED = ("dictionary_item_added", "iterable_item_added", "set_item_added")
_REMOVED = ("dictionary_item_removed", "iterable_item_removed", "set_item_removed")
ABSENT = "(absent)"
# "row 3 column clients: source 331, target 330", "columns differ: source [...], target [...]"
_SOURCE_TARGET = re.compile(r"^(?P<where>.+?): source (?P<source>.+), target (?P<target>.+)$")
# "1299 rows on the source, 1298 on the target"
_COUNTS = re.compile(r"^(?P<source>\S+) (?P<what>.+?) on the source, (?P<target>\S+) on the target")


@dataclass(frozen=True)
class Difference:
    """One differing value as the failure page's table shows it (masked by the caller)."""

    key: str  # the row key or object: id=5, public.clients_pkey
    where: str  # the column or JSON path: phone, creds.noiseKey.private
    source: str
    target: str


@dataclass(frozen=True)
class Reproduction:
    """SQL a person can run on both sides to see a difference for themselves."""

    sql: str
    params: Mapping[str, Any] | None = None
    where: str = "the source and the target"


def deepdiff_path(path: str) -> str:
    """deepdiff's root['creds']['keys'][0] as creds.keys[0]."""
    text = ""
    for name, index in _PATH_PART.findall(path):
        text += f"[{index}]" if index else (f".{name}" if text else name)
    return text or path.removeprefix("root") or "(value)"


def differences_from_deepdiff(key: str, diff: Mapping[str, Any]) -> list[Difference]:
    """Rows of the failure table from a deepdiff (verbose_level=2) of source and target."""
    rows = []
    for kind, changes in diff.items():
        if not isinstance(changes, Mapping):
            continue
        for path, change in changes.items():
            where = deepdiff_path(str(path))
            if kind in _ADDED:
                rows.append(Difference(key, where, ABSENT, _text(change)))
            elif kind in _REMOVED:
                rows.append(Difference(key, where, _text(change), ABSENT))
            elif isinstance(change, Mapping) and "old_value" in change:
                old, new = change["old_value"], change.get("new_value")
                rows.append(Difference(key, where, _text(old), _text(new)))
            else:
                rows.append(Difference(key, where, kind.replace("_", " "), _text(change)))
    return rows


def differences_from_sentences(key: str, sentences: Iterable[str]) -> list[Difference]:
    """Rows of the failure table from a contract's sentences ("row 3 column x: source 1,
    target 2"; "5 rows on the source, 4 on the target"); any other sentence whole."""
    rows = []
    for sentence in sentences:
        pair, counts = _SOURCE_TARGET.match(sentence), _COUNTS.match(sentence)
        if pair:
            rows.append(Difference(key, pair["where"], pair["source"], pair["target"]))
        elif counts:
            rows.append(Difference(key, counts["what"], counts["source"], counts["target"]))
        else:
            rows.append(Difference(key, sentence, "", ""))
    return rows


def masked_params(
    params: Mapping[str, Any], *, mask: bool = True, personal: Iterable[str] = ()
) -> dict[str, Any]:
    """Query parameters as shown to people: personal values (by name, or named in `personal`)
    masked unless --no-mask."""
    return mask_row(dict(params), personal) if mask else dict(params)


def row_differences(evidence: Mapping[str, Any]) -> list[Difference]:
    """Rows of the failure table from row parity's evidence (missing, extra, changed keys)."""
    rows = [Difference(str(k), "(row)", "present", "missing") for k in evidence.get("missing", [])]
    rows += [Difference(str(k), "(row)", "absent", "present") for k in evidence.get("extra", [])]
    for change in evidence.get("changed", []):
        rows += differences_from_deepdiff(str(change["key"]), change.get("diff", {}))
        rows += [
            Difference(str(change["key"]), path, "(masked)", "(masked: differs)")
            for path in change.get("hidden_by_mask", [])
        ]
    return rows


def quoted(*names: str) -> str:
    """An identifier as SQL text for a person to run: "public"."clients"."""
    return sql.Identifier(*names).as_string()


def key_lookup(
    schema: str,
    table: str,
    columns: Sequence[str],
    key: Sequence[object],
    *,
    mask: bool = True,
    personal: Iterable[str] = (),
) -> Reproduction:
    """SELECT of one row by its key, the key's values as parameters (personal ones masked:
    --no-mask shows them)."""
    query = sql.SQL("SELECT * FROM {} WHERE {}").format(
        sql.Identifier(schema, table),
        sql.SQL(" AND ").join(
            sql.SQL("{} = %({})s").format(sql.Identifier(c), sql.SQL(c)) for c in columns
        ),
    )
    personal = tuple(personal)
    params = {
        c: (
            mask_value(str(v))
            if mask and is_personal(c, personal)
            else (mask_phone_numbers(str(v)) if mask else v)
        )
        for c, v in zip(columns, key, strict=True)
    }
    return Reproduction(query.as_string(), params)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _cell(value: str) -> str:
    text = " ".join(value.split())
    if len(text) > _CELL_CHARS:
        cut = text.rfind(" ", 0, _CELL_CHARS)
        text = text[: cut if cut > _CELL_CHARS // 2 else _CELL_CHARS] + " …"
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`") or " "


def _claim() -> str | None:
    # The docstring of the contract function running now: schema contracts share one
    # judge(), so walking out to the first test_* frame finds it for every caller.
    frame = inspect.currentframe()
    while frame is not None:
        function = frame.f_globals.get(frame.f_code.co_name)
        if frame.f_code.co_name.startswith("test_") and callable(function):
            return inspect.getdoc(function)
        frame = frame.f_back
    return None


def failure_page(
    differences: Sequence[Difference],
    reproduce: Sequence[Reproduction] = (),
    claim: str | None = None,
) -> str:
    """The failure page's Markdown: the claim, the table of differences, the SQL to run."""
    parts = [claim] if claim else []
    if differences:
        shown = differences[:SHOWN_DIFFERENCES]
        more = len(differences) - len(shown)
        parts.append(
            "**What differs**"
            + (f" (first {len(shown)} of {len(differences)}; all in the evidence)" if more else "")
        )
        table = ["| key | column or JSON path | source | target |", "|---|---|---|---|"]
        table += [
            f"| {_cell(d.key)} | {_cell(d.where)} | {_cell(d.source)} | {_cell(d.target)} |"
            for d in shown
        ]
        parts.append("\n".join(table))
    for r in reproduce:
        block = f"**Reproduce by hand** on {r.where}:\n\n```sql\n{r.sql.strip()}\n```"
        if r.params:
            block += f"\n\nparameters: `{json.dumps(r.params, ensure_ascii=False, default=str)}`"
        parts.append(block)
    return "\n\n".join(parts)


def explain_failure(
    differences: Sequence[Difference], reproduce: Sequence[Reproduction] = ()
) -> None:
    """Show on the running contract's page what differs and how to check it by hand (the
    page's description: visible without opening an attachment); attach the SQL too."""
    allure.dynamic.description(failure_page(differences, reproduce, _claim()))
    for r in reproduce:
        params = f"\n-- parameters: {json.dumps(r.params, ensure_ascii=False, default=str)}"
        attach_sql(f"reproduce on {r.where}", r.sql.strip() + (params if r.params else ""))


def write_environment(alluredir: Path, facts: dict[str, str]) -> None:
    """environment.properties: both servers (no passwords), snapshot, tool version."""
    alluredir.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={value}".replace("\n", " ") for key, value in facts.items()]
    (alluredir / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")
