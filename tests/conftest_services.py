"""Fixtures for the `services` tests: one PostgreSQL cluster and one redis-server per session.

Registered from tests/conftest.py (pytest_plugins). A server that cannot start fails the tests
that need it, with the reason: these tests are never skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import TypeVar

import pytest
import redis

from tests.services import Postgres, Redis, ServiceError, postgres_server, redis_server

T = TypeVar("T")


def _serve(manager: AbstractContextManager[T]) -> Iterator[T]:
    try:
        server = manager.__enter__()
    except ServiceError as exc:
        pytest.fail(f"{exc}\n(see scripts/services.sh)", pytrace=False)
    try:
        yield server
    finally:
        manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 for the whole session."""
    yield from _serve(postgres_server())


@pytest.fixture(scope="session")
def redis_service() -> Iterator[Redis]:
    """A redis-server on 127.0.0.1 for the whole session."""
    yield from _serve(redis_server())


@pytest.fixture
def pg_dsn(postgres: Postgres) -> str:
    """DSN of a new, empty database in the session's cluster."""
    return postgres.new_database()


@pytest.fixture
def redis_url(redis_service: Redis) -> Iterator[str]:
    """URL of an emptied Redis database (emptied again after the test)."""
    url = redis_service.url(0)
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()
