"""O2: ``accord backup`` / ``accord restore`` move a whole database between SQLite and PostgreSQL.

Archives are compared table by table, row by row (decoded values; JSON compared as data).
"""

from __future__ import annotations

import json
import shutil
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, inspect, select, text
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.backup.archive import MANIFEST, Manifest, line_decoder
from accord.backup.service import BackupRefused, backup, restore
from accord.core.database import make_engine, session_factory, utcnow
from accord.core.migrate import current_revision, head_revision, upgrade
from accord.schema import metadata
from conftest import PG_URL

runner = CliRunner()
SMALL_DEMO = dict(accounts=50, months=12, seed=5, today=date(2026, 3, 18))


# ---------------------------------------------------------------- databases and archives


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo portfolio on SQLite (built once, copied by each test)."""
    from accord.demo.loader import load_demo
    from accord.demo.plan import DemoSpec

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_factory(engine).begin() as session:
        load_demo(session, DemoSpec(**SMALL_DEMO))  # type: ignore[arg-type]
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture
def demo_engine(demo_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "source.db"
    shutil.copy(demo_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@contextmanager
def new_postgres() -> Iterator[Engine]:
    """A brand-new PostgreSQL database with no tables, dropped afterwards."""
    assert PG_URL
    name = f"accord_backup_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(PG_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A new database of each kind: no tables at all."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / f'new-{uuid.uuid4().hex[:6]}.db'}")
        yield engine
        engine.dispose()
        return
    request.getfixturevalue("postgres_url")  # skips (or fails in CI) without a server
    with new_postgres() as engine:
        yield engine


def said(output: str) -> str:
    """A command's output without the terminal's line wrapping."""
    return " ".join(output.split())


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def stored(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    """Rows exactly as the database holds them (no type conversion)."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def archived(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as the archive holds them, sorted; JSON documents parsed."""
    with zipfile.ZipFile(path) as archive:
        manifest = Manifest.from_json(archive.read(MANIFEST))
        tables = {}
        for entry in manifest.tables:
            rows = []
            with archive.open(entry.member) as member:
                for line in member:
                    values = line_decoder(entry.kinds)(line)
                    rows.append(
                        tuple(
                            (name, json.loads(v) if kind == "json" and v is not None else v)
                            for (name, kind), v in zip(entry.columns, values, strict=True)
                        )
                    )
            tables[entry.name] = sorted(
                (tuple(sorted(r)) for r in rows), key=lambda r: json.dumps(r, default=str)
            )
    return tables


def assert_same_rows(first: Path, second: Path) -> None:
    a, b = archived(first), archived(second)
    assert sorted(a) == sorted(b) == sorted(metadata.tables)
    for name in a:
        assert len(a[name]) == len(b[name]), name
        assert a[name] == b[name], name


def rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """A copy of an archive with some members changed (None: left out), valid as a ZIP."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)


def revised_manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[[str, bytes], bytes]:
    def change(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        document = json.loads(data)
        edit(document)
        return json.dumps(document).encode()

    return change


# ---------------------------------------------------------------- round trips


def test_a_round_trip_keeps_every_row_of_every_table(
    demo_engine: Engine, new_engine: Engine, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"
    manifest = backup(demo_engine, first)
    assert manifest.schema_revision == head_revision()
    assert {t.name for t in manifest.tables} == set(metadata.tables)
    assert sum(t.rows for t in manifest.tables if t.name == "revenue_lines") > 1000

    restore(new_engine, first)
    assert current_revision(new_engine) == head_revision()
    backup(new_engine, second)
    assert_same_rows(first, second)
    if new_engine.dialect.name == "sqlite":  # stored as the app stores them, not just equal
        raw = "SELECT created_at, is_active FROM users UNION ALL SELECT at, after FROM audit_log"
        for source, target in zip(stored(demo_engine, raw), stored(new_engine, raw), strict=True):
            assert source == target
    # the restored database goes on: new rows get fresh ids (PostgreSQL sequences moved on)
    from accord.core.models import AuditEntry, Team

    with session_factory(new_engine).begin() as session:
        biggest = session.scalar(select(func.max(AuditEntry.id)))
        session.add(Team(name="After the restore"))
        session.add(AuditEntry(at=utcnow(), actor="test", action="create", entity="team"))
        session.flush()
        assert session.scalar(select(func.max(AuditEntry.id))) == (biggest or 0) + 1


@pytest.mark.postgres
def test_sqlite_to_postgresql_and_back_to_sqlite(
    demo_engine: Engine, postgres_url: str, tmp_path: Path
) -> None:
    from_sqlite, from_postgres, back = (tmp_path / f"{n}.zip" for n in ("a", "b", "c"))
    backup(demo_engine, from_sqlite)
    with new_postgres() as pg:
        restore(pg, from_sqlite)
        manifest = backup(pg, from_postgres)
    assert manifest.source == "postgresql"
    assert_same_rows(from_sqlite, from_postgres)
    sqlite = make_engine(f"sqlite:///{tmp_path / 'back.db'}")
    restore(sqlite, from_postgres)
    backup(sqlite, back)
    sqlite.dispose()
    assert_same_rows(from_sqlite, back)


def test_the_commands_back_up_and_restore(database_url: str, cast: Any, tmp_path: Path) -> None:
    archive, target = tmp_path / "accord.zip", f"sqlite:///{tmp_path / 'moved.db'}"
    result = runner.invoke(cli, ["--database-url", database_url, "backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "backed up" in result.stdout
    result = runner.invoke(cli, ["restore", "--check", str(archive)])
    assert result.exit_code == 0, result.output
    assert "the archive is sound" in said(result.stdout)
    broken = tmp_path / "broken.zip"
    shutil.copy(archive, broken)
    _truncate(broken)
    result = runner.invoke(cli, ["restore", "--check", str(broken)])
    assert result.exit_code == 2
    assert "corrupt or truncated" in said(result.output)
    result = runner.invoke(cli, ["--database-url", target, "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "restored" in result.stdout
    engine = make_engine(target)
    with engine.connect() as conn:
        emails = set(conn.scalars(text("SELECT email FROM users")))
    engine.dispose()
    assert "owner@accord.test" in emails
    # a second restore meets a database that holds data
    result = runner.invoke(cli, ["--database-url", target, "restore", str(archive)])
    assert result.exit_code == 2
    assert "not empty" in said(result.output)


# ---------------------------------------------------------------- refusals


def test_a_database_that_holds_data_is_refused(
    demo_engine: Engine, engine: Engine, cast: Any, tmp_path: Path
) -> None:
    archive = tmp_path / "demo.zip"
    backup(demo_engine, archive)
    with pytest.raises(BackupRefused, match="not empty: account"):
        restore(engine, archive)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM accounts")) == 2


def test_a_migrated_empty_database_is_accepted(
    demo_engine: Engine, engine: Engine, tmp_path: Path
) -> None:
    """`accord db upgrade` first, then restore: the defaults the migrations wrote give way."""
    archive = tmp_path / "demo.zip"
    backup(demo_engine, archive)
    restore(engine, archive)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM accounts")) == SMALL_DEMO["accounts"]


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _rewritten(change: Callable[[str, bytes], bytes | None]) -> Callable[[Path], None]:
    def breaks(path: Path) -> None:
        broken = path.with_name("broken.zip")
        rewrite(path, broken, change)
        broken.replace(path)

    return breaks


def _fewer_rows(document: dict[str, Any]) -> None:
    for table in document["tables"]:
        if table["name"] == "accounts":
            table["rows"] -= 1


BREAKAGES = {
    "a flipped byte": (_flip_a_byte, "corrupt"),
    "truncated": (_truncate, "corrupt or truncated"),
    "a missing member": (
        _rewritten(lambda name, data: None if name == "tables/users.jsonl" else data),
        "tables/users.jsonl is missing",
    ),
    "a changed member": (
        _rewritten(
            lambda name, data: (
                data.replace(b"Acme", b"Acne") if name == "tables/accounts.jsonl" else data
            )
        ),
        "checksum does not match",
    ),
    "a wrong count": (_rewritten(revised_manifest(_fewer_rows)), "the manifest says"),
    "no manifest": (_rewritten(lambda n, d: None if n == MANIFEST else d), "not an Accord"),
}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_archive_is_refused_and_nothing_is_written(
    breakage: str, demo_engine: Engine, new_engine: Engine, tmp_path: Path
) -> None:
    archive = tmp_path / "demo.zip"
    with demo_engine.begin() as conn:  # so that "a changed member" changes something
        conn.execute(text("UPDATE accounts SET name = 'Acme' WHERE id = 1"))
    backup(demo_engine, archive)
    breaks, message = BREAKAGES[breakage]
    breaks(archive)
    with pytest.raises(BackupRefused, match=message):
        restore(new_engine, archive)
    assert table_names(new_engine) == set()


def test_an_archive_of_a_newer_schema_is_refused(
    demo_engine: Engine, new_engine: Engine, tmp_path: Path
) -> None:
    archive, newer = tmp_path / "demo.zip", tmp_path / "newer.zip"
    backup(demo_engine, archive)

    def future(document: dict[str, Any]) -> None:
        document["schema_revision"] = "0999_from_the_future"

    rewrite(archive, newer, revised_manifest(future))
    with pytest.raises(BackupRefused, match="newer than this Accord knows"):
        restore(new_engine, newer)
    assert table_names(new_engine) == set()


# ---------------------------------------------------------------- an older schema


def older_archive(tmp_path: Path) -> Path:
    """An archive of a SQLite database at revision 0008 (before issue 9's migrations)."""
    old = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(old, "0008_revenue_keys")
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, role, capacity, is_active, created_at) "
                "VALUES (7, 'ada@old.test', 'Ada', 'manager', 100, 1, '2025-01-02 03:04:05')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO accounts (id, name, name_key, kind, status, manager_id, created_at, "
                "updated_at) VALUES (3, 'Old Co', 'old co', 'company', 'active', 7, "
                "'2025-01-02 03:04:05', '2025-01-02 03:04:05')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO revenue_lines (account_id, line_key, date, month, amount_cents) "
                "VALUES (3, '#1', '2025-01-15', 24300, 12345)"
            )
        )
    archive = tmp_path / "old.zip"
    manifest = backup(old, archive)
    old.dispose()
    assert manifest.schema_revision == "0008_revenue_keys"
    return archive


