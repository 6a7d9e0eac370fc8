"""Subscriptions through their service (issue 15): billing adds and changes them, a manager
requests a change that billing approves or declines, the history is kept, the MRR store
follows every change, and bad input writes nothing (both databases)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.periods import month_of
from accord.licences.models import QuantityRequest, Subscription, SubscriptionMrr, SubscriptionTerm
from accord.licences.subscriptions import service
from accord.licences.subscriptions.schemas import ChangeIn, DecisionIn, EndIn, SubscriptionIn
from licence_helpers import make_sku

TODAY = date(2026, 3, 10)


@pytest.fixture
def sku(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as s:
        return make_sku(s)


def _as(s: Session, who: Any) -> User:
    user = s.get(User, who.id)
    assert user is not None
    return user


def _add(sessions: sessionmaker[Session], cast: Any, sku: int, **over: Any) -> int:
    data = {"account_id": cast.acme_id, "sku_id": sku, "start_on": date(2026, 1, 1),
            "term_months": 12, "quantity": 100, "unit_price": Decimal("120.00"),
            "auto_renew": True, "notice_days": 60, **over}
    with sessions.begin() as s:
        return service.add_subscription(s, _as(s, cast.billing), SubscriptionIn(**data),
                                        TODAY).id


def _counts(s: Session) -> tuple[int, ...]:
    return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0) for m in (
        Subscription, SubscriptionTerm, QuantityRequest, SubscriptionMrr, AuditEntry))


def _mrr(s: Session, account: int, month: int) -> int | None:
    return s.scalar(select(SubscriptionMrr.amount_cents).where(
        SubscriptionMrr.account_id == account, SubscriptionMrr.month == month))


def test_billing_adds_and_changes_a_subscription_and_the_history_stays(
        sessions: sessionmaker[Session], cast: Any, sku: int) -> None:
    sub = _add(sessions, cast, sku)
    with sessions() as s:
        assert _mrr(s, cast.acme_id, month_of(2026, 1)) == 100_000  # 100 × 120.00 ÷ 12 = 1,000.00
        assert _mrr(s, cast.acme_id, month_of(2027, 3)) == 100_000  # it renews: kept to the horizon
    with sessions.begin() as s:
        out = service.change_terms(s, _as(s, cast.billing), sub, ChangeIn(
            quantity=150, effective_on=date(2026, 4, 1), reason="new office"), TODAY)
    assert [(t.effective_on, t.quantity, t.unit_price) for t in out.terms] == [
        (date(2026, 1, 1), 100, Decimal("120.0000")),
        (date(2026, 4, 1), 150, Decimal("120.0000"))]
    assert out.quantity == 100  # in force today; the change starts in April
    assert (out.end_on, out.notice_deadline) == (date(2026, 12, 31), date(2026, 11, 1))
    with sessions() as s:
        assert _mrr(s, cast.acme_id, month_of(2026, 3)) == 100_000
        assert _mrr(s, cast.acme_id, month_of(2026, 4)) == 150_000
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "subscription")) == 2
    with sessions.begin() as s:
        service.end_subscription(s, _as(s, cast.billing), sub, EndIn(
            status="cancelled", on=date(2026, 6, 30), reason="moved to a reseller"), TODAY)
    with sessions() as s:
        assert _mrr(s, cast.acme_id, month_of(2026, 6)) == 150_000
        assert _mrr(s, cast.acme_id, month_of(2026, 7)) is None


def test_a_manager_requests_and_billing_approves_or_declines(
        sessions: sessionmaker[Session], cast: Any, sku: int) -> None:
    sub = _add(sessions, cast, sku)
    change = ChangeIn(quantity=120, unit_price=Decimal("110"), effective_on=date(2026, 5, 1),
                      reason="twenty new hires in May")
    with sessions.begin() as s, pytest.raises(Forbidden, match="a manager requests"):
        service.change_terms(s, _as(s, cast.owner), sub, change, TODAY)
    with sessions.begin() as s:
        asked = service.request_change(s, _as(s, cast.owner), sub, change, TODAY)
        again = service.request_change(s, _as(s, cast.owner), sub, change.model_copy(
            update={"quantity": 500}), TODAY)
    assert asked.status == "pending" and asked.requested_by == cast.owner.email
    with sessions() as s:
        queue = service.list_requests(s, _as(s, cast.billing))
        assert [r.id for r in queue] == [asked.id, again.id]
    with sessions.begin() as s:
        done = service.decide_request(s, _as(s, cast.billing), asked.id, True,
                                      DecisionIn(note="checked with finance"), TODAY)
        service.decide_request(s, _as(s, cast.billing), again.id, False,
                               DecisionIn(note="not in the budget"), TODAY)
    assert done.status == "approved" and done.decided_by == cast.billing.email
    with sessions() as s:
        out = service.get_subscription(s, _as(s, cast.owner), sub, date(2026, 5, 1))
        assert (out.quantity, out.unit_price) == (120, Decimal("110.0000"))
        assert out.terms[-1].request_id == asked.id
        assert _mrr(s, cast.acme_id, month_of(2026, 5)) == 110_000  # 120 × 110.00 ÷ 12 = 1,100.00
    with sessions.begin() as s, pytest.raises(Conflict, match="approved already"):
        service.decide_request(s, _as(s, cast.billing), asked.id, False, DecisionIn(), TODAY)


def test_who_sees_what(sessions: sessionmaker[Session], cast: Any, sku: int) -> None:
    sub = _add(sessions, cast, sku)
    with sessions() as s:
        with pytest.raises(NotFound, match=f"no subscription {sub}"):
            service.get_subscription(s, _as(s, cast.outsider), sub, TODAY)
        assert service.list_subscriptions(s, _as(s, cast.outsider), TODAY) == ([], 0)
        mine, total = service.list_subscriptions(s, _as(s, cast.head), TODAY)
        assert total == 1 and mine[0].account_name
        with pytest.raises(NotFound):
            service.list_subscriptions(s, _as(s, cast.outsider), TODAY,
                                       account_id=cast.acme_id)
    with sessions.begin() as s, pytest.raises(NotFound):
        service.request_change(s, _as(s, cast.outsider), sub, ChangeIn(
            quantity=1, effective_on=date(2026, 5, 1), reason="x"), TODAY)
    with sessions.begin() as s, pytest.raises(Forbidden):
        service.request_change(s, _as(s, cast.viewer), sub, ChangeIn(
            quantity=1, effective_on=date(2026, 5, 1), reason="x"), TODAY)


BAD_CHANGES = [
    ({"effective_on": date(2025, 12, 31)}, "effective_on", "before the subscription starts"),
    ({"quantity": 10_000_001}, "quantity", "at most"),
]


@pytest.mark.parametrize(("over", "field", "words"), BAD_CHANGES)
def test_a_bad_change_is_refused_and_writes_nothing(
        sessions: sessionmaker[Session], cast: Any, sku: int, over: dict[str, Any], field: str,
        words: str) -> None:
    sub = _add(sessions, cast, sku)
    change = ChangeIn.model_construct(**{"quantity": 10, "unit_price": None,
                                         "effective_on": date(2026, 2, 1), "reason": "r",
                                         **over})
    with sessions() as s:
        before = _counts(s)
    with sessions.begin() as s, pytest.raises(ValidationFailed) as caught:
        service.change_terms(s, _as(s, cast.billing), sub, change, TODAY)
    assert caught.value.problems[0].field == field and words in caught.value.problems[0].message
    with sessions() as s:
        assert _counts(s) == before


def test_the_schemas_refuse_a_negative_quantity_and_a_fifth_decimal() -> None:
    with pytest.raises(ValidationError, match="quantity"):
        ChangeIn(quantity=-1, effective_on=date(2026, 1, 1), reason="r")
    with pytest.raises(ValidationError, match="unit_price"):
        ChangeIn(quantity=1, unit_price=Decimal("1.00001"), effective_on=date(2026, 1, 1),
                 reason="r")
    with pytest.raises(ValidationError, match="reason"):
        ChangeIn(quantity=1, effective_on=date(2026, 1, 1), reason="")


def test_a_new_subscription_is_refused_whole(sessions: sessionmaker[Session], cast: Any,
                                             sku: int) -> None:
    with sessions() as s:
        before = _counts(s)
    with sessions.begin() as s, pytest.raises(ValidationFailed) as caught:
        service.add_subscription(s, _as(s, cast.billing), SubscriptionIn(
            account_id=cast.acme_id, sku_id=sku + 99, start_on=date(2026, 1, 1), quantity=5,
            unit_price=Decimal("1"), currency="USD"), TODAY)
    assert {p.field for p in caught.value.problems} == {"sku_id", "currency"}
    assert "EUR" in str(caught.value)
    with sessions.begin() as s, pytest.raises(Forbidden):
        service.add_subscription(s, _as(s, cast.owner), SubscriptionIn(
            account_id=cast.acme_id, sku_id=sku, start_on=date(2026, 1, 1), quantity=5,
            unit_price=Decimal("1")), TODAY)
    with sessions() as s:
        assert _counts(s) == before


def test_two_changes_on_one_day_are_a_conflict(sessions: sessionmaker[Session], cast: Any,
                                               sku: int) -> None:
    sub = _add(sessions, cast, sku)
    with sessions.begin() as s, pytest.raises(Conflict, match="2026-01-01 already"):
        service.change_terms(s, _as(s, cast.billing), sub, ChangeIn(
            quantity=3, effective_on=date(2026, 1, 1), reason="typo"), TODAY)


def test_the_daily_job_rolls_renewing_terms_and_keeps_the_horizon(
        sessions: sessionmaker[Session], cast: Any, sku: int) -> None:
    from accord.calendar.jobs import registry
    from accord.licences.subscriptions import renewals

    renewing = _add(sessions, cast, sku, start_on=date(2025, 2, 1))  # ended 2026-01-31
    ending = _add(sessions, cast, sku, start_on=date(2025, 2, 1), auto_renew=False,
                  reference="fixed")
    with sessions.begin() as s:
        done = renewals.roll_terms(s, date(2026, 3, 10))
    assert done["renewed"] == 1
    with sessions() as s:
        ends = dict(s.execute(select(Subscription.id, Subscription.end_on)).all())
        assert (ends[renewing], ends[ending]) == (date(2027, 1, 31), date(2026, 1, 31))
        assert s.scalar(select(AuditEntry.actor).where(
            AuditEntry.action == "renew")) == "job:subscription_terms"
        assert _mrr(s, cast.acme_id, month_of(2027, 3)) == 100_000  # the horizon
    with sessions.begin() as s:  # a new month: the horizon moves on, nothing renews
        again = renewals.roll_terms(s, date(2026, 4, 1))
    assert again["renewed"] == 0 and again["rebuilt"] == "all"
    with sessions() as s:
        assert _mrr(s, cast.acme_id, month_of(2027, 4)) == 100_000
    assert registry.get("subscription_terms") is not None  # app.wiring registers it
