"""Client inputs' use cases on SQLite and PostgreSQL: requesting one (interval precedence,
first chase), the whole story (chased twice as follow-ups, escalated to the head on the
third, then received: My day and the digest list the chases), the follow-ups' hook (done and
"log and close" mark the chase sent), "mark as sent", an idempotent job, cancelling, bad input
refused with nothing written, visibility (an outsider and a specialist get 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from accord.accounts.models import Account, AccountContact, Contact, Interaction, InteractionContact
from accord.accounts.schemas import InteractionIn
from accord.agency import blocks
from accord.agency.inputs import chasing, service
from accord.agency.inputs.schemas import (
    AgencySettingsIn,
    Filters,
    InputIn,
    InputPatch,
)
from accord.agency.models import Brief, Department, InputChase, InputRequest
from accord.calendar.digest import render
from accord.calendar.followups import service as follow_ups
from accord.calendar.jobs import registry
from accord.calendar.models import FollowUp
from accord.calendar.myday import service as myday
from accord.core.database import utcnow
from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User

TODAY = date(2027, 3, 1)  # a Monday


@dataclass
class World:
    carla: int  # Acme's contact
    gina: int  # Globex's contact
    brief: int  # Acme's brief
    globex_brief: int
    specialist: Any


def make_world(db, cast) -> World:
    now = utcnow()
    people = []
    for name, email, account in (("Carla Client", "carla@acme.test", cast.acme_id),
                                 ("Gina Globex", "gina@globex.test", cast.globex_id)):
        c = Contact(name=name, email=email, created_at=now, updated_at=now)
        db.add(c)
        db.flush()
        db.add(AccountContact(account_id=account, contact_id=c.id))
        people.append(c.id)
    dept = Department(name="Creative", time_zone="UTC", turnaround_days=5, sections=[],
                      is_active=True, created_at=now, updated_at=now)
    db.add(dept)
    db.flush()
    briefs = []
    for account in (cast.acme_id, cast.globex_id):
        b = Brief(account_id=account, department_id=dept.id, title="Spring campaign",
                  sections={}, attachments=[], priority="normal", status="sent",
                  original_due_on=date(2027, 3, 20), due_on=date(2027, 3, 20), rounds=0,
                  checks={}, sent_on=TODAY, created_at=now, updated_at=now)
        db.add(b)
        db.flush()
        briefs.append(b.id)
    specialist = User(email="spec@accord.test", role="specialist", name="Spec",
                      capacity=100, is_active=True, created_at=now)
    db.add(specialist)
    db.flush()
    return World(people[0], people[1], briefs[0], briefs[1], specialist)


@pytest.fixture
def world(db, cast) -> World:
    return make_world(db, cast)


def _user(db, who) -> User:
    return db.get(User, who.id)


def _count(db, model=InputRequest) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _in(account_id: int, **kw: Any) -> InputIn:
    return InputIn.model_validate({"account_id": account_id, "title": "Brand book",
                                   "due_on": "2027-03-12", **kw})


def _problems(caught) -> dict[str, str]:
    return {p.field: p.message for p in caught.value.problems}


def _escalate_after(db, cast, n: int) -> None:
    service.save_agency_settings(db, _user(db, cast.admin),
                                 AgencySettingsIn(escalate_after=n, default_chase_days=3))


# ---------------------------------------------------------------- requesting


def test_a_request_is_owned_by_the_manager_and_scheduled(db, cast, world) -> None:
    out = service.request_input(db, _user(db, cast.teammate), _in(
        cast.acme_id, contact_id=world.carla, brief_id=world.brief, reason="colours",
        chase_days=2), TODAY)
    assert out.owner is not None and out.owner.email == "owner@accord.test"
    assert (out.status, out.requested_on, out.next_chase_on) == ("open", TODAY,
                                                                 date(2027, 3, 3))
    assert out.contact is not None and out.contact.name == "Carla Client"
    assert out.brief is not None and out.brief.id == world.brief
    assert (out.effective_chase_days, out.chase_days_from) == (2, "request")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "input_request")).one()
    assert entry.action == "create" and entry.account_id == cast.acme_id
    assert blocks.blocked_since(db, [world.brief]) == {world.brief: TODAY}


def test_the_interval_comes_from_the_request_then_the_account_then_the_setting(
        db, cast, world) -> None:
    owner = _user(db, cast.owner)
    plain = service.request_input(db, owner, _in(cast.acme_id), TODAY)
    assert (plain.effective_chase_days, plain.chase_days_from) == (3, "setting")
    assert plain.next_chase_on == date(2027, 3, 4)
    panel = service.set_account_chase_days(db, owner, cast.acme_id, 5, TODAY)
    assert (panel.account_chase_days, panel.effective_chase_days) == (5, 5)
    again = service.get_input(db, owner, plain.id, TODAY)
    assert (again.effective_chase_days, again.chase_days_from) == (5, "account")
    assert again.next_chase_on == date(2027, 3, 8)  # rescheduled: 5 working days
    own = service.request_input(db, owner, _in(cast.acme_id, chase_days=1), TODAY)
    assert own.next_chase_on == date(2027, 3, 2)
    panel = service.set_account_chase_days(db, owner, cast.acme_id, None, TODAY)
    assert panel.account_chase_days is None and panel.effective_chase_days == 3
    assert [i.id for i in panel.open] == [plain.id, own.id]


@pytest.mark.parametrize(("given", "field"), [
    ({"chase_days": 0}, "chase_days"),
    ({"chase_days": 261}, "chase_days"),
    ({"due_on": date(2027, 2, 28)}, "due_on"),
    ({"title": " "}, "title"),
    ({"reason": "x" * 2001}, "reason"),
])
def test_bad_input_is_a_422_naming_the_field(db, cast, world, given, field) -> None:
    data = InputIn.model_construct(**{
        "account_id": cast.acme_id, "title": "Logo", "due_on": date(2027, 3, 12),
        "contact_id": None, "brief_id": None, "reason": "", "chase_days": None,
        "owner_id": None, **given})  # past the schema: the service checks again
    with pytest.raises(ValidationFailed) as caught:
        service.request_input(db, _user(db, cast.owner), data, TODAY)
    assert field in _problems(caught)
    assert _count(db) == 0 and _count(db, AuditEntry) == 0


def test_the_schema_refuses_a_chase_interval_of_0() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        InputIn.model_validate({"account_id": 1, "title": "t", "due_on": "2027-03-12",
                                "chase_days": 0})
    assert caught.value.errors()[0]["loc"] == ("chase_days",)


def test_a_due_date_before_today_is_refused_and_nothing_written(db, cast, world) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.request_input(db, _user(db, cast.owner), _in(cast.acme_id,
                                                             due_on="2027-02-26"), TODAY)
    assert "before today" in _problems(caught)["due_on"]
    assert _count(db) == 0


def test_a_contact_or_brief_of_another_account_is_refused(db, cast, world) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.request_input(db, _user(db, cast.owner), _in(
            cast.acme_id, contact_id=world.gina, brief_id=world.globex_brief), TODAY)
    assert set(_problems(caught)) == {"contact_id", "brief_id"}
    assert _count(db) == 0 and _count(db, AuditEntry) == 0


def test_who_may_request_and_see(db, cast, world) -> None:
    with pytest.raises(NotFound):
        service.request_input(db, _user(db, cast.outsider), _in(cast.acme_id), TODAY)
    with pytest.raises(Forbidden):
        service.request_input(db, _user(db, cast.viewer), _in(cast.acme_id), TODAY)
    with pytest.raises(NotFound):
        service.request_input(db, world.specialist, _in(cast.acme_id), TODAY)
    out = service.request_input(db, _user(db, cast.owner), _in(cast.acme_id), TODAY)
    for who in (_user(db, cast.outsider), world.specialist):
        with pytest.raises(NotFound, match=f"no input request {out.id}"):
            service.get_input(db, who, out.id, TODAY)
        assert service.list_inputs(db, who, Filters(today=TODAY, status="all")).total == 0
        with pytest.raises(NotFound):
            service.account_inputs(db, who, cast.acme_id, TODAY)
    assert service.get_input(db, _user(db, cast.viewer), out.id, TODAY).id == out.id
    with pytest.raises(Forbidden):
        service.received(db, _user(db, cast.viewer), out.id, TODAY)
    with pytest.raises(NotFound):
        service.get_input(db, _user(db, cast.owner), 2_147_483_647, TODAY)


def test_an_owner_who_does_not_work_on_the_account_is_refused(db, cast, world) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.request_input(db, _user(db, cast.owner),
                              _in(cast.acme_id, owner_id=cast.outsider.id), TODAY)
    assert "owner_id" in _problems(caught) and _count(db) == 0


# ---------------------------------------------------------------- the story


def _follow_ups(db, owner_id: int | None = None) -> list[FollowUp]:
    query = select(FollowUp).where(FollowUp.source_kind == "input_request")
    if owner_id is not None:
        query = query.where(FollowUp.owner_id == owner_id)
    return list(db.scalars(query.order_by(FollowUp.id)))


def test_chased_twice_escalated_on_the_third_then_received(db, cast, world) -> None:
    _escalate_after(db, cast, 2)
    owner = _user(db, cast.owner)
    out = service.request_input(db, owner, _in(cast.acme_id, contact_id=world.carla,
                                               brief_id=world.brief, chase_days=2), TODAY)
    assert chasing.run_chases(db, date(2027, 3, 2))["chased"] == 0
    first = chasing.run_chases(db, date(2027, 3, 3))
    assert (first["chased"], first["escalated"]) == (1, 0)
    assert chasing.run_chases(db, date(2027, 3, 3))["chased"] == 0  # idempotent
    [fu1] = _follow_ups(db, cast.owner.id)
    assert fu1.title == "Chase Carla Client: Brand book (chase 1)"
    assert (fu1.due_on, fu1.source_id, fu1.status) == (date(2027, 3, 3), out.id, "open")
    assert chasing.run_chases(db, date(2027, 3, 4))["chased"] == 0
    assert chasing.run_chases(db, date(2027, 3, 5))["chased"] == 1
    # My day of the owner lists both chases (the first overdue), and so does the digest
    day = myday.my_day(db, owner, date(2027, 3, 5))
    assert [i.title for i in day.due_today.items] == ["Chase Carla Client: Brand book "
                                                      "(chase 2)"]
    assert [i.title for i in day.overdue.items] == ["Chase Carla Client: Brand book (chase 1)"]
    text = render.text(day, owner.name, "https://accord.test")
    assert "Chase Carla Client: Brand book (chase 2)" in text
    detail = service.get_input(db, owner, out.id, date(2027, 3, 5))
    assert [(c.number, c.due_on, c.status) for c in detail.chase_list] == [
        (1, date(2027, 3, 3), "due"), (2, date(2027, 3, 5), "due")]
    assert detail.chase_list[1].mailto.startswith("mailto:carla%40acme.test?subject=") \
        or detail.chase_list[1].mailto.startswith("mailto:carla@acme.test?subject=")
    assert detail.next_chase_on == date(2027, 3, 9)
    # the third: escalated to the head of the manager's team instead
    third = chasing.run_chases(db, date(2027, 3, 9))
    assert (third["chased"], third["escalated"]) == (0, 1)
    [escalation] = _follow_ups(db, cast.head.id)
    assert escalation.title == ("Escalated: Acme Industries: Brand book — no answer after 2 "
                                "chases")
    row = db.get(InputRequest, out.id)
    assert (row.escalated_on, row.escalated_to_id, row.next_chase_on, row.chases) == (
        date(2027, 3, 9), cast.head.id, None, 2)
    assert chasing.run_chases(db, date(2027, 3, 20)) == {
        "today": "2027-03-20", "chased": 0, "escalated": 0, "follow_ups": []}
    assert service.list_inputs(db, _user(db, cast.head), Filters(
        today=date(2027, 3, 9), escalated=True)).total == 1
    # received: closed that day, its follow-ups cancelled, the brief no longer blocked
    done = service.received(db, owner, out.id, date(2027, 3, 10), note="arrived by mail")
    assert (done.status, done.closed_on, done.next_chase_on) == (
        "received", date(2027, 3, 10), None)
    assert {f.status for f in _follow_ups(db)} == {"cancelled"}
    assert {f.cancel_reason for f in _follow_ups(db)} == {"input received"}
    assert {c.status for c in db.scalars(select(InputChase))} == {"closed"}
    assert blocks.blocks_of(db, world.brief) == [(TODAY, date(2027, 3, 10))]
    assert blocks.blocked_since(db, [world.brief]) == {}
    actions = db.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "input_request").order_by(AuditEntry.id)).all()
    assert actions == ["create", "chase", "chase", "escalate", "received"]
    assert db.scalars(select(AuditEntry.actor).where(
        AuditEntry.action == "escalate")).one() == "job:input_chases"


def test_without_a_head_the_escalation_goes_to_the_first_admin(db, cast, world) -> None:
    _escalate_after(db, cast, 1)
    out = service.request_input(db, _user(db, cast.outsider), _in(cast.globex_id,
                                                                  chase_days=1), TODAY)
    db.get(User, cast.other_head.id).is_active = False
    db.flush()
    chasing.run_chases(db, date(2027, 3, 2))
    chasing.run_chases(db, date(2027, 3, 3))
    assert db.get(InputRequest, out.id).escalated_to_id == cast.admin.id
    assert _follow_ups(db, cast.admin.id)[0].title.startswith("Escalated: Globex")


def test_the_job_is_registered_daily_before_the_digest() -> None:
    names = [j.name for j in registry.jobs()]
    assert "input_chases" in names
    job = registry.get("input_chases")
    assert job is not None and job.every == registry.DAILY
    if "digest" in names:
        assert names.index("input_chases") < names.index("digest")


# ---------------------------------------------------------------- sent


def _chased(db, cast, world, **kw: Any) -> tuple[int, FollowUp]:
    out = service.request_input(db, _user(db, cast.owner), _in(
        cast.acme_id, contact_id=world.carla, chase_days=1, **kw), TODAY)
    chasing.run_chases(db, date(2027, 3, 2))
    [fu] = _follow_ups(db)
    return out.id, fu


def test_done_from_the_follow_ups_marks_the_chase_sent_and_logs_an_email(
        db, cast, world) -> None:
    input_id, fu = _chased(db, cast, world)
    follow_ups.complete(db, _user(db, cast.owner), fu.id, date(2027, 3, 2))
    chase = db.scalars(select(InputChase)).one()
    assert (chase.status, chase.sent_on) == ("sent", date(2027, 3, 2))
    logged = db.get(Interaction, chase.interaction_id)
    assert (logged.kind, logged.summary) == ("email", "Chased: Brand book (chase 1)")
    assert db.scalars(select(InteractionContact.contact_id).where(
        InteractionContact.interaction_id == logged.id)).all() == [world.carla]
    account = db.get(Account, cast.acme_id)
    assert account.last_qualifying_touch_on == date(2027, 3, 2)
    assert _count(db, Interaction) == 1


def test_log_and_close_marks_the_chase_sent_with_that_interaction(db, cast, world) -> None:
    input_id, fu = _chased(db, cast, world)
    follow_ups.log_and_close(db, _user(db, cast.owner), fu.id, InteractionIn.model_validate(
        {"kind": "call", "occurred_on": "2027-03-02", "summary": "Phoned Carla",
         "contact_ids": [world.carla]}), date(2027, 3, 2))
    chase = db.scalars(select(InputChase)).one()
    assert chase.status == "sent" and _count(db, Interaction) == 1
    assert db.get(Interaction, chase.interaction_id).summary == "Phoned Carla"


def test_mark_as_sent_completes_the_follow_up_once(db, cast, world) -> None:
    input_id, fu = _chased(db, cast, world)
    chase_id = db.scalars(select(InputChase.id)).one()
    detail = service.mark_chase_sent(db, _user(db, cast.owner), chase_id, date(2027, 3, 2))
    assert detail.chase_list[0].status == "sent"
    assert db.get(FollowUp, fu.id).status == "done"
    assert _count(db, Interaction) == 1
    with pytest.raises(ValidationFailed) as caught:
        service.mark_chase_sent(db, _user(db, cast.owner), chase_id, date(2027, 3, 2))
    assert "already sent" in _problems(caught)["status"]
    with pytest.raises(NotFound):
        service.mark_chase_sent(db, _user(db, cast.outsider), chase_id, date(2027, 3, 2))
    with pytest.raises(NotFound):
        service.mark_chase_sent(db, world.specialist, chase_id, date(2027, 3, 2))


def test_cancelling_closes_the_chases_and_needs_a_reason(db, cast, world) -> None:
    input_id, fu = _chased(db, cast, world)
    owner = _user(db, cast.owner)
    with pytest.raises(ValidationFailed) as caught:
        service.cancel_input(db, owner, input_id, date(2027, 3, 2), "  ")
    assert "reason" in _problems(caught)
    out = service.cancel_input(db, owner, input_id, date(2027, 3, 2), "found it ourselves")
    assert (out.status, out.closed_on, out.close_note) == ("cancelled", date(2027, 3, 2),
                                                           "found it ourselves")
    assert db.get(FollowUp, fu.id).status == "cancelled"
    with pytest.raises(ValidationFailed):
        service.received(db, owner, input_id, date(2027, 3, 2))
    assert chasing.run_chases(db, date(2027, 3, 30))["chased"] == 0


def test_editing_moves_the_next_chase_and_refuses_a_zero_interval(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    out = service.request_input(db, owner, _in(cast.acme_id), TODAY)
    edited = service.edit_input(db, owner, out.id, InputPatch(chase_days=1, title="Logo"),
                                TODAY)
    assert (edited.title, edited.next_chase_on, edited.version) == ("Logo", date(2027, 3, 2), 2)
    with pytest.raises(ValidationFailed) as caught:
        service.edit_input(db, owner, out.id, InputPatch.model_construct(
            chase_days=0, _fields_set={"chase_days"}), TODAY)
    assert "chase_days" in _problems(caught)
    assert db.get(InputRequest, out.id).chase_days == 1


def test_a_received_day_before_the_request_is_refused(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    out = service.request_input(db, owner, _in(cast.acme_id), TODAY)
    with pytest.raises(ValidationFailed) as caught:
        service.received(db, owner, out.id, date(2027, 3, 5), on=date(2027, 2, 1))
    assert "on" in _problems(caught)
    assert db.get(InputRequest, out.id).status == "open"


def test_the_setting_is_for_admins_and_heads(db, cast) -> None:
    with pytest.raises(Forbidden):
        service.save_agency_settings(db, _user(db, cast.owner), AgencySettingsIn(
            escalate_after=2, default_chase_days=3))
    out = service.save_agency_settings(db, _user(db, cast.head), AgencySettingsIn(
        escalate_after=4, default_chase_days=7))
    assert service.agency_settings_of(db, _user(db, cast.viewer)) == out
