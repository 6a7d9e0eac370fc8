"""Benchmarks from Accord's own data, for a proposal: how accounts similar to the client (same
segment and size band) grew after they started buying an offered product line, and the
client's own history with us.

A peer "started buying" a line in its first month with revenue on it
(``product_line_revenue``); its change is the revenue of the 12 months from then against the
12 months before (``monthly_revenue``), counted only once those 12 months have passed and
when it bought from us before. The cohort's figures: the lower median of the changes, its
NRR (the sum after over the sum before) and how many accounts they rest on; below
``rules.MIN_COHORT`` accounts nothing but the count is shown. Everything is summed in the
database; Python only orders the cohort's changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core.periods import month_index
from accord.growth.models import ProductLine, ProductLineRevenue
from accord.proposals import rules
from accord.proposals.schemas import Benchmark, Benchmarks, YearRevenue
from accord.revenue.models import MonthlyRevenue

WINDOW = 12


def _cohorts(session: Session, account: Account, line_ids: list[int], last: int
             ) -> dict[int, list[tuple[int, int]]]:
    """Per product line, (revenue before, revenue after) of each peer that started buying it:
    one statement for every line offered (one pass over the summaries)."""
    peers = select(Account.id).where(
        Account.segment == account.segment, Account.size_band == account.size_band,
        Account.id != account.id)
    start = (
        select(ProductLineRevenue.product_line_id.label("line_id"),
               ProductLineRevenue.account_id.label("account_id"),
               func.min(ProductLineRevenue.month).label("m0"))
        .where(ProductLineRevenue.product_line_id.in_(line_ids),
               ProductLineRevenue.amount_cents > 0,
               ProductLineRevenue.account_id.in_(peers))
        .group_by(ProductLineRevenue.product_line_id, ProductLineRevenue.account_id)
        .having(func.min(ProductLineRevenue.month) + (WINDOW - 1) <= last)
        .subquery("started"))
    before = func.sum(case((MonthlyRevenue.month < start.c.m0, MonthlyRevenue.amount_cents),
                           else_=0))
    after = func.sum(case((MonthlyRevenue.month >= start.c.m0, MonthlyRevenue.amount_cents),
                          else_=0))
    rows = session.execute(
        select(start.c.line_id, before, after)
        .select_from(start)
        .join(MonthlyRevenue, (MonthlyRevenue.account_id == start.c.account_id)
              & (MonthlyRevenue.month >= start.c.m0 - WINDOW)
              & (MonthlyRevenue.month <= start.c.m0 + (WINDOW - 1)))
        .group_by(start.c.line_id, start.c.account_id)
        .having(before > 0))
    found: dict[int, list[tuple[int, int]]] = {}
    for line_id, b, a in rows:
        found.setdefault(int(line_id), []).append((int(b), int(a)))
    return found


def line_benchmark(line: ProductLine, cohort: list[tuple[int, int]]) -> Benchmark:
    shown = len(cohort) >= rules.MIN_COHORT
    changes = [c for b, a in cohort if (c := rules.change(b, a)) is not None]
    total_before = sum(b for b, _ in cohort)
    nrr = (Decimal(sum(a for _, a in cohort)) / Decimal(total_before)).quantize(
        Decimal("0.0001")) if shown and total_before else None
    return Benchmark(product_line_id=line.id, product_line=line.name, accounts=len(cohort),
                     shown=shown, median_change=rules.lower_median(changes) if shown else None,
                     nrr=nrr)


def history(session: Session, account_id: int) -> list[YearRevenue]:
    """The client's revenue with us per calendar year."""
    year = (MonthlyRevenue.month // 12).label("year")
    rows = session.execute(
        select(year, func.sum(MonthlyRevenue.amount_cents))
        .where(MonthlyRevenue.account_id == account_id).group_by(year).order_by(year))
    return [YearRevenue(year=int(y), revenue=Decimal(int(c)) / 100) for y, c in rows]


def benchmarks(
    session: Session, account: Account, line_ids: Iterable[int], *, today: date
) -> Benchmarks:
    ids = sorted(set(line_ids))
    lines = list(session.scalars(
        select(ProductLine).where(ProductLine.id.in_(ids)).order_by(ProductLine.name))) \
        if ids else []
    last = month_index(today) - 1  # the last complete month
    cohorts = ({} if not lines or account.segment is None or account.size_band is None
               else _cohorts(session, account, [line.id for line in lines], last))
    return Benchmarks(
        segment=account.segment, size_band=account.size_band,
        lines=[line_benchmark(line, cohorts.get(line.id, [])) for line in lines],
        history=history(session, account.id))
