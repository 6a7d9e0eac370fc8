"""The rules of one revenue value, in plain Python (no storage): an amount, a date, a
line's key.

The importer checks the same rules in SQL (``load/checks.py``), set-based; property tests
hold the two to each other. The routes that vouch for rows in Python (``load/shaping.py``)
use these. ``line_key`` is rendered in SQL right below it (``line_key_sql``).
"""

from __future__ import annotations

import re
from datetime import date

MAX_TEXT = 100  # product line and line id
MAX_WHOLE_DIGITS = 15  # amounts up to 999 999 999 999 999.99 (fits 64-bit cents)

_AMOUNT = re.compile(r"(-?\d+)(?:\.(\d\d?))?", re.ASCII).fullmatch
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII).fullmatch


def parse_cents(text: str) -> int | None:
    """``-1234.5`` -> -123450; None when not an amount with at most two decimals and at most
    15 digits before the point. The rule the import checks in SQL (``checks.py``); the tests
    hold the two to each other."""
    match = _AMOUNT(text.strip(" "))
    if match is None:
        return None
    whole, frac = match.group(1, 2)
    if len(whole.lstrip("-")) > MAX_WHOLE_DIGITS:
        return None
    cents = int(whole) * 100
    if frac:
        part = int(frac) * 10 if len(frac) == 1 else int(frac)
        cents += -part if whole[0] == "-" else part
    return cents


def parse_month_of_day(text: str) -> int | None:
    """Month index of an ISO ``YYYY-MM-DD`` date; None when malformed or not a real day."""
    text = text.strip(" ")
    if _DATE(text) is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day.year * 12 + day.month - 1


def line_key(day_iso: str, product_line: str | None, line_id: str | None) -> str:
    """A revenue line's identity within its account: ``#<line_id>`` when the line has an
    id, else ``<date>|<product line>`` (``revenue_lines`` is keyed by account and this)."""
    return "#" + line_id if line_id else day_iso + "|" + (product_line or "")


def line_key_sql(day_iso: str, product_line: str, line_id: str) -> str:
    """:func:`line_key` as an SQL expression over three text expressions, none of them NULL
    (the staged checks coalesce a missing value to ``''``); the same on SQLite and
    PostgreSQL, and held to :func:`line_key` by a property test on both."""
    return (f"CASE WHEN {line_id} <> '' THEN '#' || {line_id} "
            f"ELSE {day_iso} || '|' || {product_line} END")
