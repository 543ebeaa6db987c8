"""Write stored records out as JSON Lines or CSV (atomically when writing to a file)."""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pipelines.core.items import STORED_FIELDS, dumps

FORMATS = ("jsonl", "csv")


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """One record per line in the project's stable JSON form; returns the count."""
    count = 0
    for record in records:
        out.write(dumps(record) + "\n")
        count += 1
    return count


def write_csv(
    records: Iterable[dict[str, Any]], out: IO[str], fields: Sequence[str] = STORED_FIELDS
) -> int:
    """One row per record, columns `fields` (default: the schema, in order); lists and dicts
    as JSON, None as ''."""
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        count += 1
        writer.writerow(
            {
                name: dumps(value) if isinstance(value, list | dict) else value
                for name, value in record.items()
            }
        )
    return count


@contextmanager
def atomic_output(path: str | None):
    """A text stream: stdout, or a temp file beside `path` renamed over it on success (readers
    see the old file or the whole new one, never half of it; a failed export leaves no temp)."""
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())  # the bytes are on disk before the name points at them
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; a plain open() would give this
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def export(
    records: Iterable[dict[str, Any]],
    fmt: str,
    path: str | None = None,
    fields: Sequence[str] | None = None,
) -> int:
    """Write records in `fmt` ('jsonl' or 'csv') to `path` (atomically) or stdout; `fields`:
    the CSV columns (the records hold those keys only)."""
    with atomic_output(path) as out:
        if fmt == "csv":
            return write_csv(records, out, fields or STORED_FIELDS)
        return write_jsonl(records, out)
