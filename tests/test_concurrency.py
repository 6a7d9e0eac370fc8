"""Concurrent use of one database (issue 9, section 1: C1-C4), on SQLite files and PostgreSQL.

- C1: writers begin IMMEDIATE on SQLite and wait (busy timeout): concurrent writers all
  succeed.
- C2: GET requests write nothing in their own transaction; derived tables are brought up to
  date by one single-flight job (or by the write that changed their inputs), and an API
  token's last use is recorded after the response, in its own short transaction.
- C3: concurrent rebuilds of ``kam_decisions`` are single-flight (no UniqueViolation).
- C4: a second import waits for the first, says for what, and gives up cleanly (status 2).
- A live server on SQLite serves 50 concurrent clients (reads and writes) with no 5xx and
  no reset connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.core import audit
from accord.core.database import transaction, utcnow
from accord.core.models import ApiToken
from conftest import api_client
from kam_helpers import TODAY, add_revenue, make_account, steady
from page_helpers import sign_in

# ---------------------------------------------------------------- arrangements


def _portfolio(sessions, cast, accounts: int = 12) -> list[int]:
    """Accounts with two years of revenue, managed by the owner and the outsider."""
    ids = []
    with sessions.begin() as s:
        for i in range(accounts):
            manager = cast.owner.id if i % 2 else cast.outsider.id
            account = make_account(s, f"Concurrent {i:02d}", manager,
                                   segment="Retail" if i % 3 else "Energy")
            add_revenue(s, account, steady(100_000 * (i + 1)))
            ids.append(account)
    return ids


def _bring_derived_data_up_to_date(sessions, cast) -> None:
    """What the writes and the refresh job leave behind: every derived table current."""
    from accord.kpis import derived
    from accord.relationships import decisions
    from accord.selection.rules import CriterionKind
    from accord.selection.service import active_criteria
    from accord.web.deps import today

    with transaction(sessions) as s:
        derived.rebuild(s)
        for kind in CriterionKind:  # seeded by the migration (gone with a truncate)
            active_criteria(s, kind)
    with transaction(sessions) as s:
        decisions.ensure_built(s, today())  # the app's today


def _idle_token(sessions, cast, who: str) -> str:
    """A token last used two minutes ago (its next use is due to be recorded)."""
    token = cast.token(sessions, who)
    with sessions.begin() as s:
        s.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(minutes=2)))
    return token


class WriteLog:
    """Writes made through ORM sessions, by session: a session marked as a background job
    (``session.info['accord.job']``) is named by its job, every other one is 'request'."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, str]] = []

    def _who(self, session: Session) -> str:
        return str(session.info.get("accord.job", "request"))

    def after_flush(self, session: Session, _ctx: Any) -> None:
        changed = [*session.new, *session.dirty, *session.deleted]
        if changed:
            self.writes.append((self._who(session), "flush " + ", ".join(
                sorted({type(o).__name__ for o in changed}))))

    def do_orm_execute(self, state: Any) -> None:
        sql = str(state.statement).lstrip().upper()
        if state.is_insert or state.is_update or state.is_delete or sql.startswith(
            ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "TRUNCATE", "ANALYZE")
        ):
            self.writes.append((self._who(state.session), sql.split("\n")[0][:80]))

    @contextmanager
    def watching(self) -> Iterator[WriteLog]:
        event.listen(Session, "after_flush", self.after_flush)
        event.listen(Session, "do_orm_execute", self.do_orm_execute)
        try:
            yield self
        finally:
            event.remove(Session, "after_flush", self.after_flush)
            event.remove(Session, "do_orm_execute", self.do_orm_execute)

    def by(self, who: str) -> list[str]:
        return [w for j, w in self.writes if j == who]


PAGES = (
    "/", "/accounts", "/accounts/{acme}", "/accounts/{acme}/timeline", "/accounts/{acme}/kam",
    "/dashboard", "/dashboard/report", "/decisions",
    "/matrix", "/dashboard?window=6&basis=point",
)
API = (
    "/api/v1/me", "/api/v1/accounts", "/api/v1/accounts/{acme}",
    "/api/v1/accounts/{acme}/contacts", "/api/v1/accounts/{acme}/interactions",
    "/api/v1/accounts/{acme}/revenue/monthly", "/api/v1/accounts/{acme}/kam",
    "/api/v1/kpis", "/api/v1/kpis?window=3", "/api/v1/decisions", "/api/v1/matrix",
    "/api/v1/health",
)


def _get_everything(page_client, token_client, acme: int) -> None:
    for path in PAGES:
        response = page_client.get(path.format(acme=acme))
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    for path in API:
        response = token_client.get(path.format(acme=acme))
        assert response.status_code == 200, (path, response.status_code, response.text[:300])


# ---------------------------------------------------------------- C1


