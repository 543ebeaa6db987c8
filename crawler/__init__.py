"""radioscrape's Scrapy project: settings, station profiles, spiders and the CLI."""
