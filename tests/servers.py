"""Real HTTP servers on 127.0.0.1 for tests: a site is a dict of path -> Resource.

The server lives in crawler.demo_site (the `radioscrape demo` command serves with it too);
tests import it from here.
"""

from __future__ import annotations

from crawler.demo_site import LocalSite, LoggedRequest, Resource

__all__ = ["LocalSite", "LoggedRequest", "Resource"]
