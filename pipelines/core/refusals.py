"""Every reason a target gives no record, in one table: the exit code `radioscrape scrape` gives
it, the report group a crawled article refused for it is counted under (`<group>/<kind>`), and
what it means. Fetch refusals are raised as typed exceptions (crawler.middlewares.Refused), so
a kind is never guessed from a message."""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes of `radioscrape scrape` (README, Scrape): the first failing target decides.
EXIT_OK = 0
EXIT_NOT_ARTICLE = 3
EXIT_BAD_PAGE = 4
EXIT_NO_FILE = 5
EXIT_HTTP = 6
EXIT_DNS = 7
EXIT_TIMEOUT = 8
EXIT_FETCH = 9
EXIT_ROBOTS = 10
EXIT_SCHEME = 11
EXIT_TOO_LARGE = 12


@dataclass(frozen=True)
class Refusal:
    """One reason a target gives no record."""

    kind: str
    exit_code: int  # of `radioscrape scrape`
    report: str  # the crawl report's group for an article refused so: errors, filtered...
    message: str


REFUSALS: dict[str, Refusal] = {
    r.kind: r
    for r in (
        Refusal("not-article", EXIT_NOT_ARTICLE, "refused", "not an article"),
        Refusal("bad-page", EXIT_BAD_PAGE, "dropped", "not a usable page"),
        Refusal("no-file", EXIT_NO_FILE, "errors", "no such file"),
        Refusal("http", EXIT_HTTP, "errors", "HTTP error status"),
        Refusal("dns", EXIT_DNS, "errors", "DNS lookup failed"),
        Refusal("timeout", EXIT_TIMEOUT, "errors", "timeout"),
        Refusal("refused", EXIT_FETCH, "errors", "connection refused"),
        Refusal("data-loss", EXIT_FETCH, "errors", "connection lost before the body's end"),
        Refusal("bad-compression", EXIT_FETCH, "errors", "truncated or corrupt gzip body"),
        Refusal("redirect-loop", EXIT_FETCH, "errors", "too many redirects"),
        Refusal("offsite-redirect", EXIT_FETCH, "errors", "left the station's hosts"),
        Refusal("private-address", EXIT_FETCH, "errors", "host resolves to a private address"),
        Refusal("fetch", EXIT_FETCH, "errors", "other fetch failure"),
        Refusal("robots", EXIT_ROBOTS, "filtered", "forbidden by robots.txt"),
        Refusal("scheme", EXIT_SCHEME, "errors", "not an http(s) URL"),
        Refusal("too-large", EXIT_TOO_LARGE, "errors", "larger than RADIOSCRAPE_MAX_PAGE_BYTES"),
    )
}


# The kinds of page the cleaner refuses as something other than an article (pipelines.clean.
# classify tells them by URL and content): reported as refused/<kind>, exit 3 in `scrape`.
PAGE_KINDS = frozenset(
    {"player", "search", "schedule", "section", "archive", "author", "presenter"}
    | {"show", "podcast", "competition", "event", "contact", "home", "listing"}
)
# Every reason a page is refused as not an article: those, and "empty" (no text at all).
REFUSAL_KINDS = PAGE_KINDS | {"empty"}


def refusal(kind: str) -> Refusal:
    """The row of `kind`; the 'fetch' row for a kind the table does not name (http-404...)."""
    return REFUSALS.get(kind, REFUSALS["fetch"])
