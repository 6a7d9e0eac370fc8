"""The ABC class: one rule (``selection.rules.abc_class``), its SQL (``kam_revenue.abc_sql``,
which the KAM revenue snapshot and the KPI Pareto curve both use), equal on both databases;
and the one ABC setting (0 < A < B ≤ 1) behind both."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Engine, Numeric, bindparam, literal, select, text

from accord.core.errors import ValidationFailed
from accord.core.migrate import upgrade
from accord.selection.kam_revenue import abc_sql
from accord.selection.rules import SelectionPolicy, abc_class, basis_points
from test_migrations import downgrade, empty_engine  # noqa: F401  (the fixture)

PAIRS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
cutoff = st.integers(min_value=1, max_value=10_000).map(lambda bp: Decimal(bp) / 10_000)


@st.composite
def cutoffs(draw: Any) -> tuple[Decimal, Decimal]:
    a = draw(cutoff.filter(lambda c: c < 1))
    b = draw(cutoff.filter(lambda c: c > a))
    return a, b


@PAIRS
@given(
    total=st.integers(min_value=1, max_value=10**13),
    share=st.integers(min_value=0, max_value=10_000),
    nudge=st.integers(min_value=-2, max_value=2),
    cuts=cutoffs(),
)
def test_the_abc_sql_equals_the_rule(
    engine: Engine, total: int, share: int, nudge: int, cuts: tuple[Decimal, Decimal]
) -> None:
    """``before`` near every share (on a cut exactly, and a cent either side)."""
    before = max(0, min(total, total * share // 10_000 + nudge))
    a, b = cuts
    expression = abc_sql(
        literal(before, BigInteger), literal(total, BigInteger), basis_points(a), basis_points(b)
    )
    with engine.connect() as conn:
        in_sql = conn.execute(select(expression)).scalar_one()
    assert in_sql == abc_class(before, total, a, b)


def test_a_share_exactly_on_a_cut_is_the_next_class() -> None:
    a, b = Decimal("0.80"), Decimal("0.95")
    assert abc_class(79, 100, a, b) == "A"
    assert abc_class(80, 100, a, b) == "B"
    assert abc_class(95, 100, a, b) == "C"


@pytest.mark.parametrize(
    ("a", "b"),
    [("0.95", "0.95"), ("0.97", "0.95"), ("0", "0.5"), ("0.5", "1.01"), ("0.80001", "0.9")],
)
def test_the_one_abc_setting_needs_a_below_b(a: str, b: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        SelectionPolicy.from_dict({"abc_a": a, "abc_b": b})
    assert {p.field for p in refused.value.problems} & {"abc_a/abc_b", "abc_a", "abc_b"}


def test_the_old_selection_names_are_gone() -> None:
    with pytest.raises(ValidationFailed) as refused:
        SelectionPolicy.from_dict({"abc_a_below": "0.8"})
    assert refused.value.errors == [
        {"field": "abc_a_below", "message": "not a selection setting"}
    ]


# ---------------------------------------------------------------- migration 0013


CUT = Numeric(precision=5, scale=4)


def _before_0013(
    engine: Engine, kpi: tuple[str, str] | None, stored: dict[str, Any] | None
) -> None:
    upgrade(engine, "0012_crm_users")
    with engine.begin() as conn:
        if kpi is not None:
            conn.execute(text(
                "INSERT INTO kpi_policy (id, window_months, basis, abc_a, abc_b, updated_at) "
                "VALUES (1, 12, 'trailing', :a, :b, CURRENT_TIMESTAMP)"
            ).bindparams(bindparam("a", type_=CUT), bindparam("b", type_=CUT)),
                {"a": Decimal(kpi[0]), "b": Decimal(kpi[1])})
        if stored is not None:
            conn.execute(text(
                "INSERT INTO kam_settings (name, value, updated_at, version) "
                "VALUES ('selection', :value, CURRENT_TIMESTAMP, 1)"
            ), {"value": json.dumps(stored)})
    upgrade(engine)


def _selection(engine: Engine) -> Any:
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT value FROM kam_settings WHERE name = 'selection'")
        ).scalar_one_or_none()
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("kpi", "stored", "after"),
    [
        # a changed KPI pair wins over the selection pair
        (("0.7000", "0.9000"), {"window_months": 6, "abc_a_below": "0.5", "abc_b_below": "0.6"},
         {"window_months": 6, "abc_a": "0.70", "abc_b": "0.90"}),
        # KPI pair at the defaults: the selection pair, when A < B
        (("0.8000", "0.9500"), {"abc_a_below": "0.6", "abc_b_below": "0.85"},
         {"abc_a": "0.60", "abc_b": "0.85"}),
        # a selection pair A = B (allowed before) gives way to the defaults
        (None, {"min_criteria": 3, "abc_a_below": "0.9", "abc_b_below": "0.9"},
         {"min_criteria": 3, "abc_a": "0.80", "abc_b": "0.95"}),
        # no selection document: a changed KPI pair becomes one
        (("0.7500", "0.9125"), None, {"abc_a": "0.75", "abc_b": "0.9125"}),
        # nothing changed anywhere: nothing stored
        (("0.8000", "0.9500"), None, None),
    ],
)
def test_migration_0013_keeps_one_abc_pair(
    empty_engine: Engine,  # noqa: F811
    kpi: tuple[str, str] | None,
    stored: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    _before_0013(empty_engine, kpi, stored)
    assert _selection(empty_engine) == after
    if after is not None:
        SelectionPolicy.from_dict(after)  # a valid document
    downgrade(empty_engine, "0012_crm_users")
    with empty_engine.connect() as conn:
        pair = conn.execute(text("SELECT abc_a, abc_b FROM kpi_policy")).first()
    if kpi is not None:
        expected = (after or {"abc_a": "0.80", "abc_b": "0.95"})
        assert pair is not None
        assert (Decimal(str(pair[0])), Decimal(str(pair[1]))) == (
            Decimal(expected["abc_a"]), Decimal(expected["abc_b"])
        )
