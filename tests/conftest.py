"""Shared fixtures: both databases, a named cast of users, the app, a live server, a browser.

Every test that takes ``engine`` (or anything built on it) runs once on SQLite and once on
PostgreSQL. PostgreSQL runs when ``ACCORD_TEST_POSTGRES_URL`` is set; with
``ACCORD_REQUIRE_POSTGRES=1`` (CI) a missing server fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from accord.app.wiring import connect
from accord.core.database import make_engine, session_factory
from accord.core.migrate import upgrade
from accord.core.settings import Settings

# the tests run the whole system: the KPI engine hears revenue loads as in the app and CLI
connect()

PG_URL = os.environ.get("ACCORD_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("ACCORD_REQUIRE_POSTGRES") == "1"
REQUIRE_BROWSER = os.environ.get("ACCORD_REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _worker() -> str:
    """A name unique to this pytest process, so concurrent runs never share a database."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


# ---------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:  # deferred: a checkpoint cannot run in a write transaction
        conn.execution_options(accord_read_only=True).exec_driver_sql(
            "PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _postgres_available() -> str | None:
    if not PG_URL:
        return "ACCORD_TEST_POSTGRES_URL is not set"
    try:
        probe = create_engine(PG_URL)
        with probe.connect():
            pass
        probe.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL at {PG_URL} is not reachable: {exc.__class__.__name__}"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    reason = _postgres_available()
    if reason:
        if REQUIRE_PG:
            pytest.fail(f"ACCORD_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    assert PG_URL
    base = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"accord_test_{_worker()}"
    with base.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    from accord.core.database import engine_for

    engine_for(url).dispose()
    with base.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    base.dispose()


def _truncate_postgres(engine: Engine) -> None:
    """Empty every table and restart every sequence, as ``TRUNCATE ... RESTART IDENTITY``.

    TRUNCATE of the whole schema costs a quarter of a second (new files for ~90 tables), on
    each of some 2,000 PostgreSQL tests: the tables a test wrote to are found with one
    statement and emptied by DELETE, with triggers and foreign-key checks off for the
    transaction (``session_replication_role``, a superuser's setting, as CI's ``postgres``
    is). Without that right, TRUNCATE as before."""
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        if not tables:
            return
        written = [
            r[0]
            for r in conn.execute(
                text(
                    " UNION ALL ".join(
                        f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables
                    )
                )
            )
        ]
        superuser = conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
        if not superuser:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in written:
            conn.execute(text(f'DELETE FROM "{table}"'))
        conn.execute(
            text(
                "SELECT setval(c.oid, s.seqstart, false) FROM pg_class c "
                "JOIN pg_sequence s ON s.seqrelid = c.oid "
                "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
            )
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "accord.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
    else:
        url: str = request.getfixturevalue("postgres_url")
        engine = make_engine(url)
        _truncate_postgres(engine)
        engine.dispose()
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    from accord.core.database import engine_for

    engine = engine_for(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging and checking; commit to make changes visible to the app.

    It begins deferred on SQLite (``reading_session``), as a reader does: a test that reads
    through it and then calls the app must not hold the write lock the app's writers wait
    for (every other session begins IMMEDIATE). Its own writes still take the lock when they
    happen, and end with its commit or rollback."""
    from accord.core.database import reading_session

    session = reading_session(sessions)
    yield session
    session.rollback()
    session.close()


# ---------------------------------------------------------------- the cast


@pytest.fixture(scope="session")
def password_hash() -> str:
    from accord.core.security import hash_password

    return hash_password(PASSWORD)


@dataclass
class Cast:
    """A named cast shared by all tests: who owns what and who must not see it."""

    admin: object
    head: object  # heads the team of owner and teammate
    owner: object  # manager responsible for Acme
    teammate: object  # manager on Acme's account team, responsible for nothing
    outsider: object  # manager in another team, responsible for Globex
    other_head: object  # heads the outsider's team
    viewer: object
    billing: object
    acme_id: int
    globex_id: int

    def token(self, sessions: sessionmaker[Session], who: str) -> str:
        from accord.users.service import issue_token

        with sessions.begin() as session:
            user = session.merge(getattr(self, who))
            return issue_token(session, None, user.id, f"test-{who}").token


@pytest.fixture
def cast(sessions: sessionmaker[Session], password_hash: str) -> Cast:
    from accord.accounts.models import Account, AccountMember
    from accord.core.database import utcnow
    from accord.core.models import Team, User

    with sessions.begin() as s:

        def user(email: str, role: str, name: str) -> User:
            u = User(
                email=email,
                role=role,
                name=name,
                password_hash=password_hash,
                capacity=100,
                is_active=True,
                created_at=utcnow(),
            )
            s.add(u)
            s.flush()
            return u

        admin = user("admin@accord.test", "admin", "Ada Admin")
        head = user("head@accord.test", "head", "Hannah Head")
        other_head = user("otherhead@accord.test", "head", "Otto Otherhead")
        owner = user("owner@accord.test", "manager", "Olivia Owner")
        teammate = user("teammate@accord.test", "manager", "Tom Teammate")
        outsider = user("outsider@accord.test", "manager", "Oscar Outsider")
        viewer = user("viewer@accord.test", "viewer", "Vera Viewer")
        billing = user("billing@accord.test", "billing", "Bill Billing")
        north = Team(name="North", head_id=head.id)
        south = Team(name="South", head_id=other_head.id)
        s.add_all([north, south])
        s.flush()
        owner.team_id = north.id
        teammate.team_id = north.id
        outsider.team_id = south.id
        now = utcnow()
        acme = Account(
            name="Acme Industries",
            name_key="acme industries",
            external_id="ACME",
            kind="company",
            status="active",
            segment="Manufacturing",
            manager_id=owner.id,
            created_at=now,
            updated_at=now,
        )
        globex = Account(
            name="Globex Corporation",
            name_key="globex corporation",
            external_id="GLOBEX",
            kind="company",
            status="active",
            segment="Energy",
            manager_id=outsider.id,
            created_at=now,
            updated_at=now,
        )
        s.add_all([acme, globex])
        s.flush()
        s.add(AccountMember(account_id=acme.id, user_id=teammate.id, role="member"))
        s.flush()
        ids = (acme.id, globex.id)
        people = [admin, head, owner, teammate, outsider, other_head, viewer, billing]
        for p in people:
            s.expunge(p)
    return Cast(
        admin=admin,
        head=head,
        owner=owner,
        teammate=teammate,
        outsider=outsider,
        other_head=other_head,
        viewer=viewer,
        billing=billing,
        acme_id=ids[0],
        globex_id=ids[1],
    )


# ---------------------------------------------------------------- the app


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(mode="test", database_url=database_url, secret_key=TEST_SECRET)


#: the apps this test process has built, by their settings but the database: one app serves
#: many tests, as one serves many requests in production. FastAPI builds a new app's route
#: contexts (every route's dependencies, some 230 routes) on its first request: about half a
#: second per test when each built its own, a third of the whole suite's time.
_APPS: dict[str, Any] = {}


def shared_app(settings: Settings) -> Any:
    """An app for ``settings``, pointed at its database: built on the first call for these
    settings (but the database), reused after, with nothing of an earlier test's kept (no
    dependency overrides, no write gates; the database is the test's own)."""
    from accord.app.asgi import create_app
    from accord.core.database import engine_for, session_factory

    key = settings.model_copy(update={"database_url": "sqlite://"}).model_dump_json()
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(settings)
        return app
    engine = engine_for(settings.database_url)
    app.state.settings = settings.with_secret()
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.write_gates = weakref.WeakKeyDictionary()
    app.dependency_overrides.clear()
    return app


@pytest.fixture
def app(settings: Settings, engine: Engine):
    return shared_app(settings)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


def api_client(app, token: str):
    from fastapi.testclient import TestClient

    c = TestClient(app)
    c.headers["Authorization"] = f"Bearer {token}"
    return c


# ---------------------------------------------------------------- live server and browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(app) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            pytest.fail(f"ACCORD_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


def login(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Under ``--dist loadgroup`` an ``xdist_group`` mark must reach the test's id (the
    ``@group`` suffix is how xdist keeps a group on one worker): pytest 9.2 computes ids so
    that pytest-xdist 3.8 cannot add it, and every group was spread over the workers,
    building its shared world on each. Fail loudly rather than run slowly."""
    if not session.config.getoption("loadgroup", False):
        return
    lost = [item.nodeid for item in session.items
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if lost:
        raise pytest.UsageError(
            f"xdist_group marks are not applied ({lost[0]} has no @group suffix): this "
            "pytest and pytest-xdist do not work together; see requirements.lock")
