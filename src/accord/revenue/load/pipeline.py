"""SQLite: a large clean revenue file staged, checked and loaded in chunks, on every core.

SQLite has one writer, and one connection does one thing at a time; but staging and checking
a part of the file needs no access to the database being written. So the file is cut at
line starts into at most :data:`MAX_CHUNKS` chunks, and each is staged and checked by a
child process (``chunk_worker.py``) into its own scratch database, as many at a time as
the machine gives this process CPUs (:func:`parallel_chunks`), with the
SQL of ``checks.py``: ``ready`` (the valid rows summed per key, in key order) and ``delta``
(their monthly change). Meanwhile this process ``ATTACH``es each finished chunk, in file
order, and inserts its rows into ``revenue_lines`` and its delta into ``rl_delta``.
(Threads were tried first: two threads using SQLite at once each ran at about half speed.)

A key already stored, or met in two chunks, makes the insert fail: the load then rolls back
to its savepoint and merges every chunk's ``ready`` through ``bulk``'s ``rl_new`` instead.
Rows the checks refuse are read back chunk by chunk, in file order, for the report. A chunk
process that does not start or fails makes the route give up (``rows.GiveUp``, logged as a
warning): the caller rolls it back and stages the file on one connection.

``ATTACH`` works inside a transaction but ``DETACH`` does not, and SQLite attaches at most
10 databases: the chunks stay attached until the connection goes back to the pool (a
check-in hook this module registers on the engine, :func:`detach_on_checkin`, detaches
them), and the pipeline is only used when enough slots are free. Files with a double quote
(a record may span lines) or a lone carriage return take the one-connection path of
``staging.py``.

Scratch files (the chunk databases, an upload's copy) live in a folder this process owns
(``scratch.py``: ``<temp>/accord-import-<pid>/``), removed when the load ends; the folders
of a process killed mid-import are removed by the next import of any other process.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, event

from accord.revenue.load import bulk, checks, scratch
from accord.revenue.load.raw_db import RawDb
from accord.revenue.load.raw_rows import present_columns
from accord.revenue.load.rows import Columns, GiveUp
from accord.revenue.load.staging import BLOCK

log = logging.getLogger(__name__)
MAX_CHUNKS = 8
#: below this many bytes per chunk, chunks cost more than they give; a file smaller than
#: two chunks takes the one-connection staged path
MIN_CHUNK_BYTES = 2 << 20


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system says), at least 1."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counted is not None:
        return max(1, counted() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def parallel_chunks() -> int:
    """Chunk processes at a time: one per CPU this process may use (the loader beside them
    mostly waits for the next chunk), at most :data:`MAX_CHUNKS`."""
    return min(MAX_CHUNKS, available_cpus())
#: a key repeated in a chunk is one revenue line: amounts summed, the greatest of the rest
SUM_REPEATED = ("ON CONFLICT (account_id, line_key) DO UPDATE SET "
                "amount_cents = ready.amount_cents + excluded.amount_cents, "
                + ", ".join(f"{c} = {bulk.greatest(True, f'ready.{c}', f'excluded.{c}')}"
                            for c in ("date", "month", "product_line", "line_id"))
                + ", lines = ready.lines + 1")
#: each chunk's checked rows into ``ready``, sorted by key
UPSERT = "INSERT INTO ready SELECT *, 1 FROM ({}) v WHERE true ORDER BY 1, 2 " + SUM_REPEATED
#: the rows the chunk process vouched for in Python (``shaping.py``), as they come
QUICK = "INSERT INTO ready VALUES (?, ?, ?, ?, ?, ?, ?, 1)"
ALIAS = "rl_c"  # chunk k of load n is attached as rl_c<n>_<k>


def _detach_chunks(dbapi_connection: Any, _record: Any) -> None:
    """The chunks cannot be detached inside the import's transaction (SQLite refuses): they
    are detached when the connection goes back to the pool, after its transaction ended."""
    try:
        for row in dbapi_connection.execute("PRAGMA database_list").fetchall():
            if str(row[1]).startswith(ALIAS):
                dbapi_connection.execute(f"DETACH {row[1]}")
    except Exception:  # noqa: BLE001 - a closed or broken connection is the pool's business
        pass


def detach_on_checkin(bind: Engine | Connection) -> None:
    """Register :func:`_detach_chunks` on the pool of the session's engine, once (the
    pipeline's own engine hook: ``core.database`` knows nothing of chunks)."""
    engine = bind.engine
    if not event.contains(engine, "checkin", _detach_chunks):
        event.listen(engine, "checkin", _detach_chunks)


def free_slots(raw: Any) -> int:
    """How many more databases this connection can attach (chunks of an earlier import
    still attached in an open transaction count)."""
    attached = [row[1] for row in raw.execute("PRAGMA database_list").fetchall()]
    return raw.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED) - (len(attached) - 2)


def chunk_count(size: int) -> int:
    """0 when the file is too small to be worth cutting."""
    if size < 2 * MIN_CHUNK_BYTES:
        return 0
    return min(MAX_CHUNKS, math.ceil(size / MIN_CHUNK_BYTES))


