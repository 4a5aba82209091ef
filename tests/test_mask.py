"""Secrets never reach output: one redaction function for URLs, a scrub for free text."""

from __future__ import annotations

from verify.mask import error_line, redact_url, scrub


def test_redact_url_hides_the_password() -> None:
    redacted = redact_url("postgresql://app:s3cr%40t@db.example:6543/prod?sslmode=require")
    assert "s3cr" not in redacted
    assert redacted.startswith("postgresql://app:***@db.example:6543/prod")


def test_redact_url_hides_secret_query_parameters() -> None:
    assert "hunter2" not in redact_url("postgresql://h/db?password=hunter2&sslmode=require")


def test_redact_url_survives_an_unparseable_url() -> None:
    assert "pw" not in redact_url("postgresql://u:pw@[bad")


def test_scrub_removes_urls_keywords_and_given_secrets() -> None:
    text = "failed for postgresql://u:topsecret@h/db, password=alsosecret, key KEY123"
    cleaned = scrub(text, ["KEY123"])
    assert "topsecret" not in cleaned and "alsosecret" not in cleaned and "KEY123" not in cleaned


def test_endpoint_and_server_pair_reprs_hide_the_password() -> None:
    from pgcutover.servers import ServerPair
    from verify.connect import parse_url

    url = "postgresql://app:hunter2secret@db.example:5432/prod"
    assert "hunter2secret" not in repr(parse_url(url))
    assert "hunter2secret" not in repr(ServerPair(url, url, "given URLs"))


def test_an_error_line_is_its_first_line_without_passwords_or_else_its_type() -> None:
    exc = ValueError("cannot reach postgresql://u:s3cret@db.example/app\nDETAIL: more")
    line = error_line(exc)
    assert line.startswith("cannot reach postgresql://u:") and line.endswith("@db.example/app")
    assert "s3cret" not in line and "DETAIL" not in line
    assert error_line(RuntimeError()) == "RuntimeError"
