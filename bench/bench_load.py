"""Benchmark: a team at work — ``accord serve`` under 10 and 50 virtual users (issue 9).

``accord serve`` is started as a separate process, as users run it, on the cached demo
portfolio of 2,000 accounts (and on the 100,000-account large demo when it is already in
``bench-data/`` or ``--load-large`` asks for it), on each database. A closed-loop driver in
this process (asyncio + httpx) runs the virtual users: each signs in (a session cookie for
the pages) and holds an API token, then sends one request, waits about a second (0.5-1.5 s)
and sends the next, for ``--load-seconds`` (default 20). The mix:

- 80 % reads: the accounts list and a search (pages), an account page, the KPI dashboard,
  the API (an account, the account search, the KPI document);
- 20 % writes through the API: an interaction logged, an account's notes edited, a contact
  added — each by a manager on one of their own accounts.

Printed per run: throughput, p50/p95/p99 of the round trip, errors (5xx and broken
connections; any other unexpected status is counted apart), and the CPU used by the driver
and by the server process. Target: **0 errors**; p95 <= 300 ms at 10 users on the
2,000-account demo. Options: ``--load-users 10,50``, ``--load-seconds N``, ``--load-large``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    LARGE_ACCOUNTS,
    available_databases,
    figure,
    large_portfolio,
    portfolio_name,
    postgres_exists,
    postgres_url,
    say,
    sqlite_url,
)

DEMO_ACCOUNTS = 2_000
PASSWORD = "accord-demo"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
TARGET_P95 = 0.300
THINK = (0.5, 1.5)  # seconds between a virtual user's requests
WRITE_SHARE = 0.20
TERMS = ("var", "nor", "tex", "health", "capital", "gmbh", "bank", "labs", "digital", "zen")


def _options(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench load", add_help=False)
    parser.add_argument("--load-users", default="10,50")
    parser.add_argument("--load-seconds", type=float, default=20.0)
    parser.add_argument("--load-large", action="store_true")
    options, _ = parser.parse_known_args(args)
    return options


# ---------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accord_command() -> list[str]:
    script = Path(sys.executable).with_name("accord")
    if script.exists():
        return [str(script)]
    found = shutil.which("accord")
    return [found] if found else [sys.executable, "-m", "accord.app.commands"]


class Server:
    """``accord serve`` in its own process (the console script users run)."""

    def __init__(self, url: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "ACCORD_DATABASE_URL": url, "ACCORD_SECRET_KEY": SECRET}
        self.process = subprocess.Popen(
            [*_accord_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"accord serve exited: {err[-2000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError("accord serve did not start")

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process so far (Linux /proc; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


# ---------------------------------------------------------------- the portfolio


@dataclass
class Cast:
    """Who the virtual users are: managers with their own accounts, and the others."""

    managers: list[tuple[str, list[int]]]
    readers: list[str]  # admin and viewer (they see every account)
    accounts: list[int]


def _cast(url: str) -> Cast:
    from sqlalchemy import text

    from accord.core.database import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT u.email, a.id FROM accounts a JOIN users u ON u.id = a.manager_id "
                "WHERE u.role = 'manager' AND u.email LIKE '%@accord.demo' ORDER BY u.id, a.id"
            )).all()
            readers = [r[0] for r in conn.execute(text(
                "SELECT email FROM users WHERE role IN ('admin', 'viewer') "
                "AND email LIKE '%@accord.demo' ORDER BY id"))]
            accounts = [r[0] for r in conn.execute(text("SELECT id FROM accounts ORDER BY id"))]
    finally:
        engine.dispose()
    by_manager: dict[str, list[int]] = {}
    for email, account in rows:
        by_manager.setdefault(email, []).append(account)
    return Cast(sorted(by_manager.items()), readers, accounts)


def _tokens(url: str, emails: list[str]) -> dict[str, str]:
    from accord.core.database import make_engine, session_factory
    from accord.core.identity import get_user_by_email
    from accord.users.service import issue_token

    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            return {e: issue_token(session, None, get_user_by_email(session, e).id,
                                   "bench-load").token
                    for e in emails}
    finally:
        engine.dispose()


def _cached(kind: str, accounts: int) -> str | None:
    """The cached portfolio's URL when it is already built (never builds it)."""
    from bench import common

    name = portfolio_name(accounts)
    if kind == "sqlite":
        path = common.DATA_DIR / f"{name}.db"
        url = sqlite_url(path)
        ok = path.exists()
    else:
        url = postgres_url(f"accord_bench_{name}")
        ok = postgres_exists(f"accord_bench_{name}")
    return url if ok and common._matches(common._marker(url), common._spec(accounts)) else None


