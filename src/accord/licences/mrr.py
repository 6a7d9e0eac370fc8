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
    Column,
    Index,
    Integer,
    MetaData,
    Select,
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


def _month_of(day: Any, postgres: bool) -> Any:
    """The month index (year × 12 + month − 1) of a date, in SQL: ``strftime`` on SQLite;
    ``date_part`` (a float) on PostgreSQL, not ``extract`` (a numeric, slower)."""
    if postgres:
        return (cast(func.date_part("year", day), Integer) * 12
                + cast(func.date_part("month", day), Integer) - 1)
    return (cast(extract("year", day), Integer) * 12 + cast(extract("month", day), Integer)
            - 1)


def _day_after(day: Any, postgres: bool) -> Any:
    return day + literal(1) if postgres else func.date(day, "+1 day")


def _ranges(session: Session, through: int, accounts: Collection[int] | None) -> Any:
    """One row per term: its account, the months ``lo``…``hi`` (indexes) it counts in and
    its cents a month — a MATERIALIZED CTE, read twice (a term's start and end) but computed
    once. A month m counts when its last day L(m) is in the term's span and
    ``rules.counts_on`` holds, each bound a month index: L(m) ≥ day ⇔ m ≥ month(day);
    L(m) < day ⇔ m < month(day); L(m) ≤ day ⇔ m < month(day + 1). The dates become month
    indexes once per term, in the inner ``terms`` (the window function keeps it a
    subquery of its own), and ``lo``/``hi`` are then integer arithmetic."""
    postgres = session.get_bind().dialect.name == "postgresql"
    t = SubscriptionTerm.__table__.alias("t")
    s = Subscription.__table__.alias("s")
    until = case(
        (s.c.ended_on.is_not(None), s.c.ended_on),
        (or_(s.c.status.in_(("cancelled", "expired")), s.c.auto_renew.is_(False)), s.c.end_on),
        else_=None)
    period = case((Sku.billing_period == "month", 1), (Sku.billing_period == "quarter", 3),
                  else_=12)
    x = t.c.quantity * cast(func.round(t.c.unit_price * 10000), BigInteger)
    d = literal(100) * period
    quotient, remainder = x // d, x % d  # integer division on both databases
    cents = case((or_(2 * remainder > d, and_(2 * remainder == d, quotient % 2 == 1)),
                  quotient + 1), else_=quotient)
    terms = (select(
        s.c.account_id,
        _month_of(case((t.c.effective_on > s.c.start_on, t.c.effective_on),
                       else_=s.c.start_on), postgres).label("from_m"),
        func.lead(_month_of(t.c.effective_on, postgres)).over(
            partition_by=t.c.subscription_id, order_by=t.c.effective_on).label("next_m"),
        # NULL: covered for good
        _month_of(_day_after(until, postgres), postgres).label("stop_m"),
        cents.label("cents"))
        .select_from(t)
        .join(s, s.c.id == t.c.subscription_id)
        .join(Sku, Sku.id == s.c.sku_id)
        .where(s.c.status != "trial"))
    if accounts is not None:
        terms = terms.where(s.c.account_id.in_(list(accounts)))
    terms_q = terms.subquery("terms")
    after = literal(through + 1, Integer)  # each end bound is "the month after"
    ends_before = func.coalesce(terms_q.c.next_m, after)
    stops_at = func.coalesce(terms_q.c.stop_m, after)
    hi = case((ends_before < stops_at, ends_before), else_=stops_at) - 1
    hi = case((hi < through, hi), else_=literal(through, Integer))
    return (select(terms_q.c.account_id, terms_q.c.from_m.label("lo"), hi.label("hi"),
                   terms_q.c.cents)
            .cte("ranges").prefix_with("MATERIALIZED"))


