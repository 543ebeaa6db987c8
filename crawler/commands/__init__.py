"""radioscrape's Scrapy commands (COMMANDS_MODULE): `scrapy crawl` with radioscrape's exit codes."""
