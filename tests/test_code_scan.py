"""Code readiness's scanner: what ties an application's files to Supabase, read without Node."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from verify.code_scan import (
    AUTH,
    ENV,
    FUNCTIONS,
    IMPORT,
    REALTIME,
    RPC,
    STORAGE,
    WRAPPER,
    read_js,
    scan_app,
)

SAMPLE = Path(__file__).parent / "sample_app"
MIGRATED = Path(__file__).parent / "sample_app_migrated"


def _app(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "app"


def _ties(root: Path, **kwargs: object) -> dict[str, list[tuple[int, str, str]]]:
    scan = scan_app(root, **kwargs)  # type: ignore[arg-type]
    return {f.path: [(t.line, t.kind, t.detail) for t in f.ties] for f in scan.files}


@pytest.mark.parametrize(
    "line",
    [
        "const { createClient } = require('@supabase/supabase-js')",
        'import { createClient } from "@supabase/supabase-js";',
        "import {\n  createClient,\n} from '@supabase/supabase-js';",
        "import * as sb from '@supabase/supabase-js'",
        "import type { SupabaseClient } from '@supabase/supabase-js'",
        "const mod = await import('@supabase/supabase-js')",
        "export { createClient } from '@supabase/supabase-js'",
        "import '@supabase/supabase-js'",
        "import { createServerClient } from '@supabase/ssr'",
        "import { createClient } from 'npm:@supabase/supabase-js@2'",
        "import { createClient } from 'https://esm.sh/@supabase/supabase-js@2'",
    ],
)
def test_every_way_of_importing_the_client_is_found(tmp_path: Path, line: str) -> None:
    found = _ties(_app(tmp_path, {"a.ts": f"// header\n{line}\n"}))
    assert [t[:2] for t in found["a.ts"]] == [(2, IMPORT)]


@pytest.mark.parametrize(
    "text",
    [
        "// const s = require('@supabase/supabase-js')\n",
        "/* import { createClient } from '@supabase/supabase-js'\n   supabase.auth.getUser() */\n",
        "const doc = \"require('@supabase/supabase-js') was how it began\";\n",
        "const re = /['\"]@supabase\\/supabase-js['\"]/; const url = 'http://x//y';\n",
        "const s = `import x from '@supabase/supabase-js'`;\n",
    ],
)
def test_comments_strings_and_regular_expressions_are_not_imports(
    tmp_path: Path, text: str
) -> None:
    assert _ties(_app(tmp_path, {"a.js": text})) == {}


def test_blanking_keeps_every_offset_and_line(tmp_path: Path) -> None:
    text = "a = '//x' // c\n/* b\n */ b = 1\n"
    src = read_js(text)
    assert len(src.code) == len(text) and src.code.count("\n") == text.count("\n")
    assert src.strings == {4: "//x"}


def test_dependencies_build_output_and_vendored_code_are_not_read(tmp_path: Path) -> None:
    tied = "require('@supabase/supabase-js')\n"
    root = _app(
        tmp_path,
        {
            "node_modules/x/index.js": tied,
            "dist/bundle.js": tied,
            "build/a.js": tied,
            ".next/server.js": tied,
            "vendor/lib.js": tied,
            "src/app.min.js": tied,
            "src/ok.js": "module.exports = 1\n",
        },
    )
    scan = scan_app(root)
    assert scan.files == () and scan.scanned == 1


def test_a_module_importing_a_wrapper_is_tied_through_it(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "lib/supabase.js": "module.exports = require('@supabase/supabase-js').createClient()",
            "src/a.js": "const db = require('../lib/supabase');\n",
            "src/b.mjs": "import db from '../lib/supabase.js';\n",
            "src/c.js": "const util = require('./util');\n",
            "src/util.js": "module.exports = {}\n",
        },
    )
    found = _ties(root)
    assert found["src/a.js"] == [(1, WRAPPER, "lib/supabase.js")]
    assert found["src/b.mjs"] == [(1, WRAPPER, "lib/supabase.js")]
    assert "src/c.js" not in found and "src/util.js" not in found


def test_wrappers_named_in_config_count_under_any_alias(tmp_path: Path) -> None:
    root = _app(tmp_path, {"src/a.ts": "import { db } from '@/lib/db'\n"})
    assert _ties(root, wrappers=("lib/db",))["src/a.ts"] == [(1, WRAPPER, "lib/db")]


def test_settings_reads_are_found_as_names_or_as_whole_strings(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "a.js": "const u = process.env.SUPABASE_URL;\nconst k = process.env['SUPABASE_KEY'];\n"
            "const n = import.meta.env.VITE_SUPABASE_ANON_KEY;\n"
            "const t = 'set SUPABASE_URL first';\n",
        },
    )
    assert _ties(root)["a.js"] == [
        (1, ENV, "SUPABASE_URL"),
        (2, ENV, "SUPABASE_KEY"),
        (3, ENV, "VITE_SUPABASE_ANON_KEY"),
    ]  # a string that only mentions a name (line 4) reads nothing


def test_calls_the_target_cannot_serve_are_named(tmp_path: Path) -> None:
    text = (
        "const s = require('./db');\n"
        "s.auth.getUser(t);\n"
        "s.storage.from('avatars');\n"
        "s.channel('x').subscribe();\n"
        "s.functions.invoke('send');\n"
        "s.rpc('book_slot', {});\n"
        "s.rpc('set_updated_at');\n"
        "s.rpc(name);\n"
    )
    root = _app(
        tmp_path, {"db.js": "module.exports = require('@supabase/supabase-js')", "a.js": text}
    )
    found = _ties(root, functions={"set_updated_at"})["a.js"]
    assert found == [
        (1, WRAPPER, "db.js"),
        (2, AUTH, ".auth.getUser"),
        (3, STORAGE, ".storage.from"),
        (4, REALTIME, ".channel()"),
        (5, FUNCTIONS, ".functions.invoke()"),
        (6, RPC, "book_slot"),
        (8, RPC, "?"),
    ]


def test_in_an_untied_file_only_a_supabase_receiver_counts(tmp_path: Path) -> None:
    text = "req.auth.user;\nchrome.storage.local;\nsocket.channel('a');\nthis.supabase.auth.signOut();\n"
    assert _ties(_app(tmp_path, {"a.js": text}))["a.js"] == [(4, AUTH, ".auth.signOut")]


def test_python_imports_settings_and_calls_are_read_from_its_syntax_tree(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "app/db.py": "from supabase import create_client\n",
            "app/jobs.py": (
                "import os\n"
                "from app.db import create_client as make\n"
                "# import supabase\n"
                "URL = os.getenv('SUPABASE_URL')\n"
                "def f(client):\n"
                "    client.auth.sign_out()\n"
                "    client.rpc('missing_fn', {}).execute()\n"
            ),
            "app/clean.py": "import psycopg\nprint('supabase.auth is gone')\n",
        },
    )
    found = _ties(root)
    assert found["app/db.py"] == [(1, IMPORT, "supabase")]
    assert found["app/jobs.py"] == [
        (2, WRAPPER, "app/db.py"),
        (4, ENV, "SUPABASE_URL"),
        (6, AUTH, ".auth"),
        (7, RPC, "missing_fn"),
    ]
    assert "app/clean.py" not in found


def test_the_sample_application_is_tied_where_the_reference_system_was(tmp_path: Path) -> None:
    scan = scan_app(SAMPLE, functions={"set_updated_at"})
    kinds = {f.path: {t.kind for t in f.ties} for f in scan.files}
    assert kinds == {
        "scripts/backfill.py": {IMPORT, ENV},
        "src/auth/session.mjs": {IMPORT, ENV, AUTH},
        "src/config.ts": {IMPORT, ENV},
        "src/db.js": {IMPORT, ENV},
        "src/index.js": {WRAPPER},
        "src/realtime/bookings-feed.mjs": {IMPORT, ENV, REALTIME},
        "src/repositories/bookings.js": {WRAPPER},
        "src/repositories/clients.js": {WRAPPER, RPC},
        "src/storage/avatars.mjs": {WRAPPER, STORAGE},
    }
    assert scan.scanned == 12


def test_the_sample_application_after_its_move_has_no_tie(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(SAMPLE, app)
    shutil.copytree(MIGRATED, app, dirs_exist_ok=True)
    scan = scan_app(app)
    assert scan.files == ()
    assert scan.scanned == 12