def test_concurrent_writers_on_one_database_all_succeed(sessions, cast) -> None:
    """10 writers, 5 writes each, each a read then a write of the same account (what every
    service does): with a deferred BEGIN, SQLite refused the upgrade at once ("database is
    locked") once another writer had committed; IMMEDIATE writers wait their turn."""
    writers, writes = 10, 5
    start = threading.Barrier(writers)
    failures: list[str] = []
    done: list[int] = []

    def write(n: int) -> None:
        start.wait()
        for k in range(writes):
            try:
                with transaction(sessions) as s:
                    account = s.get(Account, cast.acme_id)
                    assert account is not None
                    before = account.notes
                    account.notes = f"writer {n} write {k}"
                    s.flush()
                    audit.record(s, None, "update", "account", account.id,
                                 before={"notes": before}, after={"notes": account.notes})
                done.append(n)
            except Exception as exc:  # noqa: BLE001 - every failure is reported
                failures.append(f"{type(exc).__name__}: {exc}"[:200])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert len(done) == writers * writes
    with sessions() as s:
        entries = s.scalar(text("SELECT count(*) FROM audit_log WHERE entity = 'account'"))
    assert entries == writers * writes


# ---------------------------------------------------------------- C2


def test_get_requests_write_nothing_and_the_idle_token_is_recorded_after_them(
    app, sessions, cast
) -> None:
    """A viewer with a token idle for two minutes and a signed-in viewer read the main pages
    and API: no request writes in its own transaction; with the derived data current, no
    job writes either, except recording the token's use once, after the response."""
    _portfolio(sessions, cast)
    _bring_derived_data_up_to_date(sessions, cast)
    token = _idle_token(sessions, cast, "viewer")
    from fastapi.testclient import TestClient

    with TestClient(app) as pages, api_client(app, token) as api:
        sign_in(pages, cast.viewer.email)
        with WriteLog().watching() as log:
            _get_everything(pages, api, cast.acme_id)
    assert log.by("request") == []
    # the only jobs: the token's use, and building the window variants asked for (a
    # window other than the policy's), each once, in their own transactions
    jobs = sorted({j for j, _ in log.writes} - {"request"})
    assert jobs == ["kpi_variant_6", "token use"], log.writes  # window=3: variant 6
    with sessions() as s:
        used = s.scalar(select(ApiToken.last_used_at))
    assert used is not None and utcnow() - used < timedelta(seconds=30)


def test_after_writes_and_a_month_gone_by_gets_still_write_nothing_in_their_transaction(
    app, sessions, cast
) -> None:
    """Stale derived data (a new manager for an account, revenue written without the import
    hook, derived data never built) is brought up to date by a job in its own transaction
    (or by the write itself), never by the reading request; the figures read are current."""
    ids = _portfolio(sessions, cast)
    token = _idle_token(sessions, cast, "viewer")
    with sessions.begin() as s:  # a change of manager queues the account's KPI group
        s.get(Account, ids[0]).manager_id = cast.teammate.id
    with api_client(app, token) as api, WriteLog().watching() as log:
        for path in ("/api/v1/kpis?by=manager", "/api/v1/decisions", "/api/v1/matrix",
                     "/api/v1/kpis?window=3&by=manager"):
            response = api.get(path)
            assert response.status_code == 200, (path, response.text[:300])
        managers = {r["manager"] for r in api.get("/api/v1/kpis?by=manager").json()
                    ["by_manager"]}
    assert log.by("request") == []
    assert cast.teammate.email in managers


def test_a_token_in_use_is_recorded_at_most_once_a_minute(app, sessions, cast) -> None:
    token = _idle_token(sessions, cast, "viewer")
    with api_client(app, token) as api, WriteLog().watching() as log:
        for _ in range(5):
            assert api.get("/api/v1/me").status_code == 200
    assert log.by("request") == []
    assert len(log.by("token use")) == 1


# ---------------------------------------------------------------- C3


