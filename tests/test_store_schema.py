"""The one schema (pipelines/store/schema.py) on both stores: its shipped migrations are never
edited, and a store left by any earlier radioscrape upgrades to exactly the schema a new store
gets."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from pipelines.store import open_store
from pipelines.store.schema import MIGRATIONS, POSTGRES, SQLITE, render
from tests.old_stores import postgres_store_at, shipped_migrations, sqlite_store_at

VERSIONS = range(len(shipped_migrations("sqlite")) + 1)  # 0: an empty file or database


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=lambda d: d.name)
def test_shipped_migrations_are_rendered_unchanged(dialect):
    """Each shipped migration renders to the statements it shipped with (SQLite's first one
    now creates `runs` before the table that refers to it, as PostgreSQL's always did)."""
    shipped = shipped_migrations(dialect.name)
    rendered = render(dialect)[: len(shipped)]
    assert [sorted(m) for m in rendered] == [sorted(m) for m in shipped]


def sqlite_schema(path) -> set[tuple[str, ...]]:
    """Every table, index, view and trigger of a SQLite file, with its SQL."""
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        conn.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_an_older_sqlite_store_upgrades_to_the_new_schema(tmp_path, version):
    sqlite_store_at(tmp_path / "old.db", version)
    with open_store(tmp_path / "old.db") as old, open_store(tmp_path / "new.db") as new:
        assert old.schema_version() == new.schema_version() == len(MIGRATIONS)
    assert sqlite_schema(tmp_path / "old.db") == sqlite_schema(tmp_path / "new.db")


POSTGRES_CATALOG = {
    "columns": "SELECT table_name, column_name, data_type, collation_name, is_nullable,"
    " column_default, generation_expression FROM information_schema.columns"
    " WHERE table_schema = 'public'",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
    " FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "views": "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public'",
    "functions": "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
    " WHERE pronamespace = 'public'::regnamespace",
}


def postgres_schema(dsn: str) -> dict[str, set[tuple]]:
    """The columns, constraints, indexes, views and functions of a PostgreSQL database."""
    with psycopg.connect(dsn) as conn:
        return {name: set(conn.execute(query)) for name, query in POSTGRES_CATALOG.items()}


@pytest.mark.services
@pytest.mark.parametrize("version", VERSIONS)
def test_an_older_postgres_store_upgrades_to_the_new_schema(postgres, version):
    old, new = postgres.new_database(), postgres.new_database()
    postgres_store_at(old, version)
    with open_store(old) as upgraded, open_store(new) as fresh:
        assert upgraded.schema_version() == fresh.schema_version() == len(MIGRATIONS)
    assert postgres_schema(old) == postgres_schema(new)
