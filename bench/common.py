"""What every benchmark shares: timers, memory, fresh databases, the cached large portfolio.

Benchmarks print figures; they never assert on time. The large demo portfolio (100,000
accounts, 36 months, about 25 million revenue lines) is built once per database and reused
by later runs: a "demo_loaded" audit entry with the same spec is the marker.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from accord.app.wiring import connect
from accord.core.database import make_engine, session_factory
from accord.core.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ACCORD_BENCH_DATA", ROOT / "bench-data"))
POSTGRES_URL = os.environ.get(
    "ACCORD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
LARGE_ACCOUNTS = 100_000
LARGE_MONTHS = 36
LARGE_SEED = 42
#: fixed, so the cached portfolio never goes stale: revenue runs to October 2026
LARGE_TODAY = date(2026, 11, 1)
DATABASES = ("sqlite", "postgres")

# the benches measure the whole system: a revenue load refreshes the KPI rows, as in the app
connect()


# ---------------------------------------------------------------- printing and timing


def header(title: str) -> None:
    print(f"\n=== {title} " + "=" * max(3, 72 - len(title)), flush=True)


def say(text: str) -> None:
    print(text, flush=True)


def figure(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<52} {value:>14}  {note}".rstrip(), flush=True)


def timings(fn: Callable[[], Any], runs: int = 5, warmup: int = 1) -> list[float]:
    """Seconds per run (after ``warmup`` untimed runs)."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def median_time(fn: Callable[[], Any], runs: int = 5, warmup: int = 1) -> float:
    """Median seconds of ``runs`` runs."""
    return statistics.median(timings(fn, runs, warmup))


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as t: ...`` then ``t[0]`` holds the seconds taken."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


# ---------------------------------------------------------------- databases


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def fresh_sqlite(name: str) -> str:
    """An empty, migrated SQLite file ``bench-data/<name>.db`` (replacing any old one)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"{name}.db"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    url = sqlite_url(path)
    migrate(url)
    return url


def postgres_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL at {POSTGRES_URL} is not reachable ({exc.__class__.__name__})"
    return None


def _admin_engine() -> Engine:
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def postgres_exists(name: str) -> bool:
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            return bool(conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar())
    finally:
        engine.dispose()


def fresh_postgres(name: str) -> str:
    """An empty, migrated PostgreSQL database ``name`` (dropping any old one)."""
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    url = postgres_url(name)
    migrate(url)
    return url


def fresh_database(kind: str, name: str) -> str:
    return fresh_sqlite(name) if kind == "sqlite" else fresh_postgres(name)


def migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def available_databases(wanted: list[str] | None = None) -> list[str]:
    """The databases to run on (PostgreSQL only when reachable; says why when not)."""
    kinds = [k for k in DATABASES if not wanted or k in wanted]
    if "postgres" in kinds:
        reason = postgres_unavailable()
        if reason:
            say(f"  (skipping PostgreSQL: {reason})")
            kinds.remove("postgres")
    return kinds


# ---------------------------------------------------------------- the large demo portfolio


def portfolio_name(accounts: int) -> str:
    return "large" if accounts == LARGE_ACCOUNTS else f"demo_{accounts}"


def _marker(url: str) -> dict[str, Any] | None:
    """The demo_loaded audit entry of a database, if the database and the entry exist."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT note, after FROM audit_log WHERE action = 'demo_loaded' "
                "ORDER BY id DESC LIMIT 1"
            )).first()
    except Exception:  # noqa: BLE001 - no database, no tables: no marker
        return None
    finally:
        engine.dispose()
    if row is None:
        return None
    after = row[1]
    if isinstance(after, str):
        import json

        after = json.loads(after)
    return {"note": row[0], "after": after}


def _spec(accounts: int) -> Any:
    from accord.demo.plan import DemoSpec

    return DemoSpec(accounts=accounts, months=LARGE_MONTHS, seed=LARGE_SEED, today=LARGE_TODAY)


