"""The revenue fast path: stream revenue lines into ``revenue_lines`` and bring
``monthly_revenue`` up to date for the accounts touched, all set-based, with no ORM objects.

Semantics of one load (one call, one import):

- a line's identity within its account is its ``line_key`` (``rules.line_key``):
  ``#<line_id>`` when the line has an id, else ``<date>|<product_line>``;
  ``(account_id, line_key)`` is the table's key;
- lines of the same key within one load are summed into one revenue line;
- a key that existed before the load is *replaced* by the load's total for it (re-importing a
  file never double counts, and rewrites nothing when nothing changed).

Two ways in:

- :func:`load_new`, for rows whose keys are all new (a first import, a new month, the demo):
  each batch goes straight into ``revenue_lines`` (SQLite: ``executemany`` from a worker
  thread while the caller produces the next batch; PostgreSQL: one ``COPY`` fed from the
  caller's thread), and the monthly change is summed in Python as the batches go by. The
  first key already stored or repeated raises ``rows.GiveUp``: the caller rolls back its
  savepoint and merges.
- the merge (:func:`load_prepared`, :func:`load_select`): the load's rows are first summed
  per key into a TEMP table ``rl_new``; the stored rows of those keys are read into
  ``rl_touched`` (their values before); then one ``INSERT ... ON CONFLICT`` writes the rows
  that are new or differ, and the monthly change is (``rl_new``) - (``rl_touched``).

Either way the change per account and month lands in ``rl_delta``, and
:func:`accord.revenue.load.monthly.refresh_monthly` applies it. Every load that changes anything
is numbered in ``revenue_loads``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy.orm import Session

from accord.revenue.load.monthly import FromTally, refresh_monthly
from accord.revenue.load.raw_db import RawDb
from accord.revenue.load.rows import GiveUp, RevenueRow, StoredLine
from accord.revenue.rules import line_key

DEFAULT_BATCH = 20_000
COLUMNS = "account_id, line_key, date, month, amount_cents, product_line, line_id"
VALUES = ", ".join(["?"] * 7)
KEY = "account_id, line_key"


@dataclass
class LoadStats:
    lines: int = 0  # input lines read
    inserted: int = 0  # revenue lines created
    updated: int = 0  # existing revenue lines whose amount, date or product changed
    unchanged: int = 0  # existing revenue lines the load left as they were
    months: int = 0  # monthly_revenue rows written for them
    load_id: int | None = None  # the load's number in revenue_loads (None: nothing changed)
    strategy: str = ""  # how the lines went in (for benchmarks and curiosity)
    seconds: dict[str, float] = field(default_factory=dict)  # time per phase
    #: each refreshed account's earliest month whose monthly revenue changed
    first_months: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def account_ids(self) -> list[int]:
        """The accounts whose monthly revenue was refreshed."""
        return sorted(self.first_months)

    @property
    def accounts(self) -> int:
        return len(self.first_months)


def prepare(rows: Iterable[RevenueRow]) -> Iterator[StoredLine]:
    """Turn (account_id, day, cents, product, line_id) into the stored shape."""
    days: dict[date, tuple[str, int]] = {}
    for account_id, day, cents, product, line_id in rows:
        known = days.get(day)
        if known is None:
            known = days[day] = (day.isoformat(), day.year * 12 + day.month - 1)
        iso, month = known
        yield (account_id, line_key(iso, product, line_id), iso, month, cents,
               product or None, line_id or None)


def batched(rows: Iterable[StoredLine], size: int) -> Iterator[list[StoredLine]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


DELTA_COLUMNS = "account_id integer, month integer, amount_cents bigint, line_count bigint"
DELTA_KEY = "account_id, month"
LINES = 0xFFFFFFFF  # the line count's bits in a packed tally value


class Tally:
    """The monthly change of rows inserted as new: per account and month (the key
    ``account_id << 17 | month``; a month index is below 2**17), cents and lines, packed in
    one integer, ``cents << 32 | lines`` (one dictionary update per row instead of two;
    Python's integers make the packing exact for any sum, negative ones included)."""

    def __init__(self) -> None:
        self.packed: dict[int, int] = {}

    def add(self, batch: list[StoredLine]) -> None:
        packed = self.packed
        for row in batch:
            key = row[0] << 17 | row[3]
            packed[key] = packed.get(key, 0) + (row[4] << 32) + 1

    def for_monthly(self, db: RawDb, load_id: int) -> FromTally:
        """What ``refresh_monthly`` needs: accounts with no monthly row get theirs from the
        tally directly, running totals summed in key order (account, then month); the
        others' change goes into rl_delta."""
        packed = self.packed
        keys = sorted(packed)  # by account, then month
        columns = "account_id, month, amount_cents, line_count"

        def write_accounts() -> None:
            db.write_integers("rl_accounts", "account_id", ((a,) for a in first))

        def write_fresh(fresh: set[int]) -> None:
            def rows() -> Iterator[tuple[int, ...]]:
                account, running = -1, 0
                for key in keys:
                    owner = key >> 17
                    if owner not in fresh:
                        continue
                    if owner != account:
                        account, running = owner, 0
                    value = packed[key]
                    running += value >> 32
                    yield owner, key & 0x1FFFF, value >> 32, value & LINES, running, load_id

            db.write_integers("monthly_revenue", f"{columns}, cumulative_cents, load_id", rows())

        def write_delta(old: set[int]) -> None:
            db.temp_table("rl_delta", DELTA_COLUMNS, DELTA_KEY)
            db.write_integers("rl_delta", columns,
                              ((k >> 17, k & 0x1FFFF, packed[k] >> 32, packed[k] & LINES)
                               for k in keys if k >> 17 in old))

        first: dict[int, int] = {}  # each account's first month: its smallest key
        for key in reversed(keys):
            first[key >> 17] = key & 0x1FFFF
        return FromTally(write_accounts, write_fresh, write_delta, lambda: (first, len(keys)))


class CopyText(NamedTuple):
    """A batch already in ``COPY``'s text format (PostgreSQL), its rows tallied by whoever
    wrote it."""

    rows: int
    text: str


def load_new(
    session: Session,
    batches: Iterable[list[StoredLine] | CopyText],
    *,
    on_batch: Callable[[int], None] | None = None,
    tally: Tally | None = None,
) -> LoadStats:
    """Rows whose keys are all new, inserted as they come (see the module).
    :class:`CopyText` batches (PostgreSQL) come with their ``tally`` filled by the caller.
    Raises ``GiveUp`` at a key already stored or repeated in the load (the database then
    holds part of the load: roll back)."""
    db = RawDb(session)
    stats = LoadStats(strategy="sqlite executemany" if db.sqlite else "postgresql copy")
    began = time.perf_counter()
    db.begin_load()
    tally = tally if tally is not None else Tally()
    conflicts = db.conflicts()
    try:
        if db.sqlite:
            _new_sqlite(db, batches, stats, tally, on_batch)
        else:
            _new_postgres(db, batches, stats, tally, on_batch)
    except conflicts:
        raise GiveUp("a key already stored, or repeated in the load") from None
    stats.inserted = stats.lines
    return finish(db, stats, began, tally)


def _new_sqlite(db: RawDb, batches: Iterable[list[StoredLine] | CopyText], stats: LoadStats,
                tally: Tally, on_batch: Callable[[int], None] | None) -> None:
    """``executemany`` by a worker thread while the caller's thread produces the next batch
    (sqlite3 releases the GIL while SQLite works); at most two batches alive at a time."""

    def write(batch: list[StoredLine]) -> None:
        db.write_rows("revenue_lines", COLUMNS, batch)
        tally.add(batch)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="accord-load") as writer:
        pending: Future[None] | None = None
        try:
            for batch in batches:
                if isinstance(batch, CopyText):
                    raise TypeError("COPY text is for PostgreSQL")
                if not batch:
                    continue
                if pending is not None:
                    pending.result()
                pending = writer.submit(write, batch)
                stats.lines += len(batch)
                if on_batch:
                    on_batch(stats.lines)
        finally:
            if pending is not None:
                pending.result()


