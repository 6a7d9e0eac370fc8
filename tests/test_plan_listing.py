"""The Plans list (``plans.listing``) on SQLite and PostgreSQL: its SQL twins equal the pure
rules of ``plans.rules`` (hypothesis); filters, sorting, pagination and visibility (a manager
sees their plans, a head their team's, an outsider nothing of them)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Date, Engine, String, literal, null, select
from sqlalchemy.orm import Session

from accord.core.errors import ValidationFailed
from accord.plans import list_queries, listing, rules
from accord.plans.listing import PlanFilter, list_plans
from accord.plans.models import (
    AccountPlan,
    ObjectiveUpdate,
    PlanAction,
    PlanEntry,
    PlanKeyPerson,
    PlanObjective,
)

PAIRS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TODAY = date(2026, 3, 15)


def _one(engine: Engine, *expressions: Any) -> tuple[Any, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(*expressions)).one())


def _int(v: int) -> Any:
    return literal(v, BigInteger)


# ---------------------------------------------------------------- the twins


@PAIRS
@given(sections=st.integers(0, 8), objectives=st.integers(0, 60), with_target=st.integers(0, 60),
       actions=st.integers(0, 60), with_owner=st.integers(0, 60))
def test_completeness_equals_its_sql(engine: Engine, sections: int, objectives: int,
                                     with_target: int, actions: int, with_owner: int) -> None:
    with_target, with_owner = min(with_target, objectives), min(with_owner, actions)
    filled = frozenset(rules.SECTIONS[:sections])
    pure = rules.completeness(rules.PlanFacts(filled, objectives, with_target, actions,
                                              with_owner))
    (got,) = _one(engine, list_queries.completeness_sql(
        _int(sections), _int(objectives), _int(with_target), _int(actions), _int(with_owner)))
    assert Decimal(int(got)) / list_queries.SCALE == pure


@PAIRS
@given(offset=st.integers(-400, 800), interval=st.integers(7, 730),
       status=st.sampled_from(rules.ACTION_STATUSES), due=st.none() | st.integers(-30, 30))
def test_staleness_and_overdue_equal_their_sql(
    engine: Engine, offset: int, interval: int, status: str, due: int | None
) -> None:
    day = TODAY - timedelta(days=offset)
    due_on = None if due is None else TODAY + timedelta(days=due)
    stale, overdue = _one(
        engine,
        list_queries.stale_sql(literal(day, Date), interval, TODAY),
        list_queries.overdue_sql(literal(status, String),
                            null() if due_on is None else literal(due_on, Date), TODAY),
    )
    assert bool(stale) is rules.is_stale(day, interval, TODAY)
    assert bool(overdue) is rules.action_overdue(status, due_on, TODAY)


texts = st.sampled_from(["", "  ", "Makes valves", "\t", " \r\n", "\n x"])


@PAIRS
@given(business=texts, strategy=texts, budgets=texts, value=texts,
       entries=st.sets(st.sampled_from(rules.ENTRY_SECTIONS)), key_people=st.booleans(),
       objectives=st.lists(st.tuples(st.booleans(), st.lists(st.booleans(), max_size=3)),
                           max_size=3))
def test_the_filled_sections_and_completeness_of_a_plan_equal_their_sql(
    engine: Engine, cast: Any, business: str, strategy: str, budgets: str, value: str,
    entries: set[str], key_people: bool, objectives: list[tuple[bool, list[bool]]],
) -> None:
    from accord.accounts.models import Contact

    with Session(engine) as s:
        plan = AccountPlan(account_id=cast.acme_id, horizon_months=12, starts_on=TODAY,
                           ends_on=TODAY + timedelta(days=365), business=business,
                           strategy=strategy, budgets=budgets, value_to_us=value)
        s.add(plan)
        s.flush()
        s.add_all([PlanEntry(plan_id=plan.id, section=e, text="x") for e in entries])
        if key_people:
            person = Contact(name="Key")
            s.add(person)
            s.flush()
            s.add(PlanKeyPerson(plan_id=plan.id, contact_id=person.id))
        for has_target, owners in objectives:
            o = PlanObjective(plan_id=plan.id, title="o", metric="manual",
                              target=Decimal(1) if has_target else None)
            s.add(o)
            s.flush()
            s.add_all([PlanAction(objective_id=o.id, title="a",
                                  owner_id=cast.owner.id if owned else None)
                       for owned in owners])
        s.flush()
        got = s.scalar(select(list_queries.plan_completeness_sql())
                       .where(AccountPlan.id == plan.id))
        facts = list_queries.completeness_facts(AccountPlan.id == plan.id)
        grouped = s.scalar(select(facts.c.completeness))
        s.rollback()
    filled = list_queries.filled_sections(
        {"business": business, "strategy": strategy, "budgets": budgets, "value_to_us": value},
        entries, int(key_people), len(objectives))
    actions = [owned for _, owners in objectives for owned in owners]
    pure = rules.completeness(rules.PlanFacts(
        filled, len(objectives), sum(1 for t, _ in objectives if t), len(actions), sum(actions)))
    assert got is not None and grouped is not None
    assert Decimal(int(got)) / list_queries.SCALE == pure
    assert Decimal(int(grouped)) / list_queries.SCALE == pure  # the grouped twin (the list's)


# ---------------------------------------------------------------- the list


def _account(s: Session, name: str, manager_id: int | None, segment: str) -> int:
    from accord.accounts.models import Account
    from accord.core.database import utcnow

    now = utcnow()
    a = Account(name=name, name_key=name.lower(), kind="company", status="active",
                segment=segment, manager_id=manager_id, created_at=now, updated_at=now)
    s.add(a)
    s.flush()
    return a.id


def _plan(s: Session, account_id: int, *, reviewed: date | None = None,
          overdue: bool = False, business: str = "") -> int:
    plan = AccountPlan(account_id=account_id, horizon_months=12, starts_on=date(2025, 9, 1),
                       ends_on=date(2026, 9, 1), last_reviewed_on=reviewed, business=business)
    s.add(plan)
    s.flush()
    o = PlanObjective(plan_id=plan.id, title="Grow", metric="manual", baseline=Decimal(0),
                      target=Decimal(200), position=0)
    s.add(o)
    s.flush()
    s.add(ObjectiveUpdate(objective_id=o.id, value=Decimal(20), noted_on=date(2026, 1, 1)))
    s.add(ObjectiveUpdate(objective_id=o.id, value=Decimal(50), noted_on=date(2026, 2, 1)))
    s.add(PlanAction(objective_id=o.id, title="Call", owner_id=None, status="open",
                     due_on=TODAY - timedelta(days=3) if overdue else TODAY + timedelta(days=3)))
    s.flush()
    return plan.id


@pytest.fixture
def portfolio(db: Session, cast: Any) -> dict[str, int]:
    """Acme (owner, North; reviewed lately, overdue action), Globex (outsider, South; stale),
    Beta (teammate, North; stale and overdue), an archived plan of Acme."""
    beta = _account(db, "Beta Labs", cast.teammate.id, "Energy")
    ids = {
        "acme": _plan(db, cast.acme_id, reviewed=TODAY - timedelta(days=10), overdue=True,
                      business="Valves"),
        "globex": _plan(db, cast.globex_id),
        "beta": _plan(db, beta, overdue=True),
    }
    old = AccountPlan(account_id=cast.acme_id, horizon_months=6, starts_on=date(2024, 1, 1),
                      ends_on=date(2024, 7, 1), is_current=False)
    db.add(old)
    db.commit()
    return ids


def _ids(page: listing.PlanPage) -> list[int]:
    return [p.plan_id for p in page.items]


def _user(db: Session, user: Any) -> Any:
    return db.merge(user)


def test_each_user_sees_the_plans_of_the_accounts_they_see(db: Session, cast: Any,
                                                           portfolio: dict[str, int]) -> None:
    def seen(who: str) -> set[int]:
        return set(_ids(list_plans(db, _user(db, getattr(cast, who)), today=TODAY)))

    everything = {portfolio["acme"], portfolio["globex"], portfolio["beta"]}
    assert seen("admin") == everything
    assert seen("viewer") == everything
    assert seen("owner") == {portfolio["acme"]}
    assert seen("teammate") == {portfolio["acme"], portfolio["beta"]}  # Acme's account team
    assert seen("head") == {portfolio["acme"], portfolio["beta"]}  # the North team's
    assert seen("outsider") == {portfolio["globex"]}
    assert seen("other_head") == {portfolio["globex"]}


def test_the_lines_carry_completeness_staleness_overdue_and_progress(
    db: Session, cast: Any, portfolio: dict[str, int]
) -> None:
    page = list_plans(db, _user(db, cast.admin), today=TODAY)
    acme = next(p for p in page.items if p.plan_id == portfolio["acme"])
    assert (acme.account_name, acme.manager, acme.tier) == (
        "Acme Industries", "owner@accord.test", "not key")
    assert acme.stale is False and acme.overdue_actions == 1
    # business + objectives filled, every objective has a target, no action has an owner
    assert acme.completeness == Decimal("0.3000")
    (objective,) = acme.objectives
    assert (objective.current, objective.progress) == (Decimal(50), Decimal("0.2500"))
    globex = next(p for p in page.items if p.plan_id == portfolio["globex"])
    assert globex.stale is True and globex.overdue_actions == 0
    assert globex.completeness == Decimal("0.2000")


def test_filters(db: Session, cast: Any, portfolio: dict[str, int]) -> None:
    admin = _user(db, cast.admin)

    def ids(**kw: Any) -> set[int]:
        return set(_ids(list_plans(db, admin, today=TODAY, filters=PlanFilter(**kw))))

    assert ids(manager_id=cast.owner.id) == {portfolio["acme"]}
    assert ids(segment="Energy") == {portfolio["globex"], portfolio["beta"]}
    assert ids(stale=True) == {portfolio["globex"], portfolio["beta"]}
    assert ids(stale=False) == {portfolio["acme"]}
    assert ids(overdue=True) == {portfolio["acme"], portfolio["beta"]}
    assert ids(overdue=False) == {portfolio["globex"]}
    assert ids(tier="not key") == set(portfolio.values())
    assert ids(tier="Strategic") == set()
    assert ids(segment="Energy", overdue=True, stale=True) == {portfolio["beta"]}
    # a filter never widens what a user sees
    owner = _user(db, cast.owner)
    assert list_plans(db, owner, today=TODAY, filters=PlanFilter(segment="Energy")).total == 0


def test_sorting_and_pages(db: Session, cast: Any, portfolio: dict[str, int]) -> None:
    admin = _user(db, cast.admin)
    by_name = [portfolio["acme"], portfolio["beta"], portfolio["globex"]]
    assert _ids(list_plans(db, admin, today=TODAY)) == by_name
    assert _ids(list_plans(db, admin, today=TODAY, sort="-account")) == by_name[::-1]
    assert _ids(list_plans(db, admin, today=TODAY, sort="-completeness"))[0] == portfolio["acme"]
    assert _ids(list_plans(db, admin, today=TODAY, sort="overdue"))[0] == portfolio["globex"]
    assert _ids(list_plans(db, admin, today=TODAY, sort="-reviewed"))[0] == portfolio["acme"]
    first = list_plans(db, admin, today=TODAY, page=1, page_size=2)
    second = list_plans(db, admin, today=TODAY, page=2, page_size=2)
    assert (first.total, first.pages) == (3, 2)
    assert _ids(first) + _ids(second) == by_name
    assert list_plans(db, admin, today=TODAY, page=5, page_size=2).items == []


@pytest.mark.parametrize("kw,field", [
    ({"sort": "name"}, "sort"), ({"page": 0}, "page"), ({"page_size": 500}, "page_size"),
    ({"filters": PlanFilter(tier="Gold")}, "tier"),
])
def test_bad_choices_are_refused_naming_the_field(db: Session, cast: Any, kw: dict[str, Any],
                                                  field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        list_plans(db, _user(db, cast.admin), today=TODAY, **kw)
    assert [p.field for p in refused.value.problems] == [field]


def test_the_export_rows_are_every_plan_of_the_list(db: Session, cast: Any,
                                                    portfolio: dict[str, int]) -> None:
    rows = list(listing.export_rows(db, _user(db, cast.head), today=TODAY))
    assert [r[0] for r in rows] == ["Acme Industries", "Beta Labs"]
    assert rows[0][-1] == "Grow: 25 %"
    assert len(rows[0]) == len(listing.EXPORT_HEADER)
