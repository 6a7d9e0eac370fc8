"""Benchmark: the account page with its plan and the Plans page on the large demo portfolio.

On the cached demo portfolio of 100,000 accounts (``bench/common.py``) with plans for its
5,000 key accounts (``plans.demo``; added to a portfolio cached before plans existed), in
process (FastAPI TestClient), the *server* time (around the ASGI app) of ~30 requests per
scenario, median and p95:

- ``GET /accounts/{id}`` of accounts with a plan (the page with the plan's headline: tied
  objectives' progress computed), as an admin and as each account's manager;
- ``GET /plans`` — one page, with filters (none, stale, overdue, tier, segment, manager),
  sorts (account, completeness, last review, overdue) and pages, computed progress of tied
  objectives — as an admin, a head and a manager; ``GET /api/v1/plans`` as an admin.

Targets: account page ≤ 100 ms, Plans page ≤ 150 ms (median). A scenario over its target
shows the slowest statement of one request with its plan.
"""

from __future__ import annotations

import functools
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text

from bench.bench_lists import SECRET, ServerTimer, StatementLog, _diagnose, _login
from bench.common import (
    LARGE_ACCOUNTS,
    LARGE_SEED,
    LARGE_TODAY,
    available_databases,
    figure,
    large_portfolio,
    say,
)

ACCOUNT_TARGET = 0.100
PLANS_TARGET = 0.150
RUNS = 30
PLAN_QUERIES = (
    "", "?stale=yes", "?overdue=yes", "?tier=Strategic", "?sort=-completeness",
    "?sort=reviewed", "?overdue=no&sort=-overdue", "?page=3", "?tier=Star&stale=no",
    "?sort=-account&page=2",
)


def with_plans(url: str) -> int:
    """The portfolio's current plans; seeds them (``plans.demo``) when it has none."""
    from accord.core.database import make_engine, session_factory
    from accord.plans.demo import seed_demo
    from accord.plans.models import AccountPlan

    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            count = session.scalar(select(func.count(AccountPlan.id))) or 0
            if count == 0:
                say("  (adding the demo plans of the key accounts to the cached portfolio; once)")
                start = time.perf_counter()
                count = seed_demo(session, seed=LARGE_SEED, today=LARGE_TODAY,
                                  accounts=LARGE_ACCOUNTS)
                say(f"  ({count:,} plans in {time.perf_counter() - start:,.1f} s)")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        with engine.connect() as conn:
            return int(conn.scalar(text(
                "SELECT count(*) FROM account_plans WHERE is_current = :t"), {"t": True}) or 0)
    finally:
        engine.dispose()


def _sample(url: str) -> tuple[list[tuple[int, str]], dict[str, str]]:
    """Accounts with a current plan (id, manager's e-mail), and people to sign in as."""
    from accord.core.database import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT a.id, u.email FROM account_plans p JOIN accounts a ON a.id = p.account_id "
                "JOIN users u ON u.id = a.manager_id WHERE p.is_current = :t "
                "ORDER BY p.id LIMIT 200"), {"t": True}).all()
            head = conn.scalar(text(
                "SELECT u.email FROM teams t JOIN users u ON u.id = t.head_id ORDER BY t.id "
                "LIMIT 1"))
    finally:
        engine.dispose()
    accounts = [(int(r[0]), str(r[1])) for r in rows[::7]][:RUNS]
    manager = max({m for _, m in accounts}, key=lambda m: sum(1 for _, x in accounts if x == m))
    return accounts, {"admin": "admin@accord.demo", "head": head or "head1@accord.demo",
                      "manager": manager}


def _measure(timer: ServerTimer, calls: list[Callable[[], Any]]) -> list[float]:
    for call in calls[:3]:  # warm caches and the connection pool
        call()
    server = []
    for n in range(RUNS):
        response = calls[n % len(calls)]()
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        server.append(timer.last)
    return server


def _api(query: str) -> str:
    """The page's query for the API (whose flags are true/false)."""
    return query.replace("=yes", "=true").replace("=no", "=false")


def _first_call(calls: list[Callable[[], Any]]) -> Callable[[str], Any]:
    """``bench_lists._diagnose``'s request: the scenario's first call (the term unused)."""
    return lambda _term: calls[0]()


def run_scenarios(kind: str, url: str, timer: ServerTimer, log: StatementLog,
                  scenarios: list[tuple[str, list[Callable[[], Any]], float]]
                  ) -> dict[str, float]:
    """Each scenario's 30 requests measured and reported (median against its target), the
    statements of one request printed when it is over; label -> median seconds."""
    results: dict[str, float] = {}
    for label, calls, target in scenarios:
        median = _report(kind, label, _measure(timer, calls), target)
        results[label] = median
        if median > target:
            _diagnose(url, log, _first_call(calls), "")
    return results


def _report(kind: str, label: str, server: list[float], target: float) -> float:
    median = statistics.median(server)
    p95 = sorted(server)[min(len(server) - 1, int(len(server) * 0.95))]
    verdict = "ok" if median <= target else f"OVER the {target * 1000:.0f} ms target"
    figure(f"[{kind}] {label}", f"{median * 1000:,.1f} ms",
           f"server median; p95 {p95 * 1000:,.1f} ms — {verdict}")
    return median


def bench_database(kind: str, size: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from accord.app.asgi import create_app
    from accord.core.settings import Settings

    url = large_portfolio(kind, size)
    plans = with_plans(url)
    accounts, people = _sample(url)
    say(f"  [{kind}] {plans:,} current plans; load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    app = create_app(Settings(mode="test", database_url=url, secret_key=SECRET))
    timer = ServerTimer(app)
    log = StatementLog()
    clients: dict[str, Any] = {}
    for who, email in people.items():
        clients[who] = TestClient(timer)
        _login(clients[who], email)
    results: dict[str, float] = {}
    try:
        mine = [a for a, m in accounts if m == people["manager"]] or [accounts[0][0]]
        scenarios: list[tuple[str, list[Callable[[], Any]], float]] = [
            ("GET /accounts/{id} with its plan, as admin",
             [functools.partial(clients["admin"].get, f"/accounts/{a}") for a, _ in accounts],
             ACCOUNT_TARGET),
            ("GET /accounts/{id} with its plan, as its manager",
             [functools.partial(clients["manager"].get, f"/accounts/{a}") for a in mine],
             ACCOUNT_TARGET),
        ]
        for who in ("admin", "head", "manager"):
            scenarios.append((f"GET /plans (filters, sorts, pages) as {who}",
                              [functools.partial(clients[who].get, f"/plans{q}")
                               for q in PLAN_QUERIES], PLANS_TARGET))
        scenarios.append(("GET /api/v1/plans (filters, sorts, pages) as admin",
                          [functools.partial(clients["admin"].get, f"/api/v1/plans{_api(q)}")
                           for q in PLAN_QUERIES], PLANS_TARGET))
        results.update(run_scenarios(kind, url, timer, log, scenarios))
    finally:
        log.close()
    return results


def run(args: Any = None) -> dict[str, dict[str, float]]:
    size = getattr(args, "size", None) or LARGE_ACCOUNTS
    wanted = getattr(args, "databases", None)
    say(f"  the account page with its plan and the Plans page, {size:,} accounts, plans for "
        f"the key accounts; {RUNS} requests per scenario; targets: account page ≤ "
        f"{ACCOUNT_TARGET * 1000:.0f} ms, Plans page ≤ {PLANS_TARGET * 1000:.0f} ms (median)")
    say(f"  machine: {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work slows every figure)")
    results = {}
    for kind in available_databases(wanted):
        results[kind] = bench_database(kind, size)
    return results