def _matches(marker: dict[str, Any] | None, spec: Any) -> bool:
    if not marker:
        return False
    return (marker["after"] or {}).get("accounts") == spec.accounts and (
        f"seed {spec.seed}, today {spec.today.isoformat()}" in (marker["note"] or "")
    )


@contextmanager
def _build_lock(name: str) -> Iterator[None]:
    """One builder at a time per portfolio (a second bench run waits, then reuses it)."""
    import fcntl

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def large_portfolio(kind: str, accounts: int = LARGE_ACCOUNTS) -> str:
    """URL of a database holding the demo portfolio of ``accounts`` accounts; built if missing,
    brought to the latest migration if it was cached by older code."""
    with _build_lock(f"{portfolio_name(accounts)}-{kind}"):
        url = _large_portfolio(kind, accounts)
        _to_head(url)
        return url


def _to_head(url: str) -> None:
    from accord.core.migrate import current_revision, head_revision

    engine = make_engine(url)
    try:
        if current_revision(engine) != head_revision():
            say(f"  (upgrading the cached portfolio to {head_revision()}; once)")
            upgrade(engine)
    finally:
        engine.dispose()


def _large_portfolio(kind: str, accounts: int) -> str:
    spec = _spec(accounts)
    name = portfolio_name(accounts)
    if kind == "sqlite":
        path = DATA_DIR / f"{name}.db"
        url = sqlite_url(path)
        if path.exists() and _matches(_marker(url), spec):
            return url
    else:
        db_name = f"accord_bench_{name}"
        url = postgres_url(db_name)
        if postgres_exists(db_name) and _matches(_marker(url), spec):
            return url
    return load_portfolio(kind, name if kind == "sqlite" else f"accord_bench_{name}", spec)


def load_portfolio(kind: str, name: str, spec: Any) -> str:
    """Load the demo into a fresh database and print how long it took."""
    from accord.demo.loader import load_demo

    url = fresh_database(kind, name)
    say(f"  building the demo portfolio on {kind}: {spec.accounts:,} accounts, "
        f"{spec.months} months (cached for later runs) ...")
    engine = make_engine(url)
    stages: dict[str, float] = {}
    start = time.perf_counter()

    printed: set[tuple[str, int]] = set()

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, time.perf_counter())
        if (done == total or done % 20_000 == 0) and (stage, done) not in printed:
            printed.add((stage, done))
            say(f"    {stage}: {done:,}/{total:,}  ({time.perf_counter() - start:,.0f} s)")

    try:
        with session_factory(engine).begin() as session:
            summary = load_demo(session, spec, on_progress=progress)
        loaded = time.perf_counter()
        if kind == "sqlite":
            # deferred: a checkpoint cannot run inside a write (IMMEDIATE) transaction
            with engine.connect().execution_options(accord_read_only=True) as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()
    total = loaded - start
    revenue_seconds = max(1e-9, loaded - stages.get("revenue", start))
    figure(f"demo load on {kind}: total", f"{total:,.1f} s",
           f"{summary.accounts:,} accounts, {summary.interactions:,} interactions")
    figure(f"demo load on {kind}: accounts pass", f"{stages.get('revenue', loaded) - start:,.1f} s",
           f"{summary.contacts:,} contacts, accounts/contacts/timeline")
    figure(f"demo load on {kind}: analyze afterwards", f"{time.perf_counter() - loaded:,.1f} s")
    figure(f"demo load on {kind}: revenue lines", f"{summary.revenue_lines:,}",
           f"{summary.revenue_lines / revenue_seconds:,.0f} lines/s "
           f"(generation + fast path, {revenue_seconds:,.1f} s)")
    figure(f"demo load on {kind}: peak memory", f"{peak_memory_mb():,.0f} MiB")
    return url


def login(client: Any, email: str, password: str) -> None:
    """Sign ``client`` (a TestClient of the app) in through the login form."""
    import re

    page = client.get("/login")
    match = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    data = {"email": email, "password": password}
    if match:
        data["csrf_token"] = match.group(1)
    response = client.post("/login", data=data, follow_redirects=False)
    if response.status_code not in (302, 303):
        raise RuntimeError(f"login as {email} failed: HTTP {response.status_code}")
