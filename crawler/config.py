"""Effective settings: command line > RADIOSCRAPE_* environment > config file > defaults.

The config file is TOML: `--config PATH`, else the path in RADIOSCRAPE_CONFIG, else
`radioscrape.toml` in the working directory (when there is one). Its top-level keys are the
RADIOSCRAPE_* settings in lower case without the prefix (`db`, `redis`, `limit`, ...) plus
`stations`, `fixtures_dir`, `log_level`, `db_password` and `redis_password`; its `[scrapy]` table
holds any Scrapy setting by its own name (`DOWNLOAD_DELAY = 1.0`). Each key is also read from
the environment as RADIOSCRAPE_<KEY> (`RADIOSCRAPE_DB`, `RADIOSCRAPE_DB_PASSWORD`). A password
given apart is put into the store DSN or Redis URL that has none, so it never appears in `ps`.

No Scrapy import here: `radioscrape config` and the one-off scrape start fast.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from crawler import settings as project_settings_module

PREFIX = "RADIOSCRAPE_"
CONFIG_ENV = "RADIOSCRAPE_CONFIG"
LOCAL_CONFIG = "radioscrape.toml"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")

# Keys that are not Scrapy settings: where the CLI finds things, and secrets kept apart.
EXTRA_KEYS: dict[str, tuple[Any, str]] = {
    "stations": ("", "folder(s) of extra station profiles, ':'-separated (user's win on a key)"),
    "fixtures_dir": ("fixtures", "the fixture folder of the `fixture` commands"),
    "log_level": ("WARNING", "Scrapy log level of crawl and demo (stderr)"),
    "db_password": ("", "password put into a postgresql:// RADIOSCRAPE_DB that has none"),
    "redis_password": ("", "password put into a RADIOSCRAPE_REDIS URL that has none"),
}
SECRET_KEYS = frozenset({"db_password", "redis_password"})
# Settings that are internal switches, not for users to configure.
INTERNAL = frozenset({"RADIOSCRAPE_REPORT_ENABLED"})


class ConfigError(ValueError):
    """A configuration or environment error: one line, naming where and why."""


def radioscrape_defaults() -> dict[str, Any]:
    """Every RADIOSCRAPE_* setting of crawler/settings.py with its default."""
    return {
        name: value
        for name, value in vars(project_settings_module).items()
        if name.startswith(PREFIX) and name not in INTERNAL
    }


def key_of(setting: str) -> str:
    """'RADIOSCRAPE_DB' -> 'db'."""
    return setting[len(PREFIX) :].lower()


def check_value(name: str, value: Any, default: Any) -> None:
    """ConfigError when `value` (a string from the command line or the environment, or a TOML
    value) cannot be read as the type of the setting's default."""
    text = value if isinstance(value, str) else None
    if isinstance(default, bool):
        ok = isinstance(value, bool | int) or text in ("0", "1", "true", "false", "True", "False")
        kind = "true/false (or 1/0)"
    elif isinstance(default, int | float):
        # radioscrape's own int settings are read with getint; Scrapy's may be floats
        whole = isinstance(default, int) and (name.islower() or name.startswith(PREFIX))
        kind = "a whole number" if whole else "a number"
        try:
            number = (int if whole else float)(value)
            ok = not isinstance(value, bool) and number == number  # NaN is refused
        except (TypeError, ValueError):
            ok = False
    elif isinstance(default, dict):
        kind = "a JSON object"
        try:
            ok = isinstance(value, dict) or isinstance(json.loads(text or ""), dict)
        except ValueError:
            ok = False
    elif isinstance(default, list | tuple):
        kind, ok = "a list", isinstance(value, str | list | tuple)
    elif isinstance(default, str):
        kind, ok = "a string", isinstance(value, str)
    else:
        return
    if not ok:
        raise ConfigError(f"{name}={value!r}: must be {kind}")


def scrapy_default(name: str) -> Any:
    """The default of any setting (radioscrape's or Scrapy's), None when unknown."""
    if hasattr(project_settings_module, name):
        return getattr(project_settings_module, name)
    from scrapy.settings import default_settings  # only when a Scrapy setting is given

    return getattr(default_settings, name, None)


def check_setting(name: str, value: Any) -> None:
    """ConfigError for a misspelt RADIOSCRAPE_* name or a value of the wrong type."""
    if name.startswith(PREFIX) and not hasattr(project_settings_module, name):
        raise ConfigError(f"{name}: unknown radioscrape setting (see `radioscrape config`)")
    check_value(name, value, scrapy_default(name))


def mask(value: Any) -> Any:
    """A URL with its password replaced by ***; other values unchanged."""
    if not isinstance(value, str) or "://" not in value:
        return value
    parts = urlsplit(value)
    if parts.password is None:
        return value
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def with_password(url: str, password: str) -> str:
    """`url` with `password` put in, unless it has one already (or there is none to put)."""
    if not password or not url or "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is not None:
        return url
    user = unquote(parts.username or "")
    return urlunsplit(parts._replace(netloc=f"{quote(user)}:{quote(password, safe='')}@"
                                            f"{parts.netloc.rpartition('@')[2]}"))  # fmt: skip


