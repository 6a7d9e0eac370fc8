"""Revenue rows shaped for storage in plain Python, for the routes that vouch for a clean
file row by row (PostgreSQL's ``copy`` route in ``routes.py``, SQLite's chunk processes in
``chunk_worker.py``).

Only the standard library, ``rules.py`` and ``rows.py``: a chunk process imports this in
milliseconds. A row is vouched for only when the rules of ``parse_cents`` and
``parse_month_of_day`` say so exactly — the same rules the SQL checks hold to, property
tests say — and the account is known; at the first row that is not (a bad or spaced value,
a short row, a text too long), :class:`~accord.revenue.load.rows.GiveUp` is raised and the
caller takes the staged route, which checks in SQL and reports every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from accord.revenue.load.rows import GiveUp, StoredLine
from accord.revenue.rules import MAX_TEXT, line_key, parse_cents, parse_month_of_day

NULL = "\\N"  # COPY text's NULL


def shaped_batches(
    records: Iterable[list[str]], index: Mapping[str, int], accounts: Mapping[str, int],
    size: int, *, copy_text: bool = False, tally: dict[int, int] | None = None,
) -> Iterator[list[Any]]:
    """The records in the stored shape, in batches of ``size``: tuples, or with
    ``copy_text`` lines of ``COPY``'s text format (PostgreSQL; the caller makes sure no value
    needs escaping). ``index``: field name -> column of the record. With ``tally``, each
    row's amount and line are added under ``account_id << 17 | month`` as
    ``cents << 32 | lines`` (``bulk.Tally``). One loop for both routes, inlined: a
    generator of single rows cost 0.5 s per million rows where the parsing is the
    bottleneck (PostgreSQL's ``copy`` route). Raises ``GiveUp`` at the first row it cannot
    vouch for."""
    ia, idate, iamt = index["account_external_id"], index["date"], index["amount"]
    ip = index.get("product_line")
    il = index.get("line_id")
    width = max(index.values()) + 1
    key_of = line_key
    months: dict[str, int] = {}
    batch: list[Any] = []
    add = batch.append
    for rec in records:
        if len(rec) < width:
            raise GiveUp
        account_id = accounts.get(rec[ia])
        day = rec[idate]
        month = months.get(day)
        if month is None:
            month = parse_month_of_day(day) if day == day.strip(" ") else None
            if month is None:
                raise GiveUp
            months[day] = month
        amount = rec[iamt]
        cents: int | None
        if amount[-3:-2] == "." and amount[:-3].isdigit() and amount[-2:].isdigit() \
                and len(amount) <= 18 and amount.isascii():  # str.isdigit: any script
            cents = int(amount[:-3] + amount[-2:])
        else:
            cents = parse_cents(amount) if amount == amount.strip(" ") else None
        product = rec[ip].strip(" ") if ip is not None else ""
        line_id = rec[il].strip(" ") if il is not None else ""
        if account_id is None or cents is None or len(product) > MAX_TEXT \
                or len(line_id) > MAX_TEXT:
            raise GiveUp
        key = key_of(day, product, line_id)
        if copy_text:
            add(f"{account_id}\t{key}\t{day}\t{month}\t{cents}\t{product or NULL}\t"
                f"{line_id or NULL}\n")
        else:
            add((account_id, key, day, month, cents, product or None, line_id or None))
        if tally is not None:
            code = account_id << 17 | month
            tally[code] = tally.get(code, 0) + (cents << 32) + 1
        if len(batch) >= size:
            yield batch
            batch = []
            add = batch.append
    if batch:
        yield batch


def shaped(records: Iterable[list[str]], index: Mapping[str, int],
           accounts: Mapping[str, int]) -> Iterator[StoredLine]:
    """Each record in the stored shape (see :func:`shaped_batches`)."""
    for batch in shaped_batches(records, index, accounts, 1_000):
        yield from batch
