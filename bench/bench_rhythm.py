"""Benchmark: the account rhythm on the large demo portfolio (issue 13).

On the cached demo portfolio of 100,000 accounts (``bench/common.py``: 40 managers, about
600,000 interactions) with the rhythm's demo data (``calendar.demo``: follow-ups, business
reviews, contract end dates on the key accounts; added once to a portfolio cached before),
in process (FastAPI TestClient), the *server* time of ~30 requests per scenario, median and
p95:

- ``GET /today`` (My day) as managers (≤ 100 ms) and as a head (≤ 200 ms);
- ``GET /calendar/feed/{token}.ics``, one user's iCalendar feed (≤ 50 ms);
- ``GET /api/v1/kpis/coverage`` for the portfolio, as an admin (≤ 150 ms);

and the wall time of the daily digest for the 40 managers, rendered and sent to an SMTP
server on loopback (aiosmtpd; ≤ 5 s), then for every recipient (the heads and sales too),
the ``digests_sent`` rows of the day cleared first.
"""

from __future__ import annotations

import functools
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select, text

from bench.bench_lists import SECRET, ServerTimer, StatementLog, _login
from bench.bench_plans import run_scenarios  # the same 30 requests, told alike
from bench.common import (
    LARGE_ACCOUNTS,
    LARGE_SEED,
    LARGE_TODAY,
    available_databases,
    figure,
    large_portfolio,
    say,
)

MANAGER_TARGET = 0.100
HEAD_TARGET = 0.200
FEED_TARGET = 0.050
COVERAGE_TARGET = 0.150
DIGEST_TARGET = 5.0
RUNS = 30
#: the migration's backfill (0020_rhythm), for a portfolio cached before the demo kept it
BACKFILL = (
    "UPDATE accounts SET last_qualifying_touch_on = ("
    " SELECT max(i.occurred_on) FROM interactions i"
    " WHERE i.account_id = accounts.id"
    " AND i.kind IN ('call', 'meeting', 'email', 'business_review')"
    " AND EXISTS (SELECT 1 FROM interaction_contacts ic WHERE ic.interaction_id = i.id))"
)


def with_rhythm(url: str) -> int:
    """The portfolio's follow-ups; seeds the rhythm's demo data when it has none."""
    from accord.calendar.demo import seed_demo
    from accord.calendar.models import FollowUp
    from accord.core.database import make_engine, session_factory

    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            if session.scalar(text(  # cached before the column was kept: fill it once
                    "SELECT count(*) FROM accounts WHERE last_qualifying_touch_on IS NOT NULL")
                    ) == 0:
                say("  (filling accounts.last_qualifying_touch_on of the cached portfolio; once)")
                session.execute(text(BACKFILL))
            count = session.scalar(select(func.count(FollowUp.id))) or 0
            if count == 0:
                say("  (adding the rhythm's demo data to the cached portfolio; once)")
                start = time.perf_counter()
                count = seed_demo(session, seed=LARGE_SEED, today=LARGE_TODAY,
                                  accounts=LARGE_ACCOUNTS)
                say(f"  ({count:,} follow-ups in {time.perf_counter() - start:,.1f} s)")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        return count
    finally:
        engine.dispose()


def _people(url: str) -> dict[str, Any]:
    from accord.core.database import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            managers = [str(r[0]) for r in conn.execute(text(
                "SELECT u.email FROM users u WHERE u.role = 'manager' AND u.is_active = :t "
                "ORDER BY u.id"), {"t": True})]
            head = conn.scalar(text(
                "SELECT u.email FROM teams t JOIN users u ON u.id = t.head_id ORDER BY t.id "
                "LIMIT 1"))
    finally:
        engine.dispose()
    return {"admin": "admin@accord.demo", "head": head, "managers": managers}


