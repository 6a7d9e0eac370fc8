"""Benchmark: the subscription MRR store rebuilt for 100,000 accounts × 36 months, and a KPI
month read from it (``source = subscriptions``), on SQLite and PostgreSQL (issue 15).

The world (built fresh in ``bench-data/licences_mrr``, with INSERT … SELECT over a recursive
row counter): N accounts (``--size``, default 100,000) of 60 managers in five segments; three
services billed per month, quarter and year; one subscription per account starting in one of
the first twelve months (2023-11 …), a second one (an add-on, billed per month) for every
fifth account; each with its first term and a change of quantity in a later month; every
seventh cancelled and ended after 20-something months, the others renewing themselves.
Today is 2025-10-15: the store runs through 2026-10 (today's month + the 12-month horizon),
so 2023-11 … 2026-10 is 36 months.

Timed:

- ``licences.mrr.rebuild`` for every account (what ``accord subscriptions rebuild-mrr``
  does), split into the MRR store itself (one INSERT … SELECT) and the KPI engine's derived
  rows of the subscriptions source (``kpis.derived.refresh_source``), and the commit —
  target ≤ 5 s;
- one KPI month with ``source = subscriptions`` (portfolio, breakdowns, concentration; the
  report cache cleared each time), median of ``--runs`` — target ≤ 150 ms.

    .venv/bin/python -m bench licences_mrr [--size 100000] [--databases sqlite,postgres]
        [--store-only [--runs N]]

``--store-only``: only the MRR store's full rebuild (``mrr._rewrite`` and the commit),
``--runs`` times (default 5) on the same world, median and load average printed.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date
from typing import Any

from sqlalchemy import text

from bench.common import available_databases, figure, fresh_database, ms, say

TODAY = date(2025, 10, 15)
FIRST = 2023 * 12 + 10  # 2023-11
THROUGH = 2026 * 12 + 9  # 2026-10: today's month + 12
AS_OF = "2025-09"  # the last complete month
ACCOUNTS = 100_000
REBUILD_TARGET = 5.0
MONTH_TARGET = 0.150
RUNS = 7


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def _counter(kind: str, n: int) -> str:
    if kind == "sqlite":
        return (f"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n}) "
                "SELECT i FROM c")
    return f"SELECT generate_series(1, {n}) AS i"


def build(kind: str, url: str, accounts: int) -> None:
    """The world, in SQL (ids from 1)."""
    from sqlalchemy.orm import Session

    from accord.core.database import make_engine
    from accord.growth.models import Offering, ProductLine, Sku

    engine = make_engine(url)
    now = ("'2025-01-01 00:00:00+00:00'" if kind == "sqlite"
           else "TIMESTAMPTZ '2025-01-01 00:00:00+00:00'")
    with engine.begin() as conn:
        def run(sql: str) -> None:
            conn.execute(text(sql))

        run("INSERT INTO users (id, email, name, role, capacity, is_active, created_at) "
            f"SELECT i, 'manager' || i || '@bench.test', 'Manager ' || i, 'manager', 100, TRUE, "
            f"{now} FROM ({_counter(kind, 60)}) s")
        run("INSERT INTO accounts (id, kind, name, name_key, segment, status, manager_id, "
            "created_at, updated_at) SELECT i, 'company', 'Client ' || i, 'client ' || i, "
            "CASE i % 5 WHEN 0 THEN 'Manufacturing' WHEN 1 THEN 'Energy' WHEN 2 THEN 'Retail' "
            f"WHEN 3 THEN 'Healthcare' ELSE 'Finance' END, 'active', 1 + i % 60, {now}, {now} "
            f"FROM ({_counter(kind, accounts)}) s")
        with Session(bind=conn) as s:  # the catalogue, with its defaults
            s.add(ProductLine(id=1, name="Software"))
            s.flush()
            s.add(Offering(id=1, product_line_id=1, name="Licences"))
            s.flush()
            s.add_all([Sku(id=k, offering_id=1, code=c, name=c, unit="seat", billing_period=p)
                       for k, c, p in ((1, "E3", "year"), (2, "E5", "quarter"),
                                       (3, "PHONE", "month"))])
            s.flush()
        # subscription i: account i (the add-ons: ids above N, for every fifth account)
        if kind == "sqlite":
            start_on = ("date('2023-11-01', '+' || (a % 12) || ' months', '+' || (a % 27) || "
                        "' days')")
            end_on = f"date({start_on}, '+12 months', '-1 day')"
            ended = f"date({start_on}, '+' || (20 + a % 6) || ' months')"
        else:
            start_on = ("(DATE '2023-11-01' + make_interval(months => a % 12) "
                        "+ make_interval(days => a % 27))::date")
            end_on = f"({start_on} + INTERVAL '12 months' - INTERVAL '1 day')::date"
            ended = f"({start_on} + make_interval(months => 20 + a % 6))::date"
        subs = (f"SELECT i AS id, i AS a, 1 + i % 2 AS sku FROM ({_counter(kind, accounts)}) s "
                f"UNION ALL SELECT {accounts} + i, i, 3 FROM ({_counter(kind, accounts)}) s "
                "WHERE i % 5 = 0")
        run("INSERT INTO subscriptions (id, account_id, sku_id, status, start_on, term_months, "
            "end_on, auto_renew, notice_days, currency, ended_on, version, created_at, "
            f"updated_at) SELECT id, a, sku, CASE WHEN a % 7 = 0 THEN 'cancelled' ELSE "
            f"'active' END, {start_on}, 12, {end_on}, a % 7 <> 0, 30, 'EUR', "
            f"CASE WHEN a % 7 = 0 THEN {ended} END, 1, {now}, {now} FROM ({subs}) x")
        later = ("date(start_on, '+' || (6 + id % 9) || ' months')" if kind == "sqlite" else
                 "(start_on + make_interval(months => 6 + id % 9))::date")
        run("INSERT INTO subscription_terms (subscription_id, effective_on, quantity, "
            "unit_price, reason, changed_at) "
            f"SELECT id, start_on, 10 + id % 200, 12 + id % 50, 'bench', {now} "
            f"FROM subscriptions UNION ALL SELECT id, {later}, 15 + id % 230, 12 + id % 50, "
            f"'bench', {now} FROM subscriptions WHERE id % 3 <> 0")
    if kind == "postgres":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def bench_store(kind: str, accounts: int, runs: int) -> dict[str, float]:
    """The MRR store's full rebuild alone, ``runs`` times: its median."""
    from accord.core.database import make_engine, session_factory
    from accord.licences import mrr

    url = fresh_database(kind, "licences_mrr")
    build(kind, url, accounts)
    engine = make_engine(url)
    sessions = session_factory(engine)
    times = []
    for attempt in range(runs):
        with sessions() as s:
            t0 = time.perf_counter()
            rows = mrr._rewrite(s, through=THROUGH, accounts=None)
            s.commit()
            times.append(time.perf_counter() - t0)
        figure(f"[{kind}] MRR store ({attempt + 1}/{runs}), {rows:,} rows",
               f"{times[-1]:,.2f} s", _load())
    median = statistics.median(times)
    note = f"≤ {REBUILD_TARGET:.0f} s {'met' if median <= REBUILD_TARGET else 'MISSED'}"
    figure(f"[{kind}] MRR store, median of {runs}", f"{median:,.2f} s", f"{note} · {_load()}")
    engine.dispose()
    return {"store": median}


