"""Briefs' use cases on SQLite and PostgreSQL: writing one (template, attachments, default
due date in working days), the transition table (every allowed move, every refused one a
409/422/403 with nothing written), the named working-day cases, the figures recorded at the
first delivery (with a client input block), rounds, an agreed date keeping the original,
the approval checklist, visibility (a specialist sees the account's name only), the list,
the Work tab and the board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from accord.agency.briefs import rules, service
from accord.agency.briefs.schemas import BriefIn, BriefPatch, Filters
from accord.agency.models import (
    Brief,
    BriefTransition,
    DeliverableType,
    Department,
    DepartmentHoliday,
    DepartmentMember,
    InputRequest,
)
from accord.calendar import service as calendar_service
from accord.core.database import utcnow
from accord.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.versions import Stale

TODAY = date(2027, 3, 1)  # a Monday
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
CREATIVE_SECTIONS = [{"key": k, "label": k.capitalize(), "hint": ""}
                     for k in ("objective", "audience", "message", "mandatories", "formats")]
CHECKLIST = [{"key": "brand", "label": "On brand"}, {"key": "formats", "label": "All formats"}]


@dataclass
class World:
    creative: int
    media: int
    tokyo: int
    specialist: Any
    media_specialist: Any


def make_world(db, cast) -> World:
    """Creative (UTC; the specialist is a member, the teammate its lead), Media (another
    specialist) and a Tokyo studio; the ``creative`` deliverable type and its checklist."""
    now = utcnow()

    def person(email: str) -> User:
        u = User(email=email, role="specialist", name=email.split("@")[0].title(),
                 password_hash=db.get(User, cast.owner.id).password_hash, capacity=100,
                 is_active=True, created_at=now)
        db.add(u)
        db.flush()
        return u

    creative = Department(name="Creative", lead_id=cast.teammate.id, time_zone="UTC",
                          turnaround_days=5, sections=CREATIVE_SECTIONS, is_active=True,
                          created_at=now, updated_at=now)
    media = Department(name="Media", time_zone="Europe/Paris", turnaround_days=8,
                       sections=[{"key": "budget", "label": "Budget", "hint": ""}],
                       is_active=True, created_at=now, updated_at=now)
    tokyo = Department(name="Tokyo studio", time_zone="Asia/Tokyo", turnaround_days=3,
                       sections=CREATIVE_SECTIONS, is_active=True, created_at=now,
                       updated_at=now)
    db.add_all([creative, media, tokyo])
    db.add(DeliverableType(key="creative", name="Creative", items=CHECKLIST))
    db.flush()
    specialist = person("specialist@accord.test")
    media_specialist = person("media@accord.test")
    db.add_all([DepartmentMember(department_id=creative.id, user_id=specialist.id),
                DepartmentMember(department_id=tokyo.id, user_id=specialist.id),
                DepartmentMember(department_id=media.id, user_id=media_specialist.id)])
    db.commit()
    return World(creative.id, media.id, tokyo.id, specialist, media_specialist)


@pytest.fixture
def world(db, cast) -> World:
    return make_world(db, cast)


def _user(db, who) -> User:
    return db.get(User, who.id)


def _counts(db) -> tuple[int, int, int]:
    return tuple(int(db.scalar(select(func.count()).select_from(m)) or 0)  # type: ignore[return-value]
                 for m in (Brief, BriefTransition, AuditEntry))


def _in(account_id: int, department_id: int, **kw: Any) -> BriefIn:
    return BriefIn.model_validate({"account_id": account_id, "department_id": department_id,
                                   "title": "Spring campaign",
                                   "sections": {"objective": "Launch the range"}, **kw})


def _problems(caught) -> dict[str, str]:
    return {p.field: p.message for p in caught.value.problems}


def _sent(db, cast, world, **kw: Any):
    owner = _user(db, cast.owner)
    out = service.create_brief(db, owner, _in(cast.acme_id, world.creative, **kw), TODAY)
    return service.send(db, owner, out.id, TODAY)


def _delivered(db, cast, world, **kw: Any):
    sent = _sent(db, cast, world, **kw)
    spec = _user(db, world.specialist)
    service.accept(db, spec, sent.id, NOW)
    service.start(db, spec, sent.id, NOW)
    return service.deliver(db, spec, sent.id, NOW, actual_hours=Decimal("12.5"))


# ---------------------------------------------------------------- writing


def test_a_brief_is_written_as_a_draft_with_the_default_due_date(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    out = service.create_brief(db, owner, _in(
        cast.acme_id, world.creative, attachments=[{"name": "Brand book",
                                                    "url": "https://acme.test/brand.pdf"}],
        deliverable_type="creative", priority="high", estimated_hours="8"), TODAY)
    # five working days after Monday 2027-03-01: Monday 2027-03-08
    assert (out.status, out.due_on, out.original_due_on) == ("draft", date(2027, 3, 8),
                                                             date(2027, 3, 8))
    assert out.sections == {"objective": "Launch the range"} and out.priority == "high"
    assert out.attachments[0].name == "Brand book" and out.estimated_hours == Decimal("8.00")
    assert out.account_name == "Acme Industries" and out.sees_account
    log = db.scalars(select(BriefTransition)).all()
    assert [(t.action, t.to_status, t.on) for t in log] == [("create", "draft", TODAY)]
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "brief")).one()
    assert entry.action == "create" and entry.account_id == cast.acme_id


@pytest.mark.parametrize(("given", "field"), [
    ({"title": " "}, "title"),
    ({"sections": {"budget": "1000"}}, "sections"),
    ({"sections": {"objective": "x" * 5001}}, "sections.objective"),
    ({"attachments": [{"name": "Book", "url": "ftp://acme.test/a"}]}, "attachments"),
    ({"attachments": [{"name": "Book", "url": "https://a.test/x"}] * 21}, "attachments"),
    ({"estimated_hours": "0.001"}, "estimated_hours"),
    ({"estimated_hours": "10000.01"}, "estimated_hours"),
    ({"deliverable_type": "poster"}, "deliverable_type"),
    ({"due_on": "2027-02-26"}, "due_on"),
])
def test_bad_input_is_refused_and_nothing_is_written(db, cast, world, given, field) -> None:
    owner = _user(db, cast.owner)
    before = _counts(db)
    data = BriefIn.model_construct(**{**_in(cast.acme_id, world.creative).model_dump(),
                                      **given, "attachments": [], "sections": given.get(
                                          "sections", {"objective": "x"})})
    if "attachments" in given:
        from accord.agency.briefs.schemas import Attachment
        data.attachments = [Attachment.model_construct(**a) for a in given["attachments"]]
    if "due_on" in given:
        data.due_on = date.fromisoformat(given["due_on"])
    if "estimated_hours" in given:
        data.estimated_hours = Decimal(given["estimated_hours"])
    with pytest.raises(ValidationFailed) as caught:
        service.create_brief(db, owner, data, TODAY)
    assert field in _problems(caught), _problems(caught)
    db.rollback()
    assert _counts(db) == before


def test_a_due_date_before_today_is_refused(db, cast, world) -> None:
    before = _counts(db)
    with pytest.raises(ValidationFailed) as caught:
        service.create_brief(db, _user(db, cast.owner), _in(
            cast.acme_id, world.creative, due_on="2027-02-26"), TODAY)
    assert _problems(caught) == {"due_on": "a due date before today (2027-03-01)"}
    db.rollback()
    assert _counts(db) == before


@pytest.mark.parametrize("department", [987654, "inactive"])
def test_a_brief_to_a_department_that_does_not_exist_is_refused(db, cast, world,
                                                               department) -> None:
    dept_id = department
    if department == "inactive":
        dept = db.get(Department, world.media)
        dept.is_active = False
        db.commit()
        dept_id = world.media
    before = _counts(db)
    with pytest.raises(ValidationFailed) as caught:
        service.create_brief(db, _user(db, cast.owner), _in(cast.acme_id, dept_id), TODAY)
    assert _problems(caught) == {"department_id": f"no department {dept_id}"}
    db.rollback()
    assert _counts(db) == before


def test_only_the_accounts_team_writes_a_brief(db, cast, world) -> None:
    before = _counts(db)
    with pytest.raises(NotFound):
        service.create_brief(db, _user(db, cast.outsider), _in(cast.acme_id, world.creative),
                             TODAY)
    with pytest.raises(NotFound):
        service.create_brief(db, _user(db, world.specialist), _in(cast.acme_id, world.creative),
                             TODAY)
    with pytest.raises(Forbidden):
        service.create_brief(db, _user(db, cast.viewer), _in(cast.acme_id, world.creative),
                             TODAY)
    db.rollback()
    assert _counts(db) == before


# ---------------------------------------------------------------- working days (named)


def test_due_date_skips_weekends(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    friday = date(2027, 3, 5)
    out = service.create_brief(db, owner, _in(cast.acme_id, world.creative), friday)
    assert out.due_on == date(2027, 3, 12)  # Mon..Fri of the next week: 5 working days
    saturday = date(2027, 3, 6)
    with pytest.raises(ValidationFailed) as caught:
        service.create_brief(db, owner, _in(cast.acme_id, world.creative, due_on=saturday),
                             TODAY)
    assert _problems(caught)["due_on"] == ("2027-03-06 is a day off for Creative (Saturday): "
                                           "choose 2027-03-05 or 2027-03-08")


def test_due_date_skips_company_and_department_holidays(db, cast, world) -> None:
    admin = _user(db, cast.admin)
    calendar_service.save_calendar(db, admin, {"holidays": [
        {"on": "2027-03-03", "name": "Founders' Day"}]})
    db.add(DepartmentHoliday(department_id=world.creative, day=date(2027, 3, 4),
                             name="Studio away day"))
    db.commit()
    out = service.create_brief(db, _user(db, cast.owner), _in(cast.acme_id, world.creative),
                               TODAY)
    # Tue 2, (Wed 3 company, Thu 4 department), Fri 5, Mon 8, Tue 9, Wed 10
    assert out.due_on == date(2027, 3, 10)
    media = service.create_brief(db, _user(db, cast.owner), _in(
        cast.acme_id, world.media, sections={}), TODAY)
    # Media keeps Thursday: 8 working days skipping only the company's Wednesday
    assert media.due_on == date(2027, 3, 12)


def test_due_date_on_a_holiday_is_refused_with_the_nearest_working_days(db, cast,
                                                                        world) -> None:
    db.add(DepartmentHoliday(department_id=world.creative, day=date(2027, 3, 15),
                             name="Studio away day"))
    db.commit()
    before = _counts(db)
    with pytest.raises(ValidationFailed) as caught:
        service.create_brief(db, _user(db, cast.owner), _in(
            cast.acme_id, world.creative, due_on="2027-03-15"), TODAY)
    assert _problems(caught) == {"due_on": "2027-03-15 is a day off for Creative (Studio "
                                 "away day): choose 2027-03-12 or 2027-03-16"}
    db.rollback()
    assert _counts(db) == before


def test_department_in_another_time_zone_delivers_on_its_own_date(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    made = service.create_brief(db, owner, _in(cast.acme_id, world.tokyo), TODAY)
    service.send(db, owner, made.id, TODAY)
    spec = _user(db, world.specialist)
    late_in_utc = datetime(2027, 3, 1, 16, 30, tzinfo=UTC)  # 01:30 on 2 March in Tokyo
    service.accept(db, spec, made.id, late_in_utc)
    service.start(db, spec, made.id, late_in_utc)
    out = service.deliver(db, spec, made.id, late_in_utc)
    assert out.first_delivered_on == date(2027, 3, 2)
    assert out.turnaround_days == 1
    days = [t.on for t in db.scalars(select(BriefTransition).where(
        BriefTransition.brief_id == made.id).order_by(BriefTransition.id))]
    assert days == [TODAY, TODAY, date(2027, 3, 2), date(2027, 3, 2), date(2027, 3, 2)]


# ---------------------------------------------------------------- the transition table


ALL: dict[str, dict[str, Any]] = {
    "send": {}, "accept": {}, "agree_date": {}, "decline_date": {"reason": "no"},
    "start": {}, "deliver": {}, "request_changes": {"reason": "more"},
    "approve": {"checks": {}, "reason": "fine"}, "cancel": {"reason": "off"}}


def _do(db, cast, world, brief_id: int, action: str, *, admin: bool = False, **kw: Any):
    """The move by the owner (account side) or the specialist (department side); ``admin``:
    by an admin, who may act on both sides (so only the state refuses)."""
    owner, spec = _user(db, cast.owner), _user(db, world.specialist)
    if admin:
        owner = spec = _user(db, cast.admin)
    args = {**ALL[action], **kw}
    if action in ("accept", "start", "deliver"):
        return getattr(service, action)(db, spec, brief_id, NOW, **args)
    if action in ("decline_date", "request_changes", "cancel"):
        return getattr(service, action)(db, owner, brief_id, TODAY, args["reason"])
    return getattr(service, action)(db, owner, brief_id, TODAY, **args)


def _in_state(db, cast, world, status: str, proposal: bool = False) -> int:
    owner = _user(db, cast.owner)
    brief = service.create_brief(db, owner, _in(cast.acme_id, world.creative), TODAY)
    path = {"draft": [], "sent": ["send"], "accepted": ["send", "accept"],
            "in_progress": ["send", "accept", "start"],
            "delivered": ["send", "accept", "start", "deliver"],
            "approved": ["send", "accept", "start", "deliver", "approve"],
            "cancelled": ["cancel"]}[status]
    for action in path:
        extra: dict[str, Any] = {"proposed_due_on": date(2027, 3, 15), "reason": "busy"} \
            if action == "accept" and proposal else {}
        _do(db, cast, world, brief.id, action, **extra)
    db.commit()
    return brief.id


@pytest.mark.parametrize("status", rules.STATES)
def test_the_transition_table_allows_exactly_its_moves(db, cast, world, status) -> None:
    for proposal in ((False, True) if status in ("accepted", "in_progress") else (False,)):
        for action in ALL:
            brief_id = _in_state(db, cast, world, status, proposal)
            allowed = action in rules.allowed_actions(status, rules.side_of(action), proposal)
            before = _counts(db)
            if allowed:
                out = _do(db, cast, world, brief_id, action, admin=True)
                assert out.status == rules.target(action, status)
                db.commit()
                lapsed = action == "deliver" and proposal  # + a "proposal_lapsed" row
                assert _counts(db)[1] == before[1] + (2 if lapsed else 1)
            else:
                with pytest.raises(Conflict):
                    _do(db, cast, world, brief_id, action, admin=True)
                db.rollback()
                assert _counts(db) == before


def test_each_move_is_for_its_own_side(db, cast, world) -> None:
    brief_id = _in_state(db, cast, world, "sent")
    before = _counts(db)
    with pytest.raises(Forbidden):
        service.accept(db, _user(db, cast.owner), brief_id, NOW)
    with pytest.raises(Forbidden):
        service.cancel(db, _user(db, world.specialist), brief_id, TODAY, "no")
    with pytest.raises(NotFound):  # another department's specialist: out of reach
        service.accept(db, _user(db, world.media_specialist), brief_id, NOW)
    db.rollback()
    assert _counts(db) == before


def test_a_proposed_date_agreed_keeps_the_original(db, cast, world) -> None:
    brief_id = _in_state(db, cast, world, "sent")
    spec = _user(db, world.specialist)
    with pytest.raises(ValidationFailed) as caught:  # a proposal needs a reason
        service.accept(db, spec, brief_id, NOW, proposed_due_on=date(2027, 3, 15))
    assert "reason" in _problems(caught)
    db.rollback()
    with pytest.raises(ValidationFailed) as caught:  # a Saturday
        service.accept(db, spec, brief_id, NOW, proposed_due_on=date(2027, 3, 13),
                       reason="busy")
    assert "proposed_due_on" in _problems(caught)
    db.rollback()
    out = service.accept(db, spec, brief_id, NOW, proposed_due_on=date(2027, 3, 15),
                         reason="two other launches")
    assert (out.due_on, out.proposed_due_on) == (date(2027, 3, 8), date(2027, 3, 15))
    agreed = service.agree_date(db, _user(db, cast.owner), brief_id, TODAY)
    assert (agreed.due_on, agreed.original_due_on, agreed.proposed_due_on) == (
        date(2027, 3, 15), date(2027, 3, 8), None)
    last = db.scalars(select(BriefTransition).order_by(BriefTransition.id.desc())).first()
    assert (last.action, last.due_on, last.to_status) == ("agree_date", date(2027, 3, 15),
                                                          "accepted")


def test_a_declined_date_needs_a_reason_and_keeps_the_due_date(db, cast, world) -> None:
    brief_id = _in_state(db, cast, world, "accepted", proposal=True)
    owner = _user(db, cast.owner)
    before = _counts(db)
    with pytest.raises(ValidationFailed) as caught:
        service.decline_date(db, owner, brief_id, TODAY, " ")
    assert "reason" in _problems(caught)
    db.rollback()
    assert _counts(db) == before
    out = service.decline_date(db, owner, brief_id, TODAY, "the launch is fixed")
    assert (out.due_on, out.proposed_due_on) == (date(2027, 3, 8), None)


# ---------------------------------------------------------------- delivery, rounds, approval


def test_the_first_delivery_records_the_on_time_figures_with_a_client_block(db, cast,
                                                                            world) -> None:
    sent = _sent(db, cast, world)  # sent Mon 1 March, due Mon 8 March
    db.add(InputRequest(account_id=cast.acme_id, title="Brand book", brief_id=sent.id,
                        reason="", due_on=date(2027, 3, 3), status="received",
                        requested_on=date(2027, 3, 1), closed_on=date(2027, 3, 3),
                        chases=0, created_at=utcnow(), updated_at=utcnow()))
    db.commit()
    spec = _user(db, world.specialist)
    service.accept(db, spec, sent.id, NOW)
    service.start(db, spec, sent.id, NOW)
    delivered_at = datetime(2027, 3, 9, 12, 0, tzinfo=UTC)  # a day after the due date
    out = service.deliver(db, spec, sent.id, delivered_at, actual_hours=Decimal("10"))
    assert (out.first_delivered_on, out.blocked_days) == (date(2027, 3, 9), 2)
    assert out.due_with_blocks_on == date(2027, 3, 10)  # on time once the block counts
    assert out.original_with_blocks_on == date(2027, 3, 10)
    assert out.turnaround_days == 6 and out.actual_hours == Decimal("10.00")
    service.request_changes(db, _user(db, cast.owner), sent.id, TODAY, "a bigger logo")
    again = service.deliver(db, spec, sent.id, datetime(2027, 3, 12, 9, tzinfo=UTC))
    assert again.rounds == 1 and again.status == "delivered"
    assert (again.first_delivered_on, again.blocked_days, again.turnaround_days) == (
        date(2027, 3, 9), 2, 6)


def test_approval_with_unchecked_items_needs_a_reason(db, cast, world) -> None:
    delivered = _delivered(db, cast, world, deliverable_type="creative")
    owner = _user(db, cast.owner)
    db.commit()
    before = _counts(db)
    with pytest.raises(ValidationFailed) as caught:
        service.approve(db, owner, delivered.id, TODAY, checks={"brand": True})
    assert _problems(caught)["reason"].startswith("1 checklist item is not checked (All "
                                                  "formats)")
    db.rollback()
    with pytest.raises(ValidationFailed) as caught:
        service.approve(db, owner, delivered.id, TODAY, checks={"size": True})
    assert "checks" in _problems(caught)
    db.rollback()
    assert _counts(db) == before
    out = service.approve(db, owner, delivered.id, TODAY,
                          checks={"brand": True, "formats": False},
                          reason="the banner comes next week")
    assert out.status == "approved" and out.checks == {"brand": True, "formats": False}
    assert out.approval_note == "the banner comes next week" and out.approved_on == TODAY
    full = service.approve  # all checked: no reason needed
    other = _delivered(db, cast, world, deliverable_type="creative")
    assert full(db, owner, other.id, TODAY, checks={"brand": True, "formats": True}
                ).approval_note is None


def test_edits_change_the_due_date_only_while_a_draft(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    made = service.create_brief(db, owner, _in(cast.acme_id, world.creative), TODAY)
    out = service.edit_brief(db, owner, made.id, BriefPatch(due_on=date(2027, 3, 19)), TODAY,
                             version=1)
    assert (out.due_on, out.original_due_on, out.version) == (date(2027, 3, 19),
                                                              date(2027, 3, 19), 2)
    db.commit()
    with pytest.raises(Stale):
        service.edit_brief(db, owner, made.id, BriefPatch(title="Again"), TODAY, version=1)
    db.rollback()
    service.send(db, owner, made.id, TODAY)
    db.commit()
    with pytest.raises(ValidationFailed) as caught:
        service.edit_brief(db, owner, made.id, BriefPatch(due_on=date(2027, 3, 22)), TODAY)
    assert "due_on" in _problems(caught)
    db.rollback()
    renamed = service.edit_brief(db, owner, made.id, BriefPatch(title="Summer", priority="urgent"),
                                 TODAY)
    assert (renamed.title, renamed.priority, renamed.status) == ("Summer", "urgent", "sent")


# ---------------------------------------------------------------- visibility


def test_a_specialist_sees_their_departments_briefs_with_the_account_name_only(db, cast,
                                                                              world) -> None:
    sent = _sent(db, cast, world)
    draft = service.create_brief(db, _user(db, cast.owner), _in(cast.acme_id, world.creative),
                                 TODAY)
    db.commit()
    spec = _user(db, world.specialist)
    seen = service.get_brief(db, spec, sent.id, TODAY)
    assert seen.account_name == "Acme Industries"
    assert seen.account_id is None and not seen.sees_account
    assert seen.department_actions == ["accept"] and seen.account_actions == []
    with pytest.raises(NotFound):  # a draft is the account side's alone
        service.get_brief(db, spec, draft.id, TODAY)
    with pytest.raises(NotFound):  # another department's specialist
        service.get_brief(db, _user(db, world.media_specialist), sent.id, TODAY)
    with pytest.raises(NotFound):  # the Work tab is the account's
        service.account_briefs(db, spec, cast.acme_id, TODAY)
    listed = service.list_briefs(db, spec, Filters(today=TODAY), 1, 50)
    assert [b.id for b in listed.items] == [sent.id]
    assert listed.items[0].account_id is None
    owner_view = service.get_brief(db, _user(db, cast.owner), sent.id, TODAY)
    assert owner_view.account_id == cast.acme_id and "cancel" in owner_view.account_actions


def test_the_list_filters_and_the_board_counts(db, cast, world) -> None:
    owner = _user(db, cast.owner)
    late = _sent(db, cast, world)
    db.query(Brief).filter(Brief.id == late.id).update({"due_on": date(2027, 2, 26)})
    _sent(db, cast, world, priority="urgent", title="Urgent banner")
    service.create_brief(db, owner, _in(cast.acme_id, world.creative), TODAY)
    db.commit()
    page = service.list_briefs(db, owner, Filters(today=TODAY, status="late"), 1, 50)
    assert [b.id for b in page.items] == [late.id] and page.items[0].late
    urgent = service.list_briefs(db, owner, Filters(today=TODAY, priority="urgent"), 1, 50)
    assert [b.title for b in urgent.items] == ["Urgent banner"]
    found = service.list_briefs(db, owner, Filters(today=TODAY, q="acme"), 1, 50)
    assert found.total == 3
    board = service.board(db, owner, world.creative, Filters(today=TODAY), TODAY)
    counts = {c.status: c.total for c in board.columns}
    assert counts["draft"] == 1 and counts["sent"] == 2
    sent_column = next(c for c in board.columns if c.status == "sent")
    assert sent_column.cards[0].late and sent_column.cards[0].account_name == "Acme Industries"
    spec_board = service.board(db, _user(db, world.specialist), None, Filters(today=TODAY),
                               TODAY)
    assert spec_board.department_name == "Creative"
    assert "draft" not in {c.status for c in spec_board.columns}
    work = service.account_briefs(db, owner, cast.acme_id, TODAY)
    assert len(work) == 3
    with pytest.raises(NotFound):
        service.account_briefs(db, _user(db, cast.outsider), cast.acme_id, TODAY)
    with pytest.raises(ValidationFailed):
        service.list_briefs(db, owner, Filters(today=TODAY, status="lost"), 1, 50)
