"""Backup and restore (O2): one portable archive, either database in, either database out.

``backup`` reads every table in one read transaction (PostgreSQL: REPEATABLE READ, read
only — one snapshot; SQLite in WAL mode: one read transaction, one snapshot, writers go on)
and streams it into the archive (accord.backup.archive), so memory does not grow with a
table's size. The archive is written beside its name and renamed when complete.

``restore`` reads the whole archive first — manifest, every member's SHA-256 and row count,
the schema revision known to this code — and refuses it before touching the database. Then,
in one transaction on an empty database: the schema at the archive's revision (Alembic), every
table loaded in foreign-key order (COPY on PostgreSQL, executemany on SQLite), sequences
moved past the loaded ids, and the migrations up to head. Any failure rolls all of it back.
"""

from __future__ import annotations

import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import Connection, Engine, func, inspect, select
from sqlalchemy.exc import DBAPIError

from accord.backup.archive import (
    MANIFEST,
    ArchiveError,
    Manifest,
    TableEntry,
    Tally,
    line_encoder,
)
from accord.backup.loading import LoadFailed, Progress, count, load
from accord.backup.tables import TableShape, UnsupportedColumn, shapes
from accord.core.database import READ_ONLY, make_engine, utcnow
from accord.core.errors import AccordError
from accord.core.migrate import alembic_config, upgrade
from accord.schema import metadata

BATCH = 5000
READ_CHUNK = 1 << 20


class BackupRefused(AccordError):
    """The archive or the database is not fit for the operation; nothing was written."""

    status = 422
    title = "Backup refused"


class RestoreFailed(AccordError):
    """The database refused the data; the restore was rolled back."""

    status = 500
    title = "Restore failed"


def _quiet(_phase: str, _table: str, _done: int, _total: int) -> None:
    return None


# ---------------------------------------------------------------- backup


def backup(
    engine: Engine,
    path: Path,
    *,
    on_progress: Progress = _quiet,
    clock: Callable[[], datetime] = utcnow,
) -> Manifest:
    """Write the whole database, as one snapshot, to the archive at ``path``."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        with _snapshot(engine) as conn:
            revision = _current_revision(conn)
            if revision is None:
                raise BackupRefused("the database has no Accord schema: nothing to back up")
            if revision not in known_revisions():
                raise BackupRefused(
                    f"the database is at schema revision {revision}, which this Accord does "
                    "not know: back it up with the Accord version that migrated it"
                )
            manifest = Manifest(revision, clock(), engine.dialect.name)
            with zipfile.ZipFile(
                partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
            ) as archive:
                for shape in _shapes(conn):
                    manifest.tables.append(_write_table(conn, archive, shape, on_progress))
                archive.writestr(MANIFEST, manifest.to_json())
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        else:  # a reader: BEGIN deferred, never the write lock (writers go on)
            conn.execution_options(**{READ_ONLY: True})
        with conn.begin():
            yield conn


def _write_table(
    conn: Connection, archive: zipfile.ZipFile, shape: TableShape, on_progress: Progress
) -> TableEntry:
    entry = TableEntry(shape.name, list(zip(shape.columns, shape.kinds, strict=True)))
    total = count(conn, shape)
    tally = Tally()
    encode = line_encoder(shape.kinds)
    member = zipfile.ZipInfo(entry.member, date_time=time.localtime()[:6])
    member.compress_type = zipfile.ZIP_DEFLATED
    member._compresslevel = 1  # type: ignore[attr-defined]  # fast: the data is repetitive
    with archive.open(member, "w", force_zip64=True) as out:
        result = conn.execute(shape.select(), execution_options={"yield_per": BATCH})
        for rows in result.partitions():
            chunk = b"".join(map(encode, rows))
            tally.update(chunk)
            out.write(chunk)
            on_progress("backup", shape.name, tally.lines, total)
    on_progress("backup", shape.name, tally.lines, tally.lines)  # done (an empty table too)
    entry.rows, entry.sha256, entry.size = tally.lines, tally.sha256, tally.size
    return entry


# ---------------------------------------------------------------- verify


def verify(path: Path, *, on_progress: Progress = _quiet) -> Manifest:
    """Check the archive completely (manifest, revision, checksums, counts); write nothing."""
    with _open(path) as archive:
        return _verified(archive, on_progress)


@contextmanager
def _open(path: Path) -> Iterator[zipfile.ZipFile]:
    """The archive, with every way it can be broken turned into a refusal."""
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except ArchiveError as exc:
        raise BackupRefused(f"{path}: {exc}; nothing was restored") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise BackupRefused(
            f"{path} is corrupt or truncated ({exc}); nothing was restored"
        ) from None


def _verified(archive: zipfile.ZipFile, on_progress: Progress) -> Manifest:
    names = set(archive.namelist())
    if MANIFEST not in names:
        raise ArchiveError(f"no {MANIFEST}: not an Accord backup")
    manifest = Manifest.from_json(archive.read(MANIFEST))
    revisions = known_revisions()
    if manifest.schema_revision not in revisions:
        raise BackupRefused(
            f"the backup is of schema revision {manifest.schema_revision}, newer than this "
            f"Accord knows (its newest is {revisions[-1]}): restore it with a newer Accord; "
            "nothing was restored"
        )
    members = {t.member for t in manifest.tables}
    for member in sorted(members - names):
        raise ArchiveError(f"member {member} is missing")
    for member in sorted(names - members - {MANIFEST}):
        raise ArchiveError(f"unexpected member {member}")
    for table in manifest.tables:
        tally = Tally()
        with archive.open(table.member) as stream:
            while chunk := stream.read(READ_CHUNK):
                tally.update(chunk)
                on_progress("verify", table.name, tally.lines, table.rows)
        if tally.sha256 != table.sha256:
            raise ArchiveError(f"{table.member}: the SHA-256 checksum does not match")
        if tally.lines != table.rows or tally.size != table.size:
            raise ArchiveError(
                f"{table.member}: {tally.lines} rows ({tally.size} bytes), the manifest says "
                f"{table.rows} ({table.size} bytes)"
            )
    return manifest


# ---------------------------------------------------------------- restore


def restore(engine: Engine, path: Path, *, on_progress: Progress = _quiet) -> Manifest:
    """Load the archive into an empty database of either kind, then migrate it to head."""
    with _open(path) as archive:
        manifest = _verified(archive, on_progress)
        try:
            with engine.connect() as conn, conn.begin():
                _schema_at(conn, manifest.schema_revision)
                try:
                    load(conn, archive, manifest, _shapes(conn), on_progress)
                except LoadFailed as exc:
                    raise RestoreFailed(f"{exc}; nothing was restored") from None
                _alembic(conn, "upgrade", "head")
        except DBAPIError as exc:
            raise RestoreFailed(
                f"the database refused the data, nothing was restored: {exc.orig}"
            ) from exc
    return manifest


def known_revisions() -> list[str]:
    """This code's migrations, oldest first (one line of history)."""
    from alembic.script import ScriptDirectory  # here: alembic loads for backups only

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def _current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext  # here: as above

    return MigrationContext.configure(conn).get_current_revision()


