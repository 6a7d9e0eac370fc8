"""Benchmark: the decisions page and ``accord decisions`` for 100,000 accounts, 5,000 scored.

Builds its own portfolio (fast bulk inserts, not the ORM: accounts, 36 months of monthly
revenue with Pareto sizes, scorings and stages) in a fresh SQLite file and a fresh PostgreSQL
database (bench/common.py), recomputes health once, then times (median of N runs, in process):

- ``GET /decisions`` (the page, first page of 50 rows, sorted by health),
- ``accord decisions`` (the CLI, first 50 rows as a table),
- the decisions service alone, and a filtered, sorted variant.

Target: ≤ 500 ms median for the page and the CLI.

    .venv/bin/python -m bench decisions [--size 100000] [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from contextlib import closing
from datetime import date
from typing import Any

from sqlalchemy import Engine, text

TODAY = date(2026, 1, 15)
MONTHS = 36
SEGMENTS = ("Manufacturing", "Energy", "Retail", "Healthcare", "Finance")
FUNCTIONS = ("purchasing", "operations", "finance", "it", "executive board")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bench_decisions")
    p.add_argument("--accounts", type=int, default=100_000)
    p.add_argument("--scored", type=int, default=5_000)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--only", choices=("sqlite", "postgres"), default=None)
    p.add_argument("--reuse", action="store_true",
                   help="reuse the portfolio an earlier run built, when it has the same size")
    return p


# ---------------------------------------------------------------- building the portfolio


def _copy_or_insert(engine: Engine, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            with closing(raw.cursor()) as cur:
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            cur = raw.cursor()
            cur.execute("BEGIN")  # the engine runs pysqlite in autocommit mode
            marks = ", ".join("?" for _ in columns)
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        raw.commit()
    finally:
        raw.close()


def build_portfolio(engine: Engine, *, accounts: int, scored: int, seed: int) -> dict[str, Any]:
    """Users, accounts, monthly revenue (Pareto sizes), scorings, stages and sentiment."""
    from accord.core.database import utcnow
    from accord.core.migrate import upgrade
    from accord.core.periods import month_index

    upgrade(engine)
    rng = random.Random(seed)
    now = utcnow()
    managers = 40
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO teams (id, name) VALUES (1, 'Bench')"))
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, role, capacity, is_active, created_at, "
                "team_id) VALUES (:id, :email, :name, :role, 100, :t, :now, 1)"
            ),
            [
                {
                    "id": 1,
                    "email": "head@bench.test",
                    "name": "Head",
                    "role": "head",
                    "t": True,
                    "now": now,
                }
            ]
            + [
                {
                    "id": i,
                    "email": f"m{i}@bench.test",
                    "name": f"Manager {i}",
                    "role": "manager",
                    "t": True,
                    "now": now,
                }
                for i in range(2, managers + 2)
            ],
        )
        conn.execute(text("UPDATE teams SET head_id = 1"))
    account_rows = []
    for i in range(1, accounts + 1):
        kind = "person" if i % 5 == 0 else "company"
        account_rows.append(
            (
                i,
                f"B{i:06d}",
                kind,
                f"Account {i:06d}",
                f"account {i:06d}",
                SEGMENTS[i % 5],
                "active",
                2 + (i % managers),
                now,
                now,
                date.fromordinal(TODAY.toordinal() - rng.randint(0, 200)),
                rng.randint(10, 500) * 1_000_000 if kind == "company" else None,
            )
        )
    _copy_or_insert(
        engine,
        "accounts",
        [
            "id",
            "external_id",
            "kind",
            "name",
            "name_key",
            "segment",
            "status",
            "manager_id",
            "created_at",
            "updated_at",
            "last_touch_on",
            "estimated_spend_cents",
        ],
        account_rows,
    )
    last = month_index(TODAY) - 1
    first = last - MONTHS + 1
    revenue_rows = []
    for i in range(1, accounts + 1):
        size = int(rng.paretovariate(1.16) * 20_000)  # cents per month
        start = first + (rng.randint(0, MONTHS - 1) if rng.random() < 0.2 else 0)
        stop = last - (rng.randint(0, 12) if rng.random() < 0.1 else 0)
        trend = 1 + rng.uniform(-0.02, 0.03)
        cumulative = 0
        for m in range(start, stop + 1):
            if rng.random() < 0.3:
                continue
            amount = max(1, int(size * trend ** (m - first)))
            cumulative += amount
            revenue_rows.append((i, m, amount, cumulative, 1))
        if len(revenue_rows) > 400_000:
            _copy_or_insert(
                engine,
                "monthly_revenue",
                ["account_id", "month", "amount_cents", "cumulative_cents", "line_count"],
                revenue_rows,
            )
            revenue_rows = []
    _copy_or_insert(
        engine,
        "monthly_revenue",
        ["account_id", "month", "amount_cents", "cumulative_cents", "line_count"],
        revenue_rows,
    )
    # scorings: the largest companies first (realistic: heads score the big ones), then random
    chosen = rng.sample([i for i in range(1, accounts + 1) if i % 5], scored)
    scoring_rows, stage_rows = [], []
    sid = 0
    for n, acc in enumerate(chosen):
        for k in range(2 if n % 3 == 0 else 1):
            sid += 1
            attr = rng.randint(1500, 9500)
            us = rng.randint(2000, 9000)
            them = rng.randint(2000, 9000)
            day = date.fromordinal(TODAY.toordinal() - 400 * (1 - k) - rng.randint(0, 300))
            scoring_rows.append(
                (sid, acc, day, "head@bench.test", "Rival", attr, us, them, None, "{}", now)
            )
        if n % 2 == 0:
            stage = ("Tactical", "Cooperative", "Interdependent", "Strategic")[rng.randint(0, 3)]
            stage_rows.append((acc, TODAY, "head@bench.test", stage, stage, 12, "[]", now))
    _copy_or_insert(
        engine,
        "selection_scorings",
        [
            "id",
            "account_id",
            "scored_on",
            "scored_by",
            "competitor_name",
            "attractiveness_milli",
            "us_weighted",
            "competitor_weighted",
            "potential_override",
            "detail",
            "created_at",
        ],
        scoring_rows,
    )
    _copy_or_insert(
        engine,
        "stage_assessments",
        [
            "account_id",
            "assessed_on",
            "assessed_by",
            "recorded_stage",
            "suggested_stage",
            "suggested_total",
            "detail",
            "created_at",
        ],
        stage_rows,
    )
    from accord.core.database import session_factory
    from accord.selection.queries import rebuild_current

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval('selection_scorings_id_seq', :n)"), {"n": sid})
    with session_factory(engine).begin() as session:
        rebuild_current(session)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return {"accounts": accounts, "scored": scored, "revenue_rows_months": MONTHS}


# ---------------------------------------------------------------- timing


def _median_ms(fn: Any, runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(url: str, runs: int) -> dict[str, float]:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from accord.app.asgi import create_app
    from accord.app.commands import app as cli_app
    from accord.core.database import engine_for, session_factory
    from accord.core.settings import Settings
    from accord.health import service as health_service
    from accord.relationships import decisions

    engine = engine_for(url)
    factory = session_factory(engine)
    with factory() as s:
        head = s.execute(text("SELECT id FROM users WHERE email = 'head@bench.test'")).scalar()
    from accord.core.models import User

    with factory() as s:
        user = s.get(User, head)
        assert user is not None
        s.expunge(user)
    t0 = time.perf_counter()
    with factory.begin() as s:
        health_service.recompute_all(s, user, today=TODAY)
    recompute_ms = (time.perf_counter() - t0) * 1000
    with engine.begin() as conn:  # fresh planner statistics for the derived tables
        conn.execute(text("ANALYZE"))

    def service_call(**kw: Any) -> None:
        with factory.begin() as s:  # committed: a rebuild of the derived table is kept
            decisions.list_decisions(s, user, today=TODAY, **kw)

    app = create_app(
        Settings(
            mode="test",
            database_url=url,
            secret_key="bench-secret-key-that-is-long-enough-0123456789",
        )
    )
    client = TestClient(app)
    from accord.web import deps

    app.dependency_overrides[deps.page_user] = lambda: user
    app.dependency_overrides[deps.today] = lambda: TODAY

    def page() -> None:
        r = client.get("/decisions?sort=-health")
        assert r.status_code == 200, r.text[:300]

    runner = CliRunner()

    def cli() -> None:
        r = runner.invoke(
            cli_app,
            [
                "--database-url",
                url,
                "--as",
                "head@bench.test",
                "decisions",
                "--today",
                TODAY.isoformat(),
            ],
        )
        assert r.exit_code == 0, r.output[-500:]

    return {
        "health recompute, all accounts (ms, once)": recompute_ms,
        "decisions service (ms)": _median_ms(lambda: service_call(sort="-health"), runs),
        "decisions service, filtered by segment, sorted by revenue (ms)": _median_ms(
            lambda: service_call(sort="-revenue", flt=decisions.DecisionFilter(segment="Energy")),
            runs,
        ),
        "GET /decisions page (ms)": _median_ms(page, runs),
        "accord decisions CLI (ms)": _median_ms(cli, runs),
    }


def _reusable(kind: str, accounts: int, scored: int) -> str | None:
    """The URL of an earlier run's portfolio of the same size, if there is one."""
    from accord.core.database import make_engine
    from bench.common import DATA_DIR, postgres_exists, postgres_url, sqlite_url

    if kind == "sqlite":
        path = DATA_DIR / "decisions.db"
        if not path.exists():
            return None
        url = sqlite_url(path)
    else:
        if not postgres_exists("decisions"):
            return None
        url = postgres_url("decisions")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM accounts")).scalar()
            k = conn.execute(text("SELECT count(*) FROM selection_current")).scalar()
    except Exception:  # noqa: BLE001 - no such tables: not reusable
        return None
    finally:
        engine.dispose()
    return url if (n, k) == (accounts, scored) else None


