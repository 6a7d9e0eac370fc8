"""Benchmark: the accounts list page and ``GET /api/v1/accounts`` with 100,000 accounts.

On the cached demo portfolio (see ``bench/common.py``), in process (FastAPI TestClient), the
median *server* time (measured around the ASGI app, so the test client's own overhead is left
out; the round trip is printed next to it) of ~30 requests with varied search terms:

- ``GET /accounts?q=...`` as an admin (sees everything), a head and a manager;
- ``GET /api/v1/accounts?q=...&page=2`` (search + one page) as an admin and a manager.

Target: median ≤ 50 ms. When a scenario misses it, the slowest SQL statement of one request
is shown with its plan (``EXPLAIN QUERY PLAN`` / ``EXPLAIN ANALYZE``). The pages are then
measured again with one- and two-letter terms (what one types first, which PostgreSQL's
trigram index cannot narrow), for information.

The cached portfolio is brought to migration 0004 (the search index) if it predates it.
"""

from __future__ import annotations

import functools
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.common import (
    LARGE_ACCOUNTS,
    available_databases,
    figure,
    large_portfolio,
    login,
    say,
)

TARGET_SECONDS = 0.050
SEARCH_INDEX_REVISION = "0004_account_search"
SEARCH_INDEX_PARENT = "0003"
RUNS = 30
PASSWORD = "accord-demo"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
#: brand syllables, industry words, legal forms, countries, people, ids: few to many matches
TERMS = (
    "var", "nor", "tex", "health", "capital", "gmbh", "anna", "schmidt", "precision", "cloud",
    "quin", "ros", "solnova", "bank", "labs", "digital", "ltd", "deutschland", "zen", "weber",
    "DEMO-004242", "mar", "pharma", "systems", "ast", "lumen", "dale", "ov", "garcia", "xan",
)
#: what one types first: one or two letters, which no trigram narrows (figures, no target)
SHORT_TERMS = ("a", "e", "ov", "ma", "st", "in", "r", "ab", "x", "zz", "qu", "o")


