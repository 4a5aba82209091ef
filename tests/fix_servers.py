"""Real PostgreSQL for the tests: one server pair per session (per xdist worker).

The demo source is loaded once into a template database and the migrated
target once into another; each test gets fresh clones (CREATE DATABASE ...
TEMPLATE), which takes milliseconds instead of a reload.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from psycopg import sql

from migrator.job import run_copy
from migrator.state import drop_state
from pgcutover.demo import load_demo
from pgcutover.servers import ServerPair, create_database, server_pair
from verify.connect import Endpoint, connect, parse_url

_counter = itertools.count()


@dataclass(frozen=True)
class Servers:
    """Maintenance endpoints of the pair and what started them."""

    source: Endpoint
    target: Endpoint
    provider: str


def drop_database(server: Endpoint, name: str) -> None:
    """DROP DATABASE name (WITH FORCE: a test may leave a session behind)."""
    with connect(server, role="server", read_only=False, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def execute(endpoint: Endpoint, *statements: str | sql.Composable) -> None:
    """Run statements on a database (as its superuser) in one transaction."""
    with (
        connect(endpoint, role="test", read_only=False, autocommit=True) as conn,
        conn.transaction(),
    ):
        for statement in statements:
            conn.execute(statement)


def unique_name(prefix: str) -> str:
    """A database name unique within this test session and worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    return f"{prefix}_{worker}_{os.getpid()}_{next(_counter)}"


@pytest.fixture(scope="session")
def pg_pair() -> Iterator[ServerPair]:
    """A source and a target server, started once for the session and stopped after."""
    with server_pair() as pair:
        yield pair


@pytest.fixture(scope="session")
def servers(pg_pair: ServerPair) -> Servers:
    """The pair as parsed endpoints."""
    return Servers(parse_url(pg_pair.source_url), parse_url(pg_pair.target_url), pg_pair.provider)


@pytest.fixture(scope="session")
def demo_source_template(servers: Servers) -> Endpoint:
    """The demo dataset at scale 1, loaded once into a template database on the source."""
    name = unique_name("tpl_src")
    endpoint = create_database(servers.source, name)
    load_demo(endpoint.url, scale=1)
    return endpoint


@pytest.fixture(scope="session")
def migrated_target_template(servers: Servers, demo_source_template: Endpoint) -> Endpoint:
    """A target database the copy filled from the demo source, kept as a template."""
    endpoint = create_database(servers.target, unique_name("tpl_tgt"))
    run_copy(demo_source_template, endpoint)
    # A finished, cleaned-up migration: tests that need the copy's bookkeeping make their own.
    with connect(endpoint, role="target", read_only=False, autocommit=True) as conn:
        drop_state(conn)
    return endpoint


@pytest.fixture
def source_db(servers: Servers, demo_source_template: Endpoint) -> Iterator[Endpoint]:
    """A fresh clone of the demo source."""
    name = unique_name("src")
    yield create_database(servers.source, name, template=demo_source_template.dbname)
    drop_database(servers.source, name)


@pytest.fixture
def target_db(servers: Servers, migrated_target_template: Endpoint) -> Iterator[Endpoint]:
    """A fresh clone of a correctly migrated target, for a test to damage."""
    name = unique_name("tgt")
    yield create_database(servers.target, name, template=migrated_target_template.dbname)
    drop_database(servers.target, name)


@pytest.fixture
def empty_target(servers: Servers) -> Iterator[Endpoint]:
    """An empty database on the target server."""
    name = unique_name("empty")
    yield create_database(servers.target, name)
    drop_database(servers.target, name)
