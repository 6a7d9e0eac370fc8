"""The quick paths' row rules (``shaping.shaped_batches``: tuples for SQLite's chunk
processes, ``COPY`` text for PostgreSQL's ``routes.copy_batches``) are the rules of
``parse_cents`` and ``parse_month_of_day``: a row they vouch for has exactly those cents
and that month, and a row those rules refuse is never vouched for. Pure Python: no
database."""

from __future__ import annotations

import csv
import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from accord.exchange.columns import resolve
from accord.revenue.load.bulk import Tally
from accord.revenue.load.readers import Table
from accord.revenue.load.routes import copy_batches
from accord.revenue.load.rows import GiveUp
from accord.revenue.load.shaping import shaped
from accord.revenue.rules import parse_cents, parse_month_of_day

HEADER = ["account_external_id", "date", "amount", "product_line", "line_id"]
INDEX = {name: i for i, name in enumerate(HEADER)}
ACCOUNTS = {"ACME": 1}

AMOUNT = st.one_of(
    st.integers(10**13, 10**17).map(lambda n: f"{n // 100}.{n % 100:02d}"),  # the digit limit
    st.decimals(min_value=-10**16, max_value=10**16, places=2, allow_nan=False,
                allow_infinity=False).map(str),
    st.integers(-10**17, 10**17).map(str),
    st.text(alphabet="0123456789.- e+", max_size=8),
    st.text(alphabet="12.\u0661\u0662\uff13\u00b2", min_size=4, max_size=6),  # other scripts
    st.from_regex(r"\A ?-?0*[0-9]{0,17}(\.[0-9]{0,3})? ?\Z"),
)
DAY = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.from_regex(r"\A ?[0-9]{4}-[0-9]{2}-[0-9]{2} ?\Z"),
    st.text(alphabet="0123456789- ", max_size=11),
)
TEXT = st.text(alphabet="ab Z-", max_size=3)


def _direct_row(record: list[str]) -> tuple[int, int] | None:
    """(cents, month) as PostgreSQL's quick path writes them, or None when it gives up."""
    table = Table(header=HEADER, rows=iter([record]), line=lambda: 2, position=lambda: 0,
                  size=0, format="csv")
    tally = Tally()
    try:
        batches = list(copy_batches(table, resolve("revenue", "accord", HEADER), ACCOUNTS, 10,
                                    [0], tally))
    except GiveUp:
        return None
    fields = next(csv.reader(io.StringIO(batches[0].text), delimiter="\t"))
    return int(fields[4]), int(fields[3])


@settings(max_examples=400, deadline=None)
@given(amount=AMOUNT, day=DAY, product=TEXT, line_id=TEXT)
@example(amount="999999999999999.99", day="2024-02-29", product="", line_id="")
@example(amount="1000000000000000.00", day="2024-02-29", product="", line_id="")
@example(amount="1.00", day="2023-02-29", product="", line_id="")
@example(amount="-0.5", day="0001-01-01", product=" a ", line_id=" ")
@example(amount="\u00b23.45", day="2024-01-01", product="", line_id="")
def test_the_quick_paths_follow_parse_cents_and_the_calendar(amount, day, product, line_id):
    record = ["ACME", day, amount, product, line_id]
    cents, month = parse_cents(amount), parse_month_of_day(day)
    vouchable = cents is not None and month is not None and amount == amount.strip(" ") \
        and day == day.strip(" ")
    try:
        rows = list(shaped([record], INDEX, ACCOUNTS))
    except GiveUp:
        rows = []
    direct = _direct_row(record)
    if not vouchable:
        assert rows == [] and direct is None
        return
    assert direct == (cents, month)
    (account, key, stored_day, stored_month, stored_cents, stored_product, stored_id), = rows
    assert (account, stored_day, stored_month, stored_cents) == (1, day, month, cents)
    assert stored_product == (product.strip(" ") or None)
    assert stored_id == (line_id.strip(" ") or None)
    assert key == ("#" + stored_id if stored_id else day + "|" + (stored_product or ""))


def test_an_unknown_account_or_a_short_row_is_not_vouched_for():
    for record in (["NOBODY", "2024-01-01", "1.00", "", ""], ["ACME", "2024-01-01"]):
        try:
            list(shaped([record], INDEX, ACCOUNTS))
        except GiveUp:
            continue
        raise AssertionError(f"vouched for {record}")
