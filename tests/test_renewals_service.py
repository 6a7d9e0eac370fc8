"""Renewals' use cases on both databases: the daily reminders (once per contract end, a
renewal opportunity as the account's manager with last year's revenue as its value, audited),
the list (visibility, manager filter, scopes, order), the setting, and the contract fields
of an account (bounds, audit, version)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accord.accounts import service as accounts
from accord.accounts.models import Account
from accord.accounts.schemas import AccountPatch
from accord.calendar.models import FollowUp, RenewalReminder
from accord.calendar.renewals import service
from accord.core.errors import Forbidden, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.periods import month_index
from accord.growth.opportunities.models import Opportunity
from accord.revenue.models import MonthlyRevenue

TODAY = date(2027, 3, 10)


def _user(db, who) -> User:
    return db.get(User, who.id)


def _contract(db, account_id: int, end: date | None, notice: int | None = 90) -> None:
    account = db.get(Account, account_id)
    account.contract_end_on, account.notice_days = end, notice
    db.flush()


def _count(db, model) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_a_due_reminder_opens_one_renewal_opportunity_as_the_manager(db, cast) -> None:
    _contract(db, cast.acme_id, date(2027, 6, 30), 90)  # reminder 2027-03-02: due
    _contract(db, cast.globex_id, date(2027, 12, 31), 30)  # reminder 2027-11-01: not yet
    last = month_index(TODAY) - 1
    for i, cents in enumerate((1_000_000, 2_000_050)):
        db.add(MonthlyRevenue(account_id=cast.acme_id, month=last - i, amount_cents=cents,
                              cumulative_cents=0, line_count=1))
    db.add(MonthlyRevenue(account_id=cast.acme_id, month=last - 12, amount_cents=99_999_999,
                          cumulative_cents=0, line_count=1))  # 13 months ago: not counted
    db.flush()
    assert service.run_reminders(db, TODAY) == 1
    reminder = db.scalar(select(RenewalReminder))
    assert (reminder.account_id, reminder.contract_end_on, reminder.due_on) == (
        cast.acme_id, date(2027, 6, 30), date(2027, 3, 2))
    opp = db.get(Opportunity, reminder.opportunity_id)
    assert (opp.kind, opp.title, opp.stage, opp.account_id) == (
        "renewal", "Renewal 2027-06-30", "identified", cast.acme_id)
    assert (opp.expected_close_on, opp.owner_id, opp.created_by_id) == (
        date(2027, 4, 1), cast.owner.id, cast.owner.id)
    assert opp.value == Decimal("30000.50")
    entries = list(db.execute(select(AuditEntry.actor, AuditEntry.entity, AuditEntry.account_id)
                              .where(AuditEntry.entity.in_(("renewal_reminder", "opportunity")))
                              .order_by(AuditEntry.id)))
    assert [tuple(e) for e in entries] == [("owner@accord.test", "opportunity", cast.acme_id),
                                           ("system", "renewal_reminder", cast.acme_id)]
    follow_up = db.scalar(select(FollowUp))
    assert (follow_up.title, follow_up.due_on, follow_up.owner_id, follow_up.status,
            follow_up.source_kind, follow_up.source_id) == (
        "Renewal notice deadline 2027-04-01", date(2027, 4, 1), cast.owner.id, "open",
        "opportunity", opp.id)
    # a second run, the same day or later, adds nothing
    assert service.run_reminders(db, TODAY) == 0
    assert service.run_reminders(db, date(2027, 4, 20)) == 0
    assert (_count(db, RenewalReminder), _count(db, Opportunity), _count(db, FollowUp)) == (
        1, 1, 1)


def test_a_new_contract_end_brings_a_new_reminder(db, cast) -> None:
    _contract(db, cast.acme_id, date(2027, 6, 30), 90)
    assert service.run_reminders(db, TODAY) == 1
    _contract(db, cast.acme_id, date(2028, 6, 30), 90)
    assert service.run_reminders(db, TODAY) == 0  # the new one is not due yet
    assert service.run_reminders(db, date(2028, 3, 2)) == 1
    assert _count(db, Opportunity) == 2


def test_an_account_without_a_manager_waits_and_no_revenue_is_a_value_of_0(db, cast) -> None:
    _contract(db, cast.acme_id, date(2027, 6, 30), 90)
    db.get(Account, cast.acme_id).manager_id = None
    db.flush()
    assert service.run_reminders(db, TODAY) == 0
    db.get(Account, cast.acme_id).manager_id = cast.owner.id
    db.flush()
    assert service.run_reminders(db, TODAY) == 1
    assert db.scalar(select(Opportunity.value)) == Decimal("0.00")


def test_the_window_edges_and_an_ended_contract(db, cast) -> None:
    _contract(db, cast.acme_id, date(2027, 6, 30), 90)
    assert service.run_reminders(db, date(2027, 3, 1)) == 0  # the day before the reminder
    assert service.run_reminders(db, date(2027, 7, 1)) == 0  # the contract has ended
    assert service.run_reminders(db, date(2027, 6, 30)) == 1  # the last day of the window


def test_the_lead_days_setting_moves_the_reminder(db, cast) -> None:
    _contract(db, cast.acme_id, date(2027, 6, 30), 90)
    service.save_policy(db, _user(db, cast.admin), {"lead_days": 60})
    assert service.policy(db).lead_days == 60
    [row] = service.renewals(db, _user(db, cast.owner), date(2027, 1, 31))
    assert (row.reminder_on, row.notice_deadline, row.state) == (
        date(2027, 1, 31), date(2027, 4, 1), "due")
    with pytest.raises(Forbidden):
        service.save_policy(db, _user(db, cast.head), {"lead_days": 10})
    with pytest.raises(ValidationFailed) as caught:
        service.save_policy(db, _user(db, cast.admin), {"lead_days": 366})
    assert caught.value.problems[0].field == "lead_days"
    assert service.policy(db).lead_days == 60


def test_the_list_shows_only_what_the_user_sees_by_notice_deadline(db, cast) -> None:
    _contract(db, cast.acme_id, date(2027, 6, 30), 90)  # deadline 2027-04-01
    _contract(db, cast.globex_id, date(2027, 4, 15), 10)  # deadline 2027-04-05
    service.run_reminders(db, TODAY)
    admin = service.renewals(db, _user(db, cast.admin), TODAY)
    assert [r.account_id for r in admin] == [cast.acme_id, cast.globex_id]
    assert admin[0].opportunity_id is not None and admin[0].opportunity_stage == "identified"
    assert [r.account_id for r in service.renewals(db, _user(db, cast.owner), TODAY)] == [
        cast.acme_id]
    assert [r.account_id for r in service.renewals(db, _user(db, cast.outsider), TODAY)] == [
        cast.globex_id]
    assert [r.account_id for r in service.renewals(
        db, _user(db, cast.admin), TODAY, manager_id=cast.outsider.id)] == [cast.globex_id]
    # the head of the owner's team: Acme only, whatever manager is asked for
    assert [r.account_id for r in service.renewals(
        db, _user(db, cast.head), TODAY, manager_id=cast.outsider.id)] == []
    page = service.renewal_page(db, _user(db, cast.admin), date(2026, 1, 1), scope="upcoming",
                                page_size=1)
    assert (page.total, page.pages, len(page.items)) == (2, 2, 1)
    assert service.renewal_page(db, _user(db, cast.admin), date(2026, 1, 1)).total == 0
    assert service.renewal_page(db, _user(db, cast.admin), date(2030, 1, 1), scope="all"
                                ).items[0].state == "ended"


@pytest.mark.parametrize(("kw", "field"), [({"scope": "later"}, "scope"),
                                            ({"page_size": 0}, "page_size"),
                                            ({"page": 0}, "page")])
def test_a_bad_list_request_names_its_field(db, cast, kw, field) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.renewal_page(db, _user(db, cast.admin), TODAY, **kw)
    assert caught.value.problems[0].field == field


def test_only_an_admin_reminds_at_once(db, cast) -> None:
    _contract(db, cast.acme_id, date(2027, 6, 30), 90)
    with pytest.raises(Forbidden):
        service.remind_now(db, _user(db, cast.owner), TODAY)
    assert service.remind_now(db, _user(db, cast.admin), TODAY) == 1


def test_the_contract_fields_are_edited_audited_and_versioned(db, cast) -> None:
    owner = _user(db, cast.owner)
    before = db.get(Account, cast.acme_id).version
    out = accounts.update_account(db, owner, cast.acme_id, AccountPatch.model_validate(
        {"contract_end_on": "2027-06-30", "notice_days": "90"}))
    assert (out.contract_end_on, out.notice_days) == (date(2027, 6, 30), 90)
    db.flush()
    assert db.get(Account, cast.acme_id).version == before + 1
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity == "account")
                      .order_by(AuditEntry.id.desc()))
    assert entry.after == {"contract_end_on": "2027-06-30", "notice_days": 90}
    cleared = accounts.update_account(db, owner, cast.acme_id, AccountPatch.model_validate(
        {"contract_end_on": "", "notice_days": None}))
    assert (cleared.contract_end_on, cleared.notice_days) == (None, None)


@pytest.mark.parametrize(("values", "field"), [
    ({"notice_days": -1}, "notice_days"), ({"notice_days": 99999}, "notice_days"),
    ({"notice_days": "ninety"}, "notice_days"), ({"contract_end_on": "nonsense"},
                                                 "contract_end_on"),
    ({"contract_end_on": "2027-02-30"}, "contract_end_on"),
    ({"contract_end_on": "2101-01-01"}, "contract_end_on"),
])
def test_bad_contract_values_are_refused_by_the_schema(values, field) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        AccountPatch.model_validate(values)
    assert caught.value.errors()[0]["loc"] == (field,)


def test_the_contract_end_is_the_relationship_rubric_forecast_horizon(db, cast) -> None:
    from accord.relationships import service as stages

    def horizon(day: date):
        view = stages.stage_view(db, _user(db, cast.owner), cast.acme_id, today=day)
        return next(c for c in view.criteria if c.criterion == "forecast_horizon")

    assert horizon(TODAY).source == "default"
    _contract(db, cast.acme_id, date(2029, 6, 30), 90)
    found = horizon(TODAY)
    assert (found.computed, found.source, found.evidence) == (
        3, "data", "the contract runs until 2029-06-30")
    assert horizon(date(2026, 6, 30)).computed == 4
    assert horizon(date(2029, 7, 1)).computed == 1


def test_a_churned_account_gets_no_reminder(db, cast) -> None:
    _contract(db, cast.acme_id, date(2027, 6, 30), 90)  # due on 2027-03-02
    db.get(Account, cast.acme_id).status = "churned"
    db.flush()
    assert service.run_reminders(db, TODAY) == 0
    assert (_count(db, RenewalReminder), _count(db, Opportunity)) == (0, 0)


def test_a_reminder_whose_opportunity_fails_is_tried_again(db, cast) -> None:
    _contract(db, cast.acme_id, date(2027, 6, 30), 90)
    owner = db.get(User, cast.owner.id)
    owner.role = "viewer"  # may no longer open opportunities on the account
    db.flush()
    assert service.run_reminders(db, TODAY) == 0
    assert (_count(db, RenewalReminder), _count(db, Opportunity), _count(db, FollowUp)) == (
        0, 0, 0)  # nothing recorded: the next run tries again
    owner.role = "manager"
    db.flush()
    assert service.run_reminders(db, TODAY) == 1
    reminder = db.scalar(select(RenewalReminder))
    assert reminder.opportunity_id == db.scalar(select(Opportunity.id))
