"""Benchmark: the portfolio KPI report (issue 3) on SQLite and PostgreSQL, with yardsticks.

Data: the cached large demo portfolio of ``bench/common.py`` (100,000 accounts, 36 months,
about 25 million revenue lines) — or, with ``--synthetic``, monthly revenue generated
directly in SQL (same shape: 100,000 accounts x 36 months, churn, gaps, credit notes).

Timed (median), each from the stored monthly data with the report cache cleared:

- one as-of month: portfolio, the three breakdowns, concentration (target <= 150 ms);
- the full monthly series, every possible as-of month, every retention field (<= 2 s);
- the same report served again unchanged, from the cache (<= 20 ms);
- yardsticks over the same monthly-revenue rows: DuckDB (SQL over a pandas frame) and a
  plain pandas implementation; the ratios are printed.

    .venv/bin/python -m bench kpis [--size 100000] [--databases sqlite,postgres] [--runs 7]
    .venv/bin/python -m bench.bench_kpis --synthetic [--reuse] [--rebuild]

Every figure is printed with the load average of the machine at that moment (the machine is
shared) and with CPU time: for SQLite this process's (the database runs in it), for
PostgreSQL this process's plus the server process's when the server runs on this machine —
about what the figure would be on an idle machine. The end of the run prints the databases
side by side. ``--reuse`` keeps an existing synthetic database; ``--rebuild`` times a full
rebuild of the derived rows even when they exist.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from typing import Any

from sqlalchemy import text

from bench.common import (
    LARGE_ACCOUNTS,
    LARGE_TODAY,
    available_databases,
    figure,
    fresh_database,
    header,
    ms,
    peak_memory_mb,
    say,
)
from bench.kpi_yardsticks import duck_report, duck_series, frame, pandas_report

SYN_FIRST = 2023 * 12 + 10  # 2023-11 .. 2026-10, like the demo portfolio


def _options(args: Any) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench_kpis")
    p.add_argument("--synthetic", action="store_true")
    p.add_argument("--kpi-runs", type=int, default=None)
    p.add_argument("--reuse", action="store_true")
    p.add_argument("--rebuild", action="store_true")
    own, _ = p.parse_known_args(list(args))
    return own


# ---------------------------------------------------------------- synthetic data


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def _existing(kind: str, name: str) -> str | None:
    """URL of a synthetic database from an earlier run, if it holds monthly revenue."""
    from bench.common import DATA_DIR, postgres_exists, postgres_url, sqlite_url

    if kind == "sqlite":
        path = DATA_DIR / f"{name}.db"
        url = sqlite_url(path) if path.exists() else None
    else:
        url = postgres_url(name) if postgres_exists(name) else None
    if url is None:
        return None
    from accord.core.database import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT count(*) FROM monthly_revenue").scalar()
    except Exception:  # noqa: BLE001 - unusable: build a fresh one
        rows = 0
    finally:
        engine.dispose()
    return url if rows else None


def _synthetic(kind: str, accounts: int, reuse: bool = False) -> str:
    """Monthly revenue generated in SQL: 36 months, starts, churn, returns, credit notes."""
    from accord.core.database import make_engine

    name = f"kpis_synthetic_{accounts}" if kind == "sqlite" else f"accord_bench_kpis_{accounts}"
    if reuse:
        found = _existing(kind, name)
        if found:
            figure(f"synthetic monthly revenue on {kind}", "reused")
            return found
    url = fresh_database(kind, name)
    engine = make_engine(url)
    rnd = "abs(random() % 1000)" if kind == "sqlite" else "floor(random() * 1000)::int"
    seq_accounts = (
        f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {accounts}) "
        "SELECT i FROM n" if kind == "sqlite" else f"SELECT generate_series(1, {accounts}) AS i"
    )
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (id, email, name, role, capacity, is_active, created_at) "
            "SELECT i, 'manager' || i || '@bench.test', 'Manager ' || i, 'manager', 100, "
            "TRUE, '2025-01-01 00:00:00+00:00' "
            f"FROM ({seq_accounts.replace(str(accounts), '60')}) s"
        ))
        conn.execute(text(
            "INSERT INTO accounts (id, kind, name, name_key, segment, status, manager_id, "
            "created_at, updated_at) SELECT i, 'company', 'Account ' || i, 'account ' || i, "
            "CASE i % 5 WHEN 0 THEN 'Manufacturing' WHEN 1 THEN 'Energy' WHEN 2 THEN 'Retail' "
            "WHEN 3 THEN 'Healthcare' ELSE 'Finance' END, 'active', 1 + i % 60, "
            f"'2025-01-01 00:00:00+00:00', '2025-01-01 00:00:00+00:00' FROM ({seq_accounts}) s"
        ))
        # per account: start month, optional churn month, size; per month: amount (some
        # credit notes, some empty months)
        months = " UNION ALL ".join(f"SELECT {m} AS m" for m in range(36))
        conn.execute(text(
            "INSERT INTO monthly_revenue (account_id, month, amount_cents, cumulative_cents, "
            f"line_count) SELECT a.i, {SYN_FIRST} + mm.m, "
            f"CASE WHEN {rnd} < 30 THEN -1000 * (1 + a.i % 50) "
            f"ELSE (100 + a.i % 997) * (50 + {rnd}) END, 0, 7 "
            f"FROM ({seq_accounts}) a CROSS JOIN ({months}) mm "
            "WHERE mm.m >= (a.i * 7) % 30 * (a.i % 3) / 2 "
            "AND NOT (a.i % 9 = 0 AND mm.m >= 12 + a.i % 20) "
            f"AND {rnd} < 930"
        ))
    figure(f"synthetic monthly revenue on {kind}", f"{time.perf_counter() - started:,.1f} s")
    engine.dispose()
    return url


# ---------------------------------------------------------------- yardsticks


def _median(fn: Any, runs: int) -> float:
    return _timed(fn, runs)[0]


def _timed(fn: Any, runs: int, server: Any = None) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds, after one warm-up run. The CPU is this
    process's, plus the database server's when ``server`` reads its CPU seconds (PostgreSQL
    on this machine): the time the work itself takes, whatever else the machine runs."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        sstart = server() if server else 0.0
        start, cstart = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        spent = time.process_time() - cstart
        cpu.append(spent + (server() - sstart if server else 0.0))
    return statistics.median(wall), statistics.median(cpu)


def _server_cpu(engine: Any) -> Any:
    """A reader of the CPU seconds of the PostgreSQL backend serving the bench's sessions, or
    None: only when the server runs here, /proc is readable and the pool holds one connection
    (the sessions run one after the other, so they all get that one)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    stat = f"/proc/{pid}/stat"
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = open(stat).read().rsplit(")", 1)[1].split()  # noqa: SIM115 - one read
        return (int(fields[11]) + int(fields[12])) / tick

    try:
        read()
    except OSError:
        return None
    return read if engine.pool.checkedin() == 1 else None