_LOADS = itertools.count()  # numbers the loads of this process (chunk aliases)
#: the chunk process: this interpreter, so it has the same packages
#: (``-P``: not the working directory first on the module path)
WORKER = [sys.executable, "-P", "-m", "accord.revenue.load.chunk_worker"]


@dataclass
class Chunk:
    index: int
    path: Path
    rows: int = 0  # data rows staged (blank lines dropped)
    loaded: int = 0  # rows that passed the checks
    keys: int = 0  # rows of ready (revenue lines)


@dataclass
class Outcome:
    stats: bulk.LoadStats
    rows: int
    invalid: int
    bad: list[checks.BadRow] = field(default_factory=list)


def _open(path: Path, lookups: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"ATTACH '{lookups}' AS lk")
    return conn


def _write_lookups(path: Path, accounts: dict[str, int]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute(f"CREATE TABLE rl_acc ({checks.RL_ACC_COLUMNS}) WITHOUT ROWID")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO rl_acc VALUES (?, ?)", accounts.items())
    conn.execute("COMMIT")
    conn.close()


def plan(raw: IO[bytes], chunks: int) -> list[tuple[int, int, int]] | None:
    """(first byte, end byte, first line) of each chunk, cut after a newline; None when the
    file holds a double quote or a lone carriage return. Reads the file, then rewinds it."""
    here = raw.tell()
    try:
        raw.seek(0)
        start = len(raw.readline())  # the header
        size = raw.seek(0, 2) - start
        raw.seek(start)
        targets = [start + size * k // chunks for k in range(1, chunks)]
        cuts: list[tuple[int, int]] = []  # (byte, line) where a chunk starts
        offset, line = start, 2
        while block := raw.read(BLOCK):
            if b'"' in block:
                return None
            if block.endswith(b"\r"):
                block += raw.read(1)
            if block.count(b"\r") != block.count(b"\r\n"):
                return None
            while targets and targets[0] < offset + len(block):
                cut = block.find(b"\n", max(targets[0] - offset, 0))
                if cut < 0:
                    break
                targets.pop(0)
                cuts.append((offset + cut + 1, line + block.count(b"\n", 0, cut + 1)))
            line += block.count(b"\n")
            offset += len(block)
        bounds = [(start, 2), *[c for c in cuts if c[0] < offset]]
        ends = [b for b, _ in bounds[1:]] + [offset]
        return [(b, e, first) for (b, first), e in zip(bounds, ends, strict=True) if e > b]
    finally:
        raw.seek(here)


class _Loader:
    """The import's side: each converted chunk attached and loaded, in order. Aliases are
    unique per load: an earlier load's chunks may still be attached (same transaction)."""

    def __init__(self, db: RawDb) -> None:
        self.db = db
        self.prefix = f"{ALIAS}{next(_LOADS)}_"
        self.chunks: list[Chunk] = []
        self.merging = False
        db.execute("SAVEPOINT rl_chunks")
        self._new_delta()

    def _new_delta(self) -> None:
        self.db.temp_table("rl_delta", bulk.DELTA_COLUMNS, bulk.DELTA_KEY)

    def add(self, chunk: Chunk) -> None:
        self.db.execute(f"ATTACH '{chunk.path}' AS {self.prefix}{chunk.index}")
        self.chunks.append(chunk)
        if not self.merging:
            try:
                self._insert(chunk)
                return
            except sqlite3.IntegrityError:  # a key stored already, or in two chunks
                self.db.execute("ROLLBACK TO SAVEPOINT rl_chunks")
                self.merging = True
                bulk.create_new(self.db)
                for earlier in self.chunks[:-1]:
                    self._merge_chunk(earlier)
        self._merge_chunk(chunk)

    def _insert(self, chunk: Chunk) -> None:
        name = f"{self.prefix}{chunk.index}"
        self.db.execute(f"INSERT INTO revenue_lines ({bulk.COLUMNS}) "
                        f"SELECT {bulk.COLUMNS} FROM {name}.ready ORDER BY account_id, line_key")
        self.db.execute(
            f"INSERT INTO rl_delta SELECT * FROM {name}.delta WHERE true "
            "ON CONFLICT (account_id, month) DO UPDATE SET "
            "amount_cents = rl_delta.amount_cents + excluded.amount_cents, "
            "line_count = rl_delta.line_count + excluded.line_count")

    def _merge_chunk(self, chunk: Chunk) -> None:
        bulk.add_to_new(self.db, f"SELECT {bulk.COLUMNS} FROM {self.prefix}{chunk.index}.ready")

    def finish(self, stats: bulk.LoadStats, began: float) -> bulk.LoadStats:
        stats.lines = sum(c.loaded for c in self.chunks)
        if self.merging:
            bulk.merge_new(self.db, stats)
            stats.strategy = "sqlite chunks, merged"
        else:
            stats.inserted = sum(c.keys for c in self.chunks)
            stats.strategy = f"sqlite chunks ({len(self.chunks)})"
        self.db.execute("RELEASE SAVEPOINT rl_chunks")
        return bulk.finish(self.db, stats, began)


def load_in_chunks(
    db: RawDb, path: str, cols: Columns, accounts: dict[str, int],
    parts: list[tuple[int, int, int]], progress: Callable[[int], None], limit: int,
) -> Outcome:
    """Stage, check and load the file in the chunks ``plan`` gave; see the module.
    ``progress`` gets the bytes done; at most ``limit`` bad rows are read back."""
    present = present_columns(cols.index)
    plain, trimmed = checks.Dialect(True), checks.Dialect(True, trimmed=True)
    sql = {"quick": QUICK, "convert": UPSERT.format(checks.valid_rows(plain)),
           "loaded": checks.loaded_rows(plain),
           "convert_trimmed": UPSERT.format(checks.valid_rows(trimmed))}
    began = time.perf_counter()
    with scratch.scratch("chunks-") as folder:
        lookups = Path(folder) / "lookups.db"
        _write_lookups(lookups, accounts)
        chunks = [Chunk(k, Path(folder) / f"chunk{k}.db") for k in range(len(parts))]
        running: dict[int, subprocess.Popen[str]] = {}

        def launch(k: int) -> None:
            start, end, first = parts[k]
            job = {"file": path, "index": cols.index,
                   "start": start, "end": end, "first_line": first, "columns": present,
                   "database": str(chunks[k].path), "lookups": str(lookups), "sql": sql}
            order = Path(folder) / f"job{k}.json"
            order.write_text(json.dumps(job), encoding="utf-8")
            try:
                running[k] = subprocess.Popen([*WORKER, str(order)], stdout=subprocess.PIPE,
                                              stderr=subprocess.PIPE, text=True)
            except OSError as exc:
                raise _failed(f"the chunk process did not start: {exc}") from exc

        parallel = parallel_chunks()
        loader = _Loader(db)
        try:
            for k in range(min(parallel, len(parts))):
                launch(k)
            for k, chunk in enumerate(chunks):
                child = running.pop(k)
                out, err = child.communicate()
                if k + parallel < len(parts):
                    launch(k + parallel)
                try:
                    result = json.loads(out or "{}")
                except ValueError:
                    result = {"error": out.strip()[-300:]}
                if child.returncode or "error" in result or "rows" not in result:
                    raise _failed(f"revenue chunk {k} failed: "
                                  f"{result.get('error') or err.strip()[-300:]}")
                chunk.rows, chunk.loaded, chunk.keys = (
                    int(result["rows"]), int(result["loaded"]), int(result["keys"]))
                loader.add(chunk)
                progress(parts[k][1])
        finally:
            for child in running.values():
                child.kill()
                child.wait()
        stats = loader.finish(bulk.LoadStats(), began)
        total = sum(c.rows for c in chunks)
        invalid = total - stats.lines
        bad = _bad_rows(chunks, lookups, limit) if invalid else []
    return Outcome(stats, total, invalid, bad)


def _failed(why: str) -> GiveUp:
    """A chunk process did not start or did not finish: the route gives up (the caller
    rolls back everything this load wrote and stages the file on one connection)."""
    log.warning("chunked revenue import fell back to one connection: %s", why)
    return GiveUp(why)


def _same_file(raw: IO[bytes], name: str) -> bool:
    """True when ``raw`` reads the very file ``name`` names (not, say, a decompressing
    wrapper over it)."""
    try:
        here, there = os.fstat(raw.fileno()), os.stat(name)
    except (OSError, ValueError, AttributeError):
        return False
    return type(raw).__name__ in ("BufferedReader", "FileIO") and \
        (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


@contextmanager
def on_disk(raw: IO[bytes]) -> Iterator[str | None]:
    """A path to the file's bytes that a child process can read: the file's own when it is
    a file on disk, else (an upload) a copy in a temporary folder; None when unseekable."""
    name = getattr(raw, "name", None)
    try:
        seekable = raw.seekable()
    except (OSError, ValueError):
        seekable = False
    if not seekable:
        yield None
    elif isinstance(name, str) and _same_file(raw, name):
        yield name
    else:
        here = raw.tell()
        with scratch.scratch("upload-") as folder:
            copy = Path(folder) / "upload.csv"
            raw.seek(0)
            with open(copy, "wb") as out:
                shutil.copyfileobj(raw, out, BLOCK)
            raw.seek(here)
            yield str(copy)


def _bad_rows(chunks: list[Chunk], lookups: Path, limit: int) -> list[checks.BadRow]:
    """The first ``limit`` refused rows, in file order, chunk after chunk."""
    found: list[checks.BadRow] = []
    trimmed = checks.Dialect(True, trimmed=True)
    for chunk in sorted(chunks, key=lambda c: c.index):
        if chunk.loaded == chunk.rows or len(found) >= limit:
            continue
        conn = _open(chunk.path, lookups)
        try:
            found += checks.bad_rows(
                conn.execute(checks.problems_sql(trimmed, limit - len(found))).fetchall())
        finally:
            conn.close()
    return found
