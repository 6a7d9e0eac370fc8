"""Keeping the KPI engine's derived data current, on both databases.

- After an import, ``refresh_after_import`` leaves exactly the rows a rebuild from scratch
  would write (every held window variant, months added, earlier months changed) and writes
  only the rows that differ; before anything was built it writes nothing (the first report
  builds everything).
- The account groups are re-synchronised only after a write that can change one (triggers
  queue the account), never after an interaction; a change committed after a report ran,
  whatever the numbering of its audit entry, is picked up by the next report.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, text

import kpi_reference as ref
from accord.cli.common import operator
from accord.core.database import reading
from accord.kpis import derived, service
from accord.kpis import models as kpi_models
from accord.kpis.formulas import Basis
from accord.selection import models as _selection_models  # noqa: F401 - tables known
from accord.selection import service as selection
from kam_helpers import scoring

B = 2024 * 12  # 2024-01
TODAY = date(2027, 1, 1)
ADMIN = operator()
#: window variants held besides the policy's (12 months trailing)
EXTRA_VARIANTS = ((3, Basis.POINT), (5, Basis.TRAILING))


def _reset(session) -> None:
    for table in ("kpi_account_windows", "kpi_variants", "kpi_account_groups", "kpi_groups",
                  "kpi_state", "kpi_policy", "kpi_group_changes", "monthly_revenue",
                  "revenue_lines", "selection_current", "selection_scorings",
                  "account_members", "accounts"):
        session.execute(text(f"DELETE FROM {table}"))


def _write_monthly(session, monthly: ref.Monthly) -> None:
    """Replace these accounts' monthly revenue (running totals included), as an import does."""
    for account in monthly:
        for table in ("monthly_revenue", "revenue_lines"):
            session.execute(text(f"DELETE FROM {table} WHERE account_id = :a"), {"a": account})
    ref.load(session, monthly, {})


def _rows(session) -> list[tuple[int, ...]]:
    return [tuple(int(v) for v in r) for r in session.execute(text(
        "SELECT variant, month, gid, movement, account_id, cur_cents, prev_cents, bucket "
        "FROM kpi_account_windows ORDER BY variant, month, gid, movement, account_id"))]


def _groups(session) -> dict[int, int]:
    return dict(session.execute(text("SELECT account_id, gid FROM kpi_account_groups")).all())


