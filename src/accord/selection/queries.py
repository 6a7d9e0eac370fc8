"""SQL expressions of the selection matrix: latest scorings, quadrant, potential, tier.

Built from the policy (settings) so they follow edits of the cut lines without re-scoring.
Exact integer comparisons, the same as :mod:`accord.selection.rules`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Subquery

from accord.selection.models import Deselection, Scoring, SelectionCurrent
from accord.selection.rules import NOT_KEY, Quadrant, SelectionPolicy
from accord.selection.settings import selection_policy


def ranked_scorings() -> Subquery:
    """Every scoring with its rank per account: 1 = latest, 2 = the one before."""
    rn = func.row_number().over(
        partition_by=Scoring.account_id, order_by=(Scoring.scored_on.desc(), Scoring.id.desc())
    )
    return select(Scoring.id, Scoring.account_id, rn.label("rn")).subquery("ranked_scorings")


def update_current(session: Session, account_id: int) -> None:
    """Keep ``selection_current`` right for one account after a scoring write."""
    ids = list(
        session.scalars(
            select(Scoring.id)
            .where(Scoring.account_id == account_id)
            .order_by(Scoring.scored_on.desc(), Scoring.id.desc())
            .limit(2)
        )
    )
    row = session.get(SelectionCurrent, account_id)
    if not ids:
        if row is not None:
            session.delete(row)
        session.flush()
        return
    if row is None:
        row = SelectionCurrent(account_id=account_id)
        session.add(row)
    row.scoring_id = ids[0]
    row.previous_scoring_id = ids[1] if len(ids) > 1 else None
    session.flush()


def rebuild_current(session: Session) -> None:
    """Rebuild ``selection_current`` for every account in SQL (bulk loads, demo, repair)."""
    ranked = ranked_scorings()
    prev = aliased(ranked, name="prev_rank")
    session.execute(delete(SelectionCurrent))
    session.execute(
        insert(SelectionCurrent).from_select(
            ["account_id", "scoring_id", "previous_scoring_id"],
            select(ranked.c.account_id, ranked.c.id, prev.c.id)
            .outerjoin(prev, and_(prev.c.account_id == ranked.c.account_id, prev.c.rn == 2))
            .where(ranked.c.rn == 1),
        )
    )
    session.flush()


def quadrant_expr(attr: Any, us: Any, them: Any, policy: SelectionPolicy) -> ColumnElement[str]:
    high = attr >= policy.attractiveness_cut_milli
    strong = us * 10000 >= them * policy.strength_cut_bp
    return case(
        (and_(high, strong), literal(Quadrant.STRATEGIC.value)),
        (high, literal(Quadrant.STAR.value)),
        (strong, literal(Quadrant.STATUS.value)),
        else_=literal(Quadrant.STREAMLINE.value),
    )


def potential_expr(attr: Any, override: Any, policy: SelectionPolicy) -> ColumnElement[str]:
    computed = case(
        (attr >= int(policy.potential_high_from * 1000), literal("high")),
        (attr >= int(policy.potential_medium_from * 1000), literal("medium")),
        else_=literal("low"),
    )
    return func.coalesce(override, computed)


def placed(policy: SelectionPolicy, *, with_previous: bool = False) -> Subquery:
    """Per scored account: latest scoring, quadrant, potential, tier, deselection (and the
    previous scoring's figures when ``with_previous``).

    Columns: account_id, scoring_id, scored_on, attractiveness_milli, us_weighted,
    competitor_weighted, quadrant, potential, tier, deselected [, prev_attractiveness_milli,
    prev_us_weighted, prev_competitor_weighted, prev_scored_on].
    """
    latest = aliased(Scoring, name="latest")
    quadrant = quadrant_expr(
        latest.attractiveness_milli, latest.us_weighted, latest.competitor_weighted, policy
    )
    deselected = Deselection.account_id.is_not(None)
    columns: list[Any] = [
        SelectionCurrent.account_id,
        latest.id.label("scoring_id"),
        latest.scored_on,
        latest.attractiveness_milli,
        latest.us_weighted,
        latest.competitor_weighted,
        quadrant.label("quadrant"),
        potential_expr(latest.attractiveness_milli, latest.potential_override, policy).label(
            "potential"
        ),
        case((deselected, literal(NOT_KEY)), else_=quadrant).label("tier"),
        deselected.label("deselected"),
    ]
    query = (
        select()
        .select_from(SelectionCurrent)
        .join(latest, latest.id == SelectionCurrent.scoring_id)
        .outerjoin(Deselection, Deselection.account_id == SelectionCurrent.account_id)
    )
    if with_previous:
        prev = aliased(Scoring, name="prev")
        columns += [
            prev.attractiveness_milli.label("prev_attractiveness_milli"),
            prev.us_weighted.label("prev_us_weighted"),
            prev.competitor_weighted.label("prev_competitor_weighted"),
            prev.scored_on.label("prev_scored_on"),
        ]
        query = query.outerjoin(prev, prev.id == SelectionCurrent.previous_scoring_id)
    return query.add_columns(*columns).subquery("placed")


def tier_select(session: Session) -> Subquery:
    """(account_id, tier) of every scored account, from its latest scoring and the current
    cut lines. Accounts absent from it are 'not key'. For the KPI engine's tier breakdown::

        t = tier_select(session)
        tier = func.coalesce(t.c.tier, "not key")   # after .outerjoin(t, t.c.account_id == …)
    """
    p = placed(selection_policy(session))
    return select(p.c.account_id, p.c.tier).subquery("tiers")


def tier_case(session: Session) -> dict[int, str]:
    """{account_id: tier} for every scored account (others are 'not key')."""
    t = tier_select(session)
    return {a: tier for a, tier in session.execute(select(t.c.account_id, t.c.tier))}