def assert_the_old_data_at_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name, manager_id FROM accounts")).all() == [("Old Co", 7)]
        assert conn.scalar(text("SELECT amount_cents FROM revenue_lines")) == 12345
        created = conn.execute(select(metadata.tables["users"].c.created_at)).scalar_one()
    assert created.isoformat() == "2025-01-02T03:04:05+00:00"


def test_an_archive_of_an_older_schema_is_restored_and_migrated(
    new_engine: Engine, tmp_path: Path
) -> None:
    restore(new_engine, older_archive(tmp_path))
    assert_the_old_data_at_head(new_engine)


def test_an_older_archive_goes_into_an_empty_database_already_at_head(
    engine: Engine, tmp_path: Path
) -> None:
    """`accord db upgrade` was run first: the empty schema is taken back to the archive's."""
    restore(engine, older_archive(tmp_path))
    assert_the_old_data_at_head(engine)


# ---------------------------------------------------------------- one snapshot


def test_a_backup_taken_while_another_thread_writes_is_one_snapshot(
    engine: Engine, tmp_path: Path
) -> None:
    """Each write adds a team and its audit entry together; a snapshot has as many of each."""
    from accord.demo.loader import load_demo
    from accord.demo.plan import DemoSpec

    with session_factory(engine).begin() as session:
        load_demo(session, DemoSpec(**SMALL_DEMO))  # type: ignore[arg-type]
    stop = threading.Event()
    written = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO teams (name) VALUES (:n)"), {"n": f"writer {n}"})
                conn.execute(
                    text(
                        "INSERT INTO audit_log (at, actor, action, entity) "
                        "VALUES (CURRENT_TIMESTAMP, 'writer', 'create', 'team')"
                    )
                )
            written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        archives = []
        for i in range(3):
            archives.append(tmp_path / f"running-{i}.zip")
            backup(engine, archives[-1])
    finally:
        stop.set()
        thread.join()
    assert len(written) > 3
    for path in archives:
        tables = archived(path)
        teams = sum(1 for row in tables["teams"] if dict(row)["name"].startswith("writer "))
        entries = sum(1 for row in tables["audit_log"] if dict(row)["actor"] == "writer")
        assert teams == entries


def test_a_write_during_the_backup_neither_waits_nor_shows(engine: Engine, tmp_path: Path) -> None:
    """The backup holds no write lock (SQLite) and reads one snapshot: a team created while it
    runs is created at once and is not in the archive."""
    created: list[str] = []

    def meanwhile(phase: str, table: str, done: int, total: int) -> None:
        if not created:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO teams (name) VALUES ('Created meanwhile')"))
            created.append(table)

    archive = tmp_path / "accord.zip"
    backup(engine, archive, on_progress=meanwhile)
    assert created and created[0] != "teams"
    assert archived(archive)["teams"] == []
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT name FROM teams")) == "Created meanwhile"