def test_concurrent_decision_rebuilds_are_single_flight(sessions, cast) -> None:
    """Four writers and four readers find ``kam_decisions`` stale at once: one rebuild
    runs at a time (PostgreSQL raised UniqueViolation pk_kam_decisions), all see the rows."""
    from accord.core.database import reading
    from accord.relationships import decisions

    _portfolio(sessions, cast)
    viewer = cast.viewer
    start = threading.Barrier(8)
    failures: list[str] = []
    totals: list[int] = []

    def rebuild(read_only: bool) -> None:
        start.wait()
        try:
            if read_only:
                with reading(sessions) as s:
                    totals.append(decisions.list_decisions(
                        s, s.merge(viewer), today=TODAY).total)
            else:
                with transaction(sessions) as s:
                    decisions.ensure_built(s, TODAY)
                    totals.append(decisions.list_decisions(
                        s, s.merge(viewer), today=TODAY).total)
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{type(exc).__name__}: {exc}"[:300])

    threads = [threading.Thread(target=rebuild, args=(i % 2 == 0,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert len(totals) == 8 and len(set(totals)) == 1 and totals[0] > 0


# ---------------------------------------------------------------- C4


def test_a_second_import_waits_for_the_first_then_gives_up_with_status_2(
    database_url, sessions, cast, tmp_path
) -> None:
    from typer.testing import CliRunner

    from accord.app.commands import app as cli
    from accord.cli.common import state
    from accord.exchange.importing import run_import

    first = tmp_path / "first.csv"
    first.write_text("account_external_id,date,amount\nACME,2025-01-10,100.00\n")
    second = tmp_path / "second.csv"
    second.write_text("account_external_id,date,amount\nACME,2025-02-10,200.00\n")
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold(done: int, total: int) -> None:
        if total and done >= total:
            holding.set()
            release.wait(30)

    def first_import() -> None:
        try:
            with transaction(sessions) as s:
                admin = s.merge(cast.admin)
                run_import(s, admin, "revenue", first, progress=hold)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    runner = CliRunner()
    worker = threading.Thread(target=first_import)
    worker.start()
    try:
        assert holding.wait(20), "the first import never got going"
        started = time.monotonic()
        state.database_url = None
        result = runner.invoke(cli, ["--database-url", database_url, "import", "revenue",
                                     str(second), "--wait", "1"])
        waited = time.monotonic() - started
    finally:
        release.set()
        worker.join(30)
        state.database_url = None
    output = result.output + (result.stderr if result.stderr_bytes else "")
    assert errors == []
    assert result.exit_code == 2, output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "waiting for" in output.lower() and "first.csv" in output
    assert "still running" in output.lower()
    assert waited < 15
    # once the first is done, the same command goes through
    result = runner.invoke(cli, ["--database-url", database_url, "import", "revenue",
                                 str(second), "--wait", "5"])
    assert result.exit_code == 0, result.output
    with sessions() as s:
        assert s.scalar(text("SELECT count(*) FROM revenue_lines")) == 2


def test_an_import_through_the_api_while_another_runs_is_a_409_naming_it(
    app, engine, sessions, cast
) -> None:
    from accord.exchange.importing import import_turn

    token = cast.token(sessions, "admin")
    body = b"account_external_id,date,amount\nACME,2025-01-10,1.00\n"
    with import_turn(engine, "the revenue import of big.csv by someone"), \
            api_client(app, token) as api:
        response = api.post("/api/v1/imports/revenue", files={"file": ("x.csv", body)})
    assert response.status_code == 409, response.text
    assert "big.csv" in response.json()["detail"] and "still running" in response.json()["detail"]
    with api_client(app, token) as api:  # and once it is done
        assert api.post("/api/v1/imports/revenue",
                        files={"file": ("x.csv", body)}).status_code == 200


# ---------------------------------------------------------------- a live server, 50 clients


def test_fifty_clients_against_a_live_server_get_no_server_error(
    request, sessions, cast
) -> None:
    """Reads (pages with a session, the API with tokens idle for minutes) and writes
    (interactions, account notes) from 50 clients at once for a few seconds: no 5xx, no
    reset connection, on both databases (the default one must serve a team too)."""
    ids = _portfolio(sessions, cast, accounts=20)
    tokens = {who: _idle_token(sessions, cast, who) for who in ("admin", "viewer", "owner")}
    base = request.getfixturevalue("live_server")
    with sessions() as s:
        owner_accounts = list(s.scalars(
            select(Account.id).where(Account.manager_id == cast.owner.id)))
    stop_at = time.monotonic() + 4
    problems: list[str] = []
    counts = {"ok": 0, "4xx": 0}
    lock = threading.Lock()

    def client(n: int) -> None:
        who = ("admin", "viewer", "owner")[n % 3]
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
            k = 0
            while time.monotonic() < stop_at or k < 3:
                k += 1
                mine = owner_accounts if who == "owner" else ids
                account = mine[(n + k) % len(mine)]
                try:
                    if who == "owner" and k % 3 == 0:
                        target = owner_accounts[k % len(owner_accounts)]
                        r = c.post(f"/api/v1/accounts/{target}/interactions", json={
                            "kind": "call", "occurred_on": str(TODAY),
                            "summary": f"call {n}/{k}"})
                    elif who == "admin" and k % 4 == 0:
                        r = c.patch(f"/api/v1/accounts/{account}",
                                    json={"notes": f"note {n}/{k}"})
                    else:
                        path = ("/api/v1/accounts", f"/api/v1/accounts/{account}",
                                "/api/v1/kpis", "/api/v1/decisions",
                                f"/api/v1/accounts/{account}/interactions")[k % 5]
                        r = c.get(path)
                except httpx.TransportError as exc:
                    with lock:
                        problems.append(f"{type(exc).__name__}: {exc}")
                    continue
                with lock:
                    if r.status_code >= 500:
                        problems.append(f"{r.request.method} {r.request.url.path}: "
                                        f"{r.status_code} {r.text[:200]}")
                    elif r.status_code >= 400:
                        counts["4xx"] += 1
                        problems.append(f"{r.request.method} {r.request.url.path}: "
                                        f"{r.status_code} {r.text[:200]}")
                    else:
                        counts["ok"] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert problems == [], problems[:10]
    assert counts["ok"] >= 150
