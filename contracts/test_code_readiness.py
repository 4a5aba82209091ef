"""Code readiness: no file of the application still needs Supabase.

With `--app-dir PATH` (or [app] dir), each file that still imports Supabase's client or
the project's wrapper of it, reads SUPABASE_* settings, or calls what the target cannot
serve (Auth, Storage, Realtime, Edge Functions, rpc to a function the target lacks) is its
own failing test, naming the lines: `test_code_readiness[src/db.js]`. A clean application
is one passing test; no folder given, one skipped test saying how to give it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pgcutover.pytest_plugin import allure_dir, settings_of, sides
from reports.evidence import attach_json, label
from reports.facts import CODE, write_fact
from verify.code_scan import AppScan, FileScan, function_names, scan_app

_SCAN = pytest.StashKey["AppScan | None"]()
ALL_FILES = "all files"
NOT_GIVEN = (
    "no application folder: give it with `pgcutover verify --app-dir PATH` "
    "(pytest: --app-dir) or [app] dir in pgcutover.toml"
)


def app_dir(config: pytest.Config) -> Path | None:
    """--app-dir, else [app] dir (relative to pgcutover.toml's folder), else None."""
    given = config.getoption("app_dir")
    if given:
        return Path(given)
    settings = settings_of(config)
    if not settings.app.dir:
        return None
    base = Path(settings.path).parent if settings.path else Path()
    return base / settings.app.dir


def app_scan(config: pytest.Config) -> AppScan | None:
    """The application's files that still need Supabase (scanned once per session)."""
    if _SCAN not in config.stash:
        folder = app_dir(config)
        if folder is None:
            config.stash[_SCAN] = None
        elif not folder.is_dir():
            raise pytest.UsageError(f"--app-dir / [app] dir {folder} is not a folder")
        else:
            settings = settings_of(config)
            target = sides(config)["target"]
            with target.savepoint():
                served = function_names(target.conn, settings.api.schemas)
            config.stash[_SCAN] = scan_app(folder, wrappers=settings.app.wrappers, functions=served)
    return config.stash[_SCAN]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per file still tied to Supabase; one for a clean application; one skipped
    when no folder is given."""
    if "app_file" not in metafunc.fixturenames:
        return
    scan = app_scan(metafunc.config)
    if scan is None:
        metafunc.parametrize("app_file", [pytest.param(None, id="not configured")])
    elif not scan.files:
        metafunc.parametrize("app_file", [pytest.param(FileScan(ALL_FILES), id=ALL_FILES)])
    else:
        metafunc.parametrize("app_file", scan.files, ids=[f.path for f in scan.files])


def test_code_readiness(app_file: FileScan | None, request: pytest.FixtureRequest) -> None:
    """The file no longer imports Supabase's client or the project's wrapper of it, reads
    no SUPABASE_* setting, and calls nothing the target cannot serve."""
    where = allure_dir(request.config)
    if app_file is None:
        label(feature="Code readiness", story="not configured", severity="critical")
        write_fact(
            where,
            CODE,
            "not configured",
            {"ok": True, "status": "not checked", "message": "no --app-dir"},
        )
        pytest.skip(NOT_GIVEN)
    label(feature="Code readiness", story=app_file.path, severity="critical")
    scan = app_scan(request.config)
    assert scan is not None  # the parameter came from it
    attach_json(
        "ties to Supabase",
        {
            "file": app_file.path,
            "ties": [t.describe() for t in app_file.ties],
            "files_scanned": scan.scanned,
            "files_importing_the_client": list(scan.wrappers),
        },
    )
    write_fact(
        where,
        CODE,
        app_file.path,
        {"ok": not app_file.ties, "message": app_file.summary(), "scanned": scan.scanned},
    )
    assert not app_file.ties, f"{app_file.path} still needs Supabase: {app_file.summary()}"
