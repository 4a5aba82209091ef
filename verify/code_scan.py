"""Code readiness: what in the application's code still ties it to Supabase.

Pure Python, no Node: JavaScript and TypeScript files are read with their comments
blanked out (strings, template literals and regular expressions kept as they are, line
numbers kept), then matched; Python files are parsed with `ast`. Per file it finds:
- imports of Supabase's client: `@supabase/*` in JavaScript (require, ESM import and
  export-from, dynamic import(), npm:/jsr:/esm.sh specifiers), `supabase` and its parts
  (supabase_auth, gotrue, postgrest, storage3, realtime, supafunc) in Python;
- imports of the project's wrapper of that client: a local module that imports it (found
  by resolving relative imports), or a module named in [app] wrappers;
- reads of SUPABASE_URL / SUPABASE_KEY / SUPABASE_SERVICE_ROLE_KEY (any *SUPABASE_* name);
- calls the target cannot serve: `.auth.` (Supabase Auth), `.storage.` (Storage),
  `.channel(` / `.removeChannel(` (Realtime), `.functions.invoke(` (Edge Functions) and
  `.rpc('name')` to a function the target lacks. In a file that imports neither the client
  nor a wrapper, only calls on a receiver named like supabase count (`req.auth.user` of an
  Express app is not Supabase's).
node_modules, build output (dist, build, .next, ...), vendored and minified code are
skipped.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from verify.catalog import Conn, fetch_all

JS_SUFFIXES = (".js", ".cjs", ".mjs", ".jsx", ".ts", ".tsx", ".cts", ".mts", ".vue", ".svelte")
PY_SUFFIXES = (".py",)
SKIPPED_DIRS = frozenset(
    {
        "node_modules",
        "bower_components",
        "jspm_packages",
        "vendor",
        "vendors",
        "third_party",
        "dist",
        "build",
        "out",
        "coverage",
        ".next",
        ".nuxt",
        ".output",
        ".svelte-kit",
        ".turbo",
        ".vercel",
        ".netlify",
        ".cache",
        ".git",
        ".venv",
        "venv",
        "env",
        "__pycache__",
        "site-packages",
    }
)
SKIPPED_SUFFIXES = (".min.js", ".bundle.js", ".min.mjs")
PY_MODULES = frozenset(
    {"supabase", "supabase_auth", "gotrue", "postgrest", "storage3", "realtime", "supafunc"}
)

IMPORT, WRAPPER, ENV, AUTH, STORAGE, REALTIME, FUNCTIONS, RPC = (
    "import",
    "wrapper",
    "env",
    "auth",
    "storage",
    "realtime",
    "functions",
    "rpc",
)
_SAYS = {
    IMPORT: "imports {}",
    WRAPPER: "imports {}, which wraps the Supabase client",
    ENV: "reads {}",
    AUTH: "calls Supabase Auth: {}",
    STORAGE: "calls Supabase Storage: {}",
    REALTIME: "uses Supabase Realtime: {}",
    FUNCTIONS: "invokes a Supabase Edge Function: {}",
    RPC: "calls .rpc('{}'): the target has no such function",
}


@dataclass(frozen=True)
class Tie:
    """One thing in a file that needs Supabase."""

    line: int
    kind: str
    detail: str

    def describe(self) -> str:
        """'line 3: imports @supabase/supabase-js'."""
        return f"line {self.line}: {_SAYS[self.kind].format(self.detail)}"


@dataclass(frozen=True)
class FileScan:
    """A file of the application and what ties it to Supabase (empty: nothing)."""

    path: str  # relative to the application's folder, with /
    ties: tuple[Tie, ...] = ()

    def summary(self, limit: int = 4) -> str:
        """What ties it, one line: 'line 1: imports @supabase/supabase-js; line 9: ...'."""
        shown = [t.describe() for t in self.ties[:limit]]
        more = len(self.ties) - len(shown)
        return "; ".join(shown) + (f" (+{more} more)" if more else "")


@dataclass(frozen=True)
class AppScan:
    """The application's files that still need Supabase, and how many files were read."""

    files: tuple[FileScan, ...]
    scanned: int
    wrappers: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------
# Walking the folder
# ---------------------------------------------------------------------------------------


