"""Stores as earlier radioscrapes left them, built from the schema statements as they shipped
(tests/store_migrations.json), so a test can open one with today's code and see it upgrade."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg

SHIPPED = json.loads(Path(__file__).with_name("store_migrations.json").read_text())


def shipped_migrations(dialect: str) -> list[list[str]]:
    """Each shipped migration's statements (`dialect`: "sqlite" or "postgres"), in order."""
    return SHIPPED[dialect]["migrations"]


def sqlite_store_at(path: Path, version: int) -> None:
    """Make the SQLite file `path` as a radioscrape at schema `version` left it (no rows)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(SHIPPED["sqlite"]["schema_version"])
    for number, statements in enumerate(shipped_migrations("sqlite")[:version], start=1):
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, '2026-01-01')", (number,))
    conn.close()


def postgres_store_at(dsn: str, version: int) -> None:
    """Make the PostgreSQL database `dsn` as a radioscrape at schema `version` left it."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SHIPPED["postgres"]["schema_version"])
        for number, statements in enumerate(shipped_migrations("postgres")[:version], start=1):
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (%s, '2026-01-01')", (number,))
