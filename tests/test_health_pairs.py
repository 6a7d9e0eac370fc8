"""Each health rule of ``formulas.py`` equals its SQL twin in ``bulk.py``, on both databases.

The pure rule is the reference; the SQL is what scores every account at once. Both are
whole-number arithmetic, so they agree exactly, ties on .5 included.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Engine, String, literal, null, select

from accord.health import bulk, formulas
from accord.health.formulas import RATIO_SCALE, SCORE_SCALE, HealthPolicy, MeasureSpec

PAIRS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
#: window sums up to 4·10¹⁴ cents (more than any account's revenue in any currency's cents)
cents = st.integers(min_value=-(10**9), max_value=4 * 10**14)
days = st.none() | st.integers(min_value=-30, max_value=40_000)
cadence = st.none() | st.integers(min_value=1, max_value=400)
sentiment = st.none() | st.integers(min_value=0, max_value=10)


def threshold() -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=0, max_value=4).flatmap(
        lambda places: st.decimals(min_value=0, max_value=12, places=places)
    )


weight = st.decimals(min_value=0, max_value=100, places=2)


def _int(value: int | None) -> Any:
    return literal(value, BigInteger) if value is not None else null()


def _one(engine: Engine, *expressions: Any) -> tuple[Any, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(*expressions)).one())


def _scaled(value: Decimal | None) -> int | None:
    return None if value is None else int(value * RATIO_SCALE)


@PAIRS
@given(current=cents, previous=cents, days_since=days, cadence_days=cadence)
def test_the_measure_values_equal_their_sql(
    engine: Engine, current: int, previous: int, days_since: int | None, cadence_days: int | None
) -> None:
    trend, fresh = _one(
        engine,
        bulk.revenue_trend_sql(_int(current), _int(previous)),
        bulk.freshness_sql(_int(days_since), _int(cadence_days)),
    )
    assert trend == _scaled(formulas.revenue_trend(current, previous))
    assert fresh == _scaled(formulas.freshness(days_since, cadence_days))


@PAIRS
@given(value_scaled=st.integers(min_value=0, max_value=10**9), full=threshold(), zero=threshold())
def test_a_measure_score_equals_its_sql(
    engine: Engine, value_scaled: int, full: Decimal, zero: Decimal
) -> None:
    assume(full != zero)
    spec = MeasureSpec(Decimal(1), full, zero)
    (score,) = _one(engine, bulk.measure_score_sql(_int(value_scaled), spec))
    pure = formulas.measure_score(Decimal(value_scaled) / RATIO_SCALE, spec)
    assert score == pure * SCORE_SCALE


def _policy(draw: st.DrawFn) -> HealthPolicy:
    measures = {}
    for name in bulk.SCORED:
        full, zero = draw(threshold()), draw(threshold())
        assume(full != zero)
        measures[name] = {"weight": str(draw(weight)), "full": str(full), "zero": str(zero)}
    amber = draw(st.integers(min_value=1, max_value=100))
    green = draw(st.integers(min_value=amber, max_value=100))
    return HealthPolicy.from_dict({"measures": measures, "green_from": green, "amber_from": amber})


@st.composite
def accounts(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "current": draw(cents),
        "previous": draw(cents),
        "days": draw(days),
        "cadence": draw(cadence),
        "overdue": draw(st.none() | st.integers(min_value=0, max_value=60)),
        "seats": draw(st.tuples(st.integers(0, 12_000), st.integers(0, 10_000))),
        "sentiment": draw(sentiment),
        "segment": draw(st.sampled_from(["Retail", "Energy"])),
        "default": _policy(draw),
        "retail": _policy(draw) if draw(st.booleans()) else None,
    }


@PAIRS
@given(account=accounts())
def test_the_score_and_band_equal_their_sql(engine: Engine, account: dict[str, Any]) -> None:
    default: HealthPolicy = account["default"]
    policies = {"Retail": account["retail"]} if account["retail"] else {}
    policy = policies.get(account["segment"], default)
    values = {
        "revenue_trend": formulas.revenue_trend(account["current"], account["previous"]),
        "licence_utilisation": formulas.licence_utilisation(*account["seats"]),
        "contact_freshness": formulas.freshness(account["days"], account["cadence"]),
        "overdue_commitments": None if account["overdue"] is None else Decimal(account["overdue"]),
        "sentiment": None if account["sentiment"] is None else Decimal(account["sentiment"]),
    }
    pure = formulas.health(values, policy)

    segment = literal(account["segment"], String)
    sql_values = {
        "revenue_trend": bulk.revenue_trend_sql(
            _int(account["current"]), _int(account["previous"])
        ),
        "contact_freshness": bulk.freshness_sql(_int(account["days"]), _int(account["cadence"])),
        "licence_utilisation": bulk.licence_utilisation_sql(*map(_int, account["seats"])),
        "overdue_commitments": (  # overdue follow-ups, a count (health.rhythm)
            null() if account["overdue"] is None else _int(account["overdue"] * RATIO_SCALE)
        ),
        "sentiment": (
            null() if account["sentiment"] is None else _int(account["sentiment"] * RATIO_SCALE)
        ),
    }
    scale = bulk.weight_scale(policies, default)
    parts = [
        bulk.scored_measure_sql(sql_values[name], name, segment, policies, default, scale)
        for name in bulk.SCORED
    ]
    score = bulk.weighted_score_sql(parts)
    got_score, got_band = _one(
        engine, score, bulk.segment_band_sql(score, segment, policies, default)
    )
    assert (got_score, got_band) == (pure.score, pure.band)


def test_a_score_exactly_on_a_half_rounds_up_in_sql_too(engine: Engine) -> None:
    # trend 0.902 → 50.5 with sentiment and freshness left out: 51, as the pure rule says
    policy = HealthPolicy.from_dict(
        {
            "measures": {
                "revenue_trend": {"weight": "1"},
                "sentiment": {"weight": "1"},
                "contact_freshness": {"weight": "0"},
            }
        }
    )
    assert formulas.health({"revenue_trend": Decimal("0.902")}, policy).score == 51
    parts = [
        bulk.scored_measure_sql(value, name, literal("x"), {}, policy, 1)
        for value, name in (
            (bulk.revenue_trend_sql(_int(902), _int(1000)), "revenue_trend"),
            (_int(None), "contact_freshness"),
            (_int(None), "sentiment"),
        )
    ]
    assert _one(engine, bulk.weighted_score_sql(parts)) == (51,)
