"""crawler.startup: the collector paused for a start-up, then put back as it was, with what the
start-up made moved out of the young generations (frozen, or into the oldest)."""

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


def test_what_the_block_made_leaves_the_young_generation():
    with no_collection():
        made = [[n] for n in range(10_000)]  # 10,001 objects the collector tracks
        assert gc.get_count()[0] >= 10_000
    assert gc.get_count()[0] < 10_000
    assert gc.get_freeze_count() == 0  # in the oldest generation, not frozen
    try:
        with no_collection(freeze=True):
            more = [[n] for n in range(10_000)]
        assert gc.get_freeze_count() >= 20_000
    finally:
        gc.unfreeze()
    assert made and more
