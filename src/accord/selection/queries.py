"""SQL expressions of the selection matrix: latest scorings, quadrant, potential, tier.

Built from the policy (settings) so they follow edits of the cut lines without re-scoring.
Each rule of :mod:`accord.selection.rules` that the matrix evaluates in the database has its
SQL twin here, the same exact integer comparisons; ``tests/test_selection_pairs.py`` holds
each pair equal on SQLite and PostgreSQL:

=========================  ===========================
``rules``                  SQL twin
=========================  ===========================
``is_attractive``          :func:`attractive_sql`
``is_strong``              :func:`strong_sql`
``quadrant``               :func:`quadrant_sql`
``potential``              :func:`potential_sql`
``tier``                   :func:`tier_sql`
``is_key``                 :func:`key_tier_sql`
=========================  ===========================
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Subquery

from accord.selection.models import Deselection, Scoring, SelectionCurrent
from accord.selection.rules import (
    KEY_TIERS,
    NOT_KEY,
    Potential,
    Quadrant,
    SelectionPolicy,
    potential_cuts_milli,
)
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


def attractive_sql(attr_milli: Any, policy: SelectionPolicy) -> ColumnElement[bool]:
    """``rules.is_attractive``."""
    return attr_milli >= policy.attractiveness_cut_milli


def strong_sql(us: Any, them: Any, policy: SelectionPolicy) -> ColumnElement[bool]:
    """``rules.is_strong``, in 64-bit integers: a cut of up to 100 in ten-thousandths times a
    weighted score of up to 10,000 passes the 32-bit range (the BIGINT literals make
    PostgreSQL multiply in 64 bits; SQLite always does)."""
    return us * literal(10000, BigInteger) >= them * literal(policy.strength_cut_bp, BigInteger)


def quadrant_sql(
    attr_milli: Any, us: Any, them: Any, policy: SelectionPolicy
) -> ColumnElement[str]:
    """``rules.quadrant``."""
    high, strong = attractive_sql(attr_milli, policy), strong_sql(us, them, policy)
    return case(
        (and_(high, strong), literal(Quadrant.STRATEGIC.value)),
        (high, literal(Quadrant.STAR.value)),
        (strong, literal(Quadrant.STATUS.value)),
        else_=literal(Quadrant.STREAMLINE.value),
    )


def potential_sql(attr_milli: Any, override: Any, policy: SelectionPolicy) -> ColumnElement[str]:
    """``rules.potential``: the override if any, else from the attractiveness."""
    medium, high = potential_cuts_milli(policy)
    computed = case(
        (attr_milli >= high, literal(Potential.HIGH.value)),
        (attr_milli >= medium, literal(Potential.MEDIUM.value)),
        else_=literal(Potential.LOW.value),
    )
    return func.coalesce(override, computed)


def key_tier_sql(tier: Any) -> ColumnElement[bool]:
    """``rules.is_key``."""
    return tier.in_(KEY_TIERS)


def tier_sql(quadrant: Any, deselected: Any) -> ColumnElement[str]:
    """``rules.tier``: a deselected account is not key, whatever its quadrant."""
    return case((deselected, literal(NOT_KEY)), else_=quadrant)


def placed(policy: SelectionPolicy, *, with_previous: bool = False) -> Subquery:
    """Per scored account: latest scoring, quadrant, potential, tier, deselection (and the
    previous scoring's figures when ``with_previous``).

    Columns: account_id, scoring_id, scored_on, attractiveness_milli, us_weighted,
    competitor_weighted, quadrant, potential, tier, deselected [, prev_attractiveness_milli,
    prev_us_weighted, prev_competitor_weighted, prev_scored_on].
    """
    latest = aliased(Scoring, name="latest")
    quadrant = quadrant_sql(
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
        potential_sql(latest.attractiveness_milli, latest.potential_override, policy).label(
            "potential"
        ),
        tier_sql(quadrant, deselected).label("tier"),
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

        tiers = tier_select(session)  # .outerjoin(tiers, tiers.c.account_id == …), then
        tier = func.coalesce(tiers.c.tier, "not key")
    """
    placement = placed(selection_policy(session))
    return select(placement.c.account_id, placement.c.tier).subquery("tiers")


def tier_case(session: Session) -> dict[int, str]:
    """{account_id: tier} for every scored account (others are 'not key')."""
    t = tier_select(session)
    return {a: tier for a, tier in session.execute(select(t.c.account_id, t.c.tier))}
