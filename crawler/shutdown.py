"""PromptShutdown: on SIGTERM or SIGINT, stop within seconds even with slow downloads in flight.

Scrapy's graceful stop waits for every request in flight, each for up to DOWNLOAD_TIMEOUT: with
slow servers a SIGTERM took 50 s (systemd kills after 90 s). This extension lets the downloads
in flight run STOP_GRACE seconds more, then aborts their connections, and those the downloader
starts after them, until the spider has closed: the pipelines finish the pages they hold and
the report is written as usual (finish reason `shutdown`). A second signal still kills at once
(Scrapy's own handler).
"""

from __future__ import annotations

import logging
import signal
from functools import partial

from scrapy import signals
from twisted.internet import reactor, task, tcp

logger = logging.getLogger(__name__)
STOP_GRACE = 3.0  # seconds the downloads in flight get after a stop signal
ABORT_EVERY = 0.25  # seconds between two sweeps of the downloads the downloader starts


class PromptShutdown:
    """Extension: after Scrapy's stop-signal handler, abort the downloads still in flight."""

    def __init__(self, grace: float = STOP_GRACE):
        self.grace = grace
        self.sweep = task.LoopingCall(self.abort_downloads)

    @classmethod
    def from_crawler(cls, crawler):
        """Wrap the stop-signal handlers once start-up is over (CrawlerProcess installs them
        after start-up); stop sweeping when the spider has closed."""
        ext = cls()
        reactor.addSystemEventTrigger("after", "startup", reactor.callLater, 0, ext.wrap_handlers)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def wrap_handlers(self) -> None:
        """Run our step after the installed SIGTERM and SIGINT handlers."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            installed = signal.getsignal(signum)
            if callable(installed):
                signal.signal(signum, partial(self.stopping, installed))

    def stopping(self, installed, signum, frame) -> None:
        """The signal handler: Scrapy's graceful stop, then the sweeps after the grace time."""
        installed(signum, frame)
        reactor.callFromThread(reactor.callLater, self.grace, self.start_sweeping)

    def start_sweeping(self) -> None:
        """Abort the downloads in flight now and every ABORT_EVERY seconds."""
        if not self.sweep.running:
            self.sweep.start(ABORT_EVERY)

    def abort_downloads(self) -> None:
        """Abort every outgoing TCP connection of the reactor (the downloads in flight)."""
        clients = [c for c in {*reactor.getReaders(), *reactor.getWriters()}
                   if isinstance(c, tcp.Client)]  # fmt: skip
        if clients:
            logger.warning("stopping: aborting %d downloads in flight", len(clients))
        for client in clients:
            client.abortConnection()

    def spider_closed(self) -> None:
        """Stop sweeping."""
        if self.sweep.running:
            self.sweep.stop()
