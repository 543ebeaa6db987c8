"""radioscrape's own Scrapy signals: what its components tell each other as values."""

fetch_failed = object()  # a target URL gave no page: kwargs index, kind, message
request_offsite = object()  # a request left its station's hosts and was refused: kwargs request
# The store pipeline's redesign warnings at close: kwargs warnings ({station: [warning, ...]}).
station_warnings = object()
# The store pipeline at close, every record of the run kept: kwargs store (the open Store) and
# stations (those that got new or updated records; pipelines/chrome.py learns their chrome).
records_stored = object()
# The crawl report is out (printed, and written when asked): kwargs report (build_report's
# dict) and exit_code (the report's, or EXIT_PARTIAL when its JSON file could not be written).
crawl_reported = object()
# An extraction worker made a record's story print (pipelines.stories.story_print) beside it:
# kwargs record, printed and options (the StoryOptions it was made with); the store pipeline
# keeps it for that record instead of making it again in the crawl process.
story_printed = object()