# ---------------------------------------------------------------- the virtual users


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)
    reads: int = 0
    writes: int = 0


CSRF = (re.compile(r'name="csrf-token" content="([^"]+)"'),
        re.compile(r'name="csrf_token"\s+value="([^"]+)"'))


async def _sign_in(client: Any, email: str) -> None:
    page = await client.get("/login")
    data = {"email": email, "password": PASSWORD}
    for pattern in CSRF:
        match = pattern.search(page.text)
        if match:
            data["csrf_token"] = match.group(1)
            break
    response = await client.post("/login", data=data, follow_redirects=False)
    if response.status_code not in (302, 303):
        raise RuntimeError(f"login as {email} failed: HTTP {response.status_code}")


def _read(rng: random.Random, account: int) -> tuple[str, str, str]:
    """(door, method, path) of one read."""
    term = rng.choice(TERMS)
    return rng.choice((
        ("page", "GET", "/accounts"),
        ("page", "GET", f"/accounts?q={term}"),
        ("page", "GET", f"/accounts/{account}"),
        ("page", "GET", "/dashboard"),
        ("api", "GET", f"/api/v1/accounts/{account}"),
        ("api", "GET", f"/api/v1/accounts?q={term}"),
        ("api", "GET", "/api/v1/kpis"),
    ))


def _write(rng: random.Random, account: int, n: int) -> tuple[str, str, dict[str, Any]]:
    """(method, path, JSON body) of one write on one of the manager's accounts."""
    today = time.strftime("%Y-%m-%d", time.gmtime())
    kind = rng.random()
    if kind < 0.5:
        return "POST", f"/api/v1/accounts/{account}/interactions", {
            "kind": "call", "occurred_on": today, "summary": f"load test call {n}"}
    if kind < 0.8:
        return "PATCH", f"/api/v1/accounts/{account}", {"notes": f"load test note {n}"}
    return "POST", f"/api/v1/accounts/{account}/contacts", {
        "name": f"Load Tester {n}", "function": "purchasing"}


async def _user(pages: Any, api: Any, own: list[int], everyone: list[int], until: float,
                tally: Tally, seed: int) -> None:
    import httpx

    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, THINK[1]))  # spread the first requests
    n = 0
    while time.monotonic() < until:
        n += 1
        write = bool(own) and rng.random() < WRITE_SHARE
        started = time.perf_counter()
        try:
            if write:
                method, path, body = _write(rng, rng.choice(own), n)
                response = await api.request(method, path, json=body)
                tally.writes += 1
            else:
                door, method, path = _read(rng, rng.choice(own or everyone))
                response = await (pages if door == "page" else api).request(method, path)
                tally.reads += 1
            took = time.perf_counter() - started
            tally.latencies.append(took)
            tally.by_kind.setdefault(f"{method} {_shape(path)}", []).append(took)
            if response.status_code >= 500:
                tally.errors[f"{response.status_code} {method} {_shape(path)}"] += 1
            elif response.status_code >= 400:
                tally.unexpected[f"{response.status_code} {method} {_shape(path)}"] += 1
        except httpx.TransportError as exc:
            tally.errors[f"{type(exc).__name__} {_shape(path)}"] += 1
        await asyncio.sleep(rng.uniform(*THINK))


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


