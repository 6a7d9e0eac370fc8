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

The KPI engine reads this table as its ``subscriptions`` source (``kpis.derived``; kpis sits
below licences and imports nothing of it): the table is registered with it on import, and
every rebuild hands the engine the accounts it rewrote, in the same transaction
(``derived.refresh_source``), so the engine's derived rows of both sources are always there.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    Subquery,
    Table,
    and_,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from accord.growth.models import Sku
from accord.kpis import derived
from accord.kpis.formulas import Source
from accord.licences.models import Subscription, SubscriptionMrr, SubscriptionTerm

mrr_table: Table = SubscriptionMrr.__table__  # type: ignore[assignment]
derived.register_source(Source.SUBSCRIPTIONS, mrr_table)


def rebuild(session: Session, *, through: int, accounts: Collection[int] | None = None) -> int:
    """Rewrite the MRR rows of ``accounts`` (None: every account) for every month from their
    subscriptions' first through ``through`` (a month index), and the KPI engine's rows of
    the subscriptions source for them; returns the MRR rows written."""
    written = _rewrite(session, through=through, accounts=accounts)
    derived.refresh_source(session, Source.SUBSCRIPTIONS, mrr_table,
                           None if accounts is None else list(accounts))
    return written


def _month_of(day: Any) -> Any:
    """The month index (year × 12 + month − 1) of a date, in SQL (``extract`` is
    ``strftime`` on SQLite)."""
    return (cast(extract("year", day), Integer) * 12 + cast(extract("month", day), Integer)
            - 1)


def _day_after(day: Any, postgres: bool) -> Any:
    return day + literal(1) if postgres else func.date(day, "+1 day")


def _ranges(session: Session, through: int, accounts: Collection[int] | None) -> Subquery:
    """One row per term: its account, the months ``lo``…``hi`` (indexes) it counts in and
    its cents a month. A month m counts when its last day L(m) is in the term's span and
    ``rules.counts_on`` holds, each bound a month index: L(m) ≥ day ⇔ m ≥ month(day);
    L(m) < day ⇔ m < month(day); L(m) ≤ day ⇔ m < month(day + 1)."""
    postgres = session.get_bind().dialect.name == "postgresql"
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
    x = spans.c.quantity * cast(func.round(spans.c.unit_price * 10000), BigInteger)
    d = literal(100) * period
    quotient, remainder = x // d, x % d  # integer division on both databases
    cents = case((or_(2 * remainder > d, and_(2 * remainder == d, quotient % 2 == 1)),
                  quotient + 1), else_=quotient)
    last = literal(through, Integer)
    lo = case((spans.c.from_on > s.c.start_on, _month_of(spans.c.from_on)),
              else_=_month_of(s.c.start_on))
    before_next = func.coalesce(_month_of(spans.c.next_on) - 1, last)
    while_covered = func.coalesce(_month_of(_day_after(until, postgres)) - 1, last)
    hi = case((before_next < while_covered, before_next), else_=while_covered)
    hi = case((hi < last, hi), else_=last)
    q = (select(s.c.account_id.label("account_id"), lo.label("lo"), hi.label("hi"),
                cents.label("cents"))
         .select_from(spans)
         .join(s, s.c.id == spans.c.subscription_id)
         .join(Sku, Sku.id == s.c.sku_id)
         .where(s.c.status != "trial"))
    if accounts is not None:
        q = q.where(s.c.account_id.in_(list(accounts)))
    return q.subquery("ranges")


