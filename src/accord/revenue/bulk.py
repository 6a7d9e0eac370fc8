"""The revenue fast path: stream revenue lines into ``revenue_lines`` and refresh
``monthly_revenue`` for the accounts touched, all in SQL, with no ORM objects.

Semantics of one load (one call, one import):

- a line's identity within its account is its ``line_key``: ``#<line_id>`` when the line has
  an id, else ``<date>|<product_line>``;
- lines of the same key within one load are summed into one revenue line;
- a key that existed before the load is *replaced* by the load's total for it (re-importing a
  file never double counts); a changed amount updates the record, keeping its id.

How: the rows of this load are told apart from older ones by their id (``id > max(id)``
before the load). Older rows touched by the load are remembered, with their previous
values, in a temporary table ``rl_touched``; the first touch replaces, later ones add. The
final counts compare ``rl_touched`` with the stored rows, so they are exact.

- SQLite: ``executemany`` of an upsert straight into ``revenue_lines`` (a TEMP trigger
  records the first touch of an older row); nothing is staged, memory stays flat.
- PostgreSQL: each batch goes with ``COPY`` straight into ``revenue_lines`` inside a
  savepoint. When a batch hits an
  existing key, the savepoint is rolled back and that batch, and every later one, goes
  through a TEMP staging table and one ``INSERT ... SELECT ... GROUP BY ... ON CONFLICT``.

Batches are written by a worker thread while the caller parses the next one, so parsing
overlaps with the database work. Then ``monthly_revenue`` of the affected accounts is
rebuilt with one ``INSERT ... SELECT``
whose running total (``cumulative_cents``) is a window function.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.core.database import is_sqlite
from accord.revenue.monthly import refresh_monthly

#: (account_id, line_key, date 'YYYY-MM-DD', month index, amount_cents, product_line, line_id)
Prepared = tuple[int, str, str, int, int, str | None, str | None]
#: (account_id, day, amount_cents, product_line, line_id) — what callers of the fast path give
RevenueRow = tuple[int, date, int, str | None, str | None]

DEFAULT_BATCH = 20_000
COLUMNS = "account_id, line_key, date, month, amount_cents, product_line, line_id"
MAX_ID = "SELECT coalesce(max(id), 0) FROM revenue_lines"


@dataclass
class LoadStats:
    lines: int = 0  # input lines read
    inserted: int = 0  # revenue lines created
    updated: int = 0  # existing revenue lines whose amount, date or product changed
    unchanged: int = 0  # existing revenue lines the load left as they were
    accounts: int = 0  # accounts whose monthly revenue was refreshed
    months: int = 0  # monthly_revenue rows written for them
    strategy: str = ""  # how the lines went in (for benchmarks and curiosity)
    seconds: dict[str, float] = field(default_factory=dict)  # time per phase
    account_ids: list[int] = field(default_factory=list, repr=False)  # the accounts refreshed
    #: each refreshed account's earliest month whose monthly revenue changed
    first_months: dict[int, int] = field(default_factory=dict, repr=False)


def line_key(day_iso: str, product_line: str | None, line_id: str | None) -> str:
    return "#" + line_id if line_id else day_iso + "|" + (product_line or "")


def prepare(rows: Iterable[RevenueRow]) -> Iterator[Prepared]:
    """Turn (account_id, day, cents, product, line_id) into the stored shape."""
    days: dict[date, tuple[str, int]] = {}
    for account_id, day, cents, product, line_id in rows:
        known = days.get(day)
        if known is None:
            known = days[day] = (day.isoformat(), day.year * 12 + day.month - 1)
        iso, month = known
        key = "#" + line_id if line_id else iso + "|" + (product or "")
        yield (account_id, key, iso, month, cents, product or None, line_id or None)


def bulk_load_revenue(
    session: Session, rows: Iterable[RevenueRow], *, batch_size: int = DEFAULT_BATCH
) -> LoadStats:
    """Load revenue lines and refresh the monthly revenue of their accounts. See the module."""
    return load_prepared(session, prepare(rows), batch_size=batch_size)


def batched(rows: Iterable[Prepared], size: int) -> Iterator[list[Prepared]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def load_prepared(
    session: Session,
    rows: Iterable[Prepared],
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[int], None] | None = None,
    optimistic: bool = True,
) -> LoadStats:
    """The fast path for rows already in the stored shape."""
    return load_batches(session, batched(rows, batch_size), on_batch=on_batch,
                        optimistic=optimistic)


def load_batches(
    session: Session,
    batches: Iterable[list[Prepared]],
    *,
    on_batch: Callable[[int], None] | None = None,
    optimistic: bool = True,
    merge: bool = True,
) -> LoadStats:
    """The fast path proper. ``merge=False``: on PostgreSQL, raise :class:`KeyConflict`
    instead of merging when a batch meets a key already stored (the caller has a better
    way to merge). Batches are written by one worker thread while the caller's
    thread produces the next batch (parsing overlaps with the database: sqlite3 and psycopg
    release the GIL while the database works). At most two batches are alive at a time."""
    raw = session.connection().connection.driver_connection
    loader: _Loader = (
        _SqliteLoader(raw) if is_sqlite(session) else _PostgresLoader(raw, optimistic, merge)
    )
    stats = LoadStats()
    began = time.perf_counter()
    loader.start()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="accord-load") as writer:
        pending: Future[None] | None = None
        try:
            for batch in batches:
                if not batch:
                    continue
                if pending is not None:
                    pending.result()
                pending = writer.submit(loader.write_batch, batch)
                stats.lines += len(batch)
                if on_batch:
                    on_batch(stats.lines)
        finally:
            if pending is not None:
                pending.result()
    return _finish(raw, loader, stats, began)


def load_select(
    session: Session, source: str, then: Callable[[int | None], str | None] | None = None,
) -> tuple[LoadStats, list[int | None]]:
    """Load the rows of a SELECT (stored shape, ordered by account and key) in one
    statement, then those of the SELECT ``then`` may give, as one load (a key in both is
    summed). Returns how many rows each gave when the database told (else None)."""
    raw = session.connection().connection.driver_connection
    loader: _Loader = _SqliteLoader(raw) if is_sqlite(session) else _PostgresLoader(raw, True)
    stats = LoadStats()
    began = time.perf_counter()
    loader.start()
    loaded = [loader.write_select(source)]
    if then is not None and (second := then(loaded[0])) is not None:
        loaded.append(loader.write_select(second))
    return _finish(raw, loader, stats, began), loaded


def _finish(raw: Any, loader: _Loader, stats: LoadStats, began: float) -> LoadStats:
    """Exact counts, then the monthly revenue of the accounts whose lines changed."""
    started = time.perf_counter()
    stats.inserted, stats.updated, stats.unchanged = loader.counts()
    counted = time.perf_counter()
    if stats.inserted or stats.updated:
        stats.first_months, stats.months = refresh_monthly(raw, loader.param,
                                                           loader.max_before)
        stats.account_ids = sorted(stats.first_months)
        stats.accounts = len(stats.account_ids)
    stats.seconds = {"lines": started - began, "counts": counted - started,
                     "monthly": time.perf_counter() - counted}
    stats.strategy = loader.strategy
    loader.finish()
    return stats


class KeyConflict(Exception):
    """A batch met a key already stored (or repeated in the load) and merging was declined."""


class _Loader:
    param = "?"
    strategy = ""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.max_before = 0

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        cur = self.raw.cursor()
        cur.execute(sql.replace("?", self.param), params)
        return cur

    def start(self) -> None:
        raise NotImplementedError

    def write_batch(self, batch: list[Prepared]) -> None:
        raise NotImplementedError

    def write_select(self, source: str) -> int | None:
        raise NotImplementedError

    def counts(self) -> tuple[int, int, int]:
        inserted = self.execute(
            "SELECT count(*) FROM revenue_lines WHERE id > ?", (self.max_before,)
        ).fetchone()[0]
        touched, updated = self.execute(
            "SELECT count(*), coalesce(sum(CASE WHEN r.amount_cents <> t.amount_cents "
            "OR r.date <> t.date OR coalesce(r.product_line, '') <> coalesce(t.product_line, '') "
            "OR coalesce(r.line_id, '') <> coalesce(t.line_id, '') THEN 1 ELSE 0 END), 0) "
            "FROM rl_touched t JOIN revenue_lines r ON r.id = t.id"
        ).fetchone()
        return int(inserted), int(updated), int(touched) - int(updated)

    def finish(self) -> None:
        self.execute("DROP TABLE IF EXISTS rl_touched")


class _SqliteLoader(_Loader):
    strategy = "sqlite upsert"

    def start(self) -> None:
        self.max_before = self.execute(MAX_ID).fetchone()[0]
        self.execute("DROP TRIGGER IF EXISTS temp.rl_first_touch")
        self.execute(
            "CREATE TEMP TABLE IF NOT EXISTS rl_touched (id INTEGER PRIMARY KEY, "
            "amount_cents INTEGER, date TEXT, product_line TEXT, line_id TEXT, month INTEGER)"
        )
        self.execute("DELETE FROM rl_touched")
        # An older row's first touch in this load: remember what it was (exact counts, and
        # later touches add instead of replacing). max_before is an int we computed.
        self.execute(
            "CREATE TEMP TRIGGER rl_first_touch "
            "BEFORE UPDATE OF amount_cents ON main.revenue_lines "
            f"WHEN old.id <= {int(self.max_before)} "
            "AND NOT EXISTS (SELECT 1 FROM temp.rl_touched t WHERE t.id = old.id) BEGIN "
            "INSERT INTO rl_touched VALUES "
            "(old.id, old.amount_cents, old.date, old.product_line, old.line_id, old.month); END"
        )
        m = int(self.max_before)
        self.on_conflict = (
            "ON CONFLICT (account_id, line_key) DO UPDATE SET "
            f"amount_cents = CASE WHEN revenue_lines.id > {m} "
            "OR revenue_lines.id IN (SELECT id FROM temp.rl_touched) "
            "THEN revenue_lines.amount_cents + excluded.amount_cents "
            "ELSE excluded.amount_cents END, "
            "date = excluded.date, month = excluded.month, "
            "product_line = excluded.product_line, line_id = excluded.line_id"
        )
        self.upsert = (f"INSERT INTO revenue_lines ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                       + self.on_conflict)

    def write_batch(self, batch: list[Prepared]) -> None:
        self.raw.executemany(self.upsert, batch)

    def write_select(self, source: str) -> int | None:
        # every source row inserts or updates exactly one row: rowcount = rows loaded
        return int(self.execute(f"INSERT INTO revenue_lines ({COLUMNS}) {source} "
                                + self.on_conflict).rowcount)

    def finish(self) -> None:
        self.execute("DROP TRIGGER IF EXISTS temp.rl_first_touch")
        super().finish()


class _PostgresLoader(_Loader):
    param = "%s"

    def __init__(self, raw: Any, optimistic: bool, merge: bool = True) -> None:
        super().__init__(raw)
        self.optimistic = optimistic
        self.merge = merge
        self.copied = 0
        self.merged = 0

    @property
    def strategy(self) -> str:  # type: ignore[override]
        return f"postgresql copy ({self.copied} batches direct, {self.merged} merged)"

    def start(self) -> None:
        # One import at a time: max(id) then tells this load's rows from older ones.
        self.execute("LOCK TABLE revenue_lines IN SHARE ROW EXCLUSIVE MODE")
        self.max_before = self.execute(MAX_ID).fetchone()[0]
        self.execute(
            "CREATE TEMP TABLE IF NOT EXISTS rl_touched (id bigint PRIMARY KEY, "
            "amount_cents bigint, date date, product_line text, line_id text, month integer)"
        )
        self.execute(
            "CREATE TEMP TABLE IF NOT EXISTS rl_stage (account_id integer, line_key text, "
            "date date, month integer, amount_cents bigint, product_line text, line_id text)"
        )
        self.execute("TRUNCATE rl_touched, rl_stage")

    def _copy(self, table: str, rows: list[Prepared]) -> None:
        cur = self.raw.cursor()
        with cur.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row)

    def write_batch(self, batch: list[Prepared]) -> None:
        import psycopg.errors

        if not self.optimistic:
            self._merge(batch)
            return
        self.execute("SAVEPOINT rl_batch")
        try:
            self._copy("revenue_lines", batch)
        except psycopg.errors.UniqueViolation:
            self.execute("ROLLBACK TO SAVEPOINT rl_batch")
            if not self.merge:
                raise KeyConflict from None
            self.optimistic = False  # keys already exist: merge from now on
            self._merge(batch)
        else:
            self.copied += 1
        self.execute("RELEASE SAVEPOINT rl_batch")

    def write_select(self, source: str) -> int | None:
        """Rows of a SELECT in the stored shape: straight in when no key exists yet (the
        count of rows loaded is then known), else merged (None: count them yourself)."""
        import psycopg.errors

        self.execute("SET LOCAL work_mem = '128MB'")
        if self.optimistic:
            self.execute("SAVEPOINT rl_batch")
            try:
                loaded = int(self.execute(
                    f"INSERT INTO revenue_lines ({COLUMNS}) {source}").rowcount)
            except psycopg.errors.UniqueViolation:
                self.execute("ROLLBACK TO SAVEPOINT rl_batch")
            else:
                self.execute("RELEASE SAVEPOINT rl_batch")
                self.copied += 1
                return loaded
        self.optimistic = False
        self._merge_from(f"({source}) v")
        return None

    def _merge(self, batch: list[Prepared]) -> None:
        self.execute("TRUNCATE rl_stage")
        self._copy("rl_stage", batch)
        self._merge_from("rl_stage")

    def _merge_from(self, source: str) -> None:
        self.merged += 1
        m = int(self.max_before)
        self.execute(
            "WITH g AS (SELECT account_id, line_key, max(date) AS date, max(month) AS month, "
            "sum(amount_cents) AS amount_cents, max(product_line) AS product_line, "
            f"max(line_id) AS line_id FROM {source} GROUP BY account_id, line_key), "
            "first_touch AS (INSERT INTO rl_touched SELECT r.id, r.amount_cents, r.date, "
            "r.product_line, r.line_id, r.month FROM revenue_lines r JOIN g "
            "ON r.account_id = g.account_id AND r.line_key = g.line_key "
            f"WHERE r.id <= {m} ON CONFLICT (id) DO NOTHING) "
            f"INSERT INTO revenue_lines ({COLUMNS}) SELECT {COLUMNS} FROM g "
            "ORDER BY account_id, line_key "
            "ON CONFLICT (account_id, line_key) DO UPDATE SET "
            f"amount_cents = CASE WHEN revenue_lines.id > {m} OR EXISTS "
            "(SELECT 1 FROM rl_touched t WHERE t.id = revenue_lines.id) "
            "THEN revenue_lines.amount_cents + excluded.amount_cents "
            "ELSE excluded.amount_cents END, "
            "date = excluded.date, month = excluded.month, "
            "product_line = excluded.product_line, line_id = excluded.line_id "
            f"WHERE revenue_lines.id > {m} "
            "OR EXISTS (SELECT 1 FROM rl_touched t WHERE t.id = revenue_lines.id) "
            "OR (revenue_lines.amount_cents, revenue_lines.date, revenue_lines.product_line, "
            "revenue_lines.line_id) IS DISTINCT FROM (excluded.amount_cents, excluded.date, "
            "excluded.product_line, excluded.line_id)"
        )

    def finish(self) -> None:
        self.execute("DROP TABLE IF EXISTS rl_stage")
        super().finish()