def bench_database(kind: str, accounts: int, runs: int) -> dict[str, float]:
    from accord.cli.common import operator
    from accord.core.database import make_engine, session_factory
    from accord.kpis import derived, service
    from accord.kpis.formulas import Source
    from accord.licences import mrr

    url = fresh_database(kind, "licences_mrr")
    started = time.perf_counter()
    build(kind, url, accounts)
    say(f"  [{kind}] world built in {time.perf_counter() - started:,.1f} s ({accounts:,} "
        "accounts)")
    engine = make_engine(url)
    sessions = session_factory(engine)
    admin = operator()
    with sessions.begin() as s:  # the invoices' derived data first (none: no revenue)
        service.rebuild(s)
    out: dict[str, float] = {}
    for attempt in ("first", "again"):
        s = sessions()
        try:
            t0 = time.perf_counter()
            rows = mrr._rewrite(s, through=THROUGH, accounts=None)
            t1 = time.perf_counter()
            derived.refresh_source(s, Source.SUBSCRIPTIONS, mrr.mrr_table, None)
            t2 = time.perf_counter()
            s.commit()
            t3 = time.perf_counter()
        finally:
            s.close()
        total = t3 - t0
        note = f"≤ {REBUILD_TARGET:.0f} s {'met' if total <= REBUILD_TARGET else 'MISSED'}"
        figure(f"[{kind}] rebuild ({attempt}): MRR store, {rows:,} rows", f"{t1 - t0:,.2f} s")
        figure(f"[{kind}] rebuild ({attempt}): KPI rows, subscriptions", f"{t2 - t1:,.2f} s")
        figure(f"[{kind}] rebuild ({attempt}): commit", f"{t3 - t2:,.2f} s")
        figure(f"[{kind}] rebuild ({attempt}): total", f"{total:,.2f} s", f"{note} · {_load()}")
        out[f"rebuild_{attempt}"] = total
    with sessions.begin() as s:
        kpi_rows = s.scalar(text("SELECT count(*) FROM kpi_account_windows WHERE variant >= 1000"))
    say(f"  [{kind}] {kpi_rows:,} derived KPI rows of the subscriptions source")

    def month() -> dict[str, Any]:
        service.clear_cache()
        with sessions.begin() as s:
            return service.kpi_report(s, admin, today=TODAY, as_of=AS_OF, source="subscriptions")

    doc = month()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        month()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    note = f"≤ {ms(MONTH_TARGET)} {'met' if median <= MONTH_TARGET else 'MISSED'}"
    figure(f"[{kind}] KPI month {AS_OF}, source=subscriptions (median of {runs})", ms(median),
           f"{note} · {_load()}")
    p = doc["portfolio"]
    say(f"  [{kind}] NRR {p['nrr']}, GRR {p['grr']}, ending MRR window "
        f"{p['ending_revenue']:,}, paying accounts {doc['concentration']['accounts']:,}")
    out["month"] = median
    engine.dispose()
    return out


def run(args: Any) -> None:
    accounts = args.size or ACCOUNTS
    if "--store-only" in args:
        for kind in available_databases(args.databases):
            bench_store(kind, accounts, args.runs or 5)
        return
    runs = args.runs or RUNS
    results = {}
    for kind in available_databases(args.databases):
        results[kind] = bench_database(kind, accounts, runs)
    for kind, r in results.items():
        say(f"  {kind:<9} rebuild {r['rebuild_first']:.2f} s (again {r['rebuild_again']:.2f} s)"
            f" · KPI month {ms(r['month'])}")


if __name__ == "__main__":
    import sys

    from bench.__main__ import parse

    run(parse(["licences_mrr", *sys.argv[1:]], ["licences_mrr"]))
