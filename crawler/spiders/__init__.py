"""radioscrape's spiders: `station` crawls stations, `page` fetches given URLs."""
