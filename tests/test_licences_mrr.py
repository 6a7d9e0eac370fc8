"""Subscription MRR (issue 15): the pure rules on worked examples, and the SQL rebuild of the
monthly store held equal to them (hypothesis, SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from accord.core.periods import month_of
from accord.growth.models import Offering, ProductLine, Sku
from accord.licences import mrr, rules
from accord.licences.models import Subscription, SubscriptionMrr, SubscriptionTerm
from licence_helpers import make_sku

EXAMPLES = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
BASE = date(2025, 1, 1)


def _cover(status: str = "active", start: date = date(2025, 1, 15), months: int = 12,
           auto_renew: bool = False, ended_on: date | None = None) -> rules.Cover:
    return rules.Cover(status, start, rules.term_end(start, months), auto_renew, ended_on)


# ---------------------------------------------------------------- worked examples


def test_monthly_amounts_follow_the_billing_period() -> None:
    assert rules.monthly_cents(120, Decimal("120.00"), "year") == 120_000  # 1,200.00
    assert rules.monthly_cents(10, Decimal("30.00"), "quarter") == 10_000  # 100.00
    assert rules.monthly_cents(3, Decimal("7.99"), "month") == 2_397
    # 1 × 0.10 a year is 0.8333 cents a month: 1 cent; 1 × 0.06 is 0.5 cent: to even, 0
    assert rules.monthly_cents(1, Decimal("0.10"), "year") == 1
    assert rules.monthly_cents(1, Decimal("0.06"), "year") == 0
    assert rules.monthly_cents(1, Decimal("0.18"), "year") == 2  # 1.5 cents: to even, 2
    assert rules.monthly_cents(0, Decimal("99"), "month") == 0


def test_terms_end_the_day_before_the_anniversary() -> None:
    assert rules.term_end(date(2025, 1, 15), 12) == date(2026, 1, 14)
    assert rules.term_end(date(2025, 1, 31), 1) == date(2025, 2, 27)  # 28 Feb, less a day
    assert rules.term_end(date(2024, 3, 1), 1) == date(2024, 3, 31)
    assert rules.month_end(month_of(2024, 2)) == date(2024, 2, 29)


def test_the_term_in_force_and_the_months_that_count() -> None:
    terms = [rules.Term(date(2025, 1, 15), 10, Decimal("120")),
             rules.Term(date(2025, 3, 31), 20, Decimal("120")),
             rules.Term(date(2025, 4, 1), 25, Decimal("120"))]
    assert rules.term_in_force(terms, date(2025, 1, 14)) is None
    assert rules.term_in_force(terms, date(2025, 3, 31)) == terms[1]  # read on the last day
    cover = _cover()
    assert [rules.mrr_cents(cover, terms, "year", month_of(2025, m)) for m in (1, 2, 3, 4)] == [
        10_000, 10_000, 20_000, 25_000]
    assert rules.mrr_cents(cover, terms, "year", month_of(2024, 12)) == 0  # not started
    # no renewal: covered through 2026-01-14, so January 2026 (read on the 31st) is out
    assert rules.mrr_cents(cover, terms, "year", month_of(2025, 12)) == 25_000
    assert rules.mrr_cents(cover, terms, "year", month_of(2026, 1)) == 0
    renewing = _cover(auto_renew=True)
    assert rules.mrr_cents(renewing, terms, "year", month_of(2027, 6)) == 25_000
    cancelled = _cover(status="cancelled", auto_renew=True, ended_on=date(2025, 5, 31))
    assert rules.mrr_cents(cancelled, terms, "year", month_of(2025, 5)) == 25_000
    assert rules.mrr_cents(cancelled, terms, "year", month_of(2025, 6)) == 0
    assert rules.mrr_cents(_cover(status="trial"), terms, "year", month_of(2025, 2)) == 0


def test_a_change_is_checked_field_by_field() -> None:
    start = date(2025, 1, 15)
    assert rules.check_change(start, start, 5, Decimal("1.5")) == {}
    errors = rules.check_change(start, date(2025, 1, 14), -1, Decimal("0.00001"))
    assert set(errors) == {"effective_on", "quantity", "unit_price"}
    assert "before the subscription starts (2025-01-15)" in errors["effective_on"]
    assert "negative" in errors["quantity"]
    assert rules.check_change(start, start, rules.MAX_QUANTITY + 1, None)["quantity"]
    assert rules.check_change(start, start, 1, rules.MAX_UNIT_PRICE + 1)["unit_price"]


# ---------------------------------------------------------------- the SQL store


def _sku(s: Session, period: str, n: int) -> int:
    return make_sku(s, f"SKU-{period}-{n}", f"Service {period}", period,
                    line=f"Line {period} {n}")


subscriptions_drawn = st.lists(st.fixed_dictionaries({
    "account": st.integers(0, 1),
    "period": st.sampled_from(("month", "quarter", "year")),
    "status": st.sampled_from(("trial", "active", "active", "cancelled", "expired")),
    "start": st.integers(0, 400),
    "months": st.integers(1, 24),
    "auto_renew": st.booleans(),
    "ended": st.none() | st.integers(0, 500),
    "terms": st.lists(st.tuples(st.integers(0, 500), st.integers(0, 5000),
                                st.decimals(min_value=0, max_value=5000, places=4,
                                            allow_nan=False, allow_infinity=False)),
                      min_size=1, max_size=4),
}), min_size=1, max_size=6)


@EXAMPLES
@given(drawn=subscriptions_drawn)
def test_the_store_equals_the_rules_month_by_month(
        sessions: sessionmaker[Session], cast, drawn: list[dict]) -> None:
    accounts = [cast.acme_id, cast.globex_id]
    through = month_of(2026, 12)
    expected: dict[tuple[int, int], int] = {}
    with sessions.begin() as s:
        s.execute(delete(Subscription))
        s.execute(delete(Sku))
        s.execute(delete(Offering))
        s.execute(delete(ProductLine))
        skus = {p: _sku(s, p, 0) for p in ("month", "quarter", "year")}
        for d in drawn:
            start = BASE + timedelta(days=d["start"])
            end = rules.term_end(start, d["months"])
            ended = BASE + timedelta(days=d["ended"]) if d["ended"] is not None else None
            ended = max(ended, start) if ended else None
            sub = Subscription(account_id=accounts[d["account"]], sku_id=skus[d["period"]],
                               status=d["status"], start_on=start, term_months=d["months"],
                               end_on=end, auto_renew=d["auto_renew"], notice_days=0,
                               currency="EUR", ended_on=ended)
            s.add(sub)
            s.flush()
            terms = {}
            for offset, quantity, price in d["terms"]:
                day = start + timedelta(days=offset % 200)
                terms[day] = rules.Term(day, quantity, price)
            for term in terms.values():
                s.add(SubscriptionTerm(subscription_id=sub.id, effective_on=term.effective_on,
                                       quantity=term.quantity, unit_price=term.unit_price))
            cover = rules.Cover(d["status"], start, end, d["auto_renew"], ended)
            for month in range(month_of(2025, 1), through + 1):
                cents = rules.mrr_cents(cover, list(terms.values()), d["period"], month)
                key = (accounts[d["account"]], month)
                expected[key] = expected.get(key, 0) + cents
        s.flush()
        mrr.rebuild(s, through=through)
    with sessions() as s:
        stored = {(r.account_id, r.month): (r.amount_cents, r.cumulative_cents)
                  for r in s.scalars(select(SubscriptionMrr))}
    assert {k: v[0] for k, v in stored.items()} == {k: v for k, v in expected.items() if v}
    for account in accounts:
        rows = rules.running_totals({m: c for (a, m), c in expected.items() if a == account})
        assert [(m, stored[(account, m)][1]) for m, _, _ in rows] == [
            (m, total) for m, _, total in rows]


def test_a_rebuild_for_one_account_leaves_the_others(sessions: sessionmaker[Session],
                                                     cast) -> None:
    with sessions.begin() as s:
        sku = _sku(s, "year", 1)
        for account, quantity in ((cast.acme_id, 12), (cast.globex_id, 24)):
            sub = Subscription(account_id=account, sku_id=sku, status="active",
                               start_on=date(2025, 1, 1), term_months=12,
                               end_on=date(2025, 12, 31), auto_renew=True, currency="EUR")
            s.add(sub)
            s.flush()
            s.add(SubscriptionTerm(subscription_id=sub.id, effective_on=date(2025, 1, 1),
                                   quantity=quantity, unit_price=Decimal("100")))
        s.flush()
        assert mrr.rebuild(s, through=month_of(2025, 3)) == 6
        s.execute(delete(SubscriptionTerm).where(SubscriptionTerm.quantity == 12))
        assert mrr.rebuild(s, through=month_of(2025, 3), accounts=[cast.acme_id]) == 0
    with sessions() as s:
        left = s.execute(select(SubscriptionMrr.account_id, SubscriptionMrr.amount_cents,
                                SubscriptionMrr.cumulative_cents)
                         .order_by(SubscriptionMrr.month)).all()
    assert [tuple(r) for r in left] == [(cast.globex_id, 20_000, 20_000),
                                        (cast.globex_id, 20_000, 40_000),
                                        (cast.globex_id, 20_000, 60_000)]


@pytest.mark.parametrize("price", ["0.0001", "9999999.9999", "12.3456"])
def test_prices_with_four_decimals_are_exact_in_sql(sessions: sessionmaker[Session], cast,
                                                    price: str) -> None:
    with sessions.begin() as s:
        sku = _sku(s, "month", 2)
        sub = Subscription(account_id=cast.acme_id, sku_id=sku, status="active",
                           start_on=date(2025, 1, 1), term_months=1, end_on=date(2025, 1, 31),
                           auto_renew=False, currency="EUR")
        s.add(sub)
        s.flush()
        s.add(SubscriptionTerm(subscription_id=sub.id, effective_on=date(2025, 1, 1),
                               quantity=rules.MAX_QUANTITY, unit_price=Decimal(price)))
        s.flush()
        mrr.rebuild(s, through=month_of(2025, 1))
    with sessions() as s:
        stored = s.scalar(select(SubscriptionMrr.amount_cents))
    assert stored == rules.monthly_cents(rules.MAX_QUANTITY, Decimal(price), "month")