async def _drive(base: str, cast: Cast, tokens: dict[str, str], users: int,
                 seconds: float) -> tuple[Tally, float]:
    """Sign every virtual user in (a few at a time, before the clock starts: a login is a
    write that verifies a password), then run them all; the tally and the seconds run."""
    import httpx

    tally = Tally()
    limits = httpx.Limits(max_connections=2)
    who = []
    own: list[int]
    for i in range(users):
        if i % 5 == 4 and cast.readers:  # one in five reads only (admin, viewer)
            email, own = cast.readers[(i // 5) % len(cast.readers)], []
        else:
            email, own = cast.managers[i % len(cast.managers)]
        who.append((email, own))
    clients = [(httpx.AsyncClient(base_url=base, timeout=60, limits=limits),
                httpx.AsyncClient(base_url=base, timeout=60, limits=limits,
                                  headers={"Authorization": f"Bearer {tokens[email]}"}))
               for email, _ in who]
    try:
        signing_in = asyncio.Semaphore(4)

        async def sign_in(pages: Any, email: str) -> None:
            async with signing_in:
                await _sign_in(pages, email)

        await asyncio.gather(*(sign_in(c[0], e) for c, (e, _) in zip(clients, who, strict=True)))
        start = time.perf_counter()
        until = time.monotonic() + seconds
        await asyncio.gather(*(
            _user(pages, api, own, cast.accounts, until, tally, i)
            for i, ((pages, api), (_, own)) in enumerate(zip(clients, who, strict=True))
        ))
        return tally, time.perf_counter() - start
    finally:
        for pages, api in clients:
            await pages.aclose()
            await api.aclose()


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _warm(base: str, email: str, token: str) -> None:
    """One pass over the pages before the clock starts (the derived data are built by the
    demo load; this brings the server's caches and the decisions table up to date)."""
    import httpx

    with httpx.Client(base_url=base, timeout=300,
                      headers={"Authorization": f"Bearer {token}"}) as c:
        for path in ("/api/v1/kpis", "/api/v1/decisions", "/api/v1/accounts", "/api/v1/me"):
            c.get(path)


def _run_one(kind: str, accounts: int, url: str, users_list: list[int], seconds: float) -> None:
    cast = _cast(url)
    wanted = max(users_list)
    emails = sorted({m for m, _ in cast.managers[:wanted]} | set(cast.readers[:max(1, wanted)]))
    tokens = _tokens(url, emails)
    server = Server(url)
    try:
        server.wait_ready()
        _warm(server.base, cast.readers[0], tokens[cast.readers[0]])
        for users in users_list:
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            server_cpu0 = server.cpu_seconds()
            tally, wall = asyncio.run(_drive(server.base, cast, tokens, users, seconds))
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            driver_cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
            server_cpu = server.cpu_seconds() - server_cpu0
            _print(kind, accounts, users, tally, wall, driver_cpu, server_cpu)
    finally:
        server.stop()


def _print(kind: str, accounts: int, users: int, tally: Tally, wall: float,
           driver_cpu: float, server_cpu: float) -> None:
    label = f"{kind}, {accounts:,} accounts, {users} users"
    lat = tally.latencies
    p95 = _percentile(lat, 95)
    errors = sum(tally.errors.values())
    figure(f"{label}: throughput", f"{len(lat) / wall:,.1f} req/s",
           f"{len(lat):,} requests in {wall:,.0f} s ({tally.reads:,} reads, "
           f"{tally.writes:,} writes)")
    figure(f"{label}: p50 / p95 / p99",
           f"{_percentile(lat, 50) * 1000:,.0f} / {p95 * 1000:,.0f} / "
           f"{_percentile(lat, 99) * 1000:,.0f} ms",
           f"mean {statistics.fmean(lat) * 1000:,.0f} ms" if lat else "")
    target = "" if users != 10 or accounts != DEMO_ACCOUNTS else (
        "target p95 <= 300 ms: " + ("met" if p95 <= TARGET_P95 else "MISSED"))
    figure(f"{label}: errors (5xx, broken connections)", f"{errors:,}",
           ("target 0: met" if errors == 0 else "target 0: MISSED") + (
               f"; {target}" if target else ""))
    for what, count in tally.errors.most_common(5):
        say(f"      {count:,} x {what}")
    if tally.unexpected:
        figure(f"{label}: other unexpected statuses", f"{sum(tally.unexpected.values()):,}",
               ", ".join(f"{c} x {w}" for w, c in tally.unexpected.most_common(3)))
    slowest = sorted(tally.by_kind.items(), key=lambda kv: -_percentile(kv[1], 95))[:3]
    say("      slowest p95: " + "; ".join(
        f"{k} {_percentile(v, 95) * 1000:,.0f} ms ({len(v)})" for k, v in slowest))
    figure(f"{label}: CPU driver / server",
           f"{driver_cpu / wall * 100:,.0f} % / {server_cpu / wall * 100:,.0f} %",
           "of one core")


def run(args: Any) -> None:
    options = _options(list(args))
    users_list = [int(u) for u in options.load_users.split(",") if u.strip()]
    sizes = [args.size] if getattr(args, "size", None) else [DEMO_ACCOUNTS]
    for kind in available_databases(getattr(args, "databases", None)):
        for accounts in sizes:
            _run_one(kind, accounts, large_portfolio(kind, accounts), users_list,
                     options.load_seconds)
        if LARGE_ACCOUNTS not in sizes:
            url = (large_portfolio(kind, LARGE_ACCOUNTS) if options.load_large
                   else _cached(kind, LARGE_ACCOUNTS))
            if url is None:
                say(f"  (the {LARGE_ACCOUNTS:,}-account demo is not built on {kind}: "
                    "skipped; --load-large builds it)")
                continue
            _run_one(kind, LARGE_ACCOUNTS, url, users_list, options.load_seconds)
