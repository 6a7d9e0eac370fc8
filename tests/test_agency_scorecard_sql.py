"""The scorecard's SQL (``agency.scorecard.queries``) on SQLite and PostgreSQL, over briefs
written directly with their first-delivery figures: the median twin, the on-time counts per
department, per account and overall, rounds, the monthly trend and effort equal a plain
Python recount of the same rows; visibility; the period rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, literal, select, union_all

from accord.accounts.models import Account
from accord.agency.models import Brief, Department, DepartmentMember
from accord.agency.scorecard import queries, service
from accord.agency.scorecard.schemas import check_span, parse_period, period_label, period_of
from accord.core.database import utcnow
from accord.core.errors import NotFound, ValidationFailed
from accord.core.models import User

PAIRS = settings(max_examples=30, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])
START, END = date(2026, 1, 1), date(2026, 12, 31)


def add_department(db, name: str, **kw) -> Department:
    now = utcnow()
    department = Department(name=name, time_zone="UTC", turnaround_days=5, sections=[],
                            is_active=kw.pop("is_active", True), created_at=now,
                            updated_at=now, **kw)
    db.add(department)
    db.flush()
    return department


def add_brief(db, account_id: int, department_id: int, *, delivered: date | None,
              due: date, original: date | None = None, turnaround: int | None = 3,
              rounds: int = 0, estimated: str | None = None, actual: str | None = None,
              title: str = "Brief") -> Brief:
    now = utcnow()
    original = original or due
    brief = Brief(
        account_id=account_id, department_id=department_id, title=title, sections={},
        attachments=[], priority="normal", status="delivered" if delivered else "sent",
        original_due_on=original, due_on=due, rounds=rounds, checks={},
        sent_on=(delivered or due) - timedelta(days=7), first_delivered_on=delivered,
        blocked_days=0 if delivered else None, due_with_blocks_on=due if delivered else None,
        original_with_blocks_on=original if delivered else None,
        turnaround_days=turnaround if delivered else None,
        estimated_hours=Decimal(estimated) if estimated else None,
        actual_hours=Decimal(actual) if actual else None, created_at=now, updated_at=now)
    db.add(brief)
    db.flush()
    return brief


def user(db, who) -> User:
    return db.get(User, who.id)


# ---------------------------------------------------------------- the median and its twin


def test_median_of_odd_even_and_none() -> None:
    assert queries.median([]) is None
    assert queries.median([None, None]) is None
    assert queries.median([5]) == 5
    assert queries.median([4, 1, 3]) == 3
    assert queries.median([4, 1, 3, 2]) == Decimal("2.5")
    assert queries.median([2, None, 8]) == 5


@PAIRS
@given(groups=st.dictionaries(st.integers(1, 4),
                              st.lists(st.none() | st.integers(0, 400), min_size=1,
                                       max_size=12), max_size=4))
def test_the_median_sql_equals_the_pure_median(engine, groups) -> None:
    from sqlalchemy.orm import Session

    rows = [select(literal(k, Integer).label("k"), literal(v, Integer).label("v"))
            for k, values in groups.items() for v in values]
    if not rows:
        return
    source = union_all(*rows).subquery()
    with Session(engine) as session:
        got = {int(k): queries.median_of(s, c)
               for k, s, c in session.execute(queries.median_sql(source))}
    assert got == {k: queries.median(v) for k, v in groups.items()}


# ---------------------------------------------------------------- on time, recounted


briefs_drawn = st.lists(st.tuples(
    st.integers(0, 1),  # department
    st.booleans(),  # Acme or Globex
    st.none() | st.dates(date(2025, 12, 1), date(2027, 1, 31)),  # first delivery
    st.integers(-20, 20),  # agreed due − delivery
    st.integers(-20, 20),  # original due − delivery
    st.none() | st.integers(0, 60),  # turnaround
    st.integers(0, 4),  # rounds
    st.none() | st.decimals("0", "300", places=2),
    st.none() | st.decimals("0", "300", places=2),
), max_size=25)


def _recount(rows, start, end):
    inside = [r for r in rows if r["delivered"] is not None and start <= r["delivered"] <= end]
    delivered = len(inside)
    return {
        "delivered": delivered,
        "on_time": sum(r["delivered"] <= r["due"] for r in inside),
        "on_time_original": sum(r["delivered"] <= r["original"] for r in inside),
        "rounds": sum(r["rounds"] for r in inside),
        "with_rounds": sum(r["rounds"] > 0 for r in inside),
        "median": queries.median(r["turnaround"] for r in inside),
    }


def _figures(row) -> dict:
    return {"delivered": row.delivered, "on_time": row.on_time,
            "on_time_original": row.on_time_original, "rounds": row.rounds,
            "with_rounds": row.with_rounds,
            "median": None if row.median_turnaround is None else row.median_turnaround}


@PAIRS
@given(drawn=briefs_drawn)
def test_on_time_per_department_account_and_overall_equals_a_recount(db, cast, drawn) -> None:
    departments = [add_department(db, "Creative"), add_department(db, "Media")]
    accounts = {True: cast.acme_id, False: cast.globex_id}
    rows = []
    try:
        for dep, acme, delivered, due, orig, turnaround, rounds, est, act in drawn:
            r = {"department": departments[dep].id, "account": accounts[acme],
                 "delivered": delivered,
                 "due": (delivered or START) + timedelta(days=due),
                 "original": (delivered or START) + timedelta(days=orig),
                 "turnaround": turnaround, "rounds": rounds, "est": est, "act": act}
            add_brief(db, r["account"], r["department"], delivered=delivered, due=r["due"],
                      original=r["original"], turnaround=turnaround, rounds=rounds,
                      estimated=str(est) if est is not None else None,
                      actual=str(act) if act is not None else None)
            if delivered is None or turnaround is None:
                r["turnaround"] = turnaround if delivered else None
            rows.append(r)
        admin = user(db, cast.admin)
        report = service.on_time(db, admin, start=START, end=END, by="department")
        got = {row.id: _figures(row) for row in report.items}
        for d in departments:
            want = _recount([r for r in rows if r["department"] == d.id], START, END)
            assert got[d.id] == want
            assert report.items[[i.id for i in report.items].index(d.id)].rate == (
                None if not want["delivered"]
                else (Decimal(want["on_time"]) / want["delivered"]).quantize(Decimal("0.0001")))
        assert _figures(report.overall) == _recount(rows, START, END)
        by_account = service.on_time(db, admin, start=START, end=END, by="account")
        got = {row.id: _figures(row) for row in by_account.items}
        for account_id in set(accounts.values()):
            want = _recount([r for r in rows if r["account"] == account_id], START, END)
            if want["delivered"]:
                assert got[account_id] == want
            else:
                assert account_id not in got
        # the owner sees Acme's only
        mine = service.on_time(db, user(db, cast.owner), start=START, end=END, by="account")
        assert {row.id for row in mine.items} <= {cast.acme_id}
        assert _figures(mine.overall) == _recount(
            [r for r in rows if r["account"] == cast.acme_id], START, END)
        # effort per account and month
        effort = service.effort(db, admin, start=START, end=END, page_size=200)
        want_effort: dict[tuple[int, str], list[Any]] = {}
        for r in rows:
            if r["delivered"] is None or not START <= r["delivered"] <= END:
                continue
            key = (r["account"], r["delivered"].strftime("%Y-%m"))
            sums = want_effort.setdefault(key, [Decimal("0.00"), Decimal("0.00"), 0])
            sums[0] += r["est"] or 0
            sums[1] += r["act"] or 0
            sums[2] += 1
        assert {(e.account_id, e.month): [e.estimated_hours, e.actual_hours, e.briefs]
                for e in effort.items} == want_effort
        assert all(e.difference == e.actual_hours - e.estimated_hours for e in effort.items)
        assert effort.overall.estimated_hours == sum((v[0] for v in want_effort.values()),
                                                     Decimal("0.00"))
    finally:
        db.rollback()


def test_a_scorecard_gives_the_trend_the_accounts_the_late_briefs_and_effort(db, cast) -> None:
    creative = add_department(db, "Creative")
    today = date(2026, 11, 20)
    add_brief(db, cast.acme_id, creative.id, delivered=date(2026, 11, 3),
              due=date(2026, 11, 5), turnaround=4, estimated="10", actual="12.5")
    late = add_brief(db, cast.acme_id, creative.id, delivered=date(2026, 11, 10),
                     due=date(2026, 11, 6), original=date(2026, 11, 12), turnaround=8,
                     rounds=2, estimated="5", title="Late one")
    add_brief(db, cast.globex_id, creative.id, delivered=date(2026, 10, 1),
              due=date(2026, 9, 30), turnaround=6, rounds=1)
    add_brief(db, cast.globex_id, creative.id, delivered=date(2025, 11, 30),
              due=date(2025, 12, 1))  # 12 months back: outside the trend
    add_brief(db, cast.acme_id, creative.id, delivered=None, due=date(2026, 12, 1))
    card = service.department_scorecard(db, user(db, cast.admin), creative.id,
                                        start=date(2026, 10, 1), end=date(2026, 12, 31),
                                        today=today)
    f = card.figures
    assert (f.delivered, f.on_time, f.on_time_original, f.late) == (3, 1, 2, 2)
    assert f.rate == Decimal("0.3333") and f.rate_original == Decimal("0.6667")
    assert f.median_turnaround == Decimal("6.0")
    assert (f.rounds, f.with_rounds, f.rounds_per_brief) == (3, 2, Decimal("1.00"))
    assert [p.month for p in card.trend][0] == "2025-12" and card.trend[-1].month == "2026-11"
    assert [(p.month, p.delivered, p.on_time) for p in card.trend if p.delivered] == [
        ("2026-10", 1, 0), ("2026-11", 2, 1)]
    assert [a.name for a in card.accounts.items] == ["Acme Industries", "Globex Corporation"]
    assert card.late[0].id == late.id and card.late[0].url == f"/briefs/{late.id}"
    assert card.late[0].days_late == 4 and card.late_total == 2
    acme_nov = [e for e in card.effort.items if e.account_id == cast.acme_id]
    assert [(e.month, e.estimated_hours, e.actual_hours, e.difference) for e in acme_nov] == [
        ("2026-11", Decimal("15.00"), Decimal("12.50"), Decimal("-2.50"))]
    # the owner sees Acme's briefs only
    mine = service.department_scorecard(db, user(db, cast.owner), creative.id,
                                        start=date(2026, 10, 1), end=date(2026, 12, 31),
                                        today=today)
    assert mine.figures.delivered == 2
    assert [a.name for a in mine.accounts.items] == ["Acme Industries"]
    assert "Globex" not in mine.model_dump_json()


def test_a_specialist_sees_their_departments_only(db, cast) -> None:
    creative, media = add_department(db, "Creative"), add_department(db, "Media")
    specialist = User(email="spec@accord.test", role="specialist", name="Sam Specialist",
                      password_hash="x", capacity=0, is_active=True, created_at=utcnow())
    db.add(specialist)
    db.flush()
    db.add(DepartmentMember(department_id=creative.id, user_id=specialist.id))
    add_brief(db, cast.globex_id, creative.id, delivered=date(2026, 3, 2), due=date(2026, 3, 3))
    add_brief(db, cast.acme_id, media.id, delivered=date(2026, 3, 2), due=date(2026, 3, 1))
    db.flush()
    report = service.on_time(db, specialist, start=START, end=END)
    assert [(r.name, r.delivered) for r in report.items] == [("Creative", 1)]
    assert report.overall.delivered == 1
    # the account's name, never its id
    accounts = service.on_time(db, specialist, start=START, end=END, by="account")
    assert [(r.id, r.name) for r in accounts.items] == [(None, "Globex Corporation")]
    card = service.department_scorecard(db, specialist, creative.id, start=START, end=END,
                                        today=END)
    assert card.accounts.items[0].id is None and card.effort.items[0].account_id is None
    with pytest.raises(NotFound, match=f"no department {media.id}"):
        service.department_scorecard(db, specialist, media.id, start=START, end=END,
                                     today=END)
    with pytest.raises(NotFound):
        service.on_time(db, specialist, start=START, end=END, department_id=media.id)
    # every department is listed to a manager, with only the briefs they see counted
    owner = service.on_time(db, user(db, cast.owner), start=START, end=END)
    assert [(r.name, r.delivered, r.on_time) for r in owner.items] == [
        ("Creative", 0, 0), ("Media", 1, 0)]


def test_inactive_departments_without_deliveries_are_left_out(db, cast) -> None:
    add_department(db, "Old", is_active=False)
    used = add_department(db, "Closed", is_active=False)
    add_brief(db, cast.acme_id, used.id, delivered=date(2026, 5, 4), due=date(2026, 5, 4))
    rows = service.on_time(db, user(db, cast.admin), start=START, end=END).items
    assert [(r.name, r.is_active) for r in rows] == [("Closed", False)]


def test_sorting_and_paging_by_rate(db, cast) -> None:
    deps = [add_department(db, n) for n in ("A", "B", "C")]
    for dep, on in zip(deps, (1, 0, 2), strict=True):
        for i in range(2):
            due = date(2026, 6, 10) if i < on else date(2026, 6, 1)
            add_brief(db, cast.acme_id, dep.id, delivered=date(2026, 6, 5), due=due)
    admin = user(db, cast.admin)
    page = service.on_time(db, admin, start=START, end=END, sort="-rate", page_size=2)
    assert [r.name for r in page.items] == ["C", "A"] and page.total == 3
    page2 = service.on_time(db, admin, start=START, end=END, sort="-rate", page=2, page_size=2)
    assert [r.name for r in page2.items] == ["B"]


# ---------------------------------------------------------------- periods


def test_periods_parse_and_label() -> None:
    assert parse_period("2026-11") == (date(2026, 11, 1), date(2026, 11, 30))
    assert parse_period("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period("2024") == (date(2024, 1, 1), date(2024, 12, 31))
    for text in ("2026-13", "2026-Q5", "1899", "2200", "26-11", "", "2026-11-01"):
        with pytest.raises(ValueError):
            parse_period(text)
    assert period_label(*parse_period("2026-Q2")) == "2026-Q2"
    assert period_label(date(2026, 1, 5), date(2026, 2, 1)) == "2026-01-05–2026-02-01"
    assert check_span(date(2026, 1, 2), date(2026, 1, 1)) == ("to", "must be on or after from")
    assert check_span(date(2016, 1, 1), date(2025, 12, 31)) is None
    assert (check_span(date(2016, 1, 1), date(2026, 1, 1)) or ("",))[0] == "to"
    assert (check_span(date(1899, 12, 31), date(1900, 1, 1)) or ("",))[0] == "from"


@pytest.mark.parametrize(("kw", "field"), [
    ({"period": "2026-13"}, "period"),
    ({"period": "2026", "start": date(2026, 1, 1)}, "period"),
    ({"start": date(2026, 1, 1)}, "to"),
    ({"end": date(2026, 1, 1)}, "from"),
    ({"start": date(2026, 2, 1), "end": date(2026, 1, 1)}, "to"),
    ({"start": date(2000, 1, 1), "end": date(2020, 1, 1)}, "to"),
])
def test_bad_periods_name_their_field(kw, field) -> None:
    with pytest.raises(ValidationFailed) as caught:
        period_of(today=date(2026, 11, 20), **kw)
    assert [p.field for p in caught.value.problems] == [field]


def test_the_default_period_is_the_quarter_of_today() -> None:
    p = period_of(today=date(2026, 11, 20))
    assert (p.start, p.end, p.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026-Q4")


def test_bad_arguments_are_refused(db, cast) -> None:
    admin = user(db, cast.admin)
    for kw, field in (({"by": "team"}, "by"), ({"sort": "colour"}, "sort"),
                      ({"page_size": 500}, "page_size")):
        with pytest.raises(ValidationFailed) as caught:
            service.on_time(db, admin, start=START, end=END, **kw)
        assert caught.value.problems[0].field == field
    with pytest.raises(NotFound, match="no department 999"):
        service.department_scorecard(db, admin, 999, start=START, end=END, today=END)
    assert db.scalar(select(Account.id).where(Account.id == cast.acme_id))