def _new_postgres(db: RawDb, batches: Iterable[list[StoredLine] | CopyText], stats: LoadStats,
                  tally: Tally, on_batch: Callable[[int], None] | None) -> None:
    """One ``COPY`` for the whole load, fed from this thread: the server works through what
    the socket holds while the next batch is produced. (A writer thread was slower: each
    chunk psycopg sent meant winning the GIL back from the producing thread.)"""
    with db.raw.cursor().copy(f"COPY revenue_lines ({COLUMNS}) FROM STDIN") as copy:
        for batch in batches:
            if isinstance(batch, CopyText):
                copy.write(batch.text)
                stats.lines += batch.rows
            else:
                for row in batch:
                    copy.write_row(row)
                tally.add(batch)
                stats.lines += len(batch)
            if on_batch:
                on_batch(stats.lines)


def bulk_load_revenue(
    session: Session, rows: Iterable[RevenueRow], *, batch_size: int = DEFAULT_BATCH
) -> LoadStats:
    """Load revenue lines (merging with what is stored) and bring monthly revenue up to date."""
    return load_prepared(session, prepare(rows), batch_size=batch_size)


def load_prepared(
    session: Session,
    rows: Iterable[StoredLine],
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> LoadStats:
    """Rows in the stored shape, merged with what is stored (see the module)."""
    db = RawDb(session)
    stats = LoadStats(strategy="merge")
    began = time.perf_counter()
    db.begin_load()
    create_new(db)
    db.temp_table("rl_batch", "account_id integer, line_key text, date date, month integer, "
                  "amount_cents bigint, product_line text, line_id text")
    for batch in batched(rows, batch_size):
        db.execute("DELETE FROM rl_batch")
        db.write_rows("rl_batch", COLUMNS, batch)
        add_to_new(db, f"SELECT {COLUMNS} FROM rl_batch")
        stats.lines += len(batch)
        if on_batch:
            on_batch(stats.lines)
    db.execute("DROP TABLE rl_batch")
    merge_new(db, stats)
    return finish(db, stats, began)


def load_select(
    session: Session, source: str, then: Callable[[int], str | None] | None = None,
) -> tuple[LoadStats, list[int]]:
    """Load the rows of a SELECT in the stored shape, then those of the SELECT ``then`` may
    give, as one merged load (a key in both is summed). Returns how many rows each gave."""
    db = RawDb(session)
    stats = LoadStats(strategy="merge")
    began = time.perf_counter()
    db.begin_load()
    create_new(db)
    loaded = [add_to_new(db, source)]
    if then is not None and (second := then(loaded[0])) is not None:
        loaded.append(add_to_new(db, second))
    stats.lines = sum(loaded)
    merge_new(db, stats)
    return finish(db, stats, began), loaded


def create_new(db: RawDb) -> None:
    db.temp_table("rl_new", "account_id integer, line_key text, date date, month integer, "
                  "amount_cents bigint, product_line text, line_id text, lines bigint", KEY)


def greatest(sqlite: bool, a: str, b: str) -> str:
    """The greater of two values, a NULL ignored (as the aggregate ``max`` does): SQLite's
    two-argument ``max`` is NULL when either is; PostgreSQL's ``greatest`` ignores NULLs."""
    return f"coalesce(max({a}, {b}), {a}, {b})" if sqlite else f"greatest({a}, {b})"


def add_to_new(db: RawDb, source: str) -> int:
    """Sum the source's rows (the stored shape) per key into ``rl_new``; the number of
    source rows. SQLite inserts them in key order, summing as it goes (every row counts as a
    change); PostgreSQL cannot touch a row twice in one statement, so it groups first."""
    merge = (f"ON CONFLICT ({KEY}) DO UPDATE SET "
             "amount_cents = rl_new.amount_cents + excluded.amount_cents, "
             + ", ".join(f"{c} = {greatest(db.sqlite, f'rl_new.{c}', f'excluded.{c}')}"
                         for c in ("date", "month", "product_line", "line_id"))
             + ", lines = rl_new.lines + excluded.lines")
    if db.sqlite:
        return int(db.execute(
            f"INSERT INTO rl_new ({COLUMNS}, lines) SELECT *, 1 FROM ({source}) v WHERE true "
            f"ORDER BY account_id, line_key {merge}").rowcount)
    before = db.scalar("SELECT sum(lines) FROM rl_new")
    db.execute(
        f"INSERT INTO rl_new ({COLUMNS}, lines) SELECT account_id, line_key, max(date), "
        "max(month), sum(amount_cents), max(product_line), max(line_id), count(*) "
        f"FROM ({source}) v GROUP BY account_id, line_key ORDER BY account_id, line_key "
        + merge)
    return db.scalar("SELECT sum(lines) FROM rl_new") - before


def _differs(db: RawDb, a: str, b: str) -> str:
    values = ("amount_cents", "date", "product_line", "line_id")
    if db.sqlite:
        return "(" + " OR ".join(f"{a}.{v} IS NOT {b}.{v}" for v in values) + ")"
    return (f"({', '.join(f'{a}.{v}' for v in values)}) IS DISTINCT FROM "
            f"({', '.join(f'{b}.{v}' for v in values)})")


def merge_new(db: RawDb, stats: LoadStats) -> None:
    """``rl_new`` into ``revenue_lines``: counts, the write, and ``rl_delta``."""
    if not db.sqlite:
        db.execute("SET LOCAL work_mem = '128MB'")
        db.execute("ANALYZE rl_new")
    db.execute("DROP TABLE IF EXISTS rl_touched")
    db.execute(
        "CREATE TEMP TABLE rl_touched AS SELECT r.account_id, r.line_key, r.date, r.month, "
        "r.amount_cents, r.product_line, r.line_id FROM rl_new n JOIN revenue_lines r "
        "ON r.account_id = n.account_id AND r.line_key = n.line_key"
    )
    new = db.scalar("SELECT count(*) FROM rl_new")
    touched = db.scalar("SELECT count(*) FROM rl_touched")
    stats.updated = db.scalar(
        "SELECT count(*) FROM rl_touched t JOIN rl_new n ON n.account_id = t.account_id "
        f"AND n.line_key = t.line_key WHERE {_differs(db, 't', 'n')}")
    stats.inserted, stats.unchanged = new - touched, touched - stats.updated
    insert = (f"INSERT INTO revenue_lines ({COLUMNS}) SELECT {COLUMNS} FROM rl_new "
              "ORDER BY account_id, line_key")
    if touched:
        insert += (f" ON CONFLICT ({KEY}) DO UPDATE SET amount_cents = excluded.amount_cents, "
                   "date = excluded.date, month = excluded.month, "
                   "product_line = excluded.product_line, line_id = excluded.line_id "
                   f"WHERE {_differs(db, 'revenue_lines', 'excluded')}")
    if stats.inserted or stats.updated:
        db.execute(insert)
    db.temp_table("rl_delta", DELTA_COLUMNS, DELTA_KEY)
    # a line changed in place (its product line, its day) moves no money, but the account's
    # month is still a change for whoever reads more than the sums (growth's per-line summary)
    db.execute(
        "INSERT INTO rl_delta SELECT account_id, month, sum(amount_cents), sum(line_count) "
        "FROM (SELECT account_id, month, amount_cents, 1 AS line_count, 0 AS changed "
        "FROM rl_new UNION ALL SELECT account_id, month, -amount_cents, -1, 0 FROM rl_touched "
        "UNION ALL SELECT t.account_id, t.month, 0, 0, 1 FROM rl_touched t JOIN rl_new n "
        f"ON n.account_id = t.account_id AND n.line_key = t.line_key WHERE {_differs(db, 't', 'n')}"
        ") d GROUP BY account_id, month "
        "HAVING sum(amount_cents) <> 0 OR sum(line_count) <> 0 OR max(changed) = 1"
    )
    db.execute("DROP TABLE rl_touched")
    db.execute("DROP TABLE rl_new")


def finish(db: RawDb, stats: LoadStats, began: float, tally: Tally | None = None) -> LoadStats:
    """Number the load and apply its monthly change (``rl_delta``)."""
    started = time.perf_counter()
    if stats.inserted or stats.updated:
        stats.load_id = db.scalar(
            "INSERT INTO revenue_loads (loaded_at, lines, inserted, updated, accounts) "
            f"VALUES (CURRENT_TIMESTAMP, {int(stats.lines)}, {int(stats.inserted)}, "
            f"{int(stats.updated)}, 0) RETURNING id")
        source = tally.for_monthly(db, stats.load_id) if tally is not None else None
        stats.first_months, stats.months = refresh_monthly(db.raw, db.param, stats.load_id,
                                                           source)
        db.execute(f"UPDATE revenue_loads SET accounts = {stats.accounts} "
                   f"WHERE id = {int(stats.load_id)}")
    db.execute("DROP TABLE IF EXISTS rl_delta")
    stats.seconds = {"lines": started - began, "monthly": time.perf_counter() - started}
    return stats
