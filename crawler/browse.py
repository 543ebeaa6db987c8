"""`radioscrape browse`: the SQLite store in Datasette, with the metadata, canned queries and
article page shipped in crawler/browse_files (Datasette comes with `radioscrape[browse]`)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from pipelines.store import POSTGRES_SCHEMES
from pipelines.store.sqlite import SQLiteStore

FILES = Path(__file__).resolve().parent / "browse_files"
DEFAULT_PORT = 8001
MISSING = (
    "radioscrape: browse needs Datasette, which is not installed: pip install 'radioscrape[browse]'"
)


def register_browse(subparsers) -> argparse.ArgumentParser:
    """Add the browse subcommand; return its parser (the caller adds --db)."""
    browse = subparsers.add_parser(
        "browse", help="open the store in Datasette on 127.0.0.1 (needs radioscrape[browse])"
    )
    browse.add_argument("--port", type=int, default=DEFAULT_PORT, help="(default: %(default)s)")
    browse.add_argument(
        "--host", default="127.0.0.1",
        help="address to listen on (default: %(default)s; 0.0.0.0 shows the store to the LAN)",
    )  # fmt: skip
    browse.add_argument("--open", action="store_true", help="open a web browser on it")
    browse.set_defaults(func=cmd_browse)
    return browse


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for a store Datasette names `database` (the file name's stem)."""
    shipped = json.loads((FILES / "metadata.json").read_text(encoding="utf-8"))
    tables, queries = shipped.pop("tables"), shipped.pop("queries")
    return {**shipped, "databases": {database: {"tables": tables, "queries": queries}}}


def serve_arguments(db: Path, metadata_path: Path, host: str, port: int) -> list[str]:
    """The arguments of `datasette serve` for one store."""
    return [
        "serve", str(db),
        "--metadata", str(metadata_path),
        "--template-dir", str(FILES / "templates"),
        "--plugins-dir", str(FILES / "plugins"),
        "--host", host, "--port", str(port),
        "--setting", "truncate_cells_html", "200",
        "--setting", "default_page_size", "50",
        "--setting", "suggest_facets", "off",  # the shipped facets are the useful ones
        "--setting", "default_facet_size", "8",
    ]  # fmt: skip


def cmd_browse(args: argparse.Namespace) -> int:
    """`radioscrape browse`: migrate the store (so its search index exists), then serve it."""
    db = str(args.config_values.get("db"))
    if db.startswith(POSTGRES_SCHEMES):
        print(
            "radioscrape: browse opens a SQLite store; for PostgreSQL use `radioscrape search`",
            file=sys.stderr,
        )
        return 2
    if not Path(db).is_file():
        print(f"radioscrape: no store at {db}", file=sys.stderr)
        return 2
    if importlib.util.find_spec("datasette") is None:
        print(MISSING, file=sys.stderr)
        return 2
    try:
        SQLiteStore(db).close()  # applies the migrations an older store lacks
    except OSError as exc:
        print(f"radioscrape: {exc}", file=sys.stderr)
        return 2
    path = Path(db).resolve()
    with tempfile.TemporaryDirectory(prefix="radioscrape-browse-") as folder:
        metadata_path = Path(folder) / "metadata.json"
        metadata_path.write_text(json.dumps(metadata(path.stem)), encoding="utf-8")
        arguments = serve_arguments(path, metadata_path, args.host, args.port)
        if args.open:
            arguments.append("--open")
        print(f"radioscrape: browsing {path} at http://{args.host}:{args.port}/", file=sys.stderr)
        from datasette.cli import cli as datasette  # the browse extra

        # In this process: Ctrl-C and SIGTERM stop the server, then the temp folder goes.
        datasette.main(args=arguments, prog_name="datasette", standalone_mode=False)
    return 0
