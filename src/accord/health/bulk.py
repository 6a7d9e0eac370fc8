"""Health of many accounts at once, in SQL: each rule of ``formulas.py`` has its twin here.

``formulas.py`` is the reference (one account live, with its breakdown); the twins below
render the same rule as an SQL expression, and ``tests/test_health_pairs.py`` holds each pair
equal on SQLite and PostgreSQL:

=========================  ===========================
``formulas``               SQL twin
=========================  ===========================
``ratio``                  :func:`ratio_sql`
``revenue_trend``          :func:`revenue_trend_sql`
``freshness``              :func:`freshness_sql`
``licence_utilisation``    :func:`licence_utilisation_sql`
``measure_score``          :func:`measure_score_sql`
``weighted_score``         :func:`weighted_score_sql`
``band``                   :func:`band_sql`
=========================  ===========================

Every twin is whole-number arithmetic, as its rule is: measure values in ten-thousandths,
scores in millionths of a point, weights and thresholds scaled to whole numbers in Python
before they become literals. No float takes part, so a score exactly on .5 rounds up on both
databases. Per-segment policies become CASE expressions on the account's segment; the result
is written with INSERT … SELECT, so no account passes through Python.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date
from decimal import Decimal
from math import gcd
from typing import Any

from sqlalchemy import BigInteger, Float, Integer, and_, case, cast, func, literal, null, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from accord.accounts.models import Account, Interaction
from accord.core.database import is_sqlite
from accord.health import rhythm, utilisation
from accord.health.formulas import (
    NEVER_TOUCHED,
    RATIO_PLACES,
    RATIO_SCALE,
    SCORE_SCALE,
    HealthPolicy,
    MeasureSpec,
)
from accord.selection.models import KamRevenue
from accord.selection.queries import placed
from accord.selection.rules import NOT_KEY, SelectionPolicy

#: a measure's full score, in millionths of a point
FULL = 100 * SCORE_SCALE
#: the measures Accord computes (the others are always left out)
SCORED = ("revenue_trend", "licence_utilisation", "contact_freshness", "overdue_commitments",
          "sentiment")


def _int(value: int) -> Any:
    return literal(value, BigInteger)


def _places(value: Decimal) -> int:
    """Decimal places of ``value`` (0 for a whole number)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# ---------------------------------------------------------------- the twins


def ratio_sql(numerator: Any, denominator: Any) -> Any:
    """``formulas.ratio`` in ten-thousandths: numerator ÷ denominator, half up. (Every product
    has a BIGINT literal in it, so PostgreSQL computes it in 64 bits.)"""
    return (numerator * _int(2 * RATIO_SCALE) + denominator) // (denominator * _int(2))


def revenue_trend_sql(current_cents: Any, previous_cents: Any) -> Any:
    """``formulas.revenue_trend`` in ten-thousandths (NULL without a previous window)."""
    current = case((current_cents > 0, current_cents), else_=_int(0))
    return case((previous_cents > 0, ratio_sql(current, previous_cents)), else_=null())


def licence_utilisation_sql(utilised: Any, purchased: Any) -> Any:
    """``formulas.licence_utilisation`` in ten-thousandths (NULL without seats purchased)."""
    used = case((utilised > 0, utilised), else_=_int(0))
    return case((purchased > 0, ratio_sql(used, purchased)), else_=null())


def freshness_sql(days_since_touch: Any, cadence_days: Any) -> Any:
    """``formulas.freshness`` in ten-thousandths (``days_since_touch`` NULL: never touched)."""
    return case(
        (cadence_days.is_(None), null()),
        (days_since_touch.is_(None), _int(NEVER_TOUCHED * RATIO_SCALE)),
        (days_since_touch <= 0, _int(0)),
        else_=ratio_sql(days_since_touch, cadence_days),
    )