def _rows(session: Session, months: Any, first: int, through: int,
          accounts: Collection[int] | None) -> Select[Any]:
    """The rows of ``subscription_mrr``: a term adds its cents from its month ``lo`` and
    takes them off after ``hi``. Over an account's changes, in month order, one window
    gives the amount from each change on (the running sum of the changes, A) and the
    running sum of change × its month counted from ``first`` (W); the amount is constant
    until the next change (a segment), and the running total of a month m in it is
    Σ change × (m − its month + 1) = A × (m − first + 1) − W (months counted from
    ``first``, not from year 0, so that W stays as small as the running totals). Changes
    of the same month are peers of the window's default frame (RANGE … CURRENT ROW), so
    each sees the month's full sums; all but the last of them end before they start (the
    next change is the same month) and expand to no month. Only segments with an amount
    are expanded into their months — ``months`` as given by ``_months`` — in (account,
    month) order, the table's key."""
    r = _ranges(session, through, accounts)
    changes = union_all(
        select(r.c.account_id, r.c.lo.label("month"), r.c.cents.label("delta"))
        .where(r.c.lo <= r.c.hi),
        select(r.c.account_id, (r.c.hi + 1).label("month"), (-r.c.cents).label("delta"))
        .where(r.c.lo <= r.c.hi, r.c.hi < through),
    ).subquery("changes")
    w: dict[str, Any] = {"partition_by": changes.c.account_id, "order_by": changes.c.month}
    segments = select(
        changes.c.account_id, changes.c.month.label("from_m"),
        func.coalesce(func.lead(changes.c.month).over(**w) - 1, through).label("to_m"),
        cast(func.sum(changes.c.delta).over(**w), BigInteger).label("amount"),
        cast(func.sum(changes.c.delta * (changes.c.month - first)).over(**w), BigInteger
             ).label("weighted"),
    ).subquery("segments")
    seg = (select(segments).where(segments.c.amount != 0)
           .order_by(segments.c.account_id, segments.c.from_m).subquery("seg"))
    if isinstance(months, Table):  # SQLite: a range lookup in the months' key
        m = months.c.m
        joined = seg.join(months, m.between(seg.c.from_m, seg.c.to_m))
    else:  # PostgreSQL: a function of each segment
        m = months(seg.c.from_m, seg.c.to_m).c.m
        joined = seg.join(m.table, literal(True))
    return select(seg.c.account_id, m, seg.c.amount,
                  seg.c.amount * (m - first + 1) - seg.c.weighted).select_from(joined)


def _months(session: Session, first: int, through: int) -> Any:
    """What ``_rows`` expands segments with. PostgreSQL: ``generate_series`` of each
    segment. SQLite has no such function (a recursive CTE of the months has no index: it
    was scanned once per segment), so a TEMP table of the months ``first``…``through`` with
    its key, created in the transaction (and dropped by ``_drop_months``): each segment is
    a range lookup."""
    if session.get_bind().dialect.name == "postgresql":
        return lambda lo, hi: func.generate_series(lo, hi).table_valued("m").render_derived(
            "months").lateral()
    session.execute(text(f"DROP TABLE IF EXISTS temp.{_MONTHS.name}"))
    _MONTHS.create(session.connection())
    session.execute(insert(_MONTHS), [{"m": m} for m in range(first, through + 1)])
    return _MONTHS


def _drop_months(session: Session, months: Any) -> None:
    if isinstance(months, Table):
        months.drop(session.connection())


