"""Command-line options shared by every `radioscrape` subcommand (no Scrapy import here)."""

from __future__ import annotations

import argparse


def setting_arg(text: str) -> tuple[str, str]:
    """argparse type for `-s NAME=VALUE` Scrapy settings."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def add_setting_option(parser: argparse.ArgumentParser) -> None:
    """`-s NAME=VALUE` (repeatable): Scrapy settings for this run."""
    parser.add_argument(
        "-s", "--set", action="append", type=setting_arg, default=[], metavar="NAME=VALUE",
        help="a Scrapy setting (repeatable)",
    )  # fmt: skip