def measure_score_sql(value: Any, spec: MeasureSpec) -> Any:
    """``formulas.measure_score`` in millionths of a point, for a value in ten-thousandths.

    The thresholds become whole numbers at a scale of at least ten-thousandths, so the value
    and both thresholds compare exactly; in between, the fraction is one integer division."""
    places = max(_places(spec.zero), _places(spec.full), RATIO_PLACES)
    value_factor = 10 ** (places - RATIO_PLACES)  # ten-thousandths -> the thresholds' scale
    zero, full = int(spec.zero * 10**places), int(spec.full * 10**places)
    sign = 1 if full > zero else -1
    above_zero = value * _int(sign * value_factor) + _int(-sign * zero)
    span = abs(full - zero)
    common = gcd(FULL, span)
    return case(
        (value.is_(None), null()),
        (above_zero <= 0, _int(0)),
        (above_zero >= span, _int(FULL)),
        else_=(above_zero * _int(FULL // common)) // _int(span // common),
    )


def weighted_score_sql(scored: list[tuple[Any, Any]]) -> Any:
    """``formulas.weighted_score``: (score in millionths or NULL, whole-number weight) pairs;
    a NULL score leaves its weight out. NULL without any weight counted."""
    weighted = sum((func.coalesce(s * w, 0) for s, w in scored), _int(0))
    counted = sum((case((s.is_(None), _int(0)), else_=w) for s, w in scored), _int(0))
    bottom = counted * _int(SCORE_SCALE)
    return case((counted > 0, (weighted * _int(2) + bottom) // (bottom * _int(2))), else_=null())


def band_sql(score: Any, green_from: Any, amber_from: Any) -> Any:
    """``formulas.band`` (NULL for no score)."""
    return case(
        (score.is_(None), null()),
        (score >= green_from, literal("green")),
        (score >= amber_from, literal("amber")),
        else_=literal("red"),
    )


# ---------------------------------------------------------------- per segment


def by_segment(
    segment: Any,
    policies: Mapping[str, HealthPolicy],
    default: HealthPolicy,
    key: Callable[[HealthPolicy], Hashable],
    build: Callable[[HealthPolicy], Any],
) -> Any:
    """``build(policy)`` of the account's segment: a CASE over the segments whose ``key``
    differs from the default's, the default's expression otherwise."""
    whens = [(segment == seg, build(p)) for seg, p in policies.items() if key(p) != key(default)]
    return case(*whens, else_=build(default)) if whens else build(default)


def weight_scale(policies: Mapping[str, HealthPolicy], default: HealthPolicy) -> int:
    """10 ** (the most decimal places of any weight): the weights as whole numbers."""
    weights = [p.measures[m].weight for p in (default, *policies.values()) for m in SCORED]
    return 10 ** max((_places(w) for w in weights), default=0)


def scored_measure_sql(
    value: Any,
    name: str,
    segment: Any,
    policies: Mapping[str, HealthPolicy],
    default: HealthPolicy,
    scale: int,
) -> tuple[Any, Any]:
    """(score in millionths or NULL, whole-number weight) of one measure; a measure weighing
    0 in the segment is left out, as ``formulas.health`` does."""

    def spec_of(p: HealthPolicy) -> tuple[Decimal, Decimal, Decimal]:
        s = p.measures[name]
        return (s.weight, s.full, s.zero)

    def score(p: HealthPolicy) -> Any:
        spec = p.measures[name]
        return measure_score_sql(value, spec) if spec.weight > 0 else null()

    def weight(p: HealthPolicy) -> Any:
        return _int(int(max(p.measures[name].weight, Decimal(0)) * scale))

    return (
        by_segment(segment, policies, default, spec_of, score),
        by_segment(segment, policies, default, spec_of, weight),
    )


def segment_band_sql(
    score: Any, segment: Any, policies: Mapping[str, HealthPolicy], default: HealthPolicy
) -> Any:
    """``band_sql`` with the segment's green and amber thresholds."""
    green = by_segment(
        segment, policies, default, lambda p: p.green_from, lambda p: _int(p.green_from)
    )
    amber = by_segment(
        segment, policies, default, lambda p: p.amber_from, lambda p: _int(p.amber_from)
    )
    return band_sql(score, green, amber)


# ---------------------------------------------------------------- everyone at once


def _days_since(session: Session, today: date, column: Any) -> Any:
    if is_sqlite(session):
        return cast(func.julianday(literal(today.isoformat())) - func.julianday(column), Integer)
    return literal(today) - column


def latest_sentiment(today: date) -> Any:
    rn = func.row_number().over(
        partition_by=Interaction.account_id,
        order_by=(Interaction.occurred_on.desc(), Interaction.id.desc()),
    )
    ranked = (
        select(Interaction.account_id, Interaction.sentiment, rn.label("rn"))
        .where(Interaction.sentiment.is_not(None), Interaction.occurred_on <= today)
        .subquery("sentiments")
    )
    return select(ranked.c.account_id, ranked.c.sentiment).where(ranked.c.rn == 1).subquery("ls")


def _layer(query: Select, name: str) -> Any:
    """A materialised CTE: each layer names its results, so the next one refers to columns
    instead of repeating (and the planners do not inline) the expressions before it."""
    return query.cte(name).prefix_with("MATERIALIZED")


def _as_ratio(value: Any) -> Any:
    """A value in ten-thousandths as the stored float."""
    return cast(value, Float) / literal(float(RATIO_SCALE), Float)


def health_select(
    session: Session,
    scope: Any,
    today: date,
    selection: SelectionPolicy,
    default: HealthPolicy,
    policies: Mapping[str, HealthPolicy],
) -> Select:
    """(account_id, computed_on, score, band, revenue_trend, contact_freshness, sentiment,
    licence_utilisation)."""
    p = placed(selection)
    ls = latest_sentiment(today)
    tier = func.coalesce(p.c.tier, literal(NOT_KEY))
    query = (
        select(
            Account.id.label("account_id"),
            Account.segment,
            tier.label("tier"),
            _days_since(session, today, Account.last_qualifying_touch_on).label("days"),
            revenue_trend_sql(KamRevenue.current_cents, KamRevenue.previous_cents).label(
                "trend_e4"
            ),
            ls.c.sentiment,
        )
        .select_from(Account)
        .outerjoin(KamRevenue, KamRevenue.account_id == Account.id)
        .outerjoin(p, p.c.account_id == Account.id)
        .outerjoin(ls, ls.c.account_id == Account.id)
        .where(and_(scope))
    )
    interval = rhythm.interval_sql()
    cadence: Any = null()  # the touch interval comes from the cadence (``health.rhythm``)
    if interval is not None:
        query, cadence = interval(session, query, Account.id, tier, Account.kind)
    overdue_query = rhythm.overdue_sql()
    overdue: Any = null()
    if overdue_query is not None:
        od = overdue_query(session, today).subquery("overdue")
        query = query.outerjoin(od, od.c.account_id == Account.id)
        overdue = func.coalesce(od.c.overdue, 0)
    utilisation_query = utilisation.utilisation_sql()
    licence: Any = null()  # seats used ÷ purchased comes from the licences
    if utilisation_query is not None:
        lu = utilisation_query(session, today).subquery("licence_use")
        query = query.outerjoin(lu, lu.c.account_id == Account.id)
        licence = licence_utilisation_sql(cast(lu.c.utilised, BigInteger),
                                          cast(lu.c.purchased, BigInteger))
    values = _layer(
        query.add_columns(
            cast(cadence, Integer).label("cadence"),
            cast(overdue, Integer).label("overdue"),
            cast(licence, BigInteger).label("licence_e4"),
        ),
        "health_cadence",
    )
    measures = _layer(
        select(
            values.c.account_id,
            values.c.segment,
            values.c.trend_e4,
            values.c.licence_e4,
            freshness_sql(values.c.days, values.c.cadence).label("fresh_e4"),
            (values.c.overdue * _int(RATIO_SCALE)).label("over_e4"),
            values.c.sentiment,
            (values.c.sentiment * _int(RATIO_SCALE)).label("sent_e4"),
        ),
        "health_values",
    )
    seg, scale = measures.c.segment, weight_scale(policies, default)
    parts = {
        key: scored_measure_sql(measures.c[column], name, seg, policies, default, scale)
        for key, column, name in (
            ("trend", "trend_e4", "revenue_trend"),
            ("licence", "licence_e4", "licence_utilisation"),
            ("fresh", "fresh_e4", "contact_freshness"),
            ("over", "over_e4", "overdue_commitments"),
            ("sent", "sent_e4", "sentiment"),
        )
    }
    scored = _layer(
        select(
            measures.c.account_id,
            measures.c.segment,
            measures.c.trend_e4,
            measures.c.fresh_e4,
            measures.c.licence_e4,
            measures.c.sentiment,
            *[s.label(f"s_{k}") for k, (s, _) in parts.items()],
            *[w.label(f"w_{k}") for k, (_, w) in parts.items()],
        ),
        "health_scores",
    )
    rounded = _layer(
        select(
            scored.c.account_id,
            scored.c.segment,
            scored.c.trend_e4,
            scored.c.fresh_e4,
            scored.c.licence_e4,
            scored.c.sentiment,
            weighted_score_sql([(scored.c[f"s_{k}"], scored.c[f"w_{k}"]) for k in parts]).label(
                "score"
            ),
        ),
        "health_rounded",
    )
    return select(
        rounded.c.account_id,
        literal(today).label("computed_on"),
        rounded.c.score,
        segment_band_sql(rounded.c.score, rounded.c.segment, policies, default).label("band"),
        _as_ratio(rounded.c.trend_e4).label("revenue_trend"),
        _as_ratio(rounded.c.fresh_e4).label("contact_freshness"),
        rounded.c.sentiment,
        _as_ratio(rounded.c.licence_e4).label("licence_utilisation"),
    )
