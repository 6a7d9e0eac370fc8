"""The tied metrics of objectives (``plans.metrics``) on SQLite and PostgreSQL: each SQL twin
equals its pure rule (hypothesis), and ``current_values`` for many accounts equals a
reference computed here, in plain Python, from the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, Contact, Interaction, InteractionContact
from accord.core.database import utcnow
from accord.core.periods import month_index
from accord.health.models import AccountHealth
from accord.kpis.formulas import Basis
from accord.kpis.models import KpiPolicy
from accord.plans import metrics
from accord.plans.models import AccountPlan, PlanKeyPerson
from accord.revenue.models import MonthlyRevenue

PAIRS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TODAY = date(2026, 3, 15)
AS_OF = month_index(TODAY) - 1  # February 2026: the last complete month


def _account(s: Session, name: str, spend: int | None = None) -> Account:
    now = utcnow()
    a = Account(name=name, name_key=name.lower(), kind="company", status="active",
                estimated_spend_cents=spend, created_at=now, updated_at=now)
    s.add(a)
    s.flush()
    return a


def _months(s: Session, account_id: int, amounts: dict[int, int]) -> None:
    running = 0
    for month in sorted(amounts):
        running += amounts[month]
        s.add(MonthlyRevenue(account_id=account_id, month=month, amount_cents=amounts[month],
                             cumulative_cents=running, line_count=1))
    s.flush()


def _plan(s: Session, account_id: int) -> AccountPlan:
    plan = AccountPlan(account_id=account_id, horizon_months=12, starts_on=date(2025, 6, 1),
                       ends_on=date(2026, 6, 1), is_current=True)
    s.add(plan)
    s.flush()
    return plan


# ---------------------------------------------------------------- the twins


monthly = st.dictionaries(
    st.integers(min_value=AS_OF - 40, max_value=AS_OF + 3),
    st.integers(min_value=-(10**9), max_value=10**12), max_size=30,
)
windows = st.builds(
    metrics.Window, st.just(AS_OF), st.integers(min_value=1, max_value=24),
    st.sampled_from(list(Basis)),
)


@PAIRS
@given(amounts=monthly, w=windows)
def test_the_window_sums_equal_their_sql(engine: Engine, amounts: dict[int, int],
                                         w: metrics.Window) -> None:
    with Session(engine) as s:
        _months(s, 7, amounts)
        got = s.execute(
            select(*metrics.window_sums_sql(MonthlyRevenue.month, MonthlyRevenue.amount_cents, w))
            .where(MonthlyRevenue.account_id == 7, MonthlyRevenue.month >= w.first,
                   MonthlyRevenue.month <= w.as_of)
        ).one()
        s.rollback()
    assert metrics.Sums(*(int(v) for v in got)) == metrics.window_sums(amounts, w)


offsets = st.lists(st.tuples(st.integers(0, 5), st.integers(-5, 200)), max_size=12)


@PAIRS
@given(key=st.sets(st.integers(0, 5), max_size=6), touches=offsets,
       others=st.lists(st.integers(0, 5), max_size=3))
def test_the_touched_people_equal_their_sql(
    engine: Engine, key: set[int], touches: list[tuple[int, int]], others: list[int]
) -> None:
    """Key people (of six contacts) with interactions ``days`` before today; interactions of
    another account (``others``) never count."""
    with Session(engine) as s:
        account, other = _account(s, "Touched"), _account(s, "Elsewhere")
        people = [Contact(name=f"P{i}") for i in range(6)]
        s.add_all(people)
        s.flush()
        plan = _plan(s, account.id)
        s.add_all([PlanKeyPerson(plan_id=plan.id, contact_id=people[i].id) for i in key])
        pure: list[tuple[int, date]] = []
        for (who, days_ago), where in [*((t, account.id) for t in touches),
                                       *(((o, 1), other.id) for o in others)]:
            day = TODAY - timedelta(days=days_ago)
            met = Interaction(account_id=where, kind="call", occurred_on=day, summary="s")
            s.add(met)
            s.flush()
            s.merge(InteractionContact(interaction_id=met.id, contact_id=people[who].id))
            if where == account.id:
                pure.append((people[who].id, day))
        s.flush()
        got = s.scalar(select(metrics.touched_sql(account.id, plan.id, TODAY)))
        s.rollback()
    assert got == metrics.touched_people({people[i].id for i in key}, pure, TODAY)


# ---------------------------------------------------------------- against a reference


def _reference_sum(amounts: dict[int, int], low: int, high: int) -> int:
    return max(0, sum(a for m, a in amounts.items() if low <= m <= high))


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)


def _reference(amounts: dict[int, int], spend: int | None, health: int | None,
               key: list[int] | None, touches: list[tuple[int, date]],
               window: int, basis: Basis) -> dict[str, Any]:
    r12 = _reference_sum(amounts, AS_OF - 11, AS_OF)
    if basis is Basis.TRAILING:
        cur = _reference_sum(amounts, AS_OF - window + 1, AS_OF)
        prev = _reference_sum(amounts, AS_OF - 2 * window + 1, AS_OF - window)
    else:
        cur = _reference_sum(amounts, AS_OF, AS_OF)
        prev = _reference_sum(amounts, AS_OF - window, AS_OF - window)
    recent = {c for c, d in touches if TODAY - timedelta(days=90) < d <= TODAY}
    return {
        "revenue_12m": Decimal(r12) / 100,
        "nrr": _q(Decimal(cur) / Decimal(prev)) if prev else None,
        "share_of_wallet": _q(Decimal(r12) / Decimal(spend)) if spend else None,
        "health": None if health is None else Decimal(health),
        "key_people_touched": None if key is None else Decimal(len(set(key) & recent)),
    }


@pytest.mark.parametrize("window,basis", [(12, Basis.TRAILING), (3, Basis.POINT)])
def test_current_values_equal_a_reference_computed_from_the_same_rows(
    db: Session, window: int, basis: Basis
) -> None:
    if (window, basis) != (12, Basis.TRAILING):
        db.add(KpiPolicy(id=1, window_months=window, basis=basis.value))
    expected: dict[tuple[int, str], Any] = {}
    contacts = [Contact(name=f"C{i}") for i in range(4)]
    db.add_all(contacts)
    db.flush()
    cases = [
        # (monthly amounts by offset from the as-of month, spend, health, key people, touches)
        ({0: 120_00, -1: 80_00, -11: 5_00, -12: 999_00, -20: 40_00}, 500_000, 71, [0, 1],
         [(0, 3), (1, 95), (2, 1)]),
        ({0: -50_00, -3: 20_00, -14: 10_00}, 0, None, [], []),
        ({}, None, 40, None, [(0, 1)]),
        ({-2: 1_000_000_00, -15: 2_000_000_00, 1: 7_00}, 3_000_000_00, 0, [3], [(3, 89),
                                                                                (3, 91)]),
    ]
    ids = []
    for n, (offsets, spend, health, key, touches) in enumerate(cases):
        account = _account(db, f"Account {n}", spend)
        ids.append(account.id)
        amounts = {AS_OF + k: v for k, v in offsets.items()}
        _months(db, account.id, amounts)
        if health is not None:
            db.add(AccountHealth(account_id=account.id, computed_on=TODAY, score=health,
                                 band="green"))
        if key is not None:
            plan = _plan(db, account.id)
            db.add_all([PlanKeyPerson(plan_id=plan.id, contact_id=contacts[i].id) for i in key])
        days: list[tuple[int, date]] = []
        for who, ago in touches:
            met = Interaction(account_id=account.id, kind="meeting",
                              occurred_on=TODAY - timedelta(days=ago), summary="s")
            db.add(met)
            db.flush()
            db.add(InteractionContact(interaction_id=met.id, contact_id=contacts[who].id))
            days.append((contacts[who].id, met.occurred_on))
        ref = _reference(amounts, spend, health,
                         None if key is None else [contacts[i].id for i in key], days,
                         window, basis)
        expected.update({(account.id, m): v for m, v in ref.items()})
    db.flush()
    got = metrics.current_values(db, [*ids, 999_999], today=TODAY)
    assert got == expected
    assert metrics.current_values(db, [], today=TODAY) == {}


def test_the_as_of_month_is_the_dashboards(db: Session) -> None:
    account = _account(db, "Stale data")
    _months(db, account.id, {AS_OF - 5: 100, AS_OF - 4: 200})
    assert metrics.revenue_window(db, TODAY).as_of == AS_OF - 4  # the last month in the data
    db.add(KpiPolicy(id=1, window_months=6, basis="trailing", as_of_month=AS_OF - 5))
    db.flush()
    assert metrics.revenue_window(db, TODAY) == metrics.Window(AS_OF - 5, 6, Basis.TRAILING)
    db.get(KpiPolicy, 1).as_of_month = AS_OF + 9  # type: ignore[union-attr]
    db.flush()
    assert metrics.revenue_window(db, TODAY).as_of == AS_OF - 4  # kept within the data
