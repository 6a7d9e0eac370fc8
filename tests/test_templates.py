"""Templates are named by package (``selection/matrix.html``, ``web/base.html``): every
template loads under its namespaced name, every name the code or a template uses resolves,
and two packages holding a file of the same name do not shadow each other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from jinja2 import Environment, PrefixLoader, TemplateNotFound, meta

from accord.web.templating import TEMPLATE_PACKAGES, namespaced_loader, templates

SRC = Path(__file__).resolve().parents[1] / "src"
ACCORD = SRC / "accord"
TEMPLATE_NAME = re.compile(r"^[\w/]+\.html$")


def _template_folders() -> dict[str, Path]:
    """Every ``templates/`` folder holding a template, by the package that holds it."""
    return {
        ".".join(folder.parent.relative_to(SRC).parts): folder
        for folder in ACCORD.rglob("templates")
        if folder.is_dir() and "static" not in folder.parts and any(folder.rglob("*.html"))
    }


def _source(env: Environment, name: str) -> str:
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def _names_in_code() -> set[tuple[str, str]]:
    """(file, name) of every string literal in src that reads as a template name."""
    found = set()
    for path in ACCORD.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if TEMPLATE_NAME.match(node.value):
                    found.add((str(path.relative_to(SRC)), node.value))
    return found


def test_every_template_folder_is_registered_once():
    assert sorted(_template_folders()) == sorted(TEMPLATE_PACKAGES.values())
    assert len(set(TEMPLATE_PACKAGES.values())) == len(TEMPLATE_PACKAGES)


def test_the_application_loader_is_the_namespaced_table():
    loader = templates.env.loader
    assert isinstance(loader, PrefixLoader)
    assert sorted(loader.mapping) == sorted(TEMPLATE_PACKAGES)


def test_every_template_loads_under_its_package_name():
    env = templates.env
    by_package = {package: prefix for prefix, package in TEMPLATE_PACKAGES.items()}
    expected = set()
    for package, folder in _template_folders().items():
        for path in folder.rglob("*.html"):
            expected.add(f"{by_package[package]}/{path.relative_to(folder).as_posix()}")
    assert set(env.list_templates()) == expected
    for name in sorted(expected):
        env.get_template(name)  # compiles: a syntax error fails here
        prefix, _, rest = name.partition("/")
        assert not rest.startswith(f"{prefix}/"), f"{name}: flatten templates/{prefix}/"


def test_every_template_a_template_names_resolves():
    env = templates.env
    known = set(env.list_templates())
    missing = []
    for name in sorted(known):
        source = _source(env, name)
        for referenced in meta.find_referenced_templates(env.parse(source)):
            if referenced is not None and referenced not in known:  # None: a variable
                missing.append((name, referenced))
    assert missing == []


def test_every_template_name_in_the_code_resolves():
    names = _names_in_code()
    assert len(names) >= 20  # the pages, the error page, the report layouts
    known = set(templates.env.list_templates())
    assert sorted(pair for pair in names if pair[1] not in known) == []


@pytest.fixture
def other_package(tmp_path, monkeypatch) -> str:
    """An importable package ``shadow_probe`` whose templates hold an ``error.html`` too."""
    package = tmp_path / "shadow_probe"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "templates" / "error.html").write_text("the probe's own error page")
    monkeypatch.syspath_prepend(str(tmp_path))
    return "shadow_probe"


def test_two_packages_hold_the_same_file_name_without_shadowing(other_package):
    env = Environment(loader=namespaced_loader({"web": "accord.web", "x": other_package}))
    ours = _source(env, "web/error.html")
    theirs = _source(env, "x/error.html")
    assert theirs == "the probe's own error page"
    assert ours != theirs
    assert ours == (ACCORD / "web" / "templates" / "error.html").read_text()
    with pytest.raises(TemplateNotFound):  # no bare name: nothing chooses between them
        env.get_template("error.html")
    # the other order in the table changes nothing
    env2 = Environment(loader=namespaced_loader({"x": other_package, "web": "accord.web"}))
    assert _source(env2, "web/error.html") == ours
    assert _source(env2, "x/error.html") == theirs
