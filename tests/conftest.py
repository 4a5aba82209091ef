"""The project's own tests: fixtures live in plugin modules, not here."""

pytest_plugins = [
    "tests.fix_servers",
    "tests.fix_contracts",
    "tests.fix_data_faults",
    "tests.fix_corpus",
    "tests.fix_app_faults",
    "tests.fix_reliability",
]