@contextmanager
def _written_rows(engine) -> Iterator[list[int]]:
    """Rows deleted from or inserted into kpi_account_windows by the statements run inside."""
    counts: list[int] = []

    def count(conn, cursor, statement, params, context, executemany):
        head = statement.lstrip()[:40].upper()
        if head.startswith(("DELETE FROM KPI_ACCOUNT_WINDOWS", "INSERT INTO KPI_ACCOUNT_WINDOWS")):
            counts.append(cursor.rowcount)

    event.listen(engine, "after_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(engine, "after_cursor_execute", count)


@contextmanager
def _statements(engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def keep(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)


# ---------------------------------------------------------------- refresh after an import


months = st.integers(0, 29).map(lambda m: B + m)
amounts = st.one_of(st.integers(-40_000, 90_000), st.just(0), st.integers(1, 9))
portfolios = st.dictionaries(
    st.integers(1, 12), st.dictionaries(months, amounts, min_size=1, max_size=20),
    min_size=1, max_size=8,
)
#: a later import: per account, months to add to (some after the data's last month)
imports = st.dictionaries(
    st.integers(1, 14), st.dictionaries(st.integers(0, 33).map(lambda m: B + m), amounts,
                                        min_size=1, max_size=4),
    max_size=5,
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=portfolios, change=imports, told=st.sets(st.integers(1, 14)))
def test_an_incremental_refresh_leaves_what_a_rebuild_writes(
    sessions, engine, before, change, told,
):
    """``told``: the accounts whose earliest changed month the importer passes along."""
    with sessions.begin() as s:
        _reset(s)
        ref.load(s, {}, {a: (None, f"S{a % 2}") for a in range(1, 15)})
        _write_monthly(s, before)
        service.rebuild(s)
        for window, basis in EXTRA_VARIANTS:
            derived.ensure_variant(s, window, basis)
        old = set(_rows(s))
    after = {a: dict(r) for a, r in before.items()}
    for account, revenue in change.items():
        for month, amount in revenue.items():
            after.setdefault(account, {})[month] = after.get(account, {}).get(month, 0) + amount
    first_months = {a: min(change[a]) for a in change if a in told}
    with sessions.begin() as s, _written_rows(engine) as written:
        _write_monthly(s, {a: after[a] for a in change})
        derived.refresh_after_import(s, list(change), first_months)
    with sessions.begin() as s:
        incremental, groups = _rows(s), _groups(s)
        held = s.scalars(select(kpi_models.KpiVariant.id).order_by(kpi_models.KpiVariant.id))
        assert list(held) == [7, 10, 24]
        derived.rebuild(s)
        assert _rows(s) == incremental
        assert _groups(s) == groups
    # only the rows that differ were deleted or inserted
    assert sum(written) == len(old ^ set(incremental))


def test_an_import_touching_one_account_rewrites_only_its_changed_rows(sessions, engine):
    rng = random.Random(5)
    monthly = {a: {B + m: rng.randint(1, 50_000) for m in range(24)} for a in range(1, 31)}
    with sessions.begin() as s:
        _reset(s)
        ref.load(s, monthly, {a: (None, "S") for a in monthly})
        service.rebuild(s)
        before = set(_rows(s))
    monthly[7][B + 23] += 1_000  # the last month of one account
    with sessions.begin() as s, _written_rows(engine) as written:
        _write_monthly(s, {7: monthly[7]})
        derived.refresh_after_import(s, [7])
        after = set(_rows(s))
    changed = before ^ after
    assert changed and {r[4] for r in changed} == {7} and {r[1] for r in changed} == {B + 23}
    assert sum(written) == len(changed) == 2  # one row deleted, one inserted
    with sessions.begin() as s:
        derived.rebuild(s)
        assert set(_rows(s)) == after


def test_a_new_month_adds_rows_for_every_account_without_touching_the_old_ones(
    sessions, engine,
):
    monthly = {a: {B + m: 1_000 * a for m in range(12)} for a in range(1, 6)}
    with sessions.begin() as s:
        _reset(s)
        ref.load(s, monthly, {a: (None, "S") for a in monthly})
        service.rebuild(s)
        before = set(_rows(s))
    monthly[2][B + 12] = 500  # the data gains a month, through one account
    with sessions.begin() as s, _written_rows(engine) as written:
        _write_monthly(s, {2: monthly[2]})
        derived.refresh_after_import(s, [2])
        after = set(_rows(s))
        assert s.get(kpi_models.KpiState, 1).last_month == B + 12
    assert before <= after
    assert {(r[1], r[4]) for r in after - before} == {(B + 12, a) for a in monthly}
    assert sum(written) == len(monthly)
    with sessions.begin() as s:
        derived.rebuild(s)
        assert set(_rows(s)) == after
    service.clear_cache()
    with sessions.begin() as s:
        doc = service.kpi_report(s, ADMIN, today=TODAY, as_of="2025-01")
    assert doc["portfolio"] == ref.retention(monthly, B + 12)


@pytest.mark.parametrize("told", [False, True])
def test_a_monthly_update_of_every_account_writes_only_the_new_month(sessions, engine, told):
    """The routine import: one more month for every account. Told the month, the refresh
    reads each window's months by key (``_recent_rows``) instead of every account's history;
    either way only the new month's rows are written."""
    rng = random.Random(9)
    monthly = {a: {B + m: rng.randint(-500, 40_000) for m in range(30)} for a in range(1, 41)}
    with sessions.begin() as s:
        _reset(s)
        ref.load(s, monthly, {a: (None, f"S{a % 3}") for a in monthly})
        service.rebuild(s)
        derived.ensure_variant(s, 2, Basis.POINT)
        before = set(_rows(s))
    for a in monthly:
        monthly[a][B + 30] = rng.randint(0, 40_000)
    with sessions.begin() as s, _written_rows(engine) as written, _statements(engine) as seen:
        _write_monthly(s, monthly)
        derived.refresh_after_import(s, list(monthly), {a: B + 30 for a in monthly} if told
                                     else None)
        after = set(_rows(s))
    assert before <= after and {r[1] for r in after - before} == {B + 30}
    assert sum(written) == len(after - before)
    window_functions = any(" OVER " in q.upper() for q in seen if "kpi_fresh" in q)
    assert window_functions is not told
    with sessions.begin() as s:
        derived.rebuild(s)
        assert set(_rows(s)) == after


def test_an_import_before_anything_was_built_leaves_the_build_to_the_first_report(sessions):
    monthly = {1: {B + m: 2_000 for m in range(14)}, 2: {B + 3: 700, B + 13: 50}}
    with sessions.begin() as s:
        _reset(s)
        ref.load(s, monthly, {1: (None, "S"), 2: (None, "T")})
        derived.refresh_after_import(s, [1, 2])
        assert s.get(kpi_models.KpiState, 1) is None and _rows(s) == []
    service.clear_cache()
    with sessions.begin() as s:
        doc = service.kpi_report(s, ADMIN, today=TODAY, as_of="2025-02")
        built = _rows(s)
    assert doc["portfolio"] == ref.retention(monthly, B + 13)
    with sessions.begin() as s:
        derived.rebuild(s)
        assert _rows(s) == built


# ---------------------------------------------------------------- group re-synchronisation


def _portfolio(sessions) -> None:
    from accord.users.service import create_user

    monthly = {a: {B + m: 1_000 * a + m for m in range(24)} for a in range(1, 7)}
    with sessions.begin() as s:
        _reset(s)
        create_user(s, None, email="kam@example.com", name="Kam", role="admin",
                    password="correct horse battery")
        ref.load(s, monthly, {a: (None, "S") for a in monthly})
        service.rebuild(s)
    service.clear_cache()


def _report(session) -> dict[str, Any]:
    return service.kpi_report(session, ADMIN, today=TODAY, as_of="2025-12", by="tier")


def _tiers(doc: dict[str, Any]) -> dict[str, int]:
    return {r["tier"]: r["ending_revenue"] for r in doc["by_tier"]}


def _score(session, account_id: int, on: date) -> None:
    selection.score_account(  # attractiveness 8, ours 6 against 5: Strategic
        session, ADMIN, account_id,
        scoring(session, ADMIN, attractiveness="8", us="6", them="5", scored_on=on),
        today=TODAY,
    )


def _log_interaction(session, account_id: int) -> None:
    from accord.accounts.contacts import log_interaction
    from accord.accounts.models import InteractionKind
    from accord.accounts.schemas import InteractionIn
    from accord.core.models import User

    user = session.scalars(select(User).where(User.email == "kam@example.com")).one()
    log_interaction(session, user, account_id, InteractionIn(
        kind=InteractionKind.CALL, occurred_on=date(2026, 12, 1), summary="quarterly call"),
        today=TODAY)


def _queued(session) -> list[int | None]:
    return list(session.scalars(text("SELECT account_id FROM kpi_group_changes")))


def _synchronises(statements: list[str]) -> bool:
    return any("kpi_account_groups" in s or "DELETE FROM kpi_group_changes" in s
               for s in statements)


def test_an_interaction_does_not_resynchronise_the_groups(sessions, engine):
    _portfolio(sessions)
    with sessions.begin() as s:
        _report(s)
    with sessions.begin() as s:
        _log_interaction(s, 3)
    with sessions.begin() as s:
        assert _queued(s) == []
    service.clear_cache()
    with sessions.begin() as s, _statements(engine) as seen:
        doc = _report(s)
    assert not _synchronises(seen)
    assert set(_tiers(doc)) == {"not key"}


def test_a_tier_change_resynchronises_only_that_account(sessions, engine):
    _portfolio(sessions)
    with sessions.begin() as s:
        _score(s, 4, date(2026, 6, 1))
    with sessions.begin() as s:
        assert _queued(s) == [4]
    with sessions.begin() as s, _statements(engine) as seen:
        doc = _report(s)
    assert _synchronises(seen)
    assert set(_tiers(doc)) == {"not key", "Strategic"}
    with sessions.begin() as s:
        assert _queued(s) == []
        tier = s.scalar(text("SELECT g.tier FROM kpi_groups g JOIN kpi_account_groups a "
                             "ON a.gid = g.gid WHERE a.account_id = 4"))
        assert tier == "Strategic"
    # a cut-line change queues every account
    with sessions.begin() as s:
        selection.update_policy(s, ADMIN, {"attractiveness_cut": "8.5"})
    with sessions.begin() as s:
        assert _queued(s) == [None]
        assert set(_tiers(_report(s))) == {"not key", "Status"}
    with sessions.begin() as s:  # and back (the stored setting is updated this time)
        selection.update_policy(s, ADMIN, {"attractiveness_cut": "5"})
    with sessions.begin() as s:
        assert _queued(s) == [None]
        assert set(_tiers(_report(s))) == {"not key", "Strategic"}


def test_a_change_committed_after_a_later_audit_entry_is_not_missed(sessions, engine):
    """The scoring's transaction writes its audit entry first and commits last; meanwhile
    (PostgreSQL: two writers at once) an interaction's later-numbered entry commits and a
    report runs. SQLite has one writer at a time, so there only the report runs meanwhile
    (it reads, and writes nothing, while the scoring holds the write lock)."""
    _portfolio(sessions)
    late = sessions()
    try:
        _score(late, 2, date(2026, 6, 1))
        late.flush()
        if engine.dialect.name == "postgresql":
            with sessions.begin() as s:
                _log_interaction(s, 5)
            with sessions.begin() as s:
                numbers = list(s.scalars(text("SELECT id FROM audit_log ORDER BY id")))
            late_entry = late.scalar(text("SELECT id FROM audit_log WHERE entity = 'scoring'"))
            assert late_entry < numbers[-1]  # the scoring's entry is numbered first
        service.clear_cache()
        with reading(sessions) as s:  # a reader (a GET): it need not wait for the writer
            assert set(_tiers(_report(s))) == {"not key"}
        late.commit()
    finally:
        late.close()
    service.clear_cache()
    with sessions.begin() as s:
        doc = _report(s)
    assert _tiers(doc)["Strategic"] == ref.retention({2: {B + m: 2_000 + m for m in range(24)}},
                                                     B + 23)["ending_revenue"]


@pytest.mark.parametrize("change", ["manager", "segment", "delete", "deselect"])
def test_every_kind_of_group_change_is_queued(sessions, change):
    from accord.accounts.models import Account

    _portfolio(sessions)
    with sessions.begin() as s:
        _score(s, 1, date(2026, 6, 1))
    with sessions.begin() as s:
        _report(s)
        assert _queued(s) == []
    with sessions.begin() as s:
        if change == "manager":
            s.get(Account, 1).manager_id = s.scalar(
                text("SELECT id FROM users WHERE email = 'kam@example.com'"))
        elif change == "segment":
            s.get(Account, 1).segment = "T"
        elif change == "delete":
            s.execute(text("DELETE FROM accounts WHERE id = 1"))
        else:
            selection.deselect(s, ADMIN, 1, "left the programme")
    with sessions.begin() as s:
        assert set(_queued(s)) == {1}
        _report(s)
        assert _queued(s) == []
        incremental = _groups(s), _rows(s)
        derived.rebuild(s)
        assert (_groups(s), _rows(s)) == incremental