def _rewrite(session: Session, *, through: int, accounts: Collection[int] | None) -> int:
    postgres = session.get_bind().dialect.name == "postgresql"
    ids = None if accounts is None else list(accounts)
    first_day = select(func.min(Subscription.start_on))
    if ids is not None:
        first_day = first_day.where(Subscription.account_id.in_(ids))
    start = session.scalar(first_day)
    first = through + 1 if start is None else start.year * 12 + start.month - 1
    if ids is not None:
        session.execute(delete(SubscriptionMrr).where(SubscriptionMrr.account_id.in_(ids)))
        if first <= through:
            months = _months(session, first, through)
            session.execute(insert(SubscriptionMrr).from_select(
                _COLUMNS, _rows(session, months, first, through, ids)))
            _drop_months(session, months)
        return int(session.scalar(select(func.count()).select_from(SubscriptionMrr).where(
            SubscriptionMrr.account_id.in_(ids))) or 0)
    # everything: a bulk load, its rows written in key order (``_rows``)
    if postgres:
        _load_postgres(session, first, through)
    else:
        _load_sqlite(session, first, through)
    return int(session.scalar(select(func.count()).select_from(SubscriptionMrr)) or 0)


def _load_postgres(session: Session, first: int, through: int) -> None:
    """The table emptied (``TRUNCATE``) and stripped of its month index, its key and its
    foreign key (a trigger per row); the rows written; then the key and the index each
    built by one sort — a fifth of the cost of maintaining them row by row — and the
    foreign key added back ``NOT VALID`` (see below). The windows' sorts get the memory to
    stay out of temporary files, and the index builds the memory to sort 3 million keys at once
    (``maintenance_work_mem``); JIT is off: the planner's estimate of ``generate_series``
    (1,000 rows a segment) makes it compile and optimise for half a second, for nothing."""
    conn = session.connection()
    index = _month_index()
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("TRUNCATE subscription_mrr"))
    index.drop(conn)
    session.execute(text(f"ALTER TABLE subscription_mrr DROP CONSTRAINT {_FK}"))
    session.execute(text(f"ALTER TABLE subscription_mrr DROP CONSTRAINT {_PK}"))
    if first <= through:
        session.execute(insert(SubscriptionMrr).from_select(
            _COLUMNS, _rows(session, _months(session, first, through), first, through, None)))
    session.execute(text(
        f"ALTER TABLE subscription_mrr ADD CONSTRAINT {_PK} PRIMARY KEY (account_id, month)"))
    index.create(conn)
    # NOT VALID: enforced for every later write, without re-checking the rows just written
    # by a join of 3 million rows — they come from subscriptions, whose own foreign key
    # holds their accounts; the next full rebuild drops it and adds it again
    session.execute(text(
        f"ALTER TABLE subscription_mrr ADD CONSTRAINT {_FK} FOREIGN KEY (account_id) "
        "REFERENCES accounts (id) ON DELETE CASCADE NOT VALID"))
    session.execute(text("ANALYZE subscription_mrr"))


def _load_sqlite(session: Session, first: int, through: int) -> None:
    """The table dropped and created again as the model declares it (migration 0022
    creates the same, ``tests/test_migrations.py`` holds them equal): with foreign keys
    on, SQLite empties a child table by deleting its rows one by one, while dropping it
    frees its pages. The table is WITHOUT ROWID, so the rows, arriving in key order, are
    appended to its one b-tree. The month index is kept through the insert: the rows
    arrive by account, so each month's entries are appended at that month's end of the
    index — cheaper than sorting 3 million entries afterwards."""
    conn = session.connection()
    mrr_table.drop(conn)
    mrr_table.create(conn)
    if first <= through:
        months = _months(session, first, through)
        session.execute(insert(SubscriptionMrr).from_select(
            _COLUMNS, _rows(session, months, first, through, None)))
        _drop_months(session, months)


def _month_index() -> Index:
    return next(i for i in mrr_table.indexes if i.name == "ix_subscription_mrr_month")


_COLUMNS = ["account_id", "month", "amount_cents", "cumulative_cents"]
#: the foreign key and primary key of ``subscription_mrr`` (migration 0022)
_FK = "fk_subscription_mrr_account_id_accounts"
_PK = "pk_subscription_mrr"
#: the months a rebuild expands segments into, on SQLite (a TEMP table: per connection)
_MONTHS = Table("accord_mrr_months", MetaData(), Column("m", Integer, primary_key=True),
                prefixes=["TEMPORARY"])
