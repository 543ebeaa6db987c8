"""The radioscrape Scrapy add-on: settings derived from other settings, at crawler start."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    try:
        return version("radioscrape")
    except PackageNotFoundError:
        return "dev"


class RadioscrapeAddon:
    """Name the project and its contact in the User-Agent and cap page sizes, unless the user
    set USER_AGENT or DOWNLOAD_MAXSIZE themselves (their priority is higher than an add-on's)."""

    def update_settings(self, settings) -> None:
        """Derive USER_AGENT from RADIOSCRAPE_CONTACT and DOWNLOAD_MAXSIZE from
        RADIOSCRAPE_MAX_PAGE_BYTES."""
        contact = settings.get("RADIOSCRAPE_CONTACT")
        settings.set("USER_AGENT", f"radioscrape/{_version()} (+{contact})", priority="addon")
        settings.set(
            "DOWNLOAD_MAXSIZE", settings.getint("RADIOSCRAPE_MAX_PAGE_BYTES"), priority="addon"
        )
