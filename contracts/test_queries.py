"""Query parity: the application's queries return the same results on both sides.

The queries come only from a folder the user names (`pgcutover verify --queries DIR`,
[queries] dir in pgcutover.toml, pytest --queries-dir); with none, one skipped test says how
to add them. Assertions stay plain (PYTEST_DONT_REWRITE): a failure reads as the contract's
sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from pgcutover.pytest_plugin import Side, nothing_to_check, personal_columns, queries_dir, sides
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
    syntax_problem,
)

HOW_TO_ADD = (
    "no application queries named: put the application's SELECTs in *.sql files in a folder "
    "and pass `pgcutover verify --queries DIR` ([queries] dir in pgcutover.toml; pytest "
    "--queries-dir DIR)"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per query and parameter set: `test_query[client_by_phone-phone=+7...]`."""
    if "query" not in metafunc.fixturenames:
        return
    folder = queries_dir(metafunc.config)
    if folder is None:
        metafunc.parametrize(("query", "params"), nothing_to_check(HOW_TO_ADD, "Queries", values=2))
        return
    personal = personal_columns(metafunc.config)
    queries = load_queries(folder)
    source = sides(metafunc.config)["source"]
    for query in queries:
        # SQL that does not parse is an input to fix, not a finding: the run stops (exit 2).
        problem = syntax_problem(source.conn, query)
        if problem:
            raise pytest.UsageError(
                f"the query {folder / query.name}.sql is not valid SQL: {problem}"
            )
    cases = [
        pytest.param(q, p, id=f"{q.name}-{params_id(p, personal)}")
        for q in queries
        for p in q.param_sets
    ]
    metafunc.parametrize(("query", "params"), cases)


def test_query(
    query: Query,
    params: Mapping[str, Any],
    source: Side,
    target: Side,
    mask: bool,
    request: pytest.FixtureRequest,
) -> None:
    """Columns (names, type names) and rows are equal, in order where the query says it is
    ordered; a query the source cannot run is broken, not failed."""
    personal = personal_columns(request.config)
    label(
        feature="Queries", story=f"{query.name} {params_id(params, personal)}", severity="critical"
    )
    attach_sql(f"{query.name}.sql", query.sql)
    expected = run_query(source.conn, query, params)
    actual = run_query(target.conn, query, params)
    differences = compare_results(expected, actual, query, mask=mask, personal=personal)
    if differences:
        if mask:
            expected, actual = masked(expected, personal), masked(actual, personal)
        attach_json(
            "result difference (deepdiff)",
            deep_difference(
                {"columns": expected.columns, "rows": expected.rows[:100]},
                {"columns": actual.columns, "rows": actual.rows[:100]},
            ),
        )
    if differences:
        explain_failure(
            differences_from_sentences(f"{query.name} {params_id(params, personal)}", differences),
            [Reproduction(query.sql, masked_params(params, mask=mask, personal=personal))],
        )
    assert not differences, (
        f"query {query.name} ({params_id(params, personal)}): {'; '.join(differences[:5])}"
    )