def run(args: Any = None) -> dict[str, dict[str, float]]:
    """Entry point of ``python -m bench decisions`` (shared options: --size, --databases,
    --runs); also ``python -m bench.bench_decisions [--accounts N] [--scored N] [--runs N]``."""
    from bench.common import available_databases, fresh_database, say

    opts, _ = _parser().parse_known_args(list(args or []))
    accounts = getattr(args, "size", None) or opts.accounts
    runs = getattr(args, "runs", None) or opts.runs
    wanted = getattr(args, "databases", None) or (
        [opts.only] if opts.only else ["sqlite", "postgres"]
    )
    scored = min(opts.scored, accounts // 2)
    say(
        f"  decisions page and CLI with {accounts:,} accounts, {scored:,} scored; median of "
        f"{runs} runs; target ≤ 500 ms. Machine: {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    results: dict[str, dict[str, float]] = {}
    from accord.core.database import make_engine

    for kind in available_databases(wanted):
        url = _reusable(kind, accounts, scored) if opts.reuse else None
        if url:
            say(f"  [{kind}] reusing the portfolio built by an earlier run")
        else:
            url = fresh_database(kind, "decisions")
            engine = make_engine(url)
            t0 = time.perf_counter()
            build_portfolio(engine, accounts=accounts, scored=scored, seed=opts.seed)
            engine.dispose()
            say(f"  [{kind}] built in {time.perf_counter() - t0:,.1f} s")
        results[kind] = measure(url, runs)
        for label, value in results[kind].items():
            target = label.startswith(("GET /decisions", "accord decisions"))
            verdict = ("" if not target else " — ok" if value <= 500 else " — OVER 500 ms")
            say(f"  [{kind}] {label:<62} {value:>10,.1f}{verdict}")
    return results


if __name__ == "__main__":
    import sys

    run(sys.argv[1:])
