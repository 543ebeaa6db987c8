"""Station profiles: shipped files load, bad ones fail at load time, lookups work."""

from __future__ import annotations

import pytest

from crawler.stations import ProfileError, build_registry, registry

REQUIRED = {"jacaranda", "eastcoastradio", "947", "kfm", "heart", "capital", "z100"}


def test_shipped_profiles_load_with_required_stations():
    keys = set(registry().by_key)
    assert keys >= REQUIRED
    assert keys & {"5fm", "metrofm"}
    for profile in registry():
        assert profile.sources.sitemaps or profile.sources.feeds or profile.sources.sections
        assert profile.verified, f"{profile.key} must say what its fixtures verify"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.jacarandafm.com/news/x/", "jacaranda"),
        ("https://staging.jacarandafm.com/news/x/", "jacaranda"),
        ("https://z100.iheart.com/content/2024-01-01-x/", "z100"),
        ("https://www.example.com/", None),
    ],
)
def test_for_url(url, key):
    profile = registry().for_url(url)
    assert (profile.key if profile else None) == key


def test_article_url_patterns():
    jac = registry().get("jacaranda")
    assert jac.is_article_url("https://www.jacarandafm.com/news/entertainment/some-story/")
    assert jac.is_article_url("https://www.jacarandafm.com/shows/breakfast-martin-bester/a-story/")
    assert not jac.is_article_url("https://www.jacarandafm.com/listen-live/")
    assert not jac.is_article_url("https://www.jacarandafm.com/news/entertainment/")


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = 'key = "{key}"\nname = "X"\ndomains = ["{domain}"]\ntimezone = "UTC"\n'


def test_duplicate_key_is_refused(tmp_path):
    files = [
        _write(tmp_path, "a.toml", BASE.format(key="a", domain="a.example")),
        _write(tmp_path, "b.toml", BASE.format(key="a", domain="b.example")),
    ]
    with pytest.raises(ProfileError, match="duplicate station key"):
        build_registry(files)


def test_duplicate_domain_is_refused(tmp_path):
    files = [
        _write(tmp_path, "a.toml", BASE.format(key="a", domain="same.example")),
        _write(tmp_path, "b.toml", BASE.format(key="b", domain="same.example")),
    ]
    with pytest.raises(ProfileError, match="already belongs"):
        build_registry(files)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[selectors]\ntitle = "h1[["\n', "does not compile"),
        ('[selectors]\nbogus = "h1"\n', "unknown selector"),
        ('[urls]\narticle = ["(unclosed"]\n', "URL pattern"),
        ('timezone = "Mars/Olympus"\n', "timezone"),
    ],
)
def test_bad_profiles_fail_at_load(tmp_path, extra, message):
    text = BASE.format(key="a", domain="a.example")
    if extra.startswith("timezone"):
        text = text.replace('timezone = "UTC"\n', extra)
    else:
        text += extra
    with pytest.raises(ProfileError, match=message):
        build_registry([_write(tmp_path, "a.toml", text)])
