"""Every KPI and every policy setting is documented in docs/kpis.md, as the registry has it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accord.kpis.formulas import RETENTION_FIELDS, Movement
from accord.kpis.registry import REGISTRY, RETENTION

DOCS = Path(__file__).resolve().parent.parent / "docs"
DOC = (DOCS / "kpis.md").read_text(encoding="utf-8")

#: a row of a KPI table: | `slug` | unit | label | formula | meaning |
KPI_ROW = re.compile(r"^\| `([a-z0-9_]+)` \| (count|money|ratio) \|", re.MULTILINE)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a pipe inside a Markdown table cell


@pytest.mark.parametrize("kpi", REGISTRY, ids=lambda k: k.slug)
def test_every_kpi_of_the_registry_is_documented(kpi):
    assert f"| `{kpi.slug}` | {kpi.unit} |" in DOC


@pytest.mark.parametrize("kpi", REGISTRY, ids=lambda k: k.slug)
def test_each_kpi_row_gives_the_registry_label_and_formula(kpi):
    row = f"| `{kpi.slug}` | {kpi.unit} | {_cell(kpi.label)} | {_cell(kpi.formula)} | "
    assert row in DOC


def test_the_kpi_tables_list_exactly_the_registry_in_its_order():
    assert KPI_ROW.findall(DOC) == [(k.slug, k.unit) for k in REGISTRY]


@pytest.mark.parametrize("setting", ["window_months", "basis", "abc_a", "as_of"])
def test_every_policy_setting_is_documented(setting):
    assert f"`{setting}`" in DOC


@pytest.mark.parametrize("movement", list(Movement), ids=str)
def test_every_movement_is_documented(movement):
    assert f"| `{movement.value}` |" in DOC


def test_the_registry_lists_the_retention_fields_in_the_published_order():
    assert tuple(k.slug for k in RETENTION) == RETENTION_FIELDS


ROOT = DOCS.parent
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _pages() -> list[object]:
    return [pytest.param(page, id=page.name) for page in sorted(DOCS.glob("*.md"))]


@pytest.mark.parametrize("page", _pages())
def test_the_docs_point_to_no_file_outside_the_repository(page):
    text = page.read_text(encoding="utf-8")
    assert "shared/docs" not in text
    for design_note in ("KPIS.md", "KAM_MODELS.md", "PRODUCT.md", "ARCHITECTURE.md"):
        assert design_note not in text
    for target in LINK.findall(text):
        if "://" not in target:
            assert (page.parent / target).resolve().is_relative_to(ROOT), target


def test_every_relative_link_of_the_docs_and_the_readme_names_a_file_that_exists():
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in LINK.findall(page.read_text("utf-8")):
            if "://" not in target:
                assert (page.parent / target).exists(), (page.name, target)


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md") if p.name != "index.md"))
def test_every_page_of_the_docs_is_listed_in_the_readme_and_the_index(page):
    assert f"](docs/{page})" in (ROOT / "README.md").read_text("utf-8")
    assert f"]({page})" in (DOCS / "index.md").read_text("utf-8")
