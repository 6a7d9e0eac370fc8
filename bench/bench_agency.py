"""Benchmark: agency work on the large demo portfolio (issue 14).

On the cached demo portfolio of 100,000 accounts (``bench/common.py``) with the agency's demo
data scaled to the issue's figures (``agency.demo``: 200,000 briefs over the agency clients,
50,000 client input requests; added once to a portfolio cached before), in process (FastAPI
TestClient), the *server* time of ~30 requests per scenario, median and p95:

- the department board (``GET /briefs/board?department_id=…``, every department in turn) as
  an admin, as a department's specialist and as a manager (≤ 100 ms), and its API twin;
- the on-time rate per department (``GET /api/v1/agency/on-time?by=department``) for a
  month, a quarter, a year and nine months, as an admin and as a head (≤ 150 ms).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text

from bench.bench_lists import SECRET, ServerTimer, StatementLog, _login
from bench.bench_plans import run_scenarios
from bench.common import (
    LARGE_ACCOUNTS,
    LARGE_SEED,
    LARGE_TODAY,
    available_databases,
    large_portfolio,
    say,
)

BOARD_TARGET = 0.100
ON_TIME_TARGET = 0.150
BRIEFS = 200_000
INPUTS = 50_000
PERIODS = (("2026-10-01", "2026-10-31"), ("2026-07-01", "2026-09-30"),
           ("2025-11-01", "2026-10-31"), ("2026-02-01", "2026-10-31"))


def with_agency(url: str) -> tuple[int, int]:
    """The portfolio's briefs and input requests; seeds the agency's demo data at the issue's
    scale when it has none."""
    from accord.agency.demo import seed_demo
    from accord.agency.models import Brief, InputRequest
    from accord.core.database import make_engine, session_factory
    from accord.core.security import hash_password
    from accord.demo.generator import DEMO_PASSWORD

    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            briefs = session.scalar(select(func.count(Brief.id))) or 0
            if briefs < BRIEFS:  # the demo seeds its own few thousand: topped up to scale
                say(f"  (adding briefs and input requests up to {BRIEFS:,} and {INPUTS:,} to "
                    f"the cached portfolio's {briefs:,} briefs; once)")
                start = time.perf_counter()
                seed_demo(session, seed=LARGE_SEED, today=LARGE_TODAY, accounts=LARGE_ACCOUNTS,
                          password_hash=hash_password(DEMO_PASSWORD), briefs=BRIEFS,
                          inputs=INPUTS, top_up=True)
                say(f"  (written in {time.perf_counter() - start:,.1f} s)")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        with session_factory(engine).begin() as session:
            return (session.scalar(select(func.count(Brief.id))) or 0,
                    session.scalar(select(func.count(InputRequest.id))) or 0)
    finally:
        engine.dispose()


def _people(url: str) -> dict[str, Any]:
    """The admin, a head, the manager with the most briefs, the departments and a
    specialist of the busiest department."""
    from accord.core.database import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            departments = [int(r[0]) for r in conn.execute(text(
                "SELECT id FROM departments ORDER BY id"))]
            busiest = conn.execute(text(
                "SELECT department_id FROM briefs GROUP BY department_id "
                "ORDER BY count(*) DESC LIMIT 1")).scalar()
            specialist = conn.execute(text(
                "SELECT u.email FROM department_members m JOIN users u ON u.id = m.user_id "
                "WHERE m.department_id = :d ORDER BY u.id LIMIT 1"), {"d": busiest}).scalar()
            manager = conn.execute(text(
                "SELECT u.email FROM briefs b JOIN accounts a ON a.id = b.account_id "
                "JOIN users u ON u.id = a.manager_id GROUP BY u.email "
                "ORDER BY count(*) DESC LIMIT 1")).scalar()
            head = conn.execute(text(
                "SELECT u.email FROM teams t JOIN users u ON u.id = t.head_id "
                "JOIN users m ON m.team_id = t.id WHERE m.email = :m"), {"m": manager}).scalar()
    finally:
        engine.dispose()
    return {"admin": "admin@accord.demo", "head": head, "manager": manager,
            "specialist": specialist, "departments": departments, "busiest": busiest}


def bench_database(kind: str, size: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from accord.app.asgi import create_app
    from accord.core.settings import Settings

    url = large_portfolio(kind, size)
    briefs, inputs = with_agency(url)
    people = _people(url)
    say(f"  [{kind}] {briefs:,} briefs, {inputs:,} input requests, "
        f"{len(people['departments'])} departments; load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    app = create_app(Settings(mode="test", database_url=url, secret_key=SECRET))
    timer = ServerTimer(app)
    log = StatementLog()
    clients: dict[str, Any] = {}
    for who in ("admin", "head", "manager", "specialist"):
        clients[who] = TestClient(timer)
        _login(clients[who], people[who])
    boards = [f"/briefs/board?department_id={d}" for d in people["departments"]]
    own_board = f"/briefs/board?department_id={people['busiest']}"
    on_time = [f"/api/v1/agency/on-time?by=department&from={a}&to={b}" for a, b in PERIODS]
    results: dict[str, float] = {}

    def calls(who: str, urls: list[str]) -> list[Callable[[], Any]]:
        return [functools.partial(clients[who].get, u) for u in urls]

    try:
        scenarios: list[tuple[str, list[Callable[[], Any]], float]] = [
            ("GET /briefs/board, every department, as admin", calls("admin", boards),
             BOARD_TARGET),
            ("GET /briefs/board, their department, as a specialist",
             calls("specialist", [own_board]), BOARD_TARGET),
            ("GET /briefs/board, every department, as a manager", calls("manager", boards),
             BOARD_TARGET),
            ("GET /api/v1/briefs/board, every department, as admin",
             calls("admin", [f"/api/v1{u}" for u in boards]), BOARD_TARGET),
            ("GET /api/v1/agency/on-time by department (4 periods), as admin",
             calls("admin", on_time), ON_TIME_TARGET),
            ("GET /api/v1/agency/on-time by department (4 periods), as a head",
             calls("head", on_time), ON_TIME_TARGET),
        ]
        results.update(run_scenarios(kind, url, timer, log, scenarios))
    finally:
        log.close()
    return results


def run(args: Any = None) -> dict[str, dict[str, float]]:
    size = getattr(args, "size", None) or LARGE_ACCOUNTS
    wanted = getattr(args, "databases", None)
    say(f"  agency work, {size:,} accounts, {BRIEFS:,} briefs, {INPUTS:,} input requests; "
        f"targets: department board ≤ {BOARD_TARGET * 1000:.0f} ms, on-time rate per "
        f"department ≤ {ON_TIME_TARGET * 1000:.0f} ms (median)")
    say(f"  machine: {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work slows every figure)")
    results = {}
    for kind in available_databases(wanted):
        results[kind] = bench_database(kind, size)
    return results
