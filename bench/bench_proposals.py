"""Benchmark: a proposal's PDF on the large demo portfolio.

On the cached demo portfolio (``bench/common.py``, 100,000 accounts), in one transaction that
is rolled back (the cached portfolio is left as it was): a proposal on a key account of the
most common segment and size band, with 40 offer lines over up to 3 of the catalogue's product
lines (so the peer benchmarks are computed for each) and a logo; then, timed (median of
``--runs``, default 5): reading the proposal with its benchmarks (the SQL), and reading it and
rendering the PDF (WeasyPrint), as the download does. Target: the PDF ≤ 2 s.
"""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from bench.common import (
    LARGE_ACCOUNTS,
    LARGE_TODAY,
    available_databases,
    figure,
    large_portfolio,
    median_time,
    ms,
    say,
)

TARGET = 2.0
LINES = 40


def _account(session: Any) -> tuple[int, int]:
    """A key account of the most common (segment, size band) with a manager: (id, manager)."""
    from accord.accounts.models import Account

    common = session.execute(
        select(Account.segment, Account.size_band).where(
            Account.segment.is_not(None), Account.size_band.is_not(None))
        .group_by(Account.segment, Account.size_band)
        .order_by(func.count().desc()).limit(1)).first()
    conditions = [Account.manager_id.is_not(None)]
    if common is not None:
        conditions += [Account.segment == common[0], Account.size_band == common[1]]
    row = session.execute(select(Account.id, Account.manager_id).where(*conditions)
                          .order_by(Account.id).limit(1)).first()
    assert row is not None, "the portfolio has no managed account"
    return int(row[0]), int(row[1])


def _proposal(session: Any) -> tuple[int, Any]:
    from accord.core.database import utcnow
    from accord.core.models import User
    from accord.growth.models import ProductLine
    from accord.growth.opportunities.models import Opportunity
    from accord.proposals import service
    from accord.proposals.schemas import OfferIn, ProposalIn

    account_id, manager_id = _account(session)
    manager = session.get(User, manager_id)
    lines = list(session.scalars(select(ProductLine.id).order_by(ProductLine.id).limit(3)))
    opportunity = Opportunity(account_id=account_id, title="Bench opportunity",
                              kind="cross_sell", stage="proposed", value=Decimal("50000"),
                              probability=50, next_step="", created_at=utcnow(),
                              updated_at=utcnow())
    session.add(opportunity)
    session.flush()
    offers = [OfferIn(description=f"Offer line {i}: licences and services",
                      product_line_id=lines[i % len(lines)] if lines else None,
                      quantity=Decimal(i + 1), unit_price=Decimal("1234.56"),
                      discount=Decimal("12.34"), tax_rate=Decimal(20)) for i in range(LINES)]
    out = service.create_proposal(session, manager, account_id, ProposalIn(
        title="Bench proposal", opportunity_ids=[opportunity.id], offers=offers,
        valid_until=LARGE_TODAY + timedelta(days=30)), today=LARGE_TODAY)
    return out.id, manager


def _measure(kind: str, url: str, runs: int) -> None:
    from accord.core.database import make_engine, session_factory
    from accord.proposals import render
    from accord.proposals.view import get_proposal

    engine = make_engine(url)
    session = session_factory(engine)()
    try:
        pid, manager = _proposal(session)
        read = median_time(lambda: get_proposal(session, manager, pid, today=LARGE_TODAY),
                           runs=runs)
        say(f"  {kind}: proposal {pid}, {LINES} offer lines")

        def pdf() -> bytes:
            proposal, company = render.document(session, manager, pid, today=LARGE_TODAY)
            return render.render_pdf(proposal, company)

        started = time.perf_counter()
        size_kb = len(pdf()) / 1024
        first = time.perf_counter() - started
        whole = median_time(pdf, runs=runs)
        figure(f"{kind}: proposal with benchmarks (SQL)", ms(read))
        figure(f"{kind}: proposal PDF", ms(whole),
               f"target ≤ {TARGET:.0f} s; first (fonts loaded) {ms(first)}; "
               f"{size_kb:,.0f} KiB" + ("" if whole <= TARGET else "  OVER TARGET"))
    finally:
        session.rollback()
        session.close()
        engine.dispose()


def run(args: Any) -> None:
    runs = getattr(args, "runs", None) or 5
    size = getattr(args, "size", None) or LARGE_ACCOUNTS
    for kind in available_databases(getattr(args, "databases", None)):
        _measure(kind, large_portfolio(kind, size), runs)
