"""radioscrape's own Scrapy signals."""

fetch_failed = object()  # a target URL gave no page: kwargs index, kind, message
request_offsite = object()  # a request left its station's hosts and was refused: kwargs request
