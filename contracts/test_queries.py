"""Query parity: the application's queries return the same results on both sides.

Assertions stay plain (PYTEST_DONT_REWRITE): a failure reads as the contract's sentence.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pgcutover.pytest_plugin import Side
from reports.evidence import (
    Reproduction,
    attach_json,
    attach_sql,
    differences_from_sentences,
    explain_failure,
    label,
    masked_params,
)
from verify.diff import deep_difference
from verify.queries import (
    Query,
    compare_results,
    load_queries,
    masked,
    params_id,
    run_query,
)

DEFAULT_QUERIES = Path(__file__).parent / "queries"


def queries_dir() -> Path:
    """The application's query folder: PGCUTOVER_QUERIES_DIR, else the bundled examples."""
    return Path(os.environ.get("PGCUTOVER_QUERIES_DIR") or DEFAULT_QUERIES)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per query and parameter set: `test_query[client_by_phone-phone=+7...]`."""
    if "query" in metafunc.fixturenames:
        cases = [
            pytest.param(q, p, id=f"{q.name}-{params_id(p)}")
            for q in load_queries(queries_dir())
            for p in q.param_sets
        ]
        if not cases:  # said in words, not as pytest's "got empty parameter set"
            skip = pytest.mark.skip(reason=f"no query files (*.sql) in {queries_dir()}")
            feature = pytest.mark.allure_label("Queries", label_type="feature")
            cases = [pytest.param(None, None, id="none", marks=[skip, feature])]
        metafunc.parametrize(("query", "params"), cases)


def test_query(
    query: Query, params: Mapping[str, Any], source: Side, target: Side, mask: bool
) -> None:
    """Columns (names, types) and rows are equal, in order where the query says it is ordered."""
    label(feature="Queries", story=f"{query.name} {params_id(params)}", severity="critical")
    attach_sql(f"{query.name}.sql", query.sql)
    expected = run_query(source.conn, query, params)
    actual = run_query(target.conn, query, params)
    differences = compare_results(expected, actual, query, mask=mask)
    if differences:
        if mask:
            expected, actual = masked(expected), masked(actual)
        attach_json(
            "result difference (deepdiff)",
            deep_difference(
                {"columns": expected.columns, "rows": expected.rows[:100]},
                {"columns": actual.columns, "rows": actual.rows[:100]},
            ),
        )
    if differences:
        explain_failure(
            differences_from_sentences(f"{query.name} {params_id(params)}", differences),
            [Reproduction(query.sql, masked_params(params, mask=mask))],
        )
    assert not differences, (
        f"query {query.name} ({params_id(params)}): {'; '.join(differences[:5])}"
    )
