"""Microsoft 365 tenant imports: an admin centre Active users export of 100,000 people and
its active user detail (usage) report, through the import use case every front door calls
(``exchange.run_import``), on SQLite and PostgreSQL; each imported twice (the second
changes nothing). Target (issue 15): ≥ 20,000 rows/s. Beside the wall clock, the CPU the
import used (this process and, on a local PostgreSQL, its backend): on a machine shared
with other work the wall clock varies, the CPU much less.

Options: ``--users N`` (default 100,000), ``--databases sqlite,postgres``.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import available_databases, figure, fresh_database, header, say

USERS = 100_000
BENCH_DB = "accord_bench_licences"
DAY = date(2026, 3, 10)
LICENCES = ("Microsoft 365 E3", "Microsoft 365 E3+Enterprise Mobility + Security E5",
            "Microsoft 365 E5+Microsoft Teams Phone Standard", "Microsoft 365 E3",
            "Unlicensed")
WORKLOADS = ("Exchange", "OneDrive", "SharePoint", "Skype For Business", "Yammer", "Teams")


def write_files(folder: Path, users: int) -> tuple[Path, Path]:
    people = folder / "active_users.csv"
    with open(people, "w", encoding="utf-8-sig", newline="") as out:
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(["Block credential", "Department", "Display name", "First name",
                    "Last name", "Licenses", "User principal name", "When created"])
        for n in range(users):
            w.writerow(["False" if n % 50 else "True", f"Dept {n % 40}", f"Person {n}",
                        "Person", str(n), LICENCES[n % len(LICENCES)],
                        f"person{n}@tenant.example", "1/15/2024 10:02:11 AM"])
    usage = folder / "usage_detail.csv"
    with open(usage, "w", encoding="utf-8-sig", newline="") as out:
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(["Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted",
                    "Deleted Date", *(f"Has {x} License" for x in WORKLOADS),
                    *(f"{x} Last Activity Date" for x in WORKLOADS), "Assigned Products"])
        for n in range(users):
            licensed = n % len(LICENCES) != 4
            w.writerow(["2026-03-08", f"person{n}@tenant.example", f"Person {n}", "False", "",
                        *(str(licensed) for _ in WORKLOADS),
                        *(f"2026-03-0{1 + (n + i) % 8}" if licensed and (n + i) % 3 else ""
                          for i, _ in enumerate(WORKLOADS)),
                        LICENCES[n % len(LICENCES)].upper() if licensed else ""])
    return people, usage


def _world(url: str) -> None:
    from accord.accounts.models import Account
    from accord.core.database import make_engine, session_factory, utcnow
    from accord.core.models import User
    from accord.growth.models import Offering, ProductLine, Sku
    from accord.licences.models import AccountDomain, ProductName, Subscription, SubscriptionTerm

    engine = make_engine(url)
    with session_factory(engine).begin() as s:
        now = utcnow()
        s.add(User(email="bench@accord.test", role="admin", name="Bench", password_hash="x",
                   capacity=100, is_active=True, created_at=now))
        account = Account(name="Tenant", name_key="tenant", external_id="TENANT",
                          kind="company", status="active", created_at=now, updated_at=now)
        line = ProductLine(name="Software licences")
        s.add_all([account, line])
        s.flush()
        offering = Offering(product_line_id=line.id, name="Microsoft 365")
        s.add(offering)
        s.flush()
        for code, name in (("M365-E3", "Microsoft 365 E3"), ("M365-E5", "Microsoft 365 E5"),
                           ("EMS-E5", "Enterprise Mobility + Security E5"),
                           ("TEAMS-PHONE", "Microsoft Teams Phone Standard")):
            sku = Sku(offering_id=offering.id, code=code, name=name, unit="seat",
                      billing_period="month")
            s.add(sku)
            s.flush()
            s.add(ProductName(name=name, key=name.upper(), sku_id=sku.id))
            sub = Subscription(account_id=account.id, sku_id=sku.id, status="active",
                               start_on=date(2026, 1, 1), term_months=12,
                               end_on=date(2026, 12, 31), currency="EUR", created_at=now,
                               updated_at=now)
            s.add(sub)
            s.flush()
            s.add(SubscriptionTerm(subscription_id=sub.id, effective_on=date(2026, 1, 1),
                                   quantity=40_000, unit_price=Decimal("30"), changed_at=now))
        s.add(AccountDomain(domain="tenant.example", account_id=account.id))
    engine.dispose()


def _server_cpu(session: Any) -> float | None:
    """CPU seconds the session's PostgreSQL backend has used (None: SQLite, or a server on
    another machine): on a shared machine, busy with others, the import's own CPU (this
    process and its backend) says what it costs when the wall clock does not."""
    if session.get_bind().dialect.name != "postgresql":
        return 0.0
    from sqlalchemy import text

    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _import(url: str, kind: str, path: Path) -> tuple[float, float | None, Any]:
    """(wall seconds, CPU seconds of this process and the database backend, the report)."""
    from sqlalchemy import select

    from accord.core.database import make_engine, session_factory
    from accord.core.models import User
    from accord.exchange.importing import run_import

    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as s:
            user = s.scalars(select(User).where(User.email == "bench@accord.test")).one()
            server = _server_cpu(s)
            started, cpu = time.perf_counter(), time.process_time()
            report = run_import(s, user, kind, path, today=DAY)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            after = _server_cpu(s)
        used = None if server is None or after is None else cpu + after - server
        return wall, used, report
    finally:
        engine.dispose()


def _measure(kind: str, users: int, files: tuple[Path, Path]) -> None:
    header(f"Microsoft 365 tenant import, {users:,} people — {kind}")
    url = fresh_database(kind, BENCH_DB)
    _world(url)
    for label, what, path in (("Active users export, first import", "m365-users", files[0]),
                              ("Active users export, again (unchanged)", "m365-users",
                               files[0]),
                              ("usage report, first import", "m365-usage", files[1]),
                              ("usage report, again (unchanged)", "m365-usage", files[1])):
        seconds, cpu, report = _import(url, what, path)
        assert report.status == "imported", report.problems[:3]
        busy = "" if cpu is None else f" (cpu {cpu:.2f} s: {report.rows / cpu:,.0f} rows/s)"
        figure(label, f"{report.rows / seconds:,.0f} rows/s",
               f"{seconds:.2f} s{busy}; +{report.inserted:,} ~{report.updated:,} "
               f"={report.unchanged:,}; seats +{report.seats_assigned:,} "
               f"-{report.seats_freed:,}")


def run(args: Any) -> None:
    parser = argparse.ArgumentParser(prog="bench licences_import")
    parser.add_argument("--users", type=int, default=USERS)
    options, _ = parser.parse_known_args(list(args))
    with tempfile.TemporaryDirectory() as folder:
        files = write_files(Path(folder), options.users)
        for kind in available_databases(getattr(args, "databases", None)):
            _measure(kind, options.users, files)
    say("  target: ≥ 20,000 rows/s (issue 15)")


if __name__ == "__main__":
    import sys

    run(sys.argv[1:])
