"""Distributed crawling: several worker processes share one crawl through Redis (scrapy-redis).

With RADIOSCRAPE_REDIS set (`radioscrape crawl --redis redis://HOST:PORT/N`), the
DistributedCrawl add-on switches the scheduler and dupefilter to scrapy-redis, with
LeaseScheduler on top:

- Discovery happens once. The first worker to take the leader key fetches robots.txt,
  sitemaps, feeds and sections from its own local queue, selects the articles to fetch against
  the shared store exactly as a single process does, and pushes them to the shared queue.
  The other workers keep their start requests in standby and take over discovery if the leader
  dies before finishing it.
- Each article request goes through the shared dupefilter and queue, so one worker fetches it.
- A popped request is leased: it moves atomically into the worker's in-flight hash and leaves
  it only when the engine is done with it (items stored, or its retry/redirect queued). Workers
  send heartbeats from a thread of their own (cleaning a page holds the reactor for seconds on a
  loaded machine); the in-flight requests of a worker silent for RADIOSCRAPE_REDIS_LEASE seconds
  go back to the queue, so a killed worker loses nothing.
- A worker closes only when discovery is done, the queue is empty and no lease is out. The last
  worker to leave a finished crawl deletes its keys (the next worker to start does it if that
  one died), so the next run discovers afresh; a crawl stopped half-way keeps its queue, and
  the next run resumes it.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import socket
import threading
import uuid
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

# The add-on and the key names live in crawler.addons, which imports no scrapy-redis (an
# optional extra): a crawl without RADIOSCRAPE_REDIS never imports this module.
from crawler.addons import KEY_PREFIX, REDIS_SCHEMES, DistributedCrawl, crawl_keys
from pipelines.core.fetch import ARTICLE_META
from pipelines.core.stats import WORKER

__all__ = ["KEY_PREFIX", "REDIS_SCHEMES", "DistributedCrawl", "LeaseScheduler", "crawl_keys"]

logger = logging.getLogger(__name__)

LEASE_META = "radioscrape_lease"  # meta of a leased request: its lease id

# Lua scripts run atomically in Redis; times are the Redis server's, in milliseconds.
_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], top[1], top[2])
return top[1]
"""  # KEYS: queue, own in-flight hash. Moves the first request into the in-flight hash.
HEARTBEAT = (
    _NOW
    + """
redis.call('ZADD', KEYS[1], now, ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
"""
)  # KEYS: workers, leader. ARGV: worker, lease ms.
REQUEUE = """
local n = 0
for _, worker in ipairs(ARGV) do
  local key = KEYS[3] .. worker
  local items = redis.call('HGETALL', key)
  for i = 1, #items, 2 do redis.call('ZADD', KEYS[2], items[i + 1], items[i]) n = n + 1 end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], worker)
end
return n
"""  # KEYS: workers, queue, in-flight key prefix. ARGV: workers whose requests go back.
REAP = (
    _NOW
    + "local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))\n"
    + REQUEUE.replace("ipairs(ARGV)", "ipairs(dead)")
)  # KEYS: workers, queue, in-flight key prefix. ARGV: lease ms.
STATE = """
local leases = 0
for _, worker in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  leases = leases + redis.call('HLEN', KEYS[4] .. worker)
end
return {redis.call('ZCARD', KEYS[1]), redis.call('EXISTS', KEYS[3]), leases}
"""  # KEYS: queue, workers, discovered, in-flight key prefix.
END = (
    _NOW
    + """
if redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('DEL', KEYS[4]) end
if redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[2]), '+inf') > 0 then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
local workers = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, worker in ipairs(workers) do
  if redis.call('HLEN', KEYS[6] .. worker) > 0 then return 0 end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return 1
"""
)  # KEYS: workers, queue, dupefilter, leader, discovered, in-flight prefix. ARGV: worker, ms.
# With no live worker, no queue and no lease out, a crawl is over: END deletes its keys.


