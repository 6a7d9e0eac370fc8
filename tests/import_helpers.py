"""Helpers shared by the import/export tests (files, independent recomputations)."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from accord.revenue.load.importing import bulk_load_revenue
from accord.revenue.load.rows import RevenueRow

FIXTURES = Path(__file__).parent / "fixtures"


def csv_file(tmp_path: Path, name: str, body: str) -> Path:
    """A UTF-8 file of the non-blank lines of ``body`` (so line 2 is the first data row)."""
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in body.splitlines() if line.strip()),
                    encoding="utf-8")
    return path


def upload(body: str) -> io.BytesIO:
    text_ = "".join(line + "\n" for line in body.splitlines() if line.strip())
    return io.BytesIO(text_.encode("utf-8"))


def lines_of(db: Session) -> list[tuple[int, str, str, int, str | None, str | None]]:
    return [
        (r[0], r[1], str(r[2]), int(r[3]), r[4], r[5])
        for r in db.execute(text(
            "SELECT account_id, line_key, date, amount_cents, product_line, line_id "
            "FROM revenue_lines ORDER BY account_id, line_key"
        ))
    ]


def monthly_of(db: Session) -> list[tuple[int, int, int, int, int]]:
    return [
        tuple(int(v) for v in r)  # type: ignore[misc]
        for r in db.execute(text(
            "SELECT account_id, month, amount_cents, line_count, cumulative_cents "
            "FROM monthly_revenue ORDER BY account_id, month"
        ))
    ]


def recomputed_monthly(db: Session) -> list[tuple[int, int, int, int, int]]:
    """monthly_revenue as it should be, worked out in plain Python from revenue_lines."""
    sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for account_id, day, cents in db.execute(
        text("SELECT account_id, date, amount_cents FROM revenue_lines")
    ):
        year, month = int(str(day)[:4]), int(str(day)[5:7])
        cell = sums[(int(account_id), year * 12 + month - 1)]
        cell[0] += int(cents)
        cell[1] += 1
    out = []
    running: dict[int, int] = defaultdict(int)
    for (account_id, month), (amount, count) in sorted(sums.items()):
        running[account_id] += amount
        out.append((account_id, month, amount, count, running[account_id]))
    return out


def audit_entries(db: Session, entity: str) -> list[tuple[str, str | None]]:
    return [tuple(r) for r in db.execute(
        text("SELECT action, entity_id FROM audit_log WHERE entity = :e ORDER BY id"), {"e": entity}
    )]


def month_lines(account_id: int, months: Mapping[int, int], lines: int = 1, *,
                product_line: str | None = None, day: int = 1) -> list[RevenueRow]:
    """Revenue lines that make exactly these monthly amounts (month index -> cents):
    ``lines`` lines a month (ids ``m<month>-<i>``) whose amounts add up to the month's."""
    rows: list[RevenueRow] = []
    for month, cents in sorted(months.items()):
        year, month0 = divmod(month, 12)
        share, rest = divmod(cents, lines)
        rows += [(account_id, date(year, month0 + 1, day), share + (rest if i == 0 else 0),
                  product_line, f"m{month}-{i}") for i in range(lines)]
    return rows


def write_monthly(db: Session, account_id: int, months: dict[int, int], lines: int = 1) -> None:
    """Monthly revenue of one account (month index -> cents; ``lines`` lines a month),
    written as the importer writes it: lines through the loader, which keeps the monthly
    rows and their running totals."""
    bulk_load_revenue(db, month_lines(account_id, months, lines))
