"""The monthly MRR store (``subscription_mrr``), rebuilt in SQL from the subscriptions and
their terms — the rule of ``accord.licences.rules.mrr_cents`` for a whole portfolio in two
statements, held equal to it by ``tests/test_licences_mrr.py`` (both databases).

- Each term is in force from its ``effective_on`` until the next term of its subscription
  (``LEAD``); it is joined to the months whose last day falls in that span, so the work is
  the number of (subscription, month) cells, not subscriptions × months × terms.
- A month counts for a subscription as ``rules.counts_on`` says: not a trial, started by
  the month's last day, covered that day (``rules.covered_until``).
- Cents: quantity × the price in ten-thousandths, divided by 100 × the period's months,
  rounded half to even with integer arithmetic (``rules.half_even_div``): exact on SQLite
  too, whose NUMERIC is a float.

Called by the subscription services when a subscription or a term changes (for its account)
and by ``accord subscriptions rebuild-mrr`` (all accounts); a read never writes it.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    Subquery,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from accord.growth.models import Sku
from accord.licences.models import Subscription, SubscriptionMrr, SubscriptionTerm
from accord.licences.rules import month_end


def _months(first: int, last: int) -> Subquery:
    """The months ``first``…``last`` with their last days, as rows (a UNION ALL: SQLite
    names no columns of a ``VALUES`` list)."""
    rows = [select(literal(m, Integer).label("month"), literal(month_end(m), Date)
                   .label("last_day")) for m in range(first, last + 1)]
    return union_all(*rows).subquery("months")


def rebuild(session: Session, *, through: int, accounts: Collection[int] | None = None) -> int:
    """Rewrite the MRR rows of ``accounts`` (None: every account) for every month from their
    subscriptions' first through ``through`` (a month index); returns the rows written."""
    owned = Subscription.account_id.in_(list(accounts)) if accounts is not None else None
    wipe = delete(SubscriptionMrr)
    if accounts is not None:
        wipe = wipe.where(SubscriptionMrr.account_id.in_(list(accounts)))
    session.execute(wipe)
    first_day = select(func.min(Subscription.start_on))
    if owned is not None:
        first_day = first_day.where(owned)
    start = session.scalar(first_day)
    if start is None:
        return 0
    first = start.year * 12 + start.month - 1
    if first > through:
        return 0
    months = _months(first, through)
    nxt = func.lead(SubscriptionTerm.effective_on).over(
        partition_by=SubscriptionTerm.subscription_id, order_by=SubscriptionTerm.effective_on)
    spans = select(SubscriptionTerm.subscription_id, SubscriptionTerm.quantity,
                   SubscriptionTerm.unit_price, SubscriptionTerm.effective_on.label("from_on"),
                   nxt.label("next_on")).subquery("spans")
    s = Subscription.__table__.alias("s")
    until = case(
        (s.c.ended_on.is_not(None), s.c.ended_on),
        (or_(s.c.status.in_(("cancelled", "expired")), s.c.auto_renew.is_(False)), s.c.end_on),
        else_=None)
    period = case((Sku.billing_period == "month", 1), (Sku.billing_period == "quarter", 3),
                  else_=12)
    cells = (
        select(
            s.c.account_id.label("account_id"),
            months.c.month.label("month"),
            (spans.c.quantity * cast(func.round(spans.c.unit_price * 10000), BigInteger))
            .label("x"),
            (literal(100) * period).label("d"),
        )
        .select_from(spans)
        .join(s, s.c.id == spans.c.subscription_id)
        .join(Sku, Sku.id == s.c.sku_id)
        .join(months, and_(months.c.last_day >= spans.c.from_on,
                           or_(spans.c.next_on.is_(None), months.c.last_day < spans.c.next_on)))
        .where(s.c.status != "trial", s.c.start_on <= months.c.last_day,
               or_(until.is_(None), until >= months.c.last_day))
    )
    if accounts is not None:
        cells = cells.where(s.c.account_id.in_(list(accounts)))
    cells_q = cells.subquery("cells")
    quotient = cells_q.c.x // cells_q.c.d  # integer division on both databases
    remainder = cells_q.c.x % cells_q.c.d
    cents = case(
        (or_(2 * remainder > cells_q.c.d,
             and_(2 * remainder == cells_q.c.d, quotient % 2 == 1)), quotient + 1),
        else_=quotient)
    summed = (select(cells_q.c.account_id, cells_q.c.month,
                     func.sum(cents).label("amount"))
              .group_by(cells_q.c.account_id, cells_q.c.month).subquery("summed"))
    running = func.sum(summed.c.amount).over(partition_by=summed.c.account_id,
                                             order_by=summed.c.month)
    rows = select(summed.c.account_id, summed.c.month, summed.c.amount,
                  cast(running, BigInteger)).where(summed.c.amount != 0)
    session.execute(insert(SubscriptionMrr).from_select(
        ["account_id", "month", "amount_cents", "cumulative_cents"], rows))
    written = select(func.count()).select_from(SubscriptionMrr)
    if accounts is not None:
        written = written.where(SubscriptionMrr.account_id.in_(list(accounts)))
    return int(session.scalar(written) or 0)
