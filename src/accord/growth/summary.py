"""``product_line_revenue`` (revenue per account, product line and month) and the peer
medians, kept current from the revenue lines in SQL.

- ``after_revenue_changed``: the revenue-load listener (``app.wiring``): for the accounts a
  load changed, their rows from the first changed month are deleted and summed again from
  ``revenue_lines`` (DELETE + INSERT … SELECT … GROUP BY, in the load's transaction), then
  the peer medians are refreshed.
- ``remap``: the accounts whose revenue carries values the catalogue now maps elsewhere (a
  new line, a rename, an alias added or removed) are summed again; ``rebuild``: every row
  again (the demo, a repair).
- A revenue line's ``product_line`` maps to a catalogue line when it equals the line's name
  or one of its aliases (``line_map``); any other value is counted under no line here and
  listed for mapping (``catalogue.unmapped``) — the account's revenue keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from accord.accounts.models import Account
from accord.core import single_flight
from accord.core.database import utcnow
from accord.growth.models import PeerMedian, ProductLine, ProductLineAlias, ProductLineRevenue
from accord.plans.metrics import Window, revenue_window
from accord.revenue.models import RevenueLine

#: accounts per statement
CHUNK = 2000
#: the single-flight job that refreshes the peer medians for a new window
JOB = "growth_peers"


def line_map() -> Subquery:
    """(value, product_line_id): every ``product_line`` value that maps to a line."""
    return union_all(
        select(ProductLine.name.label("value"), ProductLine.id.label("product_line_id")),
        select(ProductLineAlias.alias.label("value"), ProductLineAlias.product_line_id),
    ).subquery("line_map")


def _summed(condition: Any) -> Any:
    m = line_map()
    return (
        select(RevenueLine.account_id, m.c.product_line_id, RevenueLine.month,
               func.sum(RevenueLine.amount_cents), func.count())
        .join(m, m.c.value == RevenueLine.product_line)
        .where(condition)
        .group_by(RevenueLine.account_id, m.c.product_line_id, RevenueLine.month)
    )


_COLUMNS = ["account_id", "product_line_id", "month", "amount_cents", "line_count"]


def refresh_accounts(session: Session, first_months: dict[int, int]) -> None:
    """Sum again the rows of these accounts (account id → first month changed) from that
    month on (per chunk, from the chunk's earliest)."""
    ids = sorted(first_months)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        since = min(first_months[a] for a in chunk)
        session.execute(delete(ProductLineRevenue).where(
            ProductLineRevenue.account_id.in_(chunk), ProductLineRevenue.month >= since))
        session.execute(insert(ProductLineRevenue).from_select(_COLUMNS, _summed(
            and_(RevenueLine.account_id.in_(chunk), RevenueLine.month >= since))))


def rebuild(session: Session, today: date) -> None:
    """Every row of the summary again, then the peer medians."""
    session.execute(delete(ProductLineRevenue))
    session.execute(insert(ProductLineRevenue).from_select(_COLUMNS, _summed(literal(True))))
    refresh_peers(session, revenue_window(session, today))


def remap(session: Session, values: Iterable[str], today: date) -> None:
    """The catalogue changed how the revenue values ``values`` map (a new line, a rename, an
    alias added or removed): the accounts with revenue lines carrying them are summed again
    (all their months), then the peer medians; no other account's rows move."""
    wanted = sorted({v for v in values if v})
    if not wanted:
        return
    accounts = session.scalars(select(RevenueLine.account_id)
                               .where(RevenueLine.product_line.in_(wanted)).distinct()).all()
    if not accounts:
        return
    refresh_accounts(session, {int(a): 0 for a in accounts})
    refresh_peers(session, revenue_window(session, today))


def after_revenue_changed(
    session: Session, account_ids: list[int], first_months: dict[int, int]
) -> None:
    """The revenue-load listener (``revenue.load.events``)."""
    months = {a: first_months.get(a, 0) for a in account_ids}
    if not months:
        return
    refresh_accounts(session, months)
    refresh_peers(session, revenue_window(session, utcnow().date()))


# ---------------------------------------------------------------- peers


def spend_select(w: Window, account_ids: Iterable[int] | None = None) -> Any:
    """(account_id, product_line_id, spend): what each account bought of each line in the
    KPI window ending at the as-of month (only positive sums)."""
    total = func.sum(ProductLineRevenue.amount_cents)
    query = (
        select(ProductLineRevenue.account_id, ProductLineRevenue.product_line_id,
               total.label("spend"))
        .where(ProductLineRevenue.month > w.as_of - w.window,
               ProductLineRevenue.month <= w.as_of)
        .group_by(ProductLineRevenue.account_id, ProductLineRevenue.product_line_id)
    )
    if account_ids is not None:
        query = query.where(ProductLineRevenue.account_id.in_(sorted(set(account_ids))))
    return query


def peer_select(w: Window) -> Any:
    """(product_line_id, segment, size_band, as_of, window_months, peers, median_cents): the
    lower median of the buyers' spend per line, segment and size band (``""`` for none);
    SQL twin of ``rules.lower_median``."""
    spend = spend_select(w).having(func.sum(ProductLineRevenue.amount_cents) > 0).subquery()
    segment = func.coalesce(Account.segment, "")
    band = func.coalesce(Account.size_band, "")
    part = (spend.c.product_line_id, segment, band)
    ranked = (
        select(spend.c.product_line_id, segment.label("segment"), band.label("size_band"),
               spend.c.spend,
               func.row_number().over(partition_by=part, order_by=spend.c.spend).label("rn"),
               func.count().over(partition_by=part).label("n"))
        .join(Account, Account.id == spend.c.account_id)
        .subquery("ranked")
    )
    r = ranked.c
    return select(r.product_line_id, r.segment, r.size_band, literal(w.as_of),
                  literal(w.window), r.n, r.spend).where(
        2 * (r.rn - 1) <= r.n - 1, r.n - 1 < 2 * r.rn)


def refresh_peers(session: Session, w: Window) -> None:
    session.execute(delete(PeerMedian))
    session.execute(insert(PeerMedian).from_select(
        ["product_line_id", "segment", "size_band", "as_of", "window_months", "peers",
         "median_cents"], peer_select(w)))


def stored_window(session: Session) -> tuple[int, int] | None:
    """(as-of month, window) the stored peer medians were computed for; None: none stored."""
    row = session.execute(select(PeerMedian.as_of, PeerMedian.window_months).limit(1)).first()
    return None if row is None else (int(row[0]), int(row[1]))


def bring_peers_up_to_date(session: Session, w: Window) -> bool:
    """Make the stored peer medians those of window ``w`` when they are another window's (a
    new month, a changed KPI policy): in a writer's transaction at once, for a reader as a
    single-flight job (``core.single_flight``). False when none are stored at all (nothing
    bought yet, or a database the listener never saw): the caller reads ``peer_select``."""
    stored = stored_window(session)
    if stored is None:
        return False
    if stored != (w.as_of, w.window):
        def job(writer: Session) -> None:
            if stored_window(writer) != (w.as_of, w.window):
                refresh_peers(writer, w)

        single_flight.bring_up_to_date(session, JOB, job)
    return True