def _upgrade_kpi_tables(engine: Any) -> None:
    """Databases cached before the derived-table layout changed (migration 0002 was rewritten
    in place) get the KPI engine's derived tables recreated; they hold nothing but derived
    data. The policy row is kept."""
    from sqlalchemy import inspect

    from accord.core.database import Base
    from accord.kpis import models

    insp = inspect(engine)
    if "kpi_account_windows" in insp.get_table_names() and not (
        insp.get_foreign_keys("kpi_account_windows")
    ):
        return
    say("  (recreating the KPI engine's derived tables: layout from before the rewrite)")
    with engine.begin() as conn:
        for old in ("kpi_account_months", "kpi_state", "kpi_account_windows",
                    "kpi_account_groups", "kpi_groups", "kpi_variants"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {old}")
        tables = [Base.metadata.tables[m.__tablename__]
                  for m in (models.KpiAccountWindow, models.KpiGroup, models.KpiAccountGroup,
                            models.KpiVariant, models.KpiState, models.KpiPolicy)]
        Base.metadata.create_all(conn, tables=tables, checkfirst=True)


def _bench_one(kind: str, url: str, runs: int, today: date, rebuild: bool) -> dict[str, Any]:
    from accord.cli.common import operator
    from accord.core.database import make_engine, session_factory
    from accord.kpis import derived, service

    engine = make_engine(url)
    _upgrade_kpi_tables(engine)
    sessions = session_factory(engine)
    admin = operator()
    with sessions.begin() as s:
        rows = s.execute(text("SELECT count(*) FROM monthly_revenue")).scalar()
        state = s.execute(text("SELECT count(*) FROM kpi_state")).scalar()
    figure(f"{kind}: monthly revenue rows", f"{rows:,}")
    start, cstart = time.perf_counter(), time.process_time()
    with sessions.begin() as s:
        if rebuild or not state:
            derived.rebuild(s)
            what = "full rebuild"
        else:
            derived.ensure_fresh(s)
            what = "checked"
    figure(f"{kind}: derived rows {what}", f"{time.perf_counter() - start:,.1f} s",
           f"cpu {time.process_time() - cstart:,.1f} s; {_load()}")
    with sessions.begin() as s:
        derived_rows = s.execute(text("SELECT count(*) FROM kpi_account_windows")).scalar()
        some = [r[0] for r in s.execute(text(
            "SELECT account_id FROM kpi_account_groups ORDER BY account_id LIMIT 100"))]
    figure(f"{kind}: kpi_account_windows rows", f"{derived_rows:,}")
    start = time.perf_counter()
    with sessions.begin() as s:
        derived.refresh_after_import(s, some)
    figure(f"{kind}: incremental refresh of 100 accounts", ms(time.perf_counter() - start),
           _load())

    def report(series: bool = False, clear: bool = True) -> dict[str, Any]:
        if clear:
            service.clear_cache()
        with sessions.begin() as s:
            return service.kpi_report(s, admin, today=today, series=series)

    doc = report()
    server = _server_cpu(engine)
    one, one_cpu = _timed(report, runs, server)
    load_one = _load()
    full, full_cpu = _timed(lambda: report(series=True), max(3, runs // 2), server)
    load_full = _load()
    cached, cached_cpu = _timed(lambda: report(clear=False), runs, server)
    p = doc["portfolio"]
    say(f"  {kind}: as of {doc['as_of']}: NRR {p['nrr']}, GRR {p['grr']}, "
        f"ending {p['ending_revenue']:,}, top-20 % {doc['concentration']['top20_share']}, "
        f"series months {len(report(series=True)['series'])}")
    cpu = kind == "sqlite" or server is not None
    what = "cpu" if kind == "sqlite" else "cpu (bench + server)"

    def note(target: str, c: float, load: str) -> str:
        return f"{target}; " + (f"{what} {c * 1000:,.1f} ms; " if cpu else "") + load

    figure(f"{kind}: one as-of month (portfolio+breakdowns+conc.)", ms(one),
           note("target <= 150 ms", one_cpu, load_one))
    figure(f"{kind}: full monthly series", ms(full), note("target <= 2 s", full_cpu, load_full))
    figure(f"{kind}: served again unchanged (cache)", ms(cached),
           note("target <= 20 ms", cached_cpu, _load()))
    figure(f"{kind}: peak memory so far", f"{peak_memory_mb():,.0f} MiB")
    from accord.core.periods import parse_month

    result: dict[str, Any] = {"one": one, "full": full, "cached": cached,
                              "cpu": (one_cpu, full_cpu, cached_cpu) if cpu else None,
                              "loads": (load_one, load_full),
                              "memory": peak_memory_mb(),
                              "as_of": parse_month(doc["as_of"]),
                              "window": doc["window_months"], "doc": doc,
                              "series_from": parse_month(
                                  report(series=True)["series"][0]["as_of"])}
    result["engine"] = engine
    return result


def run(args: Any) -> None:
    own = _options(args)
    size = getattr(args, "size", None) or LARGE_ACCOUNTS
    runs = own.kpi_runs or getattr(args, "runs", None) or 7
    kinds = available_databases(getattr(args, "databases", None))
    results: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        header(f"kpis on {kind}")
        if own.synthetic:
            url = _synthetic(kind, size, own.reuse)
            today = date(2026, 11, 1)
        else:
            from bench.common import large_portfolio

            url = large_portfolio(kind, size)
            today = LARGE_TODAY
        results[kind] = _bench_one(kind, url, runs, today, own.rebuild)
    if not results:
        return
    if {"sqlite", "postgres"} <= set(results) and not own.synthetic:  # same demo data
        same = results["sqlite"]["doc"] == results["postgres"]["doc"]
        figure("SQLite and PostgreSQL documents identical", "yes" if same else "NO")
    figure("peak memory before the yardsticks (the report)", f"{peak_memory_mb():,.0f} MiB")
    header("kpis: yardsticks over the same monthly revenue")
    first = next(iter(results.values()))
    df = frame(first["engine"])
    as_of, window = first["as_of"], first["window"]
    duck = _median(lambda: duck_report(df, as_of, window), runs)
    pand = _median(lambda: pandas_report(df, as_of, window), max(3, runs // 2))
    load = _load()
    duck_full = _median(lambda: duck_series(df, first["series_from"], as_of, window),
                        max(1, runs // 3))
    figure("DuckDB: one as-of month (groups + concentration)", ms(duck), load)
    figure("pandas: one as-of month (groups + concentration)", ms(pand), load)
    figure("DuckDB: series (one as-of month after another)", ms(duck_full), _load())
    for kind, r in results.items():
        figure(f"{kind} / DuckDB (one month)", f"{r['one'] / duck:,.2f} x")
        figure(f"{kind} / pandas (one month)", f"{r['one'] / pand:,.2f} x")
        figure(f"{kind} / DuckDB (series)", f"{r['full'] / duck_full:,.2f} x")
        r["engine"].dispose()
    figure("peak memory (yardsticks hold the monthly rows)", f"{peak_memory_mb():,.0f} MiB")
    _side_by_side(results, duck, pand, duck_full)


def _side_by_side(results: dict[str, dict[str, Any]], duck: float, pand: float,
                  duck_full: float) -> None:
    """The figures of every database in one table (wall median; CPU in brackets: this process
    and, for PostgreSQL on this machine, its server process)."""
    kinds = list(results)
    header("kpis: side by side")
    say(f"  {'':34}" + "".join(f"{k:>24}" for k in kinds) + "  target")

    def row(label: str, cells: list[str], target: str = "") -> None:
        say(f"  {label:34}" + "".join(f"{c:>24}" for c in cells) + f"  {target}")

    def timed(key: str, index: int) -> list[str]:
        out = []
        for k in kinds:
            cpu = results[k]["cpu"]
            out.append(ms(results[k][key]) + (f" (cpu {cpu[index] * 1000:,.1f} ms)" if cpu
                                              else ""))
        return out

    row("one as-of month", timed("one", 0), "<= 150 ms")
    row("full monthly series", timed("full", 1), "<= 2 s")
    row("served again unchanged (cache)", timed("cached", 2), "<= 20 ms")
    row("/ DuckDB (one month)", [f"{results[k]['one'] / duck:,.2f} x" for k in kinds])
    row("/ pandas (one month)", [f"{results[k]['one'] / pand:,.2f} x" for k in kinds])
    row("/ DuckDB (series)", [f"{results[k]['full'] / duck_full:,.2f} x" for k in kinds])
    row("peak memory after the report", [f"{results[k]['memory']:,.0f} MiB" for k in kinds])
    for k in kinds:
        say(f"  {k}: one month at {results[k]['loads'][0]}; series at {results[k]['loads'][1]}")
    say(f"  yardsticks: DuckDB one month {ms(duck)}, series {ms(duck_full)}; "
        f"pandas one month {ms(pand)}; {_load()}")


if __name__ == "__main__":
    import sys

    class _Args(list[str]):
        size = None
        databases = None
        runs = None

    run(_Args(sys.argv[1:]))
