"""The matrix: scored accounts placed by their latest scoring, movement, portfolio checks.

One SQL query places every visible scored account (joined to the stored window revenue and
ABC class); the checks are SQL aggregates over the same scope.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account
from accord.accounts.service import distinct_segments
from accord.accounts.visibility import visible_row
from accord.core.models import User
from accord.core.money import from_cents
from accord.core.periods import format_month
from accord.selection import kam_revenue, rules
from accord.selection.chart import matrix_svg
from accord.selection.models import KamRevenue
from accord.selection.queries import key_tier_sql, placed
from accord.selection.schemas import CheckOut, MatrixOut, MatrixPoint
from accord.selection.settings import selection_policy

LIST_LIMIT = 25


def _scope(user: User, manager_id: int | None, segment: str | None) -> Any:
    # per-row visibility: the matrix walks the scored accounts, not everything a head sees
    clauses = [visible_row(user, Account.id)]
    if manager_id is not None:
        clauses.append(Account.manager_id == manager_id)
    if segment:
        clauses.append(Account.segment == segment)
    return and_(*clauses)


def _account_refs(session: Session, query: Any) -> list[dict[str, object]]:
    return [
        {"id": r.id, "name": r.name, **({"detail": r.detail} if "detail" in r._fields else {})}
        for r in session.execute(query.limit(LIST_LIMIT))
    ]


def matrix(
    session: Session,
    user: User,
    *,
    today: date,
    manager_id: int | None = None,
    segment: str | None = None,
) -> MatrixOut:
    policy = selection_policy(session)
    basis = kam_revenue.ensure_fresh(session, today, policy)
    placement = placed(policy, with_previous=True)
    manager = aliased(User, name="account_manager")
    scope = _scope(user, manager_id, segment)
    rows = session.execute(
        select(
            Account.id,
            Account.name,
            Account.segment,
            manager.name.label("manager"),
            placement,
            func.coalesce(KamRevenue.current_cents, 0).label("revenue"),
            KamRevenue.abc,
        )
        .select_from(placement)
        .join(Account, Account.id == placement.c.account_id)
        .outerjoin(manager, manager.id == Account.manager_id)
        .outerjoin(KamRevenue, KamRevenue.account_id == Account.id)
        .where(scope)
        .order_by(Account.name_key, Account.id)
    ).all()
    points = [
        MatrixPoint(
            account_id=r.id,
            name=r.name,
            segment=r.segment,
            manager=r.manager,
            attractiveness=rules.from_milli(r.attractiveness_milli),
            strength=rules.strength_value(r.us_weighted, r.competitor_weighted),
            quadrant=r.quadrant,
            tier=r.tier,
            potential=r.potential,
            scored_on=r.scored_on,
            revenue=from_cents(r.revenue),
            abc=r.abc,
            previous_attractiveness=(
                rules.from_milli(r.prev_attractiveness_milli)
                if r.prev_attractiveness_milli is not None
                else None
            ),
            previous_strength=(
                rules.strength_value(r.prev_us_weighted, r.prev_competitor_weighted)
                if r.prev_us_weighted is not None
                else None
            ),
            previous_scored_on=r.prev_scored_on,
        )
        for r in rows
    ]
    counts = {t: 0 for t in rules.TIERS}
    for pt in points:
        counts[pt.tier] += 1
    checks = portfolio_checks(
        session,
        user,
        today=today,
        manager_id=manager_id,
        segment=segment,
        key_count=counts["Strategic"] + counts["Star"],
    )
    computed = kam_revenue.computed_at(session)
    return MatrixOut(
        as_of=format_month(basis.as_of),
        window_months=basis.window_months,
        attractiveness_cut=policy.attractiveness_cut,
        strength_cut=policy.strength_cut,
        points=points,
        counts=counts,
        checks=checks,
        revenue_as_of=computed.date() if computed else None,
    )


def portfolio_checks(
    session: Session,
    user: User,
    *,
    today: date,
    manager_id: int | None = None,
    segment: str | None = None,
    key_count: int | None = None,
) -> list[CheckOut]:
    """Key-account count, managers over the limit, large-not-key, key-not-large, stale scores."""
    policy = selection_policy(session)
    kam_revenue.ensure_fresh(session, today, policy)
    placement = placed(policy)
    scope = _scope(user, manager_id, segment)
    is_key = key_tier_sql(placement.c.tier)
    if key_count is None:
        key_count = (
            session.scalar(
                select(func.count())
                .select_from(placement)
                .join(Account, Account.id == placement.c.account_id)
                .where(scope, is_key)
            )
            or 0
        )
    checks: list[CheckOut] = []
    kc = rules.key_count_check(key_count, policy)
    checks.append(CheckOut(code=kc.code, severity=kc.severity, message=kc.message))

    manager = aliased(User, name="key_account_manager")
    held = (
        select(manager.id, manager.name, func.count().label("key_accounts"))
        .select_from(placement)
        .join(Account, Account.id == placement.c.account_id)
        .join(manager, manager.id == Account.manager_id)
        .where(scope, is_key)
        .group_by(manager.id, manager.name)
        .having(func.count() >= policy.manager_key_limit)
        .order_by(func.count().desc())
    )
    heavy = session.execute(held).all()
    checks.append(
        CheckOut(
            code="manager_load",
            severity="warn" if heavy else "ok",
            message=(
                f"{len(heavy)} managers hold {policy.manager_key_limit} or more key accounts"
                if heavy
                else f"every manager holds fewer than {policy.manager_key_limit} key accounts"
            ),
            accounts=[
                {"id": m.id, "name": m.name, "detail": f"{m.key_accounts} key accounts"}
                for m in heavy
            ],
        )
    )

    large_not_key = (
        select(Account.id, Account.name)
        .select_from(KamRevenue)
        .join(Account, Account.id == KamRevenue.account_id)
        .outerjoin(placement, placement.c.account_id == Account.id)
        .where(scope, KamRevenue.abc == "A", or_(placement.c.tier.is_(None), ~is_key))
    )
    n = session.scalar(select(func.count()).select_from(large_not_key.subquery())) or 0
    checks.append(
        CheckOut(
            code="large_not_key",
            severity="warn" if n else "ok",
            message=f"{n} accounts in revenue class A are not Strategic or Star (large is not key)",
            accounts=_account_refs(
                session, large_not_key.order_by(KamRevenue.current_cents.desc(), Account.id)
            ),
        )
    )
    key_not_large = (
        select(Account.id, Account.name)
        .select_from(placement)
        .join(Account, Account.id == placement.c.account_id)
        .outerjoin(KamRevenue, KamRevenue.account_id == Account.id)
        .where(scope, is_key, or_(KamRevenue.abc.is_(None), KamRevenue.abc != "A"))
    )
    n = session.scalar(select(func.count()).select_from(key_not_large.subquery())) or 0
    checks.append(
        CheckOut(
            code="key_not_large",
            severity="warn" if n else "ok",
            message=f"{n} Strategic or Star accounts are outside revenue class A",
            accounts=_account_refs(session, key_not_large.order_by(Account.name_key, Account.id)),
        )
    )
    due = rules.rescore_before(today, policy)
    stale = (
        select(Account.id, Account.name)
        .select_from(placement)
        .join(Account, Account.id == placement.c.account_id)
        .where(scope, placement.c.scored_on <= due)
    )
    n = session.scalar(select(func.count()).select_from(stale.subquery())) or 0
    checks.append(
        CheckOut(
            code="rescore",
            severity="warn" if n else "ok",
            message=(f"{n} accounts not re-scored for {policy.rescore_months} months or more"),
            accounts=_account_refs(session, stale.order_by(placement.c.scored_on, Account.id)),
        )
    )
    return checks


def strength_axis_max(points: list[MatrixPoint], cut: Decimal) -> Decimal:
    top = max(
        [pt.strength or Decimal(0) for pt in points]
        + [pt.previous_strength or Decimal(0) for pt in points]
        + [cut * 2]
    )
    return min(Decimal(4), (top * 2).to_integral_value(rounding="ROUND_CEILING") / 2)


def matrix_page(
    session: Session,
    user: User,
    *,
    today: date,
    manager_id: int | None = None,
    segment: str | None = None,
) -> dict[str, Any]:
    """The matrix with its chart and the filter choices (managers and segments in scope)."""
    out = matrix(session, user, today=today, manager_id=manager_id, segment=segment)
    placement = placed(selection_policy(session))
    managers = session.execute(
        select(User.id, User.name)
        .join(Account, Account.manager_id == User.id)
        .join(placement, placement.c.account_id == Account.id)
        .where(visible_row(user, Account.id))
        .distinct()
        .order_by(User.name)
    ).all()
    x_max = strength_axis_max(out.points, out.strength_cut)
    return {
        "matrix": out,
        "chart": matrix_svg(out.points, out.attractiveness_cut, out.strength_cut, x_max),
        "managers": [{"id": m.id, "name": m.name} for m in managers],
        "segments": distinct_segments(session, user),
        "moved": sum(1 for pt in out.points if pt.previous_attractiveness is not None),
    }
