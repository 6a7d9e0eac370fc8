"""The cadence of many accounts at once, in SQL: the twins of ``rules.resolve`` and
``rules.state`` (held equal by ``tests/test_cadence_sql.py`` on SQLite and PostgreSQL).

=========================  ===========================
``rules``                  SQL twin
=========================  ===========================
``resolve``                :func:`resolve_sql`
``state``                  :func:`state_sql`
``next_touch_on``          :func:`add_days_sql`
``covered``                :func:`covered_sql`
=========================  ===========================

An account's tier comes from the selection's SQL (``selection.queries.placed``; unscored:
"not key"), its stage is its latest recorded stage (``relationships.decisions.
latest_stages``; none recorded: the tier's own intervals), its override from
``cadence_overrides``. The policy's numbers become literals of CASE expressions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, null, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from accord.accounts.models import Account
from accord.calendar.cadence.rules import NOT_KEY, TIERS, CadencePolicy, tier_of
from accord.calendar.cadence.settings import policy as load_policy
from accord.calendar.models import CadenceOverride
from accord.core.database import is_sqlite
from accord.relationships.decisions import latest_stages
from accord.selection.queries import placed
from accord.selection.settings import selection_policy


def _days(value: int | None) -> Any:
    return literal(value, Integer) if value is not None else cast(null(), Integer)


def days_since_sql(session: Session, today: date, column: Any) -> Any:
    """Whole days from ``column`` (a date) to ``today``; NULL for NULL."""
    if is_sqlite(session):
        return cast(func.julianday(literal(today.isoformat())) - func.julianday(column), Integer)
    return literal(today) - column


def add_days_sql(session: Session, column: Any, days: Any) -> Any:
    """``rules.next_touch_on``: the date ``days`` after ``column`` (NULL if either is)."""
    if is_sqlite(session):
        return type_coerce(
            func.date(column, literal("+").op("||")(days).op("||")(literal(" days"))), Date)
    return column + days


def resolve_sql(
    policy: CadencePolicy, tier: Any, stage: Any, person: Any, overridden: Any,
    override_touch: Any, override_review: Any,
) -> tuple[Any, Any, Any]:
    """``rules.resolve`` as three CASE expressions: (touch_days, review_days, source)."""
    staged = [
        (tier_name, stage_name, spec)
        for tier_name in sorted(policy.stages)
        for stage_name, spec in sorted(policy.stages[tier_name].items())
    ]

    def build(field: str, override: Any) -> Any:
        return case(
            (overridden, override),
            (person, _days(None)),
            *[(and_(tier == t, stage == s), _days(getattr(spec, field)))
              for t, s, spec in staged],
            *[(tier == t, _days(getattr(tier_of(policy, t), field))) for t in TIERS],
            else_=_days(getattr(tier_of(policy, NOT_KEY), field)),
        )

    touch = build("touch_days", override_touch)
    review = build("review_days", override_review)
    source = case(
        (overridden, literal("override")),
        (person, literal("person")),
        *[(and_(tier == t, stage == s), literal("tier_stage")) for t, s, _ in staged],
        else_=literal("tier"),
    )
    return touch, review, source


def state_sql(elapsed: Any, last: Any, touch: Any, policy: CadencePolicy) -> Any:
    """``rules.state`` (``elapsed``: whole days since ``last``)."""
    n_num, n_den = policy.neglected_ratio.as_integer_ratio()
    d_num, d_den = policy.due_ratio.as_integer_ratio()
    return case(
        (touch.is_(None), literal("none")),
        (last.is_(None), literal("neglected")),
        (elapsed * n_den > touch * n_num, literal("neglected")),
        (elapsed > touch, literal("overdue")),
        (elapsed * d_den >= touch * d_num, literal("due")),
        else_=literal("ok"),
    )


def covered_sql(elapsed: Any, touch: Any) -> Any:
    """``rules.covered`` as 1 / 0 / NULL (no touch interval: not counted)."""
    return case(
        (touch.is_(None), null()),
        (and_(elapsed.is_not(None), elapsed <= touch), literal(1, Integer)),
        else_=literal(0, Integer),
    )


def resolved_select(session: Session, scope: Any, policy: CadencePolicy) -> Select:
    """(account_id, tier, stage, kind, manager_id, segment, touch_days, review_days, source,
    last_touch_on) of the accounts in ``scope``."""
    p = placed(selection_policy(session))
    stages = latest_stages()
    tier = func.coalesce(p.c.tier, literal(NOT_KEY))
    touch, review, source = resolve_sql(
        policy, tier, stages.c.recorded_stage, Account.kind == "person",
        CadenceOverride.account_id.is_not(None),
        CadenceOverride.touch_days, CadenceOverride.review_days,
    )
    return (
        select(
            Account.id.label("account_id"),
            tier.label("tier"),
            stages.c.recorded_stage.label("stage"),
            Account.kind,
            Account.manager_id,
            Account.segment,
            touch.label("touch_days"),
            review.label("review_days"),
            source.label("source"),
            Account.last_qualifying_touch_on.label("last_touch_on"),
        )
        .select_from(Account)
        .outerjoin(p, p.c.account_id == Account.id)
        .outerjoin(stages, stages.c.account_id == Account.id)
        .outerjoin(CadenceOverride, CadenceOverride.account_id == Account.id)
        .where(and_(scope))
    )


def cadence_select(
    session: Session, today: date, scope: Any, policy: CadencePolicy | None = None
) -> Select:
    """(account_id, touch_days, review_days, last_touch_on, next_touch_on, state, source, tier,
    stage) of every account in ``scope`` (a WHERE clause over ``Account``)."""
    policy = policy or load_policy(session)
    r = resolved_select(session, scope, policy).subquery("cadence_resolved")
    elapsed = days_since_sql(session, today, r.c.last_touch_on)
    return select(
        r.c.account_id,
        r.c.touch_days,
        r.c.review_days,
        r.c.last_touch_on,
        add_days_sql(session, r.c.last_touch_on, r.c.touch_days).label("next_touch_on"),
        state_sql(elapsed, r.c.last_touch_on, r.c.touch_days, policy).label("state"),
        r.c.source,
        r.c.tier,
        r.c.stage,
    )


# ---------------------------------------------------------------- for the health score


def touch_interval_join(
    session: Session, query: Select, account_id: Any, tier: Any, kind: Any
) -> tuple[Select, Any]:
    """The health score's touch interval (``health.rhythm``): ``query`` (over ``Account``)
    joined to what the interval needs, and the interval's expression."""
    policy = load_policy(session)
    stages = latest_stages()
    touch, _, _ = resolve_sql(
        policy, tier, stages.c.recorded_stage, kind == "person",
        CadenceOverride.account_id.is_not(None),
        CadenceOverride.touch_days, CadenceOverride.review_days,
    )
    joined = query.outerjoin(stages, stages.c.account_id == account_id).outerjoin(
        CadenceOverride, CadenceOverride.account_id == account_id)
    return joined, touch
