"""Every policy field is documented, and nothing else: docs/settings.md lists the policies and
links the table of each; each table names exactly the fields of its model."""

from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import pytest

from accord.core.policy import Policy
from accord.health.formulas import MeasureSpec
from accord.kpis.schemas import PolicyIn

DOCS = Path(__file__).resolve().parents[1] / "docs"
INDEX_ROW = re.compile(r"^\| (\w+) \| `([\w.]+)` \|.*\[[^\]]+\]\(([\w.]+)#([\w-]+)\) \|$")


def _policies() -> dict[str, tuple[type[Policy], str, str]]:
    """policy name -> (class, document, anchor), from the index in docs/settings.md."""
    found = {}
    for line in (DOCS / "settings.md").read_text().splitlines():
        match = INDEX_ROW.match(line)
        if match:
            name, dotted, page, anchor = match.groups()
            module, _, cls = dotted.rpartition(".")
            found[name] = (getattr(importlib.import_module(module), cls), page, anchor)
    return found


def _section(page: str, anchor: str) -> str:
    """The text under the heading whose anchor is ``anchor``, up to the next heading."""
    text = (DOCS / page).read_text()
    headings = list(re.finditer(r"^#+ (.+)$", text, flags=re.M))
    for i, heading in enumerate(headings):
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
        if slug == anchor:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            return text[heading.end():end]
    raise AssertionError(f"{page} has no heading #{anchor}")


def _documented(section: str) -> set[str]:
    return set(re.findall(r"^\| `(\w+)` \|", section, flags=re.M))


def test_the_index_names_every_policy() -> None:
    classes = {cls for cls, _, _ in _policies().values()}
    assert {c.__name__ for c in classes} == {
        "SelectionPolicy", "StagePolicy", "HealthPolicy", "Policy", "WorkCalendarPolicy",
        "PlansPolicy", "HandoffsPolicy", "SalesChecklistPolicy", "ManagerChecklistPolicy",
        "RenewalsPolicy", "CadencePolicy", "AgencyPolicy", "LicencesPolicy", "ClientsPolicy",
            "TeamPolicy",
    }
    assert all(issubclass(c, Policy) for c in classes)


@pytest.mark.parametrize("name", ["selection", "stages", "health", "KPI", "calendar", "plans",
                                  "handoffs", "handoff_checklist_sales",
                                  "handoff_checklist_manager", "renewals", "cadence",
                                  "agency", "licences", "clients", "team"])
def test_the_docs_list_exactly_the_fields_of_the_policy(name: str) -> None:
    cls, page, anchor = _policies()[name]
    section = _section(page, anchor)
    fields = set(cls.model_fields)
    if name == "KPI":  # the pinned as-of month is a setting of the KPI policy's endpoint
        fields |= set(PolicyIn.model_fields)
    assert _documented(section) == fields
    if name == "health":  # each measure's spec
        for part in [f.name for f in dataclasses.fields(MeasureSpec)]:
            assert f"`{part}`" in section, part


def test_every_default_in_the_docs_is_the_models() -> None:
    """A scalar default written in a table is the model's default."""
    wrong = {}
    for name, (cls, page, anchor) in _policies().items():
        rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", _section(page, anchor), flags=re.M)
        defaults = cls().to_dict()
        for field, written in rows:
            value = defaults.get(field)
            if isinstance(value, str | int) and not isinstance(value, bool):
                if written.strip().strip("`") != str(value):
                    wrong[f"{name}.{field}"] = (written.strip(), value)
    assert wrong == {}
