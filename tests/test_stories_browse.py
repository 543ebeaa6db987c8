"""The stories in `radioscrape browse` (Datasette): the `stories` view, one row per story, and
the story_copies canned query, on a real server over a store holding one syndicated story."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from pipelines.store import open_store
from tests.test_browse import get_json, server  # noqa: F401 (the server fixture, on this store)
from tests.test_stories import OTHER, SOURCE, copies_of


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("stories-browse") / "radio.db"
    with open_store(db) as opened:
        for record in [SOURCE, *copies_of(SOURCE), OTHER]:
            opened.save_record(record)
    return db


def test_the_stories_view_and_a_storys_copies(server):  # noqa: F811
    stories = get_json(f"{server}/stories.json?_shape=array")
    assert sorted((s["copies"], s["stations"]) for s in stories) == [(1, 1), (4, 4)]
    [shared] = [s for s in stories if s["copies"] == 4]
    assert shared["headline"] == SOURCE.title
    story = quote(shared["story_id"])
    copies = get_json(f"{server}/story_copies.json?story_id={story}&_shape=array")
    assert {c["url"] for c in copies} == {r.url for r in [SOURCE, *copies_of(SOURCE)]}
    assert copies[0]["published"] == min(c["published"] for c in copies)
