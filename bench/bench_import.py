"""Revenue import: 1,000,000 canonical CSV lines through the CLI's code path (the file
importer, monthly revenue kept current), on SQLite and PostgreSQL; then a 2,000,000-line
file to show that memory does not grow with the file.

Each import runs in a fresh interpreter (``spawn``) so that its peak memory (ru_maxrss) is
its own. Yardsticks measured in the same run calibrate a busy machine: a bare executemany
INSERT of the same rows (SQLite) and a bare COPY (PostgreSQL) into an unindexed table.

Options: ``--size N`` (lines, default 1,000,000), ``--databases sqlite,postgres``.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import available_databases, figure, fresh_database, say

ACCOUNTS = 10_000
MONTHS = 36
FIRST_MONTH = 2023 * 12  # January 2023
PRODUCTS = ("Licences", "Support", "Services", "Hardware", "Training")
BENCH_DB = "accord_bench"


def write_csv(path: Path, lines: int, seed: int = 7) -> None:
    """A ledger-ordered canonical file: month by month, every account, a few product lines."""
    rnd = random.Random(seed)
    per_month = max(1, -(-lines // MONTHS))
    per_account = max(1, -(-per_month // ACCOUNTS))
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("account_external_id,date,amount,product_line,line_id\n")
        for m in range(MONTHS):
            year, month0 = divmod(FIRST_MONTH + m, 12)
            chunk = []
            for a in range(1, ACCOUNTS + 1):
                for p in range(per_account):
                    if written >= lines:
                        break
                    day = (a + p * 7) % 28 + 1
                    cents = rnd.randint(-20_000, 2_000_000)
                    product = PRODUCTS[p % len(PRODUCTS)]
                    line_id = f"INV-{m:02d}-{a:05d}-{p}" if p >= len(PRODUCTS) else ""
                    sign = "-" if cents < 0 else ""
                    chunk.append(f"A{a:06d},{year:04d}-{month0 + 1:02d}-{day:02d},"
                                 f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d},"
                                 f"{product},{line_id}\n")
                    written += 1
            out.write("".join(chunk))


def write_next_month(path: Path, seed: int = 11) -> int:
    """The month after the big file, for every account and product line: a monthly update."""
    rnd = random.Random(seed)
    year, month0 = divmod(FIRST_MONTH + MONTHS, 12)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("account_external_id,date,amount,product_line,line_id\n")
        for a in range(1, ACCOUNTS + 1):
            for p in range(3):
                cents = rnd.randint(-20_000, 2_000_000)
                sign = "-" if cents < 0 else ""
                out.write(f"A{a:06d},{year:04d}-{month0 + 1:02d}-{(a % 28) + 1:02d},"
                          f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d},{PRODUCTS[p]},\n")
                count += 1
    return count


def monthly_update(url: str, path: Path) -> dict[str, Any]:
    """Build the KPI engine's derived rows (as the first dashboard view would), then import
    one more month: the routine import of a loaded portfolio, KPI refresh included."""
    from accord.core.database import make_engine, session_factory
    from accord.kpis.derived import rebuild

    engine = make_engine(url)
    with session_factory(engine).begin() as session:
        started = time.perf_counter()
        rebuild(session)
        built = time.perf_counter() - started
    engine.dispose()
    result = import_in_child(url, path)
    result["kpi_build"] = built
    return result


def create_accounts(url: str) -> None:
    from accord.core.database import make_engine

    engine = make_engine(url)
    stamp = "2025-01-01 00:00:00+00:00"
    rows = [(i, f"A{i:06d}", f"Account {i}", f"account {i}", stamp, stamp)
            for i in range(1, ACCOUNTS + 1)]
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        cur = raw.cursor()
        sql = ("INSERT INTO accounts (id, external_id, kind, name, status, name_key, created_at, "
               "updated_at) VALUES (%s, %s, 'company', %s, 'active', %s, %s, %s)")
        if url.startswith("sqlite"):
            cur.executemany(sql.replace("%s", "?"), rows)
        else:
            cur.executemany(sql, rows)
            cur.execute("SELECT setval(pg_get_serial_sequence('accounts', 'id'), %s)", (ACCOUNTS,))
    engine.dispose()


def _child(url: str, path: str, queue: Any) -> None:
    """In a fresh interpreter: import the file like ``accord import revenue`` does."""
    from accord.cli.common import operator
    from accord.core.database import make_engine, session_factory
    from accord.exchange.importing import run_import

    engine = make_engine(url)
    sessions = session_factory(engine)
    cpu0 = time.process_time()
    start = time.perf_counter()
    with sessions() as session:
        report = run_import(session, operator(), "revenue", path)
        session.commit()
    seconds = time.perf_counter() - start
    engine.dispose()
    queue.put({
        "seconds": seconds, "cpu": time.process_time() - cpu0, "rows": report.rows,
        "inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged,
        "status": report.status, "invalid": report.invalid_rows, "phases": report.phases,
        "peak_mib": _peak_mib(),
    })


def _peak_mib() -> float:
    """Peak resident memory of this process. VmHWM belongs to the process's own address
    space (reset by exec); ru_maxrss is kept across exec, so it would include the parent's
    size at the time of the fork."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_in_child(url: str, path: Path) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(url, str(path), queue))
    proc.start()
    result = queue.get()
    proc.join()
    return dict(result)


