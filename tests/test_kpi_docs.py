"""Every KPI and every policy setting is documented in docs/kpis.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.kpis.formulas import RETENTION_FIELDS
from accord.kpis.registry import REGISTRY, RETENTION

DOC = (Path(__file__).resolve().parent.parent / "docs" / "kpis.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kpi", REGISTRY, ids=lambda k: k.slug)
def test_every_kpi_of_the_registry_is_documented(kpi):
    assert f"| `{kpi.slug}` | {kpi.unit} |" in DOC


@pytest.mark.parametrize("setting", ["window_months", "basis", "abc_a", "as_of"])
def test_every_policy_setting_is_documented(setting):
    assert f"`{setting}`" in DOC


def test_the_registry_lists_the_retention_fields_in_the_published_order():
    assert tuple(k.slug for k in RETENTION) == RETENTION_FIELDS
