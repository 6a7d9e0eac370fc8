"""Benchmark: the portfolio Licences page (``GET /licences``) over 5,000 subscriptions and
1 million seats, on SQLite and PostgreSQL.

The world (built fresh in ``bench-data/licences_page``, with INSERT … SELECT over a recursive
row counter): 1,000 accounts of 25 managers, 5 services (each with two workloads), 5
subscriptions per account (5,000), 200 licence users per account (200,000) each holding a
seat of every service (1,000,000 seats), two activity rows per person (400,000), quantities
and activity varied so that up-sell and risk signals appear. The usage store is then built by
``licences.signals.service.refresh_all`` (timed, for information).

Timed: the median *server* time of ``RUNS`` requests of ``/licences`` (first page, another
sort and page, a search) as an admin (everything) and a manager (their accounts).
Target: median ≤ 200 ms.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BigInteger, Date, String, case, cast, insert, literal, select

from bench.bench_lists import ServerTimer
from bench.common import available_databases, figure, fresh_database, login, ms, say

TARGET_SECONDS = 0.200
RUNS = 20
ACCOUNTS = 1_000
SERVICES = 5
PEOPLE = 200  # per account; each holds a seat of every service
MANAGERS = 25
TODAY = date(2026, 6, 15)
PASSWORD = "accord-bench"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def _counter(rows: int) -> Any:
    """A recursive CTE of i = 0 … rows − 1 (both databases)."""
    n = select(literal(0, BigInteger).label("i")).cte("n", recursive=True)
    return n.union_all(select((n.c.i + 1).label("i")).where(n.c.i < rows - 1))


def build(url: str) -> tuple[float, dict[str, int]]:
    """The world; (seconds to build the usage store, what it found)."""
    from accord.accounts.models import Account
    from accord.core.database import engine_for, session_factory, utcnow
    from accord.core.models import User
    from accord.core.security import hash_password
    from accord.growth.models import Offering, ProductLine, Sku
    from accord.licences.models import (
        LicenceUser,
        SeatActivity,
        SeatAssignment,
        SkuService,
        Subscription,
        SubscriptionTerm,
    )
    from accord.licences.signals import service as signals

    sessions = session_factory(engine_for(url))
    now = utcnow()
    secret = hash_password(PASSWORD)
    with sessions.begin() as s:
        users = [User(email="admin@bench.test", role="admin", name="Admin", password_hash=secret,
                      capacity=100, is_active=True, created_at=now)]
        users += [User(email=f"manager{m}@bench.test", role="manager", name=f"Manager {m}",
                       password_hash=secret, capacity=100, is_active=True, created_at=now)
                  for m in range(MANAGERS)]
        s.add_all(users)
        s.flush()
        managers = [u.id for u in users[1:]]
        accounts = [Account(name=f"Client {a:04d}", name_key=f"client {a:04d}", kind="company",
                            status="active", manager_id=managers[a % MANAGERS], created_at=now,
                            updated_at=now) for a in range(ACCOUNTS)]
        s.add_all(accounts)
        line = ProductLine(name="Software")
        s.add(line)
        s.flush()
        offering = Offering(product_line_id=line.id, name="Licences")
        s.add(offering)
        s.flush()
        skus = [Sku(offering_id=offering.id, code=f"SVC-{k}", name=f"Service {k}", unit="seat",
                    billing_period="year") for k in range(SERVICES)]
        s.add_all(skus)
        s.flush()
        account_ids = [a.id for a in accounts]
        sku_ids = [k.id for k in skus]
        s.add_all([SkuService(sku_id=k, service=w) for k in sku_ids for w in ("teams", "mail")])
        subs = []
        for i, a in enumerate(account_ids):
            for j, k in enumerate(sku_ids):
                start = date(2025, 1 + (i + j) % 12, 1)
                subs.append(Subscription(
                    account_id=a, sku_id=k, status="active", start_on=start, term_months=12,
                    end_on=date(start.year + 1, start.month, 1) - timedelta(days=1),
                    auto_renew=(i + j) % 2 == 0, notice_days=30 * ((i + j) % 4),
                    currency="EUR", created_at=now, updated_at=now))
        s.add_all(subs)
        s.flush()
        s.execute(insert(SubscriptionTerm), [
            {"subscription_id": sub.id, "effective_on": sub.start_on,
             "quantity": PEOPLE + 20 * ((sub.account_id + sub.sku_id) % 4),
             "unit_price": 120, "reason": "bench", "changed_at": now} for sub in subs])
        first_account, first_sku = min(account_ids), min(sku_ids)
        people = _counter(ACCOUNTS * PEOPLE)
        s.execute(insert(LicenceUser).from_select(
            ["id", "account_id", "principal", "display_name", "blocked", "created_at",
             "updated_at"],
            select(people.c.i + 1, people.c.i // PEOPLE + first_account,
                   literal("u") + cast(people.c.i, String) + literal("@bench.test"),
                   literal("User ") + cast(people.c.i, String), literal(False),
                   literal(now), literal(now))))
        seats = _counter(ACCOUNTS * PEOPLE * SERVICES)
        s.execute(insert(SeatAssignment).from_select(
            ["id", "account_id", "licence_user_id", "sku_id", "from_on", "source", "created_at"],
            select(seats.c.i + 1, seats.c.i // (PEOPLE * SERVICES) + first_account,
                   seats.c.i // SERVICES + 1, seats.c.i % SERVICES + first_sku,
                   literal(date(2025, 1, 1), Date), literal("import"), literal(now))))
        rows = _counter(ACCOUNTS * PEOPLE * 2)
        user = rows.c.i // 2 + 1
        profile = (user - 1) // PEOPLE % 3  # per account: all used, half used, a fifth used
        last = case((profile == 0, literal(TODAY, Date)),
                    ((profile == 2) & (user % 10 >= 2), literal(TODAY - timedelta(days=60), Date)),
                    *[((user % 10) == d, literal(TODAY - timedelta(days=d * 7), Date))
                      for d in range(10)], else_=literal(TODAY, Date))
        s.execute(insert(SeatActivity).from_select(
            ["licence_user_id", "service", "last_active_on", "reported_on"],
            select(user, case((rows.c.i % 2 == 0, literal("teams")), else_=literal("mail")),
                   last, literal(TODAY, Date))))
    with sessions.begin() as s:
        began = time.perf_counter()
        found = signals.refresh_all(s, TODAY)
        took = time.perf_counter() - began
    if url.startswith("postgresql"):
        with sessions.begin() as s:
            from sqlalchemy import text
            s.execute(text("ANALYZE"))
    return took, found


def _login(client: Any, email: str) -> None:
    login(client, email, PASSWORD)


def bench_database(kind: str) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from accord.app.asgi import create_app
    from accord.core.settings import Settings

    url = fresh_database(kind, "licences_page")
    start = time.perf_counter()
    took, found = build(url)
    say(f"  [{kind}] world built in {time.perf_counter() - start:,.1f} s; usage store "
        f"(refresh_all, {found['pairs']:,} account × service pairs, {found['upsell']:,} "
        f"up-sell, {found['risk']:,} risk, {found['opened']:,} opportunities opened) "
        f"{ms(took)}")
    app = create_app(Settings(mode="test", database_url=url, secret_key=SECRET))
    timer = ServerTimer(app)
    results: dict[str, float] = {}
    paths = ("/licences", "/licences?sort=-amount&page=7", "/licences?q=client%2004",
             "/licences?sort=end&status=active&page=3")
    for who in ("admin", "manager3"):
        client = TestClient(timer)
        _login(client, f"{who}@bench.test")
        for path in paths:  # warm up
            assert client.get(path).status_code == 200, path
        times = []
        for n in range(RUNS):
            client.get(paths[n % len(paths)])
            times.append(timer.last)
        median = statistics.median(times)
        label = f"GET /licences as {who} (median of {RUNS})"
        results[label] = median
        figure(f"[{kind}] {label}", ms(median),
               "ok" if median <= TARGET_SECONDS else f"over {ms(TARGET_SECONDS)}")
    return results


def run(args: Any = None) -> dict[str, dict[str, float]]:
    wanted = getattr(args, "databases", None)
    say(f"  the portfolio Licences page: {ACCOUNTS * SERVICES:,} subscriptions, "
        f"{ACCOUNTS * PEOPLE * SERVICES:,} seats; target ≤ {ms(TARGET_SECONDS)} (median)")
    say(f"  machine: {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return {kind: bench_database(kind) for kind in available_databases(wanted)}


if __name__ == "__main__":
    run()
