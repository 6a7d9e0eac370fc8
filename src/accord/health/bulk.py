"""Health of many accounts at once, in SQL: the formulas of ``formulas.py`` as expressions.

The per-segment weights and thresholds become CASE expressions on the account's segment;
missing measures drop out of both the weighted sum and the sum of weights (re-normalisation);
the score is rounded half up and banded. The result is written with INSERT … SELECT, so no
account passes through Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Float, Integer, and_, case, cast, func, literal, null, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from accord.accounts.models import Account, Interaction
from accord.core.database import is_sqlite
from accord.health.formulas import HealthPolicy
from accord.selection.models import KamRevenue
from accord.selection.queries import placed
from accord.selection.rules import NOT_KEY, SelectionPolicy

EPSILON = 1e-9  # keeps float rounding of an exact .5 on the half-up side, as Decimal does


def _by_segment(
    policies: Mapping[str, HealthPolicy], default: HealthPolicy, pick: Any, segment: Any
) -> Any:
    """A CASE on the account's segment choosing ``pick(policy)`` (a number)."""
    whens = [
        (segment == seg, literal(float(pick(p))))
        for seg, p in policies.items()
        if pick(p) != pick(default)
    ]
    base = literal(float(pick(default)))
    return case(*whens, else_=base) if whens else base


def _measure_score(
    value: Any,
    name: str,
    policies: Mapping[str, HealthPolicy],
    default: HealthPolicy,
    segment: Any,
) -> tuple[Any, Any]:
    """(score 0–100 or NULL, weight counted or 0) for one measure."""
    full = _by_segment(policies, default, lambda p: p.measures[name].full, segment)
    zero = _by_segment(policies, default, lambda p: p.measures[name].zero, segment)
    weight = _by_segment(policies, default, lambda p: p.measures[name].weight, segment)
    frac = (value - zero) / (full - zero)
    score = case(
        (value.is_(None), null()),
        (weight <= 0, null()),
        (frac <= 0, literal(0.0)),
        (frac >= 1, literal(100.0)),
        else_=frac * 100.0,
    )
    counted = case((value.is_(None), literal(0.0)), (weight <= 0, literal(0.0)), else_=weight)
    return score, counted


def _days_since(session: Session, today: date, column: Any) -> Any:
    if is_sqlite(session):
        return cast(func.julianday(literal(today.isoformat())) - func.julianday(column), Integer)
    return literal(today) - column


def _floor(session: Session, value: Any) -> Any:
    # SQLite: CAST truncates (the value is ≥ 0); PostgreSQL: CAST rounds, so floor first
    return cast(value, Integer) if is_sqlite(session) else cast(func.floor(value), Integer)


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


def _layer(query: Select, name: str) -> Any:  # type: ignore[type-arg]
    """A materialised CTE: each layer names its results, so the next one refers to columns
    instead of repeating (and the planners do not inline) the expressions before it."""
    return query.cte(name).prefix_with("MATERIALIZED")


def health_select(
    session: Session,
    scope: Any,
    today: date,
    selection: SelectionPolicy,
    default: HealthPolicy,
    policies: Mapping[str, HealthPolicy],
) -> Select:  # type: ignore[type-arg]
    """(account_id, computed_on, score, band, revenue_trend, contact_freshness, sentiment)."""
    p = placed(selection)
    ls = latest_sentiment(today)
    trend = case(
        (
            func.coalesce(KamRevenue.previous_cents, 0) > 0,
            cast(KamRevenue.current_cents, Float) / cast(KamRevenue.previous_cents, Float),
        ),
        else_=null(),
    )
    tier = func.coalesce(p.c.tier, literal(NOT_KEY))
    days = _days_since(session, today, Account.last_touch_on)
    base = _layer(
        select(
            Account.id.label("account_id"),
            Account.segment,
            Account.kind,
            Account.last_touch_on,
            tier.label("tier"),
            days.label("days"),
            trend.label("trend"),
            ls.c.sentiment,
        )
        .select_from(Account)
        .outerjoin(KamRevenue, KamRevenue.account_id == Account.id)
        .outerjoin(p, p.c.account_id == Account.id)
        .outerjoin(ls, ls.c.account_id == Account.id)
        .where(and_(scope)),
        "health_base",
    )
    cadence_whens = []
    for tier_name in sorted(default.cadence_days):
        cadence_days = _by_segment(
            policies, default, lambda pol, t=tier_name: pol.cadence_days.get(t, 90), base.c.segment
        )
        cadence_whens.append((base.c.tier == tier_name, cadence_days))
    cadence = case((base.c.kind == "person", null()), *cadence_whens, else_=literal(90.0))
    values = _layer(
        select(
            base.c.account_id,
            base.c.segment,
            base.c.trend,
            base.c.sentiment,
            cadence.label("cadence"),
            base.c.days,
            base.c.last_touch_on,
        ),
        "health_cadence",
    )
    freshness = case(
        (values.c.cadence.is_(None), null()),
        (values.c.last_touch_on.is_(None), literal(999.0)),
        (values.c.days <= 0, literal(0.0)),
        else_=cast(values.c.days, Float) / values.c.cadence,
    )
    measures = _layer(
        select(
            values.c.account_id,
            values.c.segment,
            values.c.trend,
            values.c.sentiment,
            freshness.label("freshness"),
        ),
        "health_values",
    )
    seg = measures.c.segment
    parts = {
        "trend": _measure_score(measures.c.trend, "revenue_trend", policies, default, seg),
        "fresh": _measure_score(measures.c.freshness, "contact_freshness", policies, default, seg),
        "sent": _measure_score(
            cast(measures.c.sentiment, Float), "sentiment", policies, default, seg
        ),
    }
    scored = _layer(
        select(
            measures.c.account_id,
            measures.c.segment,
            measures.c.trend,
            measures.c.freshness,
            measures.c.sentiment,
            *[s.label(f"s_{k}") for k, (s, _) in parts.items()],
            *[w.label(f"w_{k}") for k, (_, w) in parts.items()],
        ),
        "health_scores",
    )
    weighted = sum(
        (func.coalesce(scored.c[f"s_{k}"] * scored.c[f"w_{k}"], 0.0) for k in parts),
        literal(0.0),
    )
    weights = sum((scored.c[f"w_{k}"] for k in parts), literal(0.0))
    raw = case((weights > 0, weighted / weights), else_=null())
    rounded = _layer(
        select(
            scored.c.account_id,
            scored.c.segment,
            scored.c.trend,
            scored.c.freshness,
            scored.c.sentiment,
            case((raw.is_(None), null()), else_=_floor(session, raw + 0.5 + EPSILON)).label(
                "score"
            ),
        ),
        "health_rounded",
    )
    green = _by_segment(policies, default, lambda pol: pol.green_from, rounded.c.segment)
    amber = _by_segment(policies, default, lambda pol: pol.amber_from, rounded.c.segment)
    band = case(
        (rounded.c.score.is_(None), null()),
        (rounded.c.score >= green, literal("green")),
        (rounded.c.score >= amber, literal("amber")),
        else_=literal("red"),
    )
    return select(
        rounded.c.account_id,
        literal(today).label("computed_on"),
        rounded.c.score,
        band.label("band"),
        rounded.c.trend.label("revenue_trend"),
        rounded.c.freshness.label("contact_freshness"),
        rounded.c.sentiment,
    )
