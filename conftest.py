"""Top-level pytest glue: the contracts' plugin (installed as an entry point too)."""

pytest_plugins = ["pgcutover.pytest_plugin"]