def _rows(session: Session, first: int, through: int, accounts: Collection[int] | None
          ) -> Select[Any]:
    """The rows of ``subscription_mrr``: a term adds its cents from its month ``lo`` and
    takes them off after ``hi``; an account's amount is constant between two such changes
    (a segment), so the running sums are taken over the changes (a few per account) and
    only the segments are expanded into months, already in (account, month) order, the
    running total of a month being the segment's opening total + amount × months in."""
    postgres = session.get_bind().dialect.name == "postgresql"
    r = _ranges(session, through, accounts)
    changes = union_all(
        select(r.c.account_id, r.c.lo.label("month"), r.c.cents.label("delta"))
        .where(r.c.lo <= r.c.hi),
        select(r.c.account_id, (r.c.hi + 1).label("month"), (-r.c.cents).label("delta"))
        .where(r.c.lo <= r.c.hi, r.c.hi < through),
    ).subquery("changes")
    net = (select(changes.c.account_id, changes.c.month, func.sum(changes.c.delta).label("delta"))
           .group_by(changes.c.account_id, changes.c.month).subquery("net"))
    w: dict[str, Any] = {"partition_by": net.c.account_id, "order_by": net.c.month}
    segments = select(
        net.c.account_id, net.c.month.label("from_m"),
        func.coalesce(func.lead(net.c.month).over(**w) - 1, through).label("to_m"),
        cast(func.sum(net.c.delta).over(**w), BigInteger).label("amount"),
    ).subquery("segments")
    ws: dict[str, Any] = {"partition_by": segments.c.account_id,
                          "order_by": segments.c.from_m}
    opening = func.coalesce(func.sum(
        segments.c.amount * (segments.c.to_m - segments.c.from_m + 1)
    ).over(**ws, rows=(None, -1)), 0)
    seg = select(segments.c.account_id, segments.c.from_m, segments.c.to_m,
                 segments.c.amount, cast(opening, BigInteger).label("opening")
                 ).where(segments.c.amount != 0).order_by(
                     segments.c.account_id, segments.c.from_m).subquery("seg")
    months: Any
    if postgres:
        months = func.generate_series(seg.c.from_m, seg.c.to_m).table_valued("m").render_derived(
            "months").lateral()
        joined = seg.join(months, literal(True))
    else:  # a recursive CTE of the months; SQLite indexes it for the range join
        months = select(literal(first, Integer).label("m")).cte("months", recursive=True)
        months = months.union_all(select((months.c.m + 1).label("m"))
                                  .where(months.c.m < through))
        joined = seg.join(months, and_(months.c.m >= seg.c.from_m, months.c.m <= seg.c.to_m))
    m = months.c.m
    return select(seg.c.account_id, m, seg.c.amount,
                  seg.c.opening + seg.c.amount * (m - seg.c.from_m + 1)).select_from(joined)


def _rewrite(session: Session, *, through: int, accounts: Collection[int] | None) -> int:
    postgres = session.get_bind().dialect.name == "postgresql"
    columns = ["account_id", "month", "amount_cents", "cumulative_cents"]
    ids = None if accounts is None else list(accounts)
    first_day = select(func.min(Subscription.start_on))
    if ids is not None:
        first_day = first_day.where(Subscription.account_id.in_(ids))
    start = session.scalar(first_day)
    first = through + 1 if start is None else start.year * 12 + start.month - 1
    if ids is not None:
        session.execute(delete(SubscriptionMrr).where(SubscriptionMrr.account_id.in_(ids)))
        if first <= through:
            session.execute(insert(SubscriptionMrr).from_select(
                columns, _rows(session, first, through, ids)))
        return int(session.scalar(select(func.count()).select_from(SubscriptionMrr).where(
            SubscriptionMrr.account_id.in_(ids))) or 0)
    # everything: a bulk load — the table emptied, its secondary index (and on PostgreSQL
    # its foreign key, a trigger per row) dropped, the rows written in key order, then
    # the index built and the key checked once
    conn = session.connection()
    index = next(i for i in mrr_table.indexes if i.name == "ix_subscription_mrr_month")
    if postgres:
        session.execute(text("TRUNCATE subscription_mrr"))
        session.execute(text(f"ALTER TABLE subscription_mrr DROP CONSTRAINT {_FK}"))
    else:
        session.execute(delete(SubscriptionMrr))
    index.drop(conn)
    if first <= through:
        session.execute(insert(SubscriptionMrr).from_select(
            columns, _rows(session, first, through, None)))
    index.create(conn)
    if postgres:
        session.execute(text(
            f"ALTER TABLE subscription_mrr ADD CONSTRAINT {_FK} FOREIGN KEY (account_id) "
            "REFERENCES accounts (id) ON DELETE CASCADE"))
        session.execute(text("ANALYZE subscription_mrr"))
    return int(session.scalar(select(func.count()).select_from(SubscriptionMrr)) or 0)


#: the foreign key of ``subscription_mrr`` (migration 0022)
_FK = "fk_subscription_mrr_account_id_accounts"
