"""Each selection rule the matrix evaluates in SQL equals its pure twin, on both databases.

``accord.selection.rules`` is the reference (one scoring, the API's answer);
``accord.selection.queries`` renders the same rules for every account at once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Engine, Integer, String, literal, null, select

from accord.selection import queries, rules
from accord.selection.rules import Potential, SelectionPolicy

PAIRS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def policies(draw: st.DrawFn) -> SelectionPolicy:
    medium = draw(st.decimals(min_value=0, max_value=10, places=3))
    high = draw(st.decimals(min_value=medium, max_value=10, places=3))
    return SelectionPolicy(
        attractiveness_cut=draw(st.decimals(min_value=0, max_value=10, places=3)),
        strength_cut=draw(st.decimals(min_value=Decimal("0.0001"), max_value=100, places=4)),
        potential_medium_from=medium,
        potential_high_from=high,
    )


#: weighted scores: weights summing to 100 times scores in tenths (0 … 100)
weighted = st.integers(min_value=0, max_value=10_000)


@PAIRS
@given(
    policy=policies(),
    attr=weighted,
    us=weighted,
    them=st.integers(min_value=1, max_value=10_000),
    override=st.none() | st.sampled_from([p.value for p in Potential]),
    deselected=st.booleans(),
)
@example(  # the widest product: a cut of 100 against a competitor scoring 10 everywhere
    policy=SelectionPolicy(strength_cut=Decimal(100)),
    attr=10_000,
    us=10_000,
    them=10_000,
    override=None,
    deselected=False,
)
def test_quadrant_potential_and_tier_equal_their_sql(
    engine: Engine,
    policy: SelectionPolicy,
    attr: int,
    us: int,
    them: int,
    override: str | None,
    deselected: bool,
) -> None:
    a, u, t = (literal(v, Integer) for v in (attr, us, them))
    quadrant = queries.quadrant_sql(a, u, t, policy)
    row: Any
    with engine.connect() as conn:
        row = conn.execute(
            select(
                quadrant,
                queries.potential_sql(
                    a, literal(override, String) if override else null(), policy
                ),
                queries.tier_sql(quadrant, literal(deselected, Boolean)),
                queries.key_tier_sql(queries.tier_sql(quadrant, literal(deselected, Boolean))),
            )
        ).one()
    q = rules.quadrant(attr, us, them, policy)
    tier = rules.tier(q, deselected)
    assert tuple(row) == (
        q.value,
        rules.potential(attr, policy, override).value,
        tier,
        rules.is_key(tier),
    )
