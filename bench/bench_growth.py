"""Benchmark: the portfolio whitespace view and one account's whitespace matrix.

On the cached demo portfolio (``bench/common.py``, 100,000 accounts, 10 product lines), with
the growth data of ``growth.demo`` (the catalogue, the per-line summary built from the
revenue lines, needs and flags; added once, committed, to a portfolio cached before growth
existed): timed in process (the service calls the page and the API make), median and p95 of
``--runs`` (default 20):

- the portfolio view (``growth.portfolio.portfolio``) as an admin (every key account) and as
  a head (their teams' key accounts);
- one account's matrix (``growth.whitespace.matrix``) of key accounts, as an admin.

Targets: portfolio ≤ 300 ms, one matrix ≤ 50 ms (median), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from sqlalchemy import func, select, text

from bench.common import (
    LARGE_ACCOUNTS,
    LARGE_SEED,
    LARGE_TODAY,
    available_databases,
    figure,
    large_portfolio,
    ms,
    say,
    timings,
)

PORTFOLIO_TARGET = 0.300
MATRIX_TARGET = 0.050


def with_growth(url: str) -> None:
    """Seed the growth data (``growth.demo``) into the cached portfolio when it has none."""
    from accord.core.database import make_engine, session_factory
    from accord.growth.demo import seed_demo
    from accord.growth.models import ProductLine
    from accord.revenue.models import RevenueLine

    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            if session.scalar(select(func.count(ProductLine.id))):
                return
            say("  (adding the catalogue and the per-line summary to the cached portfolio; once)")
            start = time.perf_counter()
            names = [n for n in session.scalars(select(RevenueLine.product_line).distinct())
                     if n]
            seed_demo(session, seed=LARGE_SEED, today=LARGE_TODAY, product_lines=sorted(names))
            say(f"  ({len(names)} lines sold, summary built in "
                f"{time.perf_counter() - start:,.1f} s)")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def _people(session: Any) -> tuple[Any, Any]:
    from accord.core.models import Team, User

    admin = session.scalar(select(User).where(User.role == "admin").order_by(User.id).limit(1))
    head = session.scalar(select(User).join(Team, Team.head_id == User.id)
                          .order_by(Team.id).limit(1))
    return admin, head or admin


def _key_accounts(session: Any, count: int) -> list[int]:
    from accord.selection.queries import tier_select
    from accord.selection.rules import KEY_TIERS

    tiers = tier_select(session)
    ids = list(session.scalars(select(tiers.c.account_id).where(tiers.c.tier.in_(KEY_TIERS))
                               .order_by(tiers.c.account_id)))
    return ids[:: max(1, len(ids) // count)][:count] if ids else []


def _report(label: str, seconds: list[float], target: float) -> float:
    median = statistics.median(seconds)
    p95 = sorted(seconds)[max(0, int(len(seconds) * 0.95) - 1)]
    figure(label, ms(median), f"p95 {ms(p95)}; target ≤ {target * 1000:.0f} ms"
           + ("" if median <= target else "  OVER TARGET"))
    return median


def bench_database(kind: str, size: int, runs: int) -> dict[str, float]:
    from accord.core.database import make_engine, reading_session, session_factory
    from accord.growth import portfolio, whitespace

    url = large_portfolio(kind, size)
    with_growth(url)
    engine = make_engine(url)
    out: dict[str, float] = {}
    try:
        session = reading_session(session_factory(engine))
        try:
            admin, head = _people(session)
            accounts = _key_accounts(session, runs)
            for who, user in (("admin", admin), ("head", head)):
                seconds = timings(lambda u=user: portfolio.portfolio(  # type: ignore[misc]
                    session, u, today=LARGE_TODAY), runs=max(3, runs // 4))
                out[f"portfolio_{who}"] = _report(
                    f"{kind}: portfolio whitespace view ({who})", seconds, PORTFOLIO_TARGET)
            if accounts:
                seconds = []
                for account_id in accounts:
                    whitespace.matrix(session, admin, account_id, today=LARGE_TODAY)  # warm
                    start = time.perf_counter()
                    whitespace.matrix(session, admin, account_id, today=LARGE_TODAY)
                    seconds.append(time.perf_counter() - start)
                out["matrix"] = _report(f"{kind}: one account's matrix ({len(accounts)} key "
                                        "accounts)", seconds, MATRIX_TARGET)
            else:
                say(f"  {kind}: no key accounts: the matrix is not timed")
        finally:
            session.rollback()
            session.close()
    finally:
        engine.dispose()
    return out


def run(args: Any = None) -> dict[str, dict[str, float]]:
    size = getattr(args, "size", None) or LARGE_ACCOUNTS
    runs = getattr(args, "runs", None) or 20
    say(f"  the portfolio whitespace view and one account's matrix, {size:,} accounts; "
        f"targets: portfolio ≤ {PORTFOLIO_TARGET * 1000:.0f} ms, matrix ≤ "
        f"{MATRIX_TARGET * 1000:.0f} ms (median)")
    return {kind: bench_database(kind, size, runs)
            for kind in available_databases(getattr(args, "databases", None))}
