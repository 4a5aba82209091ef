"""A Supabase-shaped demo source: the review's tables, filled deterministically.

`load_demo(conninfo, scale=..., seed=...)` creates the schema (roles, an `auth` stand-in,
RLS, a partitioned message log, Baileys credentials and keys) in an empty database and
streams the rows in with COPY; `PII_COLUMNS` names the personal-data columns per table.
"""

from pgcutover.demo.data import BASE_COUNTS, PII_COLUMNS, DemoSummary, load_demo

__all__ = ["BASE_COUNTS", "PII_COLUMNS", "DemoSummary", "load_demo"]
