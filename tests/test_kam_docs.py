"""docs/kam_models.md lists each KAM policy's fields in the model's order, and every health
measure (tests/test_settings_docs.py checks the field sets and their defaults)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accord.health.formulas import MEASURES, HealthPolicy
from accord.relationships.rubric import StagePolicy
from accord.selection.rules import SelectionPolicy

DOC = (Path(__file__).resolve().parent.parent / "docs" / "kam_models.md").read_text("utf-8")


def _settings_table(heading: str) -> list[str]:
    """The first-column names of the table under ``### {heading}``, in order."""
    section = DOC.split(f"\n### {heading}\n", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", section, re.MULTILINE)


@pytest.mark.parametrize(
    ("heading", "policy"),
    [
        ("Selection settings", SelectionPolicy),
        ("Stage settings", StagePolicy),
        ("Health settings", HealthPolicy),
    ],
    ids=["selection", "stages", "health"],
)
def test_the_settings_table_lists_exactly_the_policy_fields_in_their_order(heading, policy):
    assert _settings_table(heading) == list(policy.model_fields)


@pytest.mark.parametrize("measure", MEASURES)
def test_every_health_measure_is_named(measure):
    assert f"(`{measure}`)" in DOC
