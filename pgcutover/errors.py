"""The failures a user can act on.

Each one carries a single line that names what to fix. The CLI catches
`PgcutoverError` at its edge, prints that line and exits 2 ("could not run"),
so none of these ever surfaces as a traceback. This module imports nothing of
ours: every room may raise these.
"""

from __future__ import annotations

EXIT_GO = 0
EXIT_NO_GO = 1
EXIT_COULD_NOT_RUN = 2


class PgcutoverError(Exception):
    """Base: a one-line, secret-free message naming what to fix."""


class BadUrl(PgcutoverError):
    """A connection URL that cannot be parsed."""


class ConnectFailed(PgcutoverError):
    """A server that does not answer, refuses the login, or lacks the database."""


class ToolMissing(PgcutoverError):
    """A required program (pg_dump, pg_restore, initdb) is absent or too old."""


class TargetNotEmpty(PgcutoverError):
    """The target already holds tables the copy would write."""


class ReadOnlyTarget(PgcutoverError):
    """The target accepts no writes (a standby, or read-only sessions by default)."""


class UnknownTable(PgcutoverError):
    """A table named by the user does not exist on the source."""


class UnknownSchema(PgcutoverError):
    """A schema named by the user does not exist on the source."""


class ScopeConflict(PgcutoverError):
    """The schemas chosen to move depend on one chosen to stay behind."""


class NoPrimaryKey(PgcutoverError):
    """An operation that needs a key met a table without one."""


class ServerStartFailed(PgcutoverError):
    """An embedded PostgreSQL server could not be started."""


class SchemaRestoreFailed(PgcutoverError):
    """pg_restore rejected part of the schema on the target."""


class NoQueries(PgcutoverError):
    """A queries folder that was named but does not exist or holds no .sql file."""


class UnknownFault(PgcutoverError):
    """`demo --break` named a fault the demo does not know."""


class MissingExtension(PgcutoverError):
    """The source uses an extension the target server cannot create."""


class CopyFailed(PgcutoverError):
    """A unit failed for a reason retrying will not fix; the target stays resumable."""


class SyncFailed(PgcutoverError):
    """A sync lost what it needs to go on (its source snapshot); run it again."""


class SameDatabase(PgcutoverError):
    """Source and target URLs lead to the same database."""


class ReportDirUnwritable(PgcutoverError):
    """The report folder cannot be created or written."""


class Interrupted(PgcutoverError):
    """Ctrl-C (exit 130) or SIGTERM (exit 143) stopped a command; what it finished is kept."""
