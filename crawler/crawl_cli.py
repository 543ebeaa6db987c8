"""Crawl, export and demo subcommands (being built)."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add the crawl subcommands to the CLI (none yet)."""
