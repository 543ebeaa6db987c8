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
        ('[selectors]\nbogus = "h1"\n', "selectors.bogus: unknown key"),
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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[source]\nfeeds = ["https://a.example/rss"]\n',
            "source: unknown key (did you mean 'sources'?)",
        ),
        ('timezon = "Europe/London"\n', "timezon: unknown key (did you mean 'timezone'?)"),
        (
            '[sources]\nfeeds = "https://a.example/rss"\n',
            "sources.feeds: must be a list of strings",
        ),
        ("language = 3\n", "language: must be a string, not a number"),
        ('[urls]\narticel = ["x"]\n', "urls.articel: unknown key (did you mean 'article'?)"),
        ('[sources]\nsitemaps = ["ftp://a.example/s.xml"]\n', "sources.sitemaps: 'ftp://"),
        ("selectors = 1\n", "selectors: must be a table"),
    ],
)
def test_unknown_keys_and_wrong_types_name_file_key_and_reason(tmp_path, text, message):
    path = _write(tmp_path, "a.toml", BASE.format(key="a", domain="a.example") + text)
    with pytest.raises(ProfileError) as caught:
        build_registry([path])
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_required_key(tmp_path):
    path = _write(tmp_path, "a.toml", 'key = "a"\nname = "A"\n')
    with pytest.raises(ProfileError, match="domains: required key missing"):
        build_registry([path])


def test_every_key_of_the_schema_is_documented_in_the_readme():
    from crawler.stations import SCHEMA
    from tests.test_readme import README

    section = README[README.index("### Station profile reference") :]
    for key, spec in SCHEMA.items():
        assert f"`{key}`" in section, key
        table = spec[0][0] if isinstance(spec[0], list) else spec[0]
        if isinstance(table, dict):
            for sub in table:
                assert sub == "*" or f"`{key}.{sub}`" in section or f"`{sub}`" in section, sub


def test_a_broken_file_stops_only_its_station(tmp_path):
    good = _write(tmp_path, "good.toml", BASE.format(key="good", domain="good.example"))
    bad = _write(tmp_path, "bad.toml", BASE.format(key="bad", domain="bad.example") + "x = 1\n")
    reg = build_registry([good, bad], strict=False)
    assert [p.key for p in reg] == ["good"]
    assert reg.get("good").name == "X"
    with pytest.raises(ProfileError, match=r"bad\.toml: x: unknown key"):
        reg.get("bad")
    with pytest.raises(ProfileError):
        reg.for_url("https://bad.example/story/")
    assert reg.for_url("https://good.example/story/").key == "good"
    with pytest.raises(ProfileError, match=r"bad\.toml"):
        reg.require_all()


def test_a_user_folder_adds_stations_and_wins_on_the_same_key(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    jac = (registry().origins["jacaranda"]).read_text(encoding="utf-8")
    _write(folder, "jacaranda.toml", jac.replace('name = "Jacaranda FM"', 'name = "Mine"'))
    _write(folder, "new.toml", BASE.format(key="newfm", domain="new.example"))
    monkeypatch.setenv("RADIOSCRAPE_STATIONS", str(folder))
    reg = registry()
    assert reg.get("jacaranda").name == "Mine" and reg.origins["jacaranda"].parent == folder
    assert reg.get("newfm").domains == ("new.example",)
    assert reg.get("heart").name == "Heart" and not reg.broken


def test_stations_check_validates_one_file(tmp_path, capsys):
    from crawler import cli

    good = _write(tmp_path, "good.toml", BASE.format(key="good", domain="good.example"))
    assert cli.main(["stations", "--check", str(good)]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {good} (good")
    bad = _write(tmp_path, "bad.toml", BASE.format(key="bad", domain="bad.example") + "x = 1\n")
    assert cli.main(["stations", "--check", str(bad)]) == 2
    assert capsys.readouterr().err == f"radioscrape: {bad}: x: unknown key; known: " + (
        "key, name, domains, home, timezone, language, country, verified, sources, urls, "
        "selectors, shows, clutter\n"
    )
    taken = _write(tmp_path, "taken.toml", BASE.format(key="taken", domain="www.heart.co.uk"))
    assert cli.main(["stations", "--check", str(taken)]) == 2
    assert "already belongs to 'heart'" in capsys.readouterr().err
    assert cli.main(["stations", "--check"]) == 0
    out = capsys.readouterr()
    assert "jacaranda.toml (jacaranda)" in out.out and ", 0 broken" in out.err
