"""What a command's start-up needs: no cyclic garbage collection while it imports."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (imports, Scrapy's components:
    hundreds of thousands of objects that all live on, which each collection would walk again
    for nothing), then put it back as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
