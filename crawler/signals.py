"""radioscrape's own Scrapy signals."""

fetch_failed = object()  # a target URL gave no page: kwargs index, kind, message
