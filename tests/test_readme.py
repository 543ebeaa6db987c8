"""README stays true: the station table matches the registry, its make commands run."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from scripts.update_readme import MARKERS, stations_section

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_station_table_is_fresh():
    match = MARKERS.search(README)
    assert match, "README lost its station markers"
    current = README[match.end(1) : match.start(2)]
    assert current == stations_section(), "run: python scripts/update_readme.py"


def test_every_make_command_in_the_readme_runs():
    """Each `make X` the README names is a target make accepts (a dry run: nothing runs), and
    CI runs the README's test command."""
    targets = set(re.findall(r"`make ([a-z][a-z-]*)`", README))
    assert {"demo", "test", "test-fast"} <= targets, targets
    for target in sorted(targets):
        dry = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
        assert dry.returncode == 0, (target, dry.stderr)
    assert "\nmake test\n" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_lower_ends_checked_are_the_lower_bounds_of_the_tested_ranges():
    import re
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lower = re.search(r"^LOWER := (.+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    for pin in lower.split():
        name, version = pin.split("==")
        spec = next(d for d in deps if re.match(rf"{name}\b", d))
        assert f">={version}," in spec, (spec, pin)
        assert f"{name} `>={version}," in README, f"README's Install must name {pin}"