class ServerTimer:
    """ASGI wrapper that records how long the app took for each HTTP request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last = time.perf_counter() - start


class StatementLog:
    """SQL statements run while ``capture()`` is active, with their durations."""

    def __init__(self) -> None:
        self.active = False
        self.seen: list[tuple[float, str, Any]] = []
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if self.active:
            conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if self.active and conn.info.get("bench_started"):
            started = conn.info["bench_started"].pop()
            self.seen.append((time.perf_counter() - started, statement, params))

    @contextmanager
    def capture(self) -> Iterator[list[tuple[float, str, Any]]]:
        self.seen = []
        self.active = True
        try:
            yield self.seen
        finally:
            self.active = False

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._before)
        event.remove(Engine, "after_cursor_execute", self._after)


def _login(client: Any, email: str) -> None:
    login(client, email, PASSWORD)


def _token(url: str, email: str) -> str:
    from accord.core.database import engine_for, session_factory
    from accord.core.identity import get_user_by_email
    from accord.users.service import issue_token

    with session_factory(engine_for(url)).begin() as session:
        return issue_token(session, None, get_user_by_email(session, email).id, "bench").token


def _measure(
    timer: ServerTimer, request: Callable[[str], Any], terms: tuple[str, ...] = TERMS
) -> tuple[list[float], list[float]]:
    for term in terms[:3]:  # warm caches and the connection pool
        request(term)
    server, trip = [], []
    for n in range(RUNS):
        term = terms[n % len(terms)]
        start = time.perf_counter()
        response = request(term)
        trip.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code} for {term!r}: {response.text[:200]}")
        server.append(timer.last)
    return server, trip


def _explain(url: str, statement: str, params: Any) -> list[str]:
    from accord.core.database import engine_for

    engine = engine_for(url)
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, params).all()
    return [" | ".join(str(c) for c in row[-1:]) if sqlite else str(row[0]) for row in rows]


def _diagnose(url: str, log: StatementLog, request: Callable[[str], Any], term: str) -> None:
    with log.capture() as seen:
        start = time.perf_counter()
        request(term)
        took = time.perf_counter() - start
    if not seen:
        return
    sql = sum(s[0] for s in seen)
    say(f"    one request (q={term!r}): {took * 1000:,.1f} ms, of which SQL {sql * 1000:,.1f} ms "
        f"in {len(seen)} statements; slowest first:")
    for seconds, statement, _ in sorted(seen, key=lambda s: -s[0])[:3]:
        say(f"      {seconds * 1000:7.1f} ms  {' '.join(statement.split())[:160]}")
    seconds, statement, params = max(seen, key=lambda s: s[0])
    say("    plan of the slowest:")
    for line in _explain(url, statement, params):
        say(f"      {line}")


def _page(client: Any, term: str) -> Any:
    return client.get("/accounts", params={"q": term})


def _api_page_two(client: Any, term: str) -> Any:
    return client.get("/api/v1/accounts", params={"q": term, "page": 2})


def _with_search_index(url: str) -> str:
    """The cached portfolio may predate migration 0004 (the search index): add it.

    Only that step, never further: a later migration may still be in the making.
    """
    from accord.core.database import make_engine
    from accord.core.migrate import current_revision, upgrade

    engine = make_engine(url)
    try:
        if current_revision(engine) == SEARCH_INDEX_PARENT:
            say(f"  (adding the search index to the cached portfolio: {SEARCH_INDEX_REVISION})")
            upgrade(engine, SEARCH_INDEX_REVISION)
    finally:
        engine.dispose()
    return url


def bench_database(kind: str, size: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from accord.app.asgi import create_app
    from accord.core.settings import Settings

    url = _with_search_index(large_portfolio(kind, size))
    say(f"  [{kind}] load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    app = create_app(Settings(mode="test", database_url=url, secret_key=SECRET))
    timer = ServerTimer(app)
    log = StatementLog()
    results: dict[str, float] = {}
    try:
        scenarios: list[tuple[str, Callable[[str], Any]]] = []
        for email in ("admin@accord.demo", "head1@accord.demo", "manager1@accord.demo"):
            page_client = TestClient(timer)
            _login(page_client, email)
            scenarios.append((f"GET /accounts?q=… as {email.split('@')[0]}",
                              functools.partial(_page, page_client)))
        for email in ("admin@accord.demo", "manager1@accord.demo"):
            api = TestClient(timer)
            api.headers["Authorization"] = f"Bearer {_token(url, email)}"
            scenarios.append((f"GET /api/v1/accounts?q=…&page=2 as {email.split('@')[0]}",
                              functools.partial(_api_page_two, api)))
        for label, request in scenarios:
            server, trip = _measure(timer, request)
            median = statistics.median(server)
            results[label] = median
            verdict = "ok" if median <= TARGET_SECONDS else "OVER the 50 ms target"
            figure(f"[{kind}] {label}", f"{median * 1000:,.1f} ms",
                   f"server median; p90 {sorted(server)[int(len(server) * 0.9)] * 1000:,.1f} ms, "
                   f"round trip {statistics.median(trip) * 1000:,.1f} ms — {verdict}")
            if median > TARGET_SECONDS:
                _diagnose(url, log, request, "var")
        for label, request in scenarios[:3]:
            server, _trip = _measure(timer, request, SHORT_TERMS)
            figure(f"[{kind}] {label.replace('q=…', 'q=<1-2 letters>')}",
                   f"{statistics.median(server) * 1000:,.1f} ms",
                   f"server median; p90 {sorted(server)[int(len(server) * 0.9)] * 1000:,.1f} ms "
                   "(for information: no target)")
    finally:
        log.close()
    return results


def run(args: Any = None) -> dict[str, dict[str, float]]:
    size = getattr(args, "size", None) or LARGE_ACCOUNTS
    wanted = getattr(args, "databases", None)
    say(f"  accounts list and API search with {size:,} accounts; {RUNS} requests per scenario; "
        f"target median ≤ {TARGET_SECONDS * 1000:.0f} ms")
    say(f"  machine: {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work slows every figure)")
    results = {}
    for kind in available_databases(wanted):
        results[kind] = bench_database(kind, size)
    return results
