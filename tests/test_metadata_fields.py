"""bench/fields.py: the per-field comparison a person would make, and the fixtures' own
per-field accuracy (the lead's bench/quality.py reports the same figures)."""

from __future__ import annotations

import pytest

from bench.fields import FIXTURE_FIELDS, field_scores, radioscrape_fields, same, score


@pytest.mark.parametrize(
    ("name", "expected", "actual", "right"),
    [
        ("title", "Ann Lee’s new album", "ann lee's  new album", True),
        ("title", "Ann Lee’s new album", "Ann Lee’s new album | Radio X", False),
        ("author", "Dylan Bailey, MS, RD, FAND", "Dylan Bailey", True),
        ("author", "Danielle DeSiato, Donna Enzmann, and Natalie Nguyen", "Donna Enzmann", True),
        ("author", "Brian Truitt", "By Brian Truitt", True),
        ("author", "Benjamin Johnson, Director - 10+ Years", "Benjamin Johnson, Director", True),
        ("author", "Isaiah Shelton", "Author Isaiah Shelton", False),
        ("author", "Sara Brown", None, False),
        ("published", "2025-09-04", "2025-09-04T23:10:00-05:00", True),
        ("published", "2025-09-04", "2025-09-05T01:10:00+02:00", False),
        ("published", "2025-09", "2025-09-04T23:10:00-05:00", True),
        ("image", {"url": "https://a/x.jpg", "caption": None}, {"url": "https://a/x.jpg"}, True),
        ("show", None, "Drive with Sam", False),
        ("show", None, None, True),
        ("canonical_url", "https://a/x/", "https://a/x", False),
    ],
)
def test_fields_are_compared_as_a_person_would(name, expected, actual, right):
    assert same(name, expected, actual) is right


def test_missing_truth_counts_as_extra_not_as_a_miss():
    pairs = [({"author": None}, {"author": "X"}), ({"author": "A B"}, {"author": "A B"})]
    scores = score(pairs, ["author"], skip_missing_truth=True)["author"]
    assert (scores["correct"], scores["total"], scores["extra"]) == (1, 1, 1)


def test_every_fixture_field_is_right():
    scores = field_scores(radioscrape_fields, wcxb=False)["fixtures"]
    assert {name: scores[name]["accuracy"] for name in FIXTURE_FIELDS} == dict.fromkeys(
        FIXTURE_FIELDS, 1.0
    )
