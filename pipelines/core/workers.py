"""How the worker processes of a pool start: forked from this warm process when that is safe,
else spawned (a fresh interpreter that imports what it needs).

A spawned extraction worker imports the cleaner, trafilatura, lxml and the station registry
again (~0.45 s of CPU, ~0.7 s with the crawl pipeline's Scrapy imports) before its first page; a
forked one starts with what this process has already loaded, in ~10 ms. Only the standard
library here: the crawl pipeline and the one-off CLI both start their pools with it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing.context import BaseContext


def worker_context() -> BaseContext:
    """'fork' on Linux while this process runs no Python thread but its main one, else 'spawn'.

    A fork copies only the calling thread: a lock another thread held at that moment stays
    held in the child for ever (the Twisted reactor's thread pool, a broken pool's manager
    thread), so with other threads running the workers are spawned, as before. With 'fork', a
    pool starts all its workers at its first task (concurrent.futures), before it starts any
    thread of its own. The standard streams are flushed first: a forked child flushes its copy
    of their buffers when it ends, which would write their text a second time."""
    if sys.platform == "linux" and threading.active_count() == 1:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):
                stream.flush()
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


_PR_SET_PDEATHSIG = 1  # prctl(2)


def end_with_parent() -> None:
    """In a worker: have the kernel kill it when the process that started it ends (Linux). A
    pool's workers otherwise outlive a parent killed with SIGKILL, waiting for tasks for ever
    and keeping what they inherited: a worker forked by a crawl holds the store's lock file
    (crawler.lock), so the next crawl of that store would be refused."""
    if sys.platform != "linux":
        return
    import ctypes

    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it ended before the call
        os._exit(1)
