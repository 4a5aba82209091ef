"""The demo: a Supabase-shaped source, its job, its faults, its queries and personal columns.

Everything demo-specific lives here and nothing generic imports it: only the CLI's
`demo` command (lazily) and the tests do.

`load_demo(conninfo, scale=..., seed=...)` creates the schema (roles, an `auth` stand-in,
RLS, a partitioned message log, Baileys credentials and keys) in an empty database and
streams the rows in with COPY; `PII_COLUMNS` names the personal-data columns per table.
`job.run_demo` runs the whole job; `faults` damages a target on purpose; `queries/` holds
the demo application's queries.
"""

from pgcutover.demo.data import BASE_COUNTS, PERSONAL_COLUMNS, PII_COLUMNS, DemoSummary, load_demo

__all__ = ["BASE_COUNTS", "PERSONAL_COLUMNS", "PII_COLUMNS", "DemoSummary", "load_demo"]
