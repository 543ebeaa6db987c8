"""crawler.startup: the collector paused for a start-up, then put back as it was."""

import gc

import pytest

from crawler.startup import no_collection


@pytest.mark.parametrize("enabled", [True, False])
def test_no_collection_pauses_and_restores(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with no_collection():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), no_collection():
            raise RuntimeError("an import failed")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
