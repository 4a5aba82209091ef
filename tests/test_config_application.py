"""pgcutover.toml's sections for residency, operational readiness, code and the API check."""

from __future__ import annotations

import pytest

from pgcutover.config import BadConfig, OutOfScope, parse_config


def test_the_application_sections_are_read_with_their_defaults() -> None:
    config = parse_config(
        {
            "residency": {
                "tables": ["public.guests"],
                "personal_columns": ["public.bookings.comment", "notes"],
                "out_of_scope": [{"table": "storage.objects", "reason": "files moved by rclone"}],
                "source_must_be_empty": True,
            },
            "operational": {
                "app_role": "app",
                "source_app_role": "service_role",
                "max_round_trip_ms": 20,
                "require_tls": True,
            },
            "app": {"dir": "../app", "wrappers": ["lib/supabase"]},
            "api": {"schemas": ["public", "api"], "sample_rows": 5},
        }
    )
    assert config.residency.out_of_scope == (
        OutOfScope("storage.objects", "files moved by rclone"),
    )
    assert config.residency.out_of_scope_reason("storage.objects") == "files moved by rclone"
    assert config.residency.out_of_scope_reason("public.clients") is None
    assert config.operational.max_round_trip_ms == 20.0
    assert config.app.wrappers == ("lib/supabase",)
    assert config.api.sample_rows == 5
    defaults = parse_config({})
    assert (
        defaults.operational.migrations_table is None
        and not defaults.residency.source_must_be_empty
    )
    assert defaults.api.schemas == ("public",)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"residency": {"table": ["x"]}}, "[residency] has unknown key 'table'"),
        ({"residency": {"out_of_scope": [{"table": "t"}]}}, "#1 needs both table and reason"),
        ({"residency": {"source_must_be_empty": "yes"}}, "must be true or false"),
        ({"operational": {"max_round_trip_ms": 0}}, "number of milliseconds above 0"),
        ({"app": {"wrapper": ["x"]}}, "[app] has unknown key 'wrapper'"),
        ({"api": {"sample_rows": 0}}, "api.sample_rows must be a whole number of at least 1"),
    ],
)
def test_a_wrong_key_or_value_is_named(data: dict[str, object], says: str) -> None:
    with pytest.raises(BadConfig) as raised:
        parse_config(data)  # type: ignore[arg-type]
    assert says in str(raised.value)
