"""The portfolio view: per product line, how many key accounts (of those the user sees) buy
it in the KPI window ending at the as-of month, how many are whitespace there, and the
whitespace value estimated from similar accounts — for each key account in whitespace, the
lower median spend on the line of the accounts of its segment and size band that buy it
(``growth_peer_medians``, shown only when it rests on at least ``rules.MIN_PEERS``).

Reads the summary and the peer table only, never the revenue lines. When the peer table is
for another window (a new month, a changed KPI policy) it is brought up to date first
(``summary.bring_peers_up_to_date``: a single-flight job for a reader); when it holds nothing
at all the medians are computed from the summary (``summary.peer_select``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.visibility import visible_filter
from accord.core.company import company_policy
from accord.core.models import User
from accord.core.money import from_cents
from accord.core.periods import format_month
from accord.growth import catalogue, rules
from accord.growth.models import PeerMedian, ProductLineRevenue, WhitespaceFlag
from accord.growth.schemas import Portfolio, PortfolioLine
from accord.growth.summary import bring_peers_up_to_date, peer_select
from accord.plans.metrics import revenue_window
from accord.selection.queries import tier_select
from accord.selection.rules import KEY_TIERS


def _key_accounts(session: Session, user: User) -> Any:
    tiers = tier_select(session)
    return (
        select(Account.id, func.coalesce(Account.segment, "").label("segment"),
               func.coalesce(Account.size_band, "").label("size_band"))
        .join(tiers, tiers.c.account_id == Account.id)
        .where(tiers.c.tier.in_(KEY_TIERS), visible_filter(session, user))
    )


def portfolio(session: Session, user: User, *, today: date) -> Portfolio:
    w = revenue_window(session, today)
    key = _key_accounts(session, user).subquery("key")
    accounts = {a: (seg, band) for a, seg, band in session.execute(select(key))}
    total = func.sum(ProductLineRevenue.amount_cents)
    buying = {(a, line) for a, line in session.execute(
        select(ProductLineRevenue.account_id, ProductLineRevenue.product_line_id)
        .join(key, key.c.id == ProductLineRevenue.account_id)
        .where(ProductLineRevenue.month > w.as_of - w.window,
               ProductLineRevenue.month <= w.as_of)
        .group_by(ProductLineRevenue.account_id, ProductLineRevenue.product_line_id)
        .having(total > 0))}
    flagged = {(a, line) for a, line in session.execute(
        select(WhitespaceFlag.account_id, WhitespaceFlag.product_line_id)
        .join(key, key.c.id == WhitespaceFlag.account_id))}
    if bring_peers_up_to_date(session, w):
        peer_rows = session.execute(select(
            PeerMedian.product_line_id, PeerMedian.segment, PeerMedian.size_band,
            PeerMedian.peers, PeerMedian.median_cents).where(
            PeerMedian.peers >= rules.MIN_PEERS))
    else:
        p = peer_select(w).subquery("peers")
        cols = list(p.c)
        peer_rows = session.execute(select(cols[0], cols[1], cols[2], cols[5], cols[6])
                                    .where(cols[5] >= rules.MIN_PEERS))
    medians = {(line, seg, band): int(m) for line, seg, band, _n, m in peer_rows}
    out = []
    for line in catalogue.lines(session):
        buyers = sum(1 for a in accounts if (a, line.id) in buying)
        open_cells = [a for a in accounts
                      if (a, line.id) not in buying and (a, line.id) not in flagged]
        estimates = [medians[(line.id, *accounts[a])] for a in open_cells
                     if (line.id, *accounts[a]) in medians]
        out.append(PortfolioLine(
            product_line_id=line.id, name=line.name, key_accounts_buying=buyers,
            key_accounts_whitespace=len(open_cells),
            whitespace_value=from_cents(sum(estimates)) if estimates else None,
            estimated_accounts=len(estimates)))
    return Portfolio(currency=company_policy(session).currency, as_of=format_month(w.as_of),
                     window_months=w.window, key_accounts=len(accounts), lines=out)
