"""radioscrape's item pipelines: a fetched Page in, a clean, checked, stored record out."""