@dataclass
class Config:
    """The effective settings: {key: (value, source)}, sources 'default', 'file PATH',
    'env NAME', 'command line'; `scrapy` holds [scrapy] / -s settings the same way."""

    values: dict[str, tuple[Any, str]] = field(default_factory=dict)
    scrapy: dict[str, tuple[Any, str]] = field(default_factory=dict)
    path: Path | None = None

    def get(self, key: str) -> Any:
        """The effective value of a key ('db', 'stations', ...), passwords put in."""
        value = self.values[key][0]
        if key == "db" and str(value).startswith(POSTGRES_SCHEMES):
            return with_password(value, self.get("db_password"))
        if key == "redis":
            return with_password(value, self.get("redis_password"))
        return value

    def scrapy_settings(self) -> dict[str, Any]:
        """What differs from the defaults, as Scrapy settings (RADIOSCRAPE_* and [scrapy])."""
        out = {
            PREFIX + key.upper(): self.get(key)
            for key, (_, source) in self.values.items()
            if source != "default" and key not in EXTRA_KEYS
        }
        out.update({name: value for name, (value, _) in self.scrapy.items()})
        return out

    def rows(self) -> list[tuple[str, Any, str]]:
        """(name, value masked, source) for every setting, for `radioscrape config`."""
        rows = []
        for key, (value, source) in sorted(self.values.items()):
            name = key if key in EXTRA_KEYS else PREFIX + key.upper()
            shown = ("***" if value else "") if key in SECRET_KEYS else mask(value)
            rows.append((name, shown, source))
        rows.sort()
        rows += [(n, mask(v), s) for n, (v, s) in sorted(self.scrapy.items())]
        return rows


def _file_path(explicit: str | None, environ: Mapping[str, str]) -> tuple[Path | None, bool]:
    """The config file to read and whether it must exist (named explicitly)."""
    if explicit:
        return Path(explicit), True
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]), True
    local = Path(LOCAL_CONFIG)
    return (local, False) if local.is_file() else (None, False)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load_config(
    cli: Mapping[str, Any] | None = None,
    sets: list[tuple[str, str]] | None = None,
    config_path: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Merge defaults, the config file, RADIOSCRAPE_* variables and the command line
    (`cli`: {key: value or None}; `sets`: `-s NAME=VALUE` pairs). ConfigError on a bad value."""
    environ = os.environ if environ is None else environ
    defaults = {key_of(n): v for n, v in radioscrape_defaults().items()}
    defaults.update({k: d for k, (d, _) in EXTRA_KEYS.items()})
    values = {k: (v, "default") for k, v in defaults.items()}
    scrapy: dict[str, tuple[Any, str]] = {}

    path, required = _file_path(config_path, environ)
    if path is not None and (required or path.exists()):
        data = _read_file(path)
        where = f"file {path}"
        for key, value in data.items():
            if key == "scrapy":
                if not isinstance(value, dict):
                    raise ConfigError(f"{path}: scrapy: must be a table of Scrapy settings")
                for name, setting in value.items():
                    _check(f"{path}: [scrapy] {name}", name, setting)
                    scrapy[name] = (setting, where)
                continue
            if key not in defaults:
                known = ", ".join(sorted(defaults))
                raise ConfigError(f"{path}: {key}: unknown key (known: {known})")
            _check(f"{path}: {key}", key, value, defaults[key])
            values[key] = (value, where)

    for key, default in defaults.items():
        name = PREFIX + key.upper()
        if environ.get(name, "") != "":
            _check(f"environment {name}", key, environ[name], default)
            values[key] = (environ[name], f"env {name}")

    for key, value in (cli or {}).items():
        if value is not None:
            values[key] = (value, "command line")
    for name, value in sets or ():
        if name.startswith(PREFIX) and key_of(name) in defaults:
            _check(f"-s {name}", key_of(name), value, defaults[key_of(name)])
            values[key_of(name)] = (value, "command line")
        else:
            _check(f"-s {name}", name, value)
            scrapy[name] = (value, "command line")
    return Config(values=values, scrapy=scrapy, path=path if path and path.exists() else None)


def _check(where: str, name: str, value: Any, default: Any = None) -> None:
    """check_value / check_setting with `where` in front of the message."""
    try:
        if default is None and not name.islower():
            check_setting(name, value)
        else:
            check_value(name, value, default)
    except ConfigError as exc:
        reason = str(exc).split(": ", 1)[-1]
        if "unknown radioscrape setting" in reason:
            raise ConfigError(f"{where}: {reason}") from None
        raise ConfigError(f"{where}={value!r}: {reason}") from None
