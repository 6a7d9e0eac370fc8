"""Follow-ups' use cases on SQLite and PostgreSQL: adding one (owner, time zone, source),
the named daylight-saving and year-end cases, done / snooze / cancel, logging an interaction
and closing in one transaction, visibility, bad input refused with nothing written, optimistic
concurrency, the list's filters, the user's time-zone setting, and the SQL twins
(``effective_due_sql``, ``overdue_by_account``) equal to the pure rules."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update

from accord.accounts.models import (
    Account,
    AccountContact,
    Contact,
    Interaction,
    InteractionKind,
)
from accord.accounts.schemas import InteractionIn
from accord.calendar.followups import queries, rules, service
from accord.calendar.followups.schemas import Filters, FollowUpIn, FollowUpPatch
from accord.calendar.models import FollowUp
from accord.core.database import utcnow
from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.versions import Expected, Stale
from accord.users import service as user_service

TODAY = date(2027, 3, 1)


def _user(db, who) -> User:
    return db.get(User, who.id)


def _count(db, model=FollowUp) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _in(account_id: int, **kw) -> FollowUpIn:
    return FollowUpIn.model_validate({"account_id": account_id, "title": "Send the price list",
                                      "due_on": "2027-03-10", **kw})


def _problems(caught) -> dict[str, str]:
    return {p.field: p.message for p in caught.value.problems}


# ---------------------------------------------------------------- adding


def test_a_follow_up_is_added_owned_by_its_author_and_audited(db, cast) -> None:
    owner = _user(db, cast.owner)
    out = service.add_follow_up(db, owner, _in(cast.acme_id, due_time="09:30"), TODAY)
    assert out.owner is not None
    assert (out.title, out.status, out.owner.email, out.due_state) == (
        "Send the price list", "open", "owner@accord.test", "upcoming")
    assert (out.due_time, out.time_zone, out.version) == ("09:30", "UTC", 1)
    assert out.due_at is not None and out.due_at.hour == 9
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "follow_up")).one()
    assert entry.action == "create" and entry.account_id == cast.acme_id


def test_the_due_time_is_read_in_the_owners_time_zone(db, cast) -> None:
    owner = _user(db, cast.owner)
    user_service.set_time_zone(db, owner, owner.id, "America/New_York")
    out = service.add_follow_up(db, _user(db, cast.head), _in(
        cast.acme_id, due_time="09:00", owner_id=owner.id), TODAY)
    assert out.time_zone == "America/New_York"
    assert out.due_at is not None and (out.due_at.hour, out.due_at.minute) == (14, 0)  # EST


def test_a_due_time_the_clocks_skip_is_refused_and_nothing_is_written(db, cast) -> None:
    owner = _user(db, cast.owner)
    user_service.set_time_zone(db, owner, owner.id, "Europe/London")
    before = _count(db)
    with pytest.raises(ValidationFailed) as caught:
        service.add_follow_up(db, owner, _in(cast.acme_id, due_on="2027-03-28",
                                             due_time="01:30"), TODAY)
    assert _problems(caught) == {"due_time": "01:30 does not exist on 2027-03-28 in "
                                             "Europe/London (clocks go forward)"}
    assert _count(db) == before
    # the same wall time a day earlier, and 02:30 (British Summer Time) that day, are fine
    ok = service.add_follow_up(db, owner, _in(cast.acme_id, due_on="2027-03-28",
                                              due_time="02:30"), TODAY)
    assert ok.due_at is not None and ok.due_at.hour == 1  # 02:30 BST is 01:30 UTC
    # editing into the gap is refused too, and leaves the row as it was
    with pytest.raises(ValidationFailed) as edit:
        service.edit_follow_up(db, owner, ok.id, FollowUpPatch(due_time="01:15"), TODAY)
    assert "does not exist" in _problems(edit)["due_time"]
    assert service.get_follow_up(db, owner, ok.id, TODAY).due_time == "02:30"


def test_an_ambiguous_due_time_is_its_first_occurrence(db, cast) -> None:
    owner = _user(db, cast.owner)
    user_service.set_time_zone(db, owner, owner.id, "America/New_York")
    out = service.add_follow_up(db, owner, _in(cast.acme_id, due_on="2027-11-07",
                                               due_time="01:30"), TODAY)
    # 01:30 EDT (UTC-4), the first of the two 01:30s that night
    assert out.due_at is not None and (out.due_at.day, out.due_at.hour) == (7, 5)


def test_the_year_end(db, cast) -> None:
    owner = _user(db, cast.owner)
    made = service.add_follow_up(db, owner, _in(cast.acme_id, due_on="2026-12-31"),
                                 date(2026, 12, 1))
    assert service.get_follow_up(db, owner, made.id, date(2026, 12, 31)).due_state == \
        "due_today"
    assert service.get_follow_up(db, owner, made.id, date(2027, 1, 1)).due_state == "overdue"
    listed = service.list_follow_ups(db, owner, Filters(today=date(2027, 1, 1), overdue=True))
    assert [f.id for f in listed.items] == [made.id]
    assert dict(db.execute(queries.overdue_by_account(date(2027, 1, 1))).all()) == \
        {cast.acme_id: 1}
    # snoozed over the year end: due again on 2027-01-04, not overdue before 2027-01-05
    snoozed = service.snooze(db, owner, made.id, date(2027, 1, 4), date(2026, 12, 31))
    assert (snoozed.status, snoozed.effective_due_on) == ("snoozed", date(2027, 1, 4))
    assert not service.list_follow_ups(db, owner, Filters(today=date(2027, 1, 4),
                                                          overdue=True)).items
    assert service.list_follow_ups(db, owner, Filters(today=date(2027, 1, 5),
                                                      overdue=True)).total == 1


def test_a_source_must_be_the_accounts_own(db, cast) -> None:
    owner = _user(db, cast.owner)
    now = utcnow()
    acme_call = db.scalar(insert(Interaction).values(
        account_id=cast.acme_id, kind=InteractionKind.CALL, occurred_on=date(2027, 2, 1),
        summary="Called", created_at=now).returning(Interaction.id))
    globex_call = db.scalar(insert(Interaction).values(
        account_id=cast.globex_id, kind=InteractionKind.CALL, occurred_on=date(2027, 2, 1),
        summary="x", created_at=now).returning(Interaction.id))
    out = service.add_follow_up(db, owner, _in(cast.acme_id, source_kind="interaction",
                                               source_id=acme_call), TODAY)
    assert (out.source_kind, out.source_id) == ("interaction", acme_call)
    for kw, field in (({"source_kind": "interaction", "source_id": globex_call}, "source_id"),
                      ({"source_kind": "opportunity", "source_id": 987654}, "source_id"),
                      ({"source_kind": "invoice", "source_id": 1}, "source_kind"),
                      ({"source_kind": "interaction"}, "source_id")):
        with pytest.raises(ValidationFailed) as caught:
            service.add_follow_up(db, owner, _in(cast.acme_id, **kw), TODAY)
        assert field in _problems(caught)
    prefilled = service.prefill(db, owner, "interaction", acme_call)
    assert prefilled["account_id"] == str(cast.acme_id)
    assert prefilled["title"] == "Follow up: Called"
    assert service.prefill(db, owner, "interaction", globex_call) == {}


def test_bad_input_is_refused_and_nothing_is_written(db, cast) -> None:
    owner = _user(db, cast.owner)
    before = _count(db)
    for kw, field in (({"due_on": "1999-12-31"}, "due_on"),
                      ({"due_on": "2101-01-01"}, "due_on"),
                      ({"owner_id": cast.outsider.id}, "owner_id"),  # does not see Acme
                      ({"owner_id": cast.viewer.id}, "owner_id"),  # may not change it
                      ({"owner_id": 987654}, "owner_id"),
                      ({"title": "two\nlines"}, "title")):
        with pytest.raises(ValidationFailed) as caught:
            service.add_follow_up(db, owner, _in(cast.acme_id, **kw), TODAY)
        assert field in _problems(caught), kw
    assert _count(db) == before


def test_visibility(db, cast) -> None:
    owner, outsider = _user(db, cast.owner), _user(db, cast.outsider)
    with pytest.raises(NotFound):
        service.add_follow_up(db, owner, _in(cast.globex_id), TODAY)
    mine = service.add_follow_up(db, owner, _in(cast.acme_id), TODAY)
    theirs = service.add_follow_up(db, outsider, _in(cast.globex_id), TODAY)
    for call in (lambda: service.get_follow_up(db, outsider, mine.id, TODAY),
                 lambda: service.complete(db, outsider, mine.id, TODAY),
                 lambda: service.snooze(db, outsider, mine.id, date(2027, 4, 1), TODAY),
                 lambda: service.cancel(db, outsider, mine.id, "x", today=TODAY),
                 lambda: service.account_follow_ups(db, outsider, cast.acme_id, TODAY)):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(Forbidden):
        service.complete(db, _user(db, cast.viewer), mine.id, TODAY)
    head = _user(db, cast.head)  # North's head sees Acme, not Globex
    assert [f.id for f in service.list_follow_ups(db, head, Filters(today=TODAY)).items] == \
        [mine.id]
    admin = _user(db, cast.admin)
    assert service.list_follow_ups(db, admin, Filters(today=TODAY)).total == 2
    assert [f.id for f in service.list_follow_ups(
        db, admin, Filters(today=TODAY, owner_id=cast.outsider.id)).items] == [theirs.id]


# ---------------------------------------------------------------- closing


def test_done_snooze_cancel_and_the_closed_states(db, cast) -> None:
    owner = _user(db, cast.owner)
    a = service.add_follow_up(db, owner, _in(cast.acme_id), TODAY)
    with pytest.raises(ValidationFailed) as past:
        service.snooze(db, owner, a.id, TODAY, TODAY)
    assert "until" in _problems(past)
    assert service.get_follow_up(db, owner, a.id, TODAY).status == "open"
    snoozed = service.snooze(db, owner, a.id, date(2027, 3, 20), TODAY)
    assert (snoozed.status, snoozed.version) == ("snoozed", 2)
    done = service.complete(db, owner, a.id, date(2027, 3, 21))
    assert (done.status, done.closed_on, done.snoozed_until) == ("done", date(2027, 3, 21), None)
    for call in (lambda: service.complete(db, owner, a.id, TODAY),
                 lambda: service.snooze(db, owner, a.id, date(2027, 4, 1), TODAY),
                 lambda: service.cancel(db, owner, a.id, "late", today=TODAY),
                 lambda: service.edit_follow_up(db, owner, a.id, FollowUpPatch(title="x"),
                                                TODAY)):
        with pytest.raises(ValidationFailed):
            call()
    b = service.add_follow_up(db, owner, _in(cast.acme_id), TODAY)
    with pytest.raises(ValidationFailed) as no_reason:
        service.cancel(db, owner, b.id, "  ", today=TODAY)
    assert "reason" in _problems(no_reason)
    cancelled = service.cancel(db, owner, b.id, "The client cancelled the project",
                               today=TODAY)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled",
                                                           "The client cancelled the project")
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.entity == "follow_up")
                         .order_by(AuditEntry.id)).all()
    assert actions == ["create", "snooze", "complete", "create", "cancel"]


def test_log_and_close_logs_the_interaction_and_closes_in_one_go(db, cast) -> None:
    owner = _user(db, cast.owner)
    now = utcnow()
    contact = db.scalar(insert(Contact).values(name="Carla", created_at=now, updated_at=now)
                        .returning(Contact.id))
    db.execute(insert(AccountContact).values(account_id=cast.acme_id, contact_id=contact))
    db.execute(update(Account).where(Account.id == cast.acme_id)
               .values(last_touch_on=date(2027, 2, 25)))
    made = service.add_follow_up(db, owner, _in(cast.acme_id), TODAY)
    # a bad interaction (a contact of another account) writes neither
    with pytest.raises(ValidationFailed) as caught:
        service.log_and_close(db, owner, made.id, InteractionIn(
            kind=InteractionKind.CALL, occurred_on=date(2027, 2, 28), summary="Called",
            contact_ids=[987654]),
            TODAY)
    assert "contact_ids" in _problems(caught)
    assert _count(db, Interaction) == 0
    assert service.get_follow_up(db, owner, made.id, TODAY).status == "open"
    # an older interaction closes it and keeps the account's later last touch
    out = service.log_and_close(db, owner, made.id, InteractionIn(
        kind=InteractionKind.CALL, occurred_on=date(2027, 2, 20), summary="Sent the price list",
        contact_ids=[contact]), TODAY)
    interaction = db.scalars(select(Interaction)).one()
    assert (out.status, out.closed_by_interaction_id, out.closed_on) == (
        "done", interaction.id, TODAY)
    assert db.get(Account, cast.acme_id).last_touch_on == date(2027, 2, 25)
    later = service.add_follow_up(db, owner, _in(cast.acme_id), TODAY)
    service.log_and_close(db, owner, later.id, InteractionIn(
        kind=InteractionKind.MEETING, occurred_on=TODAY, summary="Met"), TODAY)
    db.expire_all()
    assert db.get(Account, cast.acme_id).last_touch_on == TODAY
    with pytest.raises(ValidationFailed):  # closed: nothing more is logged
        service.log_and_close(db, owner, later.id, InteractionIn(
            kind=InteractionKind.CALL, occurred_on=TODAY, summary="Again"), TODAY)
    assert _count(db, Interaction) == 2


def test_a_stale_edit_is_refused(db, cast) -> None:
    owner = _user(db, cast.owner)
    made = service.add_follow_up(db, owner, _in(cast.acme_id), TODAY)
    edited = service.edit_follow_up(db, owner, made.id, FollowUpPatch(title="Call back"),
                                    TODAY, expected=Expected(1))
    assert (edited.title, edited.version) == ("Call back", 2)
    with pytest.raises(Stale):
        service.edit_follow_up(db, owner, made.id, FollowUpPatch(title="Again"), TODAY,
                               expected=Expected(1))
    with pytest.raises(Stale):
        service.snooze(db, owner, made.id, date(2027, 4, 1), TODAY, expected=Expected(1))
    # a new owner brings their time zone
    teammate = _user(db, cast.teammate)
    user_service.set_time_zone(db, _user(db, cast.admin), teammate.id, "Asia/Kolkata")
    moved = service.edit_follow_up(db, owner, made.id, FollowUpPatch(
        owner_id=teammate.id, due_time="10:00"), TODAY)
    assert moved.due_at is not None
    assert (moved.time_zone, moved.due_at.hour, moved.due_at.minute) == ("Asia/Kolkata", 4, 30)


def test_the_list_filters_sorts_and_pages(db, cast) -> None:
    owner = _user(db, cast.owner)
    for title, due in (("Alpha call", "2027-02-01"), ("Beta visit", "2027-03-01"),
                       ("Gamma call", "2027-04-01")):
        service.add_follow_up(db, owner, _in(cast.acme_id, title=title, due_on=due), TODAY)
    f = Filters(today=TODAY)
    assert [i.title for i in service.list_follow_ups(db, owner, f).items] == [
        "Alpha call", "Beta visit", "Gamma call"]
    assert [i.title for i in service.list_follow_ups(
        db, owner, Filters(today=TODAY, sort="-due")).items][0] == "Gamma call"
    assert service.list_follow_ups(db, owner, Filters(today=TODAY, q="CALL")).total == 2
    assert service.list_follow_ups(db, owner, Filters(
        today=TODAY, due_after=date(2027, 2, 15), due_before=date(2027, 3, 31))).total == 1
    page = service.list_follow_ups(db, owner, Filters(today=TODAY, page=2, page_size=2))
    assert (page.total, [i.title for i in page.items]) == (3, ["Gamma call"])
    for bad in (Filters(today=TODAY, status="late"), Filters(today=TODAY, sort="colour"),
                Filters(today=TODAY, due_before=date(1900, 1, 1))):
        with pytest.raises(ValidationFailed):
            service.list_follow_ups(db, owner, bad)


# ---------------------------------------------------------------- the user's time zone


def test_a_user_sets_their_own_time_zone_an_admin_anybodys(db, cast) -> None:
    owner = _user(db, cast.owner)
    version = owner.version
    user_service.set_time_zone(db, owner, owner.id, "Europe/Berlin")
    assert (owner.time_zone, owner.version) == ("Europe/Berlin", version + 1)
    with pytest.raises(ValidationFailed) as caught:
        user_service.set_time_zone(db, owner, owner.id, "Europe/Berlinn")
    assert "unknown time zone" in _problems(caught)["time_zone"]
    with pytest.raises(NotFound):  # not another user's
        user_service.set_time_zone(db, owner, cast.teammate.id, "UTC")
    user_service.update_user(db, _user(db, cast.admin), cast.teammate.id,
                             {"time_zone": "Asia/Tokyo"})
    assert _user(db, cast.teammate).time_zone == "Asia/Tokyo"
    with pytest.raises(ValidationFailed):
        user_service.update_user(db, _user(db, cast.admin), cast.teammate.id,
                                 {"time_zone": "Nowhere/City"})
    with pytest.raises(Stale):
        user_service.set_time_zone(db, owner, owner.id, "UTC", expected=Expected(version))
    entries = db.scalars(select(AuditEntry).where(AuditEntry.entity == "user",
                                                  AuditEntry.action == "update")).all()
    assert {"time_zone": "Europe/Berlin"} in [e.after for e in entries]


# ---------------------------------------------------------------- the SQL twins

PAIRS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
rows = st.lists(st.tuples(st.sampled_from(rules.STATES), days, st.none() | days),
                min_size=1, max_size=8)


@PAIRS
@given(items=rows, today=days)
def test_the_sql_twins_equal_the_rules(db, cast, items, today) -> None:
    now = utcnow()
    db.execute(delete(FollowUp))
    for status, due, back in items:
        db.execute(insert(FollowUp).values(
            account_id=cast.acme_id, title="x", notes="", due_on=due, time_zone="UTC",
            status=status, snoozed_until=back, created_at=now, updated_at=now, version=1))
    got = db.execute(select(queries.effective_due_sql(), queries.overdue_sql(today))
                     .order_by(FollowUp.id)).all()
    assert [(d, bool(o)) for d, o in got] == [
        (rules.effective_due(s, d, b), rules.is_overdue(s, d, b, today)) for s, d, b in items]
    expected = sum(rules.is_overdue(s, d, b, today) for s, d, b in items)
    assert dict(db.execute(queries.overdue_by_account(today)).all()) == \
        ({cast.acme_id: expected} if expected else {})
    db.rollback()


def test_a_due_time_is_stored_as_given(db, cast) -> None:
    owner = _user(db, cast.owner)
    made = service.add_follow_up(db, owner, _in(cast.acme_id, due_time="23:59"), TODAY)
    assert db.get(FollowUp, made.id).due_time == time(23, 59)


def test_a_plan_action_prefills_and_sources_a_follow_up(db, cast) -> None:
    from accord.plans.models import AccountPlan, PlanAction, PlanObjective

    owner = _user(db, cast.owner)
    plan = AccountPlan(account_id=cast.acme_id, horizon_months=12, starts_on=date(2027, 1, 1),
                       ends_on=date(2027, 12, 31), shared_sections=[])
    db.add(plan)
    db.flush()
    objective = PlanObjective(plan_id=plan.id, title="Grow", metric="manual")
    db.add(objective)
    db.flush()
    action = PlanAction(objective_id=objective.id, title="Book the site visit",
                        owner_id=cast.teammate.id, due_on=date(2027, 4, 2), status="open")
    db.add(action)
    db.flush()
    values = service.prefill(db, owner, "plan_action", action.id)
    assert values == {"account_id": str(cast.acme_id), "source_kind": "plan_action",
                      "source_id": str(action.id), "title": "Book the site visit",
                      "due_on": "2027-04-02", "owner_id": str(cast.teammate.id)}
    assert service.prefill(db, _user(db, cast.outsider), "plan_action", action.id) == {}
    out = service.add_follow_up(db, owner, _in(cast.acme_id, source_kind="plan_action",
                                               source_id=action.id,
                                               owner_id=cast.teammate.id), TODAY)
    assert (out.source_kind, out.owner.id if out.owner else None) == (
        "plan_action", cast.teammate.id)
    with pytest.raises(ValidationFailed):  # Globex's follow-up cannot come from Acme's plan
        service.add_follow_up(db, _user(db, cast.outsider), _in(
            cast.globex_id, source_kind="plan_action", source_id=action.id), TODAY)