class LeaseScheduler(Scheduler):
    """scrapy-redis's scheduler with leader discovery, leases and a shared end (see module)."""

    def __init__(self, server, lease: float = 30.0, **kwargs: Any):
        super().__init__(server, **kwargs)
        self.lease_ms = int(lease * 1000)
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.crawler = None
        self.keys: dict[str, str] = {}
        self.leading = False
        self.local: list[tuple[int, int, Request]] = []  # discovery requests (leader only)
        self.local_seen: set[bytes] = set()
        self.standby: list[Request] = []  # start requests kept in case the leader dies
        self.leased: dict[str, tuple[bytes, Request]] = {}
        self.order = itertools.count()
        self.ticker = task.LoopingCall(self.tick)
        self.stopped = threading.Event()  # set when the worker leaves: its heartbeats stop
        self.pulse = threading.Thread(target=self.beat, name="redis-heartbeat", daemon=True)
        self.scripts = {name: server.register_script(body) for name, body in (
            ("pop", POP), ("heartbeat", HEARTBEAT), ("requeue", REQUEUE), ("reap", REAP),
            ("state", STATE), ("end", END))}  # fmt: skip

    @classmethod
    def from_crawler(cls, crawler):
        """scrapy-redis's settings plus RADIOSCRAPE_REDIS_LEASE; listen for spider_idle."""
        scheduler = super().from_crawler(crawler)
        scheduler.lease_ms = int(crawler.settings.getfloat("RADIOSCRAPE_REDIS_LEASE") * 1000)
        scheduler.crawler = crawler
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def _run(self, name: str, roles: tuple[str, ...], args: tuple[Any, ...] = ()) -> Any:
        return self.scripts[name](keys=[self.keys[role] for role in roles], args=list(args))

    def open(self, spider) -> None:
        """Join the crawl: heartbeat, and take the leader key unless discovery is done."""
        self.spider = spider
        self.queue = PriorityQueue(
            self.server, spider, self.queue_key % {"spider": spider.name}, self.serializer
        )  # a sorted set: the Lua scripts pop from it and re-queue into it
        self.df = self.df or load_object(self.dupefilter_cls).from_spider(spider)
        self.keys = crawl_keys(KEY_PREFIX % {"spider": spider.name})
        self.keys["own"] = self.keys["inflight:"] + self.worker  # this worker's in-flight hash
        self.stats.set_value(WORKER, self.worker)  # its report is one of many
        self.end_crawl()  # the keys of a crawl whose last worker died are still there
        self.heartbeat()
        self.try_to_lead()
        self.pulse.start()
        self.ticker.start(self.interval, now=False)

    @property
    def interval(self) -> float:
        """Seconds between heartbeats and ticks: a quarter of the lease, at most 1."""
        return min(1.0, self.lease_ms / 4000)

    def beat(self) -> None:
        """Heartbeat every interval until the worker leaves, in a thread: the reactor's thread
        is held while a page is cleaned (14 s by the clock for 1.7 s of CPU at load 14), and a
        worker silent that long lost its leases and its leader key, so pages were fetched twice."""
        while not self.stopped.wait(self.interval):
            try:
                self.heartbeat()
            except redis.RedisError as error:  # the reactor's next call to Redis reports it
                logger.warning("heartbeat failed: %s", error)

    def heartbeat(self) -> None:
        """Tell the other workers this one is alive (and still leading, if it is)."""
        self._run("heartbeat", ("workers", "leader"), (self.worker, self.lease_ms))

    def try_to_lead(self) -> None:
        """Take the leader key when discovery is not done and nobody holds it."""
        if self.server.exists(self.keys["discovered"]):
            self.standby = []
            return
        self.leading = bool(
            self.server.set(self.keys["leader"], self.worker, nx=True, px=self.lease_ms)
        )
        if self.leading:
            logger.info("worker %s runs discovery", self.worker)
            self.stats.set_value("radioscrape/distributed/leader", 1)
            for request in self.standby:
                self.push_local(request)
            self.standby = []

    def enqueue_request(self, request: Request) -> bool:
        """Keep a discovery request here; send an article request to the shared queue."""
        # A retry or redirect of a leased request carries its lease: ack it once queued.
        if ARTICLE_META not in request.meta:
            return self.push_local(request)
        parent = request.meta.pop(LEASE_META, None)
        queued = request.dont_filter or not self.df.request_seen(request)
        if queued:
            self.queue.push(request)
            self.stats.inc_value("scheduler/enqueued/redis")
        if parent is not None:
            self.ack(parent)
        return queued

    def push_local(self, request: Request) -> bool:
        """Queue a discovery request here, once, when this worker leads discovery."""
        if not self.leading:
            if not self.server.exists(self.keys["discovered"]):
                self.standby.append(request)
            return False
        fingerprint = self.crawler.request_fingerprinter.fingerprint(request)
        if not request.dont_filter and fingerprint in self.local_seen:
            return False
        self.local_seen.add(fingerprint)
        heapq.heappush(self.local, (-request.priority, next(self.order), request))
        return True

    def next_request(self) -> Request | None:
        """A local discovery request, else one leased from the shared queue."""
        self.ack_done()
        if self.local:
            return heapq.heappop(self.local)[2]
        member = self._run("pop", ("requests", "own"))
        if member is None:
            return None
        request = self.queue._decode_request(member)
        lease = uuid.uuid4().hex
        request.meta[LEASE_META] = lease
        self.leased[lease] = (member, request)
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def ack(self, lease: str) -> None:
        """The leased request is done with: drop it from the in-flight hash."""
        if entry := self.leased.pop(lease, None):
            self.server.hdel(self.keys["own"], entry[0])

    def ack_done(self) -> None:
        """Ack every leased request the engine is done with (downloaded, items stored)."""
        # Scrapy has no signal for that moment; the scraper keeps a request in slot.active
        # until its items are through the pipelines, so a leased request in neither set is done.
        engine = self.crawler.engine
        busy = engine.downloader.active | (engine.scraper.slot.active if engine.scraper.slot
                                           else set())  # fmt: skip
        for lease, (_, request) in list(self.leased.items()):
            if request not in busy:
                self.ack(lease)

    def state(self) -> tuple[int, bool, int]:
        """Shared queue length, whether discovery is done, leases out (all workers)."""
        queued, discovered, leases = self._run(
            "state", ("requests", "workers", "discovered", "inflight:")
        )
        return queued, bool(discovered), leases

    def has_pending_requests(self) -> bool:
        """Whether this worker may still get requests (its own, queued, or leased elsewhere)."""
        if self.local:
            return True
        self.ack_done()
        queued, discovered, leases = self.state()
        if queued:
            return True
        if self.leading and not discovered:
            return False  # discovery is done here: let spider_idle select the articles
        return not discovered or leases > 0

    def tick(self) -> None:
        """Ack, re-queue dead workers' requests, take over discovery, wake up."""
        self.ack_done()
        requeued = self._run("reap", ("workers", "requests", "inflight:"), (self.lease_ms,))
        if requeued:
            logger.warning("re-queued %d requests of workers silent for %.0fs", requeued,
                           self.lease_ms / 1000)  # fmt: skip
            self.stats.inc_value("radioscrape/distributed/requeued", requeued)
        if self.standby and not self.leading:
            self.try_to_lead()
        slot = getattr(self.crawler.engine, "_slot", None)  # no public way to wake the engine
        if slot is not None:
            slot.nextcall.schedule()

    def spider_idle(self) -> None:
        """Mark discovery done (leader); keep the worker open while the crawl is not over."""
        # Connected after the spider's own handler, which has queued the article requests.
        if self.leading:
            self.server.set(self.keys["discovered"], 1)
            self.leading = False
        queued, discovered, leases = self.state()
        if queued or leases or not discovered:
            raise DontCloseSpider

    def close(self, reason: str) -> None:
        """Leave the crawl: put unfinished leases back in the queue, end the crawl if last."""
        if self.ticker.running:
            self.ticker.stop()
        self.stopped.set()
        if self.pulse.is_alive():
            self.pulse.join()
        self.ack_done()
        self._run("requeue", ("workers", "requests", "inflight:"), (self.worker,))
        self.end_crawl()

    def end_crawl(self) -> None:
        """Give up the leader key; delete the keys of a crawl with no live worker or work left."""
        roles = ("workers", "requests", "dupefilter", "leader", "discovered", "inflight:")
        self._run("end", roles, (self.worker, self.lease_ms))