def yardstick(kind: str, url: str, path: Path) -> float:
    """Rows/s of a bare bulk insert of the file's rows into an unindexed table (no checks),
    streamed from the file like the importer (includes the csv module's parsing)."""
    import csv

    from accord.core.database import make_engine

    engine = make_engine(url)
    count = 0
    with engine.begin() as conn, open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        raw = conn.connection.driver_connection
        assert raw is not None
        cur = raw.cursor()
        start = time.perf_counter()
        if kind == "sqlite":
            cur.execute("CREATE TEMP TABLE y (a text, d text, amount text, p text)")
            cur.executemany("INSERT INTO y VALUES (?, ?, ?, ?)", (r[:4] for r in reader))
            count = cur.rowcount
        else:
            cur.execute("CREATE TEMP TABLE y (a text, d date, amount numeric, p text)")
            with cur.copy("COPY y FROM STDIN") as copy:
                for r in reader:
                    copy.write_row(r[:4])
                    count += 1
        seconds = time.perf_counter() - start
        cur.execute("DROP TABLE y")
    engine.dispose()
    return count / seconds


def _lines(args: Any) -> int:
    size = getattr(args, "size", None)
    for i, arg in enumerate(list(args or [])):
        if arg == "--lines" and i + 1 < len(args):
            return int(args[i + 1])
    return int(size) if size else 1_000_000


def run(args: Any) -> None:
    lines = _lines(args)
    kinds = available_databases(getattr(args, "databases", None))
    say(f"  machine: {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work slows every figure)")
    with tempfile.TemporaryDirectory(prefix="accord-bench-import-") as tmp:
        for size in (lines, 2 * lines):
            path = Path(tmp) / f"revenue-{size}.csv"
            started = time.perf_counter()
            write_csv(path, size)
            say(f"  {size:,} lines for {ACCOUNTS:,} accounts x {MONTHS} months: "
                f"{path.stat().st_size / 1e6:,.0f} MB written in "
                f"{time.perf_counter() - started:,.1f} s")
            for kind in kinds:
                url = fresh_database(kind, BENCH_DB if kind == "postgres" else "import_bench")
                create_accounts(url)
                result = import_in_child(url, path)
                assert result["status"] == "imported" and result["inserted"] > 0, result
                rate = result["rows"] / result["seconds"]
                target = 250_000 if kind == "sqlite" else 300_000
                kpis = result["phases"].get("kpis", 0.0)
                figure(f"{kind}: import {size:,} lines (fresh database)",
                       f"{rate:,.0f} lines/s",
                       f"{result['seconds']:.1f} s, client CPU {result['cpu']:.1f} s, "
                       f"target {target:,}/s")
                figure(f"{kind}:   the same without the KPI refresh",
                       f"{result['rows'] / (result['seconds'] - kpis):,.0f} lines/s",
                       f"lines + monthly revenue; KPI derived rows took {kpis:.1f} s")
                say("      phases (s): " + ", ".join(
                    f"{k} {v:.2f}" for k, v in result["phases"].items()))
                figure(f"{kind}: peak memory of the importing process",
                       f"{result['peak_mib']:,.0f} MiB")
                if size == lines:
                    again = import_in_child(url, path)
                    figure(f"{kind}: re-import the same file (all unchanged)",
                           f"{again['rows'] / again['seconds']:,.0f} lines/s",
                           f"{again['unchanged']:,} unchanged, {again['inserted']} inserted")
                    figure(f"{kind}: yardstick, bare bulk insert without checks",
                           f"{yardstick(kind, url, path):,.0f} rows/s")
                    month = Path(tmp) / "next-month.csv"
                    rows = write_next_month(month)
                    update = monthly_update(url, month)
                    figure(f"{kind}: then one more month ({rows:,} lines), KPIs built",
                           f"{update['seconds']:.2f} s",
                           f"{update['inserted']:,} inserted; KPI refresh "
                           f"{update['phases'].get('kpis', 0.0):.2f} s (first build took "
                           f"{update['kpi_build']:.1f} s)")
                    say("      phases (s): " + ", ".join(
                        f"{k} {v:.2f}" for k, v in update["phases"].items()))
            path.unlink()


if __name__ == "__main__":  # python -m bench.bench_import [--lines N]
    class _Args(list[str]):
        size = None
        databases = None

    run(_Args(sys.argv[1:]))
