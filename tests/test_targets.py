"""Targets for managers (issue 11): who sets and reads them, bad input, the actuals against an
independent reference computed from the rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.versions import Expected, Stale
from accord.kpis import service as kpi_service
from accord.plans.targets import service
from accord.plans.targets.models import ManagerTarget
from accord.plans.targets.schemas import TargetIn
from accord.revenue.models import RevenueLine
from accord.selection import rules as selection_rules
from accord.selection.models import Deselection, Scoring
from accord.selection.queries import update_current
from accord.selection.settings import selection_policy
from import_helpers import write_monthly
from kam_helpers import make_account

TODAY = date(2026, 1, 15)


def _in(manager: str = "owner@accord.test", period: str = "2025-Q4",
        metric: str | None = "book_revenue", target: object = "1000") -> TargetIn:
    return TargetIn.model_validate({"manager": manager, "period": period, "metric": metric,
                                    "target": target})


def _user(db, who) -> User:
    return db.get(User, who.id)


def _count(db) -> int:
    return int(db.scalar(select(func.count()).select_from(ManagerTarget)) or 0)


def _score(db, account_id: int, on: date, attractiveness_milli: int, us: int = 500,
           them: int = 500) -> None:
    db.add(Scoring(account_id=account_id, scored_on=on, scored_by="t@accord.test",
                   competitor_name="Rival", attractiveness_milli=attractiveness_milli,
                   us_weighted=us, competitor_weighted=them, detail={},
                   created_at=datetime.now(UTC)))
    db.flush()
    update_current(db, account_id)


# ---------------------------------------------------------------- who may


def test_a_head_sets_targets_for_their_teams_managers_only(db, cast) -> None:
    head = _user(db, cast.head)
    out, created = service.set_target(db, head, _in(), today=TODAY)
    assert created and out.manager.email == "owner@accord.test" and out.target == 1000
    assert out.period == "2025-Q4" and out.period_start == date(2025, 10, 1)
    again, created = service.set_target(db, head, _in(target="1500.50"), today=TODAY)
    assert not created and again.id == out.id and again.target == Decimal("1500.5")
    assert again.version == out.version + 1
    for email in ("outsider@accord.test", "head@accord.test", "viewer@accord.test",
                  "nobody@accord.test"):
        with pytest.raises(NotFound):
            service.set_target(db, head, _in(manager=email), today=TODAY)
    with pytest.raises(NotFound):
        service.set_target(db, _user(db, cast.other_head), _in(), today=TODAY)
    for who in (cast.owner, cast.viewer, cast.billing):
        with pytest.raises(Forbidden):
            service.set_target(db, _user(db, who), _in(), today=TODAY)
    admin = _user(db, cast.admin)
    service.set_target(db, admin, _in(manager="outsider@accord.test"), today=TODAY)
    service.set_target(db, admin, _in(manager="head@accord.test"), today=TODAY)
    assert _count(db) == 3
    actions = db.execute(select(AuditEntry.action).where(AuditEntry.entity == "manager_target")
                         .order_by(AuditEntry.id)).scalars().all()
    assert actions == ["create", "update", "create", "create"]


def test_each_reads_their_own_a_head_their_teams_the_admin_all(db, cast) -> None:
    admin = _user(db, cast.admin)
    for email in ("owner@accord.test", "teammate@accord.test", "outsider@accord.test"):
        service.set_target(db, admin, _in(manager=email), today=TODAY)

    def managers(who, **kw) -> list[str]:
        page = service.list_targets(db, _user(db, who), today=TODAY, **kw)
        return sorted(t.manager.email for t in page.items)

    everyone = ["outsider@accord.test", "owner@accord.test", "teammate@accord.test"]
    assert managers(cast.admin) == everyone == managers(cast.viewer)
    assert managers(cast.head) == ["owner@accord.test", "teammate@accord.test"]
    assert managers(cast.other_head) == ["outsider@accord.test"]
    assert managers(cast.owner) == ["owner@accord.test"]
    assert managers(cast.head, manager="owner@accord.test") == ["owner@accord.test"]
    assert managers(cast.admin, team_id=_user(db, cast.owner).team_id) == everyone[1:]
    assert managers(cast.admin, period="2025") == everyone
    assert managers(cast.admin, period="2025-10") == []
    with pytest.raises(NotFound):
        managers(cast.head, manager="outsider@accord.test")
    with pytest.raises(ValidationFailed):
        managers(cast.admin, period="last year")


def test_delete_and_a_stale_write(db, cast) -> None:
    head = _user(db, cast.head)
    out, _ = service.set_target(db, head, _in(), today=TODAY)
    with pytest.raises(Stale):
        service.set_target(db, head, _in(target="7"), expected=Expected(out.version + 5),
                           today=TODAY)
    with pytest.raises(NotFound):
        service.delete_target(db, _user(db, cast.other_head), out.id)
    with pytest.raises(Forbidden):
        service.delete_target(db, _user(db, cast.owner), out.id)
    with pytest.raises(Stale):
        service.delete_target(db, head, out.id, expected=Expected(out.version + 1))
    service.delete_target(db, head, out.id, expected=Expected(out.version))
    assert _count(db) == 0
    with pytest.raises(NotFound):
        service.delete_target(db, head, out.id)


@pytest.mark.parametrize(("fields", "field"), [
    ({"metric": None}, "metric"),
    ({"metric": "profit"}, "metric"),
    ({"period": "2025-13"}, "period"),
    ({"period": "next quarter"}, "period"),
    ({"target": "-5"}, "target"),
    ({"target": None}, "target"),
    ({"target": "1e20"}, "target"),
    ({"metric": "book_nrr", "target": "50"}, "target"),
])
def test_bad_input_names_the_field_and_writes_nothing(db, cast, fields, field) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.set_target(db, _user(db, cast.head), _in(**fields), today=TODAY)
    assert field in {p.field for p in caught.value.problems}
    assert _count(db) == 0


# ---------------------------------------------------------------- actuals


def _world(db, cast) -> dict[str, int]:
    """The owner's book: four accounts with revenue and scorings; one of the teammate's."""
    owner, teammate = cast.owner.id, cast.teammate.id
    ids = {"acme": cast.acme_id, "b": make_account(db, "Bravo", owner),
           "c": make_account(db, "Charlie", owner), "d": make_account(db, "Delta", owner),
           "t": make_account(db, "Tango", teammate)}
    base = 2025 * 12  # 2025-01
    write_monthly(db, ids["acme"], {base + m: 100_000 + 1_000 * m for m in range(12)}, lines=2)
    write_monthly(db, ids["b"], {base + m: 55_555 for m in range(6, 12)})
    write_monthly(db, ids["c"], {base - 12 + m: 70_000 for m in range(20)})
    write_monthly(db, ids["t"], {base + m: 999_999 for m in range(12)})
    # key (attractiveness >= 5.0) at the end of Q4 but not before: b (first scoring in Q4),
    # c (not key before, key in Q4); acme is key throughout; d became key, then deselected
    _score(db, ids["acme"], date(2024, 6, 1), 8000)
    _score(db, ids["b"], date(2025, 11, 3), 6000, us=600)
    _score(db, ids["c"], date(2025, 3, 1), 3000)
    _score(db, ids["c"], date(2025, 10, 1), 7000)
    _score(db, ids["d"], date(2025, 10, 2), 9000)
    db.add(Deselection(account_id=ids["d"], reason="r", deselected_by="t@accord.test",
                       deselected_at=datetime(2025, 12, 1, tzinfo=UTC)))
    _score(db, ids["t"], date(2025, 11, 1), 9000)
    kpi_service.rebuild(db)
    kpi_service.clear_cache()
    db.commit()
    return ids


def _reference_revenue(db, manager_id: int, start: date, end: date) -> Decimal:
    """From the revenue lines themselves, in Python."""
    from accord.accounts.models import Account

    book = set(db.scalars(select(Account.id).where(Account.manager_id == manager_id)))
    cents = sum(line.amount_cents for line in db.scalars(select(RevenueLine))
                if line.account_id in book and start <= line.date <= end)
    return Decimal(cents) / 100


def _reference_new_key(db, manager_id: int, start: date, end: date) -> int:
    """From the scorings and deselections, in Python with the pure selection rules."""
    from accord.accounts.models import Account

    policy = selection_policy(db)
    scorings = db.scalars(select(Scoring).order_by(Scoring.scored_on, Scoring.id)).all()
    deselected = {d.account_id: d.deselected_at.date() for d in db.scalars(select(Deselection))}

    def key_on(account_id: int, day: date, inclusive: bool) -> bool:
        mine = [s for s in scorings if s.account_id == account_id
                and (s.scored_on <= day if inclusive else s.scored_on < day)]
        if not mine:
            return False
        s = mine[-1]
        if account_id in deselected and deselected[account_id] <= day:
            return False
        q = selection_rules.quadrant(s.attractiveness_milli, s.us_weighted,
                                     s.competitor_weighted, policy)
        return selection_rules.is_key(q.value)

    book = db.scalars(select(Account.id).where(Account.manager_id == manager_id)).all()
    return sum(1 for a in book if key_on(a, end, True) and not key_on(a, start, False))


@pytest.mark.parametrize("period", ["2025-Q4", "2025", "2025-11", "2025-H"[:4] + "-07"])
def test_book_revenue_and_new_key_accounts_match_a_reference_from_the_rows(
    db, cast, period
) -> None:
    _world(db, cast)
    admin = _user(db, cast.admin)
    for metric in ("book_revenue", "new_key_accounts"):
        for email in ("owner@accord.test", "teammate@accord.test"):
            service.set_target(db, admin, _in(manager=email, period=period, metric=metric,
                                              target="10"), today=TODAY)
    page = service.list_targets(db, admin, today=TODAY)
    assert page.total == 4
    from accord.plans.targets.rules import parse_period

    start, end = parse_period(period)
    for t in page.items:
        manager = t.manager.id
        if t.metric == "book_revenue":
            assert t.actual == _reference_revenue(db, manager, start, end), (period, t)
        else:
            assert t.actual == _reference_new_key(db, manager, start, end), (period, t)
        assert t.attainment == (t.actual / t.target).quantize(Decimal("0.0001"))
    q4 = {(t.manager.email, t.metric): t.actual for t in page.items}
    if period == "2025-Q4":  # b and c, not acme (key before) nor d (deselected)
        assert q4[("owner@accord.test", "new_key_accounts")] == 2
        assert q4[("teammate@accord.test", "new_key_accounts")] == 1


def test_book_nrr_is_the_kpi_engines_by_manager(db, cast) -> None:
    _world(db, cast)
    admin = _user(db, cast.admin)
    service.set_target(db, admin, _in(period="2025", metric="book_nrr", target="1.1"),
                       today=TODAY)
    service.set_target(db, admin, _in(period="2026-Q1", metric="book_nrr", target="1.1"),
                       today=TODAY)
    doc = kpi_service.kpi_report(db, admin, today=TODAY, as_of="2025-12", by="manager")
    expected = next(r["nrr"] for r in doc["by_manager"] if r["manager"] == "owner@accord.test")
    items = {t.period: t for t in service.list_targets(db, admin, today=TODAY).items}
    assert expected is not None and items["2025"].actual == expected
    assert items["2026-Q1"].actual is None and items["2026-Q1"].status is None
    # the owner reads the same figure for their own target
    mine = service.list_targets(db, _user(db, cast.owner), period="2025", today=TODAY)
    assert mine.items[0].actual == expected


def test_a_future_period_has_no_actual_yet(db, cast) -> None:
    _world(db, cast)
    out, _ = service.set_target(db, _user(db, cast.head), _in(period="2027"), today=TODAY)
    assert out.actual is None and out.status is None and out.elapsed_share == 0
