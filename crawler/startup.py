"""What a command's start-up needs: no cyclic garbage collection while it imports."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_collection(freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (imports, Scrapy's components:
    hundreds of thousands of objects that all live on), then put it back as it was. What the
    block made goes where the collector would have moved it, without the collections that
    would have walked it there: frozen with `freeze` (never walked again), else into the
    oldest generation (walked by the rare full collections only), with whatever was frozen
    before. Left in the youngest, the next collection would walk it all at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if not freeze:
            gc.unfreeze()
        if enabled:
            gc.enable()