def _feed_token(url: str, email: str) -> str:
    from accord.calendar.feed.service import create_token
    from accord.core.database import make_engine, session_factory
    from accord.core.models import User

    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            user = session.scalars(select(User).where(User.email == email)).one()
            _row, secret = create_token(session, user)
            return secret
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _digest(kind: str, url: str, *, managers_only: bool) -> float:
    """Wall time of the digest, sent to aiosmtpd on loopback: for the 40 managers (the
    issue's figure: the heads' and sales' digests of the day recorded beforehand, so the run
    passes them by as it passes any digest already sent) or for every recipient."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from accord.calendar.digest.service import send_digests
    from accord.calendar.models import DigestSent
    from accord.core.database import make_engine, session_factory
    from accord.core.models import User
    from accord.core.settings import Settings

    class Counter(Sink):
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Counter.received += 1
            return "250 OK"

    port = _free_port()
    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    engine = make_engine(url)
    factory = session_factory(engine)
    settings = Settings(mode="test", database_url=url, secret_key=SECRET,
                        smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    try:
        with factory.begin() as session:
            session.execute(delete(DigestSent).where(DigestSent.day == LARGE_TODAY))
            if managers_only:
                others = session.scalars(select(User.id).where(User.role != "manager"))
                session.add_all([DigestSent(user_id=u, day=LARGE_TODAY, outcome="sent")
                                 for u in others])
        start = time.perf_counter()
        report = send_digests(factory, settings, LARGE_TODAY)
        took = time.perf_counter() - start
        with factory.begin() as session:  # the next run sends again
            session.execute(delete(DigestSent).where(DigestSent.day == LARGE_TODAY))
    finally:
        controller.stop()
        engine.dispose()
    who = "the managers" if managers_only else "every recipient (managers, heads, sales)"
    verdict = "ok" if took <= DIGEST_TARGET else f"OVER the {DIGEST_TARGET:.0f} s target"
    figure(f"[{kind}] daily digest, {who}, to loopback SMTP", f"{took:,.2f} s",
           f"{report.sent} sent, {report.skipped} skipped, {report.failed} failed; "
           f"{Counter.received} received" + (f" — {verdict}" if managers_only else ""))
    return took


def bench_database(kind: str, size: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from accord.app.asgi import create_app
    from accord.core.settings import Settings

    url = large_portfolio(kind, size)
    follow_ups = with_rhythm(url)
    people = _people(url)
    managers = people["managers"][:10]
    token = _feed_token(url, managers[0])
    say(f"  [{kind}] {follow_ups:,} follow-ups; {len(people['managers'])} managers; load "
        f"average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    app = create_app(Settings(mode="test", database_url=url, secret_key=SECRET))
    timer = ServerTimer(app)
    log = StatementLog()
    clients: dict[str, Any] = {}
    for who, email in (("admin", people["admin"]), ("head", people["head"]),
                       *((f"m{n}", m) for n, m in enumerate(managers))):
        clients[who] = TestClient(timer)
        _login(clients[who], email)
    results: dict[str, float] = {}
    try:
        scenarios: list[tuple[str, list[Callable[[], Any]], float]] = [
            ("GET /today (My day) as a manager",
             [functools.partial(clients[f"m{n}"].get, "/today")
              for n in range(len(managers))], MANAGER_TARGET),
            ("GET /today (My day) as a head",
             [functools.partial(clients["head"].get, "/today")], HEAD_TARGET),
            ("GET /calendar/feed/{token}.ics, one manager's feed",
             [functools.partial(clients["admin"].get, f"/calendar/feed/{token}.ics")],
             FEED_TARGET),
            ("GET /api/v1/kpis/coverage, the portfolio, as admin",
             [functools.partial(clients["admin"].get, "/api/v1/kpis/coverage"),
              functools.partial(clients["admin"].get, "/api/v1/kpis/coverage?by=manager")],
             COVERAGE_TARGET),
        ]
        results.update(run_scenarios(kind, url, timer, log, scenarios))
    finally:
        log.close()
    results["digest, managers"] = _digest(kind, url, managers_only=True)
    results["digest, everyone"] = _digest(kind, url, managers_only=False)
    return results


def run(args: Any = None) -> dict[str, dict[str, float]]:
    size = getattr(args, "size", None) or LARGE_ACCOUNTS
    wanted = getattr(args, "databases", None)
    say(f"  the account rhythm, {size:,} accounts; {RUNS} requests per scenario; targets: My "
        f"day ≤ {MANAGER_TARGET * 1000:.0f} ms (manager) / {HEAD_TARGET * 1000:.0f} ms (head), "
        f"feed ≤ {FEED_TARGET * 1000:.0f} ms, coverage ≤ {COVERAGE_TARGET * 1000:.0f} ms "
        f"(median), digest for every manager ≤ {DIGEST_TARGET:.0f} s")
    say(f"  machine: {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work slows every figure)")
    results = {}
    for kind in available_databases(wanted):
        results[kind] = bench_database(kind, size)
    return results
