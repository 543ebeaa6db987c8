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
        help="a Scrapy or RADIOSCRAPE_* setting for this run (repeatable; beats the "
             "environment and the config file)",
    )  # fmt: skip


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """`--config PATH` and `--stations DIR`, on every subcommand."""
    parser.add_argument(
        "--config", metavar="PATH",
        help="TOML config file (default: $RADIOSCRAPE_CONFIG, else ./radioscrape.toml if present)",
    )  # fmt: skip
    parser.add_argument(
        "--stations", metavar="DIR",
        help="folder of extra station profiles, beside the shipped ones; a profile there wins "
             "on the same key (default: $RADIOSCRAPE_STATIONS)",
    )  # fmt: skip
