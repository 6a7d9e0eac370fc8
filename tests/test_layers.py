"""The layers contract (pyproject.toml) names every package of accord, and nothing else.

import-linter checks that imports point down the layers; it says nothing of a package the
list forgets, which could then import anything. This test makes a new package take its place
in the list the day it lands.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "accord"


def _layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    return [[name.strip() for name in line.replace(":", "|").split("|")] for line in layers]


def _packages() -> set[str]:
    found = {f"accord.{p.name}" for p in SOURCE.iterdir() if (p / "__init__.py").exists()}
    found |= {f"accord.{p.stem}" for p in SOURCE.glob("*.py") if p.stem != "__init__"}
    return found


def test_every_package_has_its_layer() -> None:
    listed = [name for line in _layers() for name in line]
    assert len(listed) == len(set(listed)), "a package is listed twice"
    assert set(listed) == _packages()


def test_the_assembly_is_on_top_and_core_at_the_bottom() -> None:
    layers = _layers()
    assert layers[0] == ["accord.app"]
    assert layers[-1] == ["accord.core"]
