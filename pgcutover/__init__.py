"""pgcutover: move a PostgreSQL database off Supabase and prove nothing was lost or changed."""

__version__ = "0.1.0"
