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


def _by_segment(policies: Mapping[str, HealthPolicy], default: HealthPolicy, pick: Any) -> Any:
    """A CASE on the account's segment choosing ``pick(policy)`` (a number)."""
    whens = [
        (Account.segment == seg, literal(float(pick(p))))
        for seg, p in policies.items()
        if pick(p) != pick(default)
    ]
    base = literal(float(pick(default)))
    return case(*whens, else_=base) if whens else base


def _measure_score(
    value: Any, name: str, policies: Mapping[str, HealthPolicy], default: HealthPolicy
) -> tuple[Any, Any]:
    """(score 0–100 or NULL, weight counted or 0) for one measure."""
    full = _by_segment(policies, default, lambda p: p.measures[name].full)
    zero = _by_segment(policies, default, lambda p: p.measures[name].zero)
    weight = _by_segment(policies, default, lambda p: p.measures[name].weight)
    frac = (value - zero) / (full - zero)
    score = case(
        (value.is_(None), null()),
        (weight <= 0, null()),
        (frac <= 0, literal(0.0)),
        (frac >= 1, literal(100.0)),
        else_=frac * 100.0,
    )
    counted = case((score.is_(None), literal(0.0)), else_=weight)
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
    cadence_whens = []
    for tier_name in sorted(default.cadence_days):
        days = _by_segment(policies, default, lambda pol, t=tier_name: pol.cadence_days.get(t, 90))
        cadence_whens.append((tier == tier_name, days))
    cadence = case((Account.kind == "person", null()), *cadence_whens, else_=literal(90.0))
    days = _days_since(session, today, Account.last_touch_on)
    freshness = case(
        (cadence.is_(None), null()),
        (Account.last_touch_on.is_(None), literal(999.0)),
        (days <= 0, literal(0.0)),
        else_=cast(days, Float) / cadence,
    )
    sentiment = cast(ls.c.sentiment, Float)
    parts = [
        _measure_score(trend, "revenue_trend", policies, default),
        _measure_score(freshness, "contact_freshness", policies, default),
        _measure_score(sentiment, "sentiment", policies, default),
    ]
    weighted = sum((func.coalesce(s * w, 0.0) for s, w in parts), literal(0.0))
    weights = sum((w for _, w in parts), literal(0.0))
    raw = case((weights > 0, weighted / weights), else_=null())
    score = case((raw.is_(None), null()), else_=_floor(session, raw + 0.5 + EPSILON))
    green = _by_segment(policies, default, lambda pol: pol.green_from)
    amber = _by_segment(policies, default, lambda pol: pol.amber_from)
    band = case(
        (score.is_(None), null()),
        (score >= green, literal("green")),
        (score >= amber, literal("amber")),
        else_=literal("red"),
    )
    return (
        select(
            Account.id.label("account_id"),
            literal(today).label("computed_on"),
            score.label("score"),
            band.label("band"),
            trend.label("revenue_trend"),
            freshness.label("contact_freshness"),
            ls.c.sentiment.label("sentiment"),
        )
        .select_from(Account)
        .outerjoin(KamRevenue, KamRevenue.account_id == Account.id)
        .outerjoin(p, p.c.account_id == Account.id)
        .outerjoin(ls, ls.c.account_id == Account.id)
        .where(and_(scope))
    )