def source_files(root: Path) -> Iterator[Path]:
    """JavaScript, TypeScript and Python files under `root`, skipping dependencies, build
    output, vendored and minified code; in name order."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(names):
            if name.endswith(SKIPPED_SUFFIXES):
                continue
            if name.endswith(JS_SUFFIXES + PY_SUFFIXES):
                yield Path(folder) / name


# ---------------------------------------------------------------------------------------
# JavaScript and TypeScript
# ---------------------------------------------------------------------------------------
# A '/' after one of these (or at the start) begins a regular expression, not a division.
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = ("return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await")


def _regex_allowed(code: list[str]) -> bool:
    text = "".join(code[-12:]).rstrip()
    if not text:
        return True
    if text[-1] in _REGEX_AFTER:
        return True
    return any(re.search(rf"\b{k}$", text) for k in _REGEX_KEYWORDS)


def _skip_quoted(text: str, i: int, quote: str) -> int:
    """Index just past the string (or template literal) opening at text[i]."""
    i += 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote or (quote != "`" and text[i] == "\n"):
            return i + 1
        i += 1
    return i


def _skip_regex(text: str, i: int) -> int:
    i += 1
    in_class = False
    while i < len(text) and text[i] != "\n":
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            return i + 1
        i += 1
    return i


@dataclass(frozen=True)
class JsSource:
    """A JavaScript file as the scanner reads it: `code` has comments and the contents of
    strings blanked (same length, newlines kept: offsets and line numbers are the file's),
    `strings` holds each string literal's contents by the offset of its opening quote."""

    code: str
    strings: dict[int, str]

    def string_at(self, offset: int) -> str | None:
        """The contents of the string literal whose quote is at `offset`."""
        return self.strings.get(offset)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def read_js(text: str) -> JsSource:
    """Blank comments (// and /* */) and string contents out of JavaScript, keeping regular
    expressions, so that neither a commented-out import nor one quoted in a string counts."""
    out: list[str] = []
    strings: dict[int, str] = {}
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
        elif ch == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(_blank(text[i:end]))
        elif ch in "'\"`":
            end = _skip_quoted(text, i, ch)
            closed = end - 1 if end - 1 > i and text[end - 1] == ch else end
            strings[i] = text[i + 1 : closed]
            out.append(ch + _blank(text[i + 1 : closed]) + text[closed:end])
        elif ch == "/" and _regex_allowed(out):
            end = _skip_regex(text, i)
            out.append(text[i:end])
        else:
            end = i + 1
            out.append(ch)
        i = end
    return JsSource("".join(out), strings)


# Each pattern ends just before the quote of the module specifier.
_JS_IMPORTS = (
    re.compile(r"\brequire\s*\(\s*(?=['\"`])"),
    re.compile(r"\bimport\s*\(\s*(?=['\"`])"),
    re.compile(r"\bimport\s+(?:type\s+)?[\w$*{},\s]+?\bfrom\s*(?=['\"])"),
    re.compile(r"\bimport\s*(?=['\"])"),
    re.compile(r"\bexport\s+(?:type\s+)?[\w$*{},\s]+?\bfrom\s*(?=['\"])"),
)
ENV_NAME = re.compile(r"\b(?:[A-Z][A-Z0-9]*_)*SUPABASE_[A-Z0-9_]*[A-Z0-9]\b")
_JS_CALLS = (
    (AUTH, re.compile(r"\.\s*auth\s*\.\s*(?P<what>(?:admin\s*\.\s*)?[A-Za-z_$][\w$]*)")),
    (STORAGE, re.compile(r"\.\s*storage\s*\.\s*(?P<what>[A-Za-z_$][\w$]*)")),
    (REALTIME, re.compile(r"\.\s*(?P<what>channel|removeChannel|removeAllChannels)\s*\(")),
    (FUNCTIONS, re.compile(r"\.\s*functions\s*\.\s*(?P<what>invoke)\s*\(")),
)
_JS_RPC = re.compile(r"\.\s*rpc\s*\(\s*")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _receiver(code: str, offset: int) -> str:
    start = code.rfind("\n", 0, offset) + 1
    return code[max(start, offset - 60) : offset]


def is_supabase_specifier(spec: str) -> bool:
    """Whether an import specifier names a Supabase client package (any @supabase/*, also
    as npm:, jsr: or an esm.sh URL)."""
    return "@supabase/" in spec


def js_imports(src: JsSource) -> list[tuple[int, str]]:
    """(line, specifier) of every import, require and dynamic import()."""
    found: dict[tuple[int, str], None] = {}
    for pattern in _JS_IMPORTS:
        for m in pattern.finditer(src.code):
            spec = src.string_at(m.end())
            if spec:
                found[(_line_of(src.code, m.start()), spec)] = None
    return sorted(found)


def js_env_reads(src: JsSource) -> list[tuple[int, str]]:
    """(line, name) of every *SUPABASE_* name read: an identifier (process.env.SUPABASE_URL)
    or a string that is exactly one (process.env['SUPABASE_KEY'])."""
    found = [(_line_of(src.code, m.start()), m[0]) for m in ENV_NAME.finditer(src.code)]
    found += [
        (_line_of(src.code, at), text)
        for at, text in src.strings.items()
        if ENV_NAME.fullmatch(text)
    ]
    return sorted(found)


def js_calls(src: JsSource, *, tied: bool) -> list[Tie]:
    """Auth, Storage, Realtime, Edge Function and rpc calls (rpc with its function name or
    '?' when computed); in an untied file only on receivers named like supabase."""
    code = src.code
    found = []
    for kind, pattern in _JS_CALLS:
        for m in pattern.finditer(code):
            if tied or "supabase" in _receiver(code, m.start()).lower():
                what = re.sub(r"\s+", "", m["what"])
                detail = {
                    AUTH: f".auth.{what}",
                    STORAGE: f".storage.{what}",
                    FUNCTIONS: ".functions.invoke()",
                }.get(kind, f".{what}()")
                found.append(Tie(_line_of(code, m.start()), kind, detail))
    for m in _JS_RPC.finditer(code):
        if tied or "supabase" in _receiver(code, m.start()).lower():
            found.append(Tie(_line_of(code, m.start()), RPC, src.string_at(m.end()) or "?"))
    return found


# ---------------------------------------------------------------------------------------
# Python
# ---------------------------------------------------------------------------------------


def _py_module_imports(tree: ast.AST) -> list[tuple[int, tuple[str, ...], int]]:
    """(line, dotted names it may be, level) of every import: `from app import db` may
    import module app.db or name db of module app."""
    found: list[tuple[int, tuple[str, ...], int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, (alias.name,), 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            for alias in node.names:
                child = f"{module}.{alias.name}".strip(".")
                found.append((node.lineno, (child, module), node.level))
    return found


def _py_calls(tree: ast.AST, *, tied: bool) -> list[Tie]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in (AUTH, STORAGE):
            parent_receiver = ast.unparse(node.value)
            if tied or "supabase" in parent_receiver.lower():
                found.append(Tie(node.lineno, node.attr, f".{node.attr}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, receiver = node.func.attr, ast.unparse(node.func.value)
            if not (tied or "supabase" in receiver.lower()):
                continue
            if attr in ("channel", "remove_channel", "remove_all_channels"):
                found.append(Tie(node.lineno, REALTIME, f".{attr}()"))
            elif attr == "invoke" and receiver.endswith("functions"):
                found.append(Tie(node.lineno, FUNCTIONS, ".functions.invoke()"))
            elif attr == "rpc":
                first = node.args[0] if node.args else None
                name = first.value if isinstance(first, ast.Constant) else "?"
                found.append(Tie(node.lineno, RPC, str(name)))
    # `.auth` inside `.auth.admin` is one use: keep the first per line and kind.
    unique: dict[tuple[int, str], Tie] = {}
    for tie in found:
        unique.setdefault((tie.line, tie.kind), tie)
    return list(unique.values())


def _py_env_reads(tree: ast.AST) -> list[tuple[int, str]]:
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and ENV_NAME.fullmatch(node.value)
    ]


# ---------------------------------------------------------------------------------------
# Resolving local imports (wrappers)
# ---------------------------------------------------------------------------------------


def _resolve_js(root: Path, file: Path, spec: str) -> str | None:
    if not spec.startswith((".", "/")):
        return None
    base = (file.parent / spec).resolve() if spec.startswith(".") else (root / spec[1:]).resolve()
    candidates = [base, *(base.with_name(base.name + s) for s in JS_SUFFIXES)]
    candidates += [base / f"index{s}" for s in JS_SUFFIXES]
    for candidate in candidates:
        if candidate.is_file():
            try:
                return candidate.relative_to(root.resolve()).as_posix()
            except ValueError:
                return None
    return None


def _resolve_py(root: Path, file: Path, module: str, level: int) -> str | None:
    if level:
        base = file.parent
        for _ in range(level - 1):
            base = base.parent
    else:
        base = root
    path = base.joinpath(*module.split(".")) if module else base
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            try:
                return candidate.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                return None
    return None


def _named_wrapper(spec: str, wrappers: Iterable[str]) -> str | None:
    """The configured wrapper name a specifier or dotted module ends with, if any."""
    bare = re.sub(r"\.(?:[cm]?[jt]sx?|py)$", "", spec).replace(".", "/")
    for name in wrappers:
        wanted = re.sub(r"\.(?:[cm]?[jt]sx?|py)$", "", name).replace(".", "/").strip("/")
        if bare == wanted or bare.endswith("/" + wanted):
            return name
    return None


# ---------------------------------------------------------------------------------------
# One file, then the application
# ---------------------------------------------------------------------------------------


@dataclass
class _Read:
    path: str
    direct: list[Tie]  # imports of the client, env reads
    local: list[tuple[int, str]]  # (line, resolved local module)
    named: list[tuple[int, str]]  # (line, configured wrapper name)
    code: JsSource | ast.AST


def _read_js(root: Path, file: Path, wrappers: tuple[str, ...]) -> _Read:
    code = read_js(file.read_text(encoding="utf-8", errors="replace"))
    direct, local, named = [], [], []
    for line, spec in js_imports(code):
        if is_supabase_specifier(spec):
            direct.append(Tie(line, IMPORT, spec))
        elif (wrapper := _named_wrapper(spec, wrappers)) is not None:
            named.append((line, wrapper))
        elif (resolved := _resolve_js(root, file, spec)) is not None:
            local.append((line, resolved))
    direct += [Tie(line, ENV, name) for line, name in js_env_reads(code)]
    return _Read(file.relative_to(root).as_posix(), direct, local, named, code)


def _strip_py_comments(text: str) -> str:
    return "\n".join(re.sub(r"#.*$", "", line) for line in text.splitlines())


def _read_py(root: Path, file: Path, wrappers: tuple[str, ...]) -> _Read:
    text = file.read_text(encoding="utf-8", errors="replace")
    rel = file.relative_to(root).as_posix()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        # Not Python 3 (or not Python): read it as the JavaScript reader would.
        code = read_js(_strip_py_comments(text))
        ties = [Tie(line, ENV, name) for line, name in js_env_reads(code)]
        ties += [
            Tie(_line_of(code.code, m.start(1)), IMPORT, m[1])
            for m in re.finditer(r"^\s*(?:from|import)\s+(supabase\w*)", code.code, re.M)
        ]
        return _Read(rel, ties, [], [], code)
    direct, local, named = [], [], []
    for line, names, level in _py_module_imports(tree):
        module = names[-1]
        if not level and module.split(".")[0] in PY_MODULES:
            direct.append(Tie(line, IMPORT, module))
            continue
        wrapper = next((w for n in names if (w := _named_wrapper(n, wrappers))), None)
        if wrapper is not None:
            named.append((line, wrapper))
            continue
        resolved = (_resolve_py(root, file, n, level) for n in names)
        found = next((r for r in resolved if r is not None and r != rel), None)
        if found is not None:
            local.append((line, found))
    direct += [Tie(line, ENV, name) for line, name in _py_env_reads(tree)]
    return _Read(rel, direct, local, named, tree)


def calls_in(code: JsSource | ast.AST, *, tied: bool) -> list[Tie]:
    """The Supabase calls of a file read as Python (an AST) or as JavaScript."""
    return _py_calls(code, tied=tied) if isinstance(code, ast.AST) else js_calls(code, tied=tied)


def _dedupe(ties: Iterable[Tie]) -> tuple[Tie, ...]:
    return tuple(sorted(set(ties), key=lambda t: (t.line, t.kind, t.detail)))


def scan_app(root: Path, *, wrappers: Iterable[str] = (), functions: Iterable[str] = ()) -> AppScan:
    """Every file under `root` that still ties the application to Supabase.

    `wrappers`: module names of the project's own Supabase wrappers (beyond those found by
    resolving local imports). `functions`: the functions the target has (name or
    schema.name): an rpc to one of them is no tie of its own."""
    root = root.resolve()
    named_wrappers = tuple(wrappers)
    reads = []
    for file in source_files(root):
        reader = _read_py if file.suffix in PY_SUFFIXES else _read_js
        reads.append(reader(root, file, named_wrappers))
    direct = {r.path for r in reads if any(t.kind == IMPORT for t in r.direct)}
    known = set(functions)
    files = []
    for r in reads:
        ties = list(r.direct)
        ties += [Tie(line, WRAPPER, name) for line, name in r.named]
        ties += [Tie(line, WRAPPER, mod) for line, mod in r.local if mod in direct]
        tied = any(t.kind in (IMPORT, WRAPPER) for t in ties)
        calls = calls_in(r.code, tied=tied)
        ties += [c for c in calls if c.kind != RPC or not _rpc_served(c.detail, known)]
        if ties:
            files.append(FileScan(r.path, _dedupe(ties)))
    files.sort(key=lambda f: f.path)
    return AppScan(tuple(files), len(reads), tuple(sorted(direct)))


def function_names(conn: Conn, schemas: Iterable[str]) -> set[str]:
    """Functions of `schemas` as an API call names them: bare and schema-qualified."""
    rows = fetch_all(conn, "function_names", schemas=list(schemas))
    return {r["name"] for r in rows} | {f"{r['schema']}.{r['name']}" for r in rows}


def _rpc_served(name: str, functions: set[str]) -> bool:
    return name != "?" and name in functions