def _alembic(conn: Connection, direction: str, revision: str) -> None:
    from alembic import command  # here: as above

    config = alembic_config(conn.engine.url.render_as_string(hide_password=False))
    config.attributes["connection"] = conn  # inside the restore's transaction
    getattr(command, direction)(config, revision)


def _schema_at(conn: Connection, revision: str) -> None:
    """Refuse a database that holds data; bring an empty one to the archive's revision."""
    current = _current_revision(conn)
    tables = set(inspect(conn).get_table_names())
    revisions = known_revisions()
    if current is None:
        others = sorted(tables - {"alembic_version"})
        if others:
            raise BackupRefused(
                "the database is not empty: it holds tables "
                f"({', '.join(others[:5])}{', …' if len(others) > 5 else ''}) and no Accord "
                "schema; restore into a new, empty database"
            )
    elif current not in revisions:
        raise BackupRefused(f"the database is at schema revision {current}, unknown here")
    else:
        seeded = seed_counts(current)
        for name in sorted(tables & set(metadata.tables)):
            rows = conn.scalar(select(func.count()).select_from(metadata.tables[name]))
            if rows and rows > seeded.get(name, 0):
                raise BackupRefused(
                    f"the database is not empty: {name} holds {rows} rows; restore into a new, "
                    "empty database (nothing was restored)"
                )
    if current != revision:
        older = current is None or revisions.index(current) < revisions.index(revision)
        _alembic(conn, "upgrade" if older else "downgrade", revision)


@lru_cache(maxsize=8)
def seed_counts(revision: str) -> dict[str, int]:
    """Rows the migrations themselves write (defaults), per table, at a revision."""
    with TemporaryDirectory(prefix="accord-seed-") as folder:
        engine = make_engine(f"sqlite:///{folder}/seed.db")
        try:
            upgrade(engine, revision)
            with engine.connect() as conn:
                existing = set(inspect(conn).get_table_names())
                return {
                    name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
                    for name, t in metadata.tables.items()
                    if name in existing
                }
        finally:
            engine.dispose()


def _shapes(conn: Connection) -> list[TableShape]:
    try:
        return shapes(conn)
    except UnsupportedColumn as exc:
        raise BackupRefused(str(exc)) from None
