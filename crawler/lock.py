"""One run per store: an fcntl lock file beside the database (cron-safe, freed on crash)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.store import POSTGRES_SCHEMES


class AlreadyRunning(RuntimeError):
    """Another run holds the store's lock."""


def lock_path(dsn_or_path: str) -> Path:
    """`<db>.lock` beside a SQLite file (its real path: a symlink to it, or a path through one,
    names the same lock); for a DSN, a file in the temp dir named by its hash."""
    if dsn_or_path.startswith(POSTGRES_SCHEMES):
        digest = hashlib.sha256(dsn_or_path.encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"radioscrape-{digest}.lock"
    return Path(f"{os.path.realpath(dsn_or_path)}.lock")


@contextmanager
def store_lock(dsn_or_path: str) -> Iterator[Path]:
    """Hold the store's lock for the block; AlreadyRunning when another process holds it.

    The kernel frees the lock when the process dies, so a killed run never blocks the next.
    """
    path = lock_path(dsn_or_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            raise AlreadyRunning(f"another run (pid {holder}) holds {path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)
