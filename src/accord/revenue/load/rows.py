"""The one row type of the revenue load, and the one way a route of it gives up.

Only the standard library: the chunk processes (``chunk_worker.py``) import this through
``shaping.py`` and must start in milliseconds.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Protocol

#: a revenue line in the stored shape: (account_id, line_key, date 'YYYY-MM-DD', month
#: index, amount_cents, product_line, line_id) — what every route writes into
#: ``revenue_lines`` (the columns of ``bulk.COLUMNS``, in that order)
StoredLine = tuple[int, str, str, int, int, str | None, str | None]
#: (account_id, day, amount_cents, product_line, line_id) — what code that already holds
#: its rows gives ``bulk_load_revenue``
RevenueRow = tuple[int, date, int, str | None, str | None]


class GiveUp(Exception):  # not "...Error": a signal to take the next route, not an error
    """This route cannot take the file: a row it cannot vouch for, a key already stored,
    a chunk process that failed, bytes ``COPY`` would refuse. Whoever tried the route rolls
    back to the savepoint taken before it and takes the next route (``routes.ROUTES``);
    the last route, staging, never gives up and reports every row."""


class Columns(Protocol):
    """Where each field of a revenue file sits (``accord.exchange.columns.Resolved``): the
    load is given it, it does not read column maps itself."""

    index: dict[str, int]  # field -> column position
    header: dict[str, str]  # field -> header as written in the file


class LoadReport(Protocol):
    """What the load fills in of the import's report (``accord.exchange.schemas``)."""

    rows: int
    inserted: int
    updated: int
    unchanged: int
    invalid_rows: int
    accounts_refreshed: int
    skip_invalid: bool
    phases: dict[str, float]

    @property
    def source(self) -> StrEnum: ...

    @property
    def max_problems(self) -> int: ...

    def add_problem(self, row: int, column: str, reason: str) -> None: ...
