"""The import contract covers the whole project: every module of crawler and pipelines sits in
one of its layers (`make lint` runs lint-imports on them; a module in no layer is unchecked),
and no contract exempts an import."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_sits_in_a_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    names = [name.strip() for layer in layers for name in layer.replace("|", ":").split(":")]
    graph = grimp.build_graph(*config["root_packages"])
    modules = graph.modules - set(config["root_packages"])
    assert modules, "no module found"
    outside = sorted(m for m in modules if not any(m == n or m.startswith(f"{n}.") for n in names))
    assert outside == [], "add these to a layer of [tool.importlinter] in pyproject.toml"


def test_no_contract_exempts_an_import():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    exempt = {c["name"]: c["ignore_imports"] for c in config["contracts"] if "ignore_imports" in c}
    assert exempt == {}, "untangle the arrow instead: move what both sides need to a leaf"
