"""Stores: where records, their versions, fetch state and run history are kept."""

from __future__ import annotations

from pathlib import Path

from pipelines.store.base import Store
from pipelines.store.sqlite import SQLiteStore
from pipelines.stories import StoryOptions

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(
    dsn_or_path: str | Path, timeout: float = 30.0, stories: StoryOptions | None = None
) -> Store:
    """Open the store a setting names: a postgresql:// DSN or a SQLite file path (whose writes
    wait up to `timeout` seconds for another writer); `stories`: the story matcher's options."""
    target = str(dsn_or_path)
    if target.startswith(POSTGRES_SCHEMES):
        from pipelines.store.postgres import PostgresStore  # psycopg: only when asked for

        return PostgresStore.connect(target, stories)
    return SQLiteStore(target, timeout=timeout, stories=stories)
