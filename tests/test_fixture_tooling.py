"""`radioscrape fixture add|review|accept` on a throwaway fixtures folder."""

from __future__ import annotations

import json
import shutil

import pytest

from crawler import cli
from crawler import fixtures as fixture_module
from crawler.fixtures import all_fixtures

SEED = all_fixtures("jacaranda/john-legend-on-what-strained-his-relationship-with-kanye-west")[0]


@pytest.fixture
def fixtures_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(fixture_module, "FIXTURES_DIR", tmp_path)
    monkeypatch.setenv("RADIOSCRAPE_FIXTURES_DIR", str(tmp_path))  # what the commands read
    return tmp_path


def _add(page_file, *extra) -> int:
    return cli.main(
        [
            "fixture",
            "add",
            "--station",
            "jacaranda",
            "--slug",
            "seed",
            "--fetched-at",
            "2026-11-20T08:00:00+00:00",
            *extra,
            str(page_file),
        ]
    )


def test_add_writes_page_meta_and_expected_through_the_cleaner(fixtures_dir, capsys):
    assert _add(SEED.path / "page.html") == 0
    folder = fixtures_dir / "jacaranda" / "seed"
    assert (folder / "page.html").read_bytes() == (SEED.path / "page.html").read_bytes()
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["station"] == "jacaranda"
    assert meta["fetched_at"] == "2026-11-20T08:00:00+00:00"
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert expected["body"] == SEED.expected["body"]
    assert expected["fetched_at"] == "2026-11-20T08:00:00+00:00"
    assert "added jacaranda/seed" in capsys.readouterr().out


def test_add_never_overwrites(fixtures_dir, capsys):
    assert _add(SEED.path / "page.html") == 0
    expected_file = fixtures_dir / "jacaranda" / "seed" / "expected.json"
    expected_file.write_text('{"edited": true}\n', encoding="utf-8")
    assert _add(SEED.path / "page.html") == 1
    assert "not overwritten" in capsys.readouterr().err
    assert expected_file.read_text(encoding="utf-8") == '{"edited": true}\n'


def test_add_refuses_unknown_station(fixtures_dir):
    code = cli.main(["fixture", "add", "--station", "nope", str(SEED.path / "page.html")])
    assert code == 2
    assert not any(fixtures_dir.iterdir())


def test_review_reports_per_field_and_accept_takes_only_chosen_fields(fixtures_dir, capsys):
    shutil.copytree(SEED.path, fixtures_dir / "jacaranda" / "seed")
    expected_file = fixtures_dir / "jacaranda" / "seed" / "expected.json"
    edited = json.loads(expected_file.read_text(encoding="utf-8"))
    edited["title"] = "Wrong title"
    edited["body"] = edited["body"][:-1]
    expected_file.write_text(
        json.dumps(edited, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )

    assert cli.main(["fixture", "review"]) == 1
    out = capsys.readouterr().out
    assert "jacaranda/seed: 2 field(s) differ" in out
    assert 'title: expected "Wrong title"' in out
    last = len(edited["body"])  # the paragraph removed from expected is one line, by its index
    assert (
        f"  + [{last}]      got {json.dumps(SEED.expected['body'][-1], ensure_ascii=False)}" in out
    )

    assert cli.main(["fixture", "accept", "jacaranda/seed", "--fields", "title"]) == 0
    after = json.loads(expected_file.read_text(encoding="utf-8"))
    assert after["title"] == SEED.expected["title"]
    assert after["body"] == edited["body"]  # not accepted: still differs
    assert cli.main(["fixture", "review", "jacaranda/seed"]) == 1

    assert cli.main(["fixture", "accept", "jacaranda/seed"]) == 0
    assert cli.main(["fixture", "review", "jacaranda"]) == 0
    assert json.loads(expected_file.read_text(encoding="utf-8")) == SEED.expected


def test_accept_rejects_unknown_fields_and_fixtures(fixtures_dir, capsys):
    shutil.copytree(SEED.path, fixtures_dir / "jacaranda" / "seed")
    assert cli.main(["fixture", "accept", "jacaranda/seed", "--fields", "titel"]) == 2
    assert cli.main(["fixture", "accept", "jacaranda/missing"]) == 2
    assert "titel" in capsys.readouterr().err


def test_commands_take_the_fixture_folder_and_say_when_it_is_absent(tmp_path, capsys):
    folder = tmp_path / "mine"
    shutil.copytree(SEED.path, folder / "jacaranda" / "seed")
    assert cli.main(["fixture", "review", "--fixtures", str(folder)]) == 0
    assert "1 fixture(s) reviewed, 0 differ" in capsys.readouterr().out
    missing = tmp_path / "absent"
    assert cli.main(["fixture", "review", "--fixtures", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no fixture folder {missing}" in err
    code = cli.main(["fixture", "add", "--fixtures", str(missing), "--station", "jacaranda",
                     str(SEED.path / "page.html")])  # fmt: skip
    assert code == 2 and not missing.exists()


def test_an_inserted_paragraph_is_one_line_not_a_cascade():
    from crawler.fixtures import diff_fields, format_diff

    body = [f"Paragraph {n}." for n in range(6)]
    got = [*body[:2], "READ: an inserted promo", *body[2:]]
    text = format_diff("x/y", diff_fields({"body": body}, {"body": got}))
    assert text.splitlines()[2:] == ['  + [2]      got "READ: an inserted promo"']
    changed = format_diff("x/y", diff_fields({"body": body}, {"body": [*body[:5], "Other."]}))
    assert changed.splitlines()[2:] == [
        '    [5] expected "Paragraph 5."',
        '    [5]      got "Other."',
    ]
