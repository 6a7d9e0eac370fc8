"""Hand-offs through the service, on both databases: a sales user's company, its checklist,
submit (refused while incomplete), return with a reason, resubmit, accept (the account
becomes active, quality kept), deadlines on the work calendar, boxes, visibility, B2C."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from accord.accounts.contacts import add_contact, log_interaction
from accord.accounts.models import AccountKind, AccountMember, AccountStatus, InteractionKind
from accord.accounts.schemas import AccountIn, ContactIn, InteractionIn
from accord.accounts.service import create_account, get_account
from accord.core.database import utcnow
from accord.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.policy_store import KamSetting
from accord.handoffs import service
from accord.handoffs.models import Handoff, HandoffEvent
from accord.handoffs.rules import AnswerKind
from accord.handoffs.schemas import HandoffCreate, ItemAnswer

MONDAY = date(2026, 3, 2)


def make_sales(s, team_id: int | None = None) -> User:
    sales = User(email="sam@accord.test", role="sales", name="Sam Sales", password_hash="x",
                 capacity=100, is_active=True, created_at=utcnow(), team_id=team_id)
    s.add(sales)
    s.flush()
    return sales


def text(value: str) -> ItemAnswer:
    return ItemAnswer(kind=AnswerKind("text"), text=value)


def sales_company(s, cast, name: str = "Initech") -> tuple[User, int, int]:
    """A sales user's new company for the owner: (sales, account id, hand-off id)."""
    sales = make_sales(s)
    account = create_account(s, sales, AccountIn(name=name, manager_id=cast.owner.id))
    handoff_id = s.scalar(select(Handoff.id).where(Handoff.account_id == account.id))
    assert handoff_id is not None
    return sales, account.id, handoff_id


def answer_all(s, user, handoff_id: int, *, except_: tuple[str, ...] = ()) -> None:
    out = service.get_handoff(s, user, handoff_id, today=MONDAY)
    for item in out.items:
        if item.key not in except_:
            service.answer_item(s, user, handoff_id, item.key, text(f"about {item.label}"))


def test_a_sales_company_starts_in_onboarding_with_a_draft_for_its_manager(sessions, cast):
    with sessions.begin() as s:
        sales, account_id, handoff_id = sales_company(s, cast)
        account = get_account(s, sales, account_id)  # the author sees the account
        assert account.status == "onboarding" and account.manager_id == cast.owner.id
        out = service.get_handoff(s, sales, handoff_id, today=MONDAY)
        assert (out.kind, out.state, out.author_id, out.receiver_id) == (
            "sales", "draft", sales.id, cast.owner.id)
        assert [i.key for i in out.items] == [
            "decision_makers", "sold_and_promised", "contract_term", "success_criteria",
            "open_issues", "billing_contact", "first_review"]
        assert out.completeness == Decimal(0) and out.allowed == ["answer", "submit"]
        member = s.get(AccountMember, (account_id, sales.id))
        assert member is not None and member.role == "handoff_author"
        assert s.scalar(select(HandoffEvent.to_state).where(
            HandoffEvent.handoff_id == handoff_id)) == "draft"


def test_sales_must_choose_a_manager_receiver(sessions, cast):
    with sessions.begin() as s:
        sales = make_sales(s)
        with pytest.raises(ValidationFailed) as none:
            create_account(s, sales, AccountIn(name="No receiver"))
        assert none.value.problems[0].field == "manager_id"
        with pytest.raises(ValidationFailed) as viewer:
            create_account(s, sales, AccountIn(name="Viewer", manager_id=cast.viewer.id))
        assert viewer.value.problems[0].field == "manager_id"
        with pytest.raises(ValidationFailed) as active:
            create_account(s, sales, AccountIn(name="Active", manager_id=cast.owner.id,
                                               status=AccountStatus("active")))
        assert active.value.problems[0].field == "status"


def test_the_whole_flow_submit_return_resubmit_accept(sessions, cast):
    with sessions.begin() as s:
        sales, account_id, handoff_id = sales_company(s, cast)
        owner = s.merge(cast.owner)
        contact = add_contact(s, owner, account_id, ContactIn(name="Dana Decider"))
        meeting = log_interaction(s, owner, account_id, InteractionIn(
            kind=InteractionKind.MEETING, occurred_on=date(2026, 2, 20), summary="Kick-off"),
            today=MONDAY)
        service.answer_item(s, sales, handoff_id, "decision_makers",
                            ItemAnswer(kind=AnswerKind("contact"), contact_id=contact.id,
                                       text="CFO signs"))
        service.answer_item(s, sales, handoff_id, "sold_and_promised",
                            ItemAnswer(kind=AnswerKind("interaction"), interaction_id=meeting.id))
        service.answer_item(s, sales, handoff_id, "contract_term",
                            ItemAnswer(kind=AnswerKind("file"), text="initech-contract-2026.pdf"))
        half = service.answer_item(s, sales, handoff_id, "success_criteria",
                                   ItemAnswer(kind=AnswerKind("link"), text="https://wiki.test/initech"))
        assert half.completeness == Decimal("0.5714")  # 4 of 7 required
        with pytest.raises(ValidationFailed) as refused:
            service.submit_handoff(s, sales, handoff_id, today=MONDAY)
        named = {p.field for p in refused.value.problems}
        assert named == {"items.open_issues", "items.billing_contact", "items.first_review"}
        assert "Billing contact" in refused.value.detail
        service.answer_item(s, sales, handoff_id, "open_issues",
                            ItemAnswer(kind=AnswerKind("not_applicable"),
                                       reason="nothing open at signature"))
        service.answer_item(s, sales, handoff_id, "billing_contact", text("accounts@initech"))
        service.answer_item(s, sales, handoff_id, "first_review", text("2026-04-15"))
        sent = service.submit_handoff(s, sales, handoff_id, today=MONDAY)
        assert sent.state == "submitted" and sent.due_on == date(2026, 3, 16)  # 10 working days
        assert sent.allowed == []  # the author waits
        with pytest.raises(Conflict):
            service.answer_item(s, sales, handoff_id, "first_review", text("later"))
        with pytest.raises(Forbidden):
            service.accept_handoff(s, sales, handoff_id, today=MONDAY)
        assert service.get_handoff(s, owner, handoff_id, today=MONDAY).allowed == [
            "accept", "return"]
        with pytest.raises(ValidationFailed):
            service.return_handoff(s, owner, handoff_id, "   ", today=MONDAY)
        back = service.return_handoff(s, owner, handoff_id, "success criteria are vague",
                                      today=MONDAY)
        assert back.state == "returned" and back.return_reason == "success criteria are vague"
        returned = service.list_handoffs(s, sales, box="returned", today=MONDAY)
        assert [r.id for r in returned.items] == [handoff_id]
        service.answer_item(s, sales, handoff_id, "success_criteria",
                            text("95 % of orders through the portal by June"))
        again = service.submit_handoff(s, sales, handoff_id, today=date(2026, 3, 4))
        assert again.state == "submitted" and again.due_on == date(2026, 3, 18)
        assert service.list_handoffs(s, sales, box="returned", today=MONDAY).total == 0
        waiting = service.list_handoffs(s, owner, box="waiting", today=MONDAY)
        assert [r.id for r in waiting.items] == [handoff_id]
        done = service.accept_handoff(s, owner, handoff_id, today=date(2026, 3, 5))
        assert done.state == "accepted" and done.accepted_by_id == owner.id
        assert done.quality == Decimal("0.8571")  # 6 with evidence of 7 answered
        assert done.account_status == "active"
        with pytest.raises(Conflict):
            service.accept_handoff(s, owner, handoff_id, today=MONDAY)
        # the author left the account team: the hand-off stays theirs to read, not the account
        assert s.get(AccountMember, (account_id, sales.id)) is None
        mine = service.get_handoff(s, sales, handoff_id, today=MONDAY)
        assert mine.state == "accepted" and mine.account_visible is False
        with pytest.raises(NotFound):
            get_account(s, sales, account_id)
        states = list(s.scalars(select(HandoffEvent.to_state).where(
            HandoffEvent.handoff_id == handoff_id).order_by(HandoffEvent.id)))
        assert states == ["draft", "submitted", "returned", "submitted", "accepted"]
        actions = list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "handoff", AuditEntry.entity_id == str(handoff_id))
            .order_by(AuditEntry.id)))
        assert actions == ["create", "submit", "return", "submit", "accept"]
        activation = s.scalar(select(AuditEntry).where(
            AuditEntry.entity == "account", AuditEntry.entity_id == str(account_id),
            AuditEntry.action == "update"))
        assert activation is not None and activation.after == {"status": "active"}


def test_bad_answers_are_refused_and_write_nothing(sessions, cast):
    with sessions.begin() as s:
        sales, account_id, handoff_id = sales_company(s, cast)
        owner = s.merge(cast.owner)
        foreign = add_contact(s, owner, cast.acme_id, ContactIn(name="Acme person"))
        cases = [
            (ItemAnswer(kind=AnswerKind("link"), text="javascript:alert(1)"), "text"),
            (ItemAnswer(kind=AnswerKind("link"), text="ftp://files.test/x"), "text"),
            (ItemAnswer(kind=AnswerKind("text")), "text"),
            (ItemAnswer(kind=AnswerKind("not_applicable")), "reason"),
            (ItemAnswer(kind=AnswerKind("not_applicable"), reason="n/a", text="extra"), "text"),
            (ItemAnswer(kind=AnswerKind("contact"), contact_id=foreign.id), "contact_id"),
            (ItemAnswer(kind=AnswerKind("interaction"), interaction_id=999_999), "interaction_id"),
            (ItemAnswer(kind=AnswerKind("file"), text="../etc/passwd"), "text"),
        ]
        for answer, field in cases:
            with pytest.raises(ValidationFailed) as bad:
                service.answer_item(s, sales, handoff_id, "decision_makers", answer)
            assert field in {p.field for p in bad.value.problems}, answer
        with pytest.raises(NotFound):
            service.answer_item(s, sales, handoff_id, "no_such_item", text("x"))
        out = service.get_handoff(s, sales, handoff_id, today=MONDAY)
        assert all(i.answer_kind is None for i in out.items)


def test_a_person_needs_no_handoff(sessions, cast):
    with sessions.begin() as s:
        owner = s.merge(cast.owner)
        person = create_account(s, owner, AccountIn(name="Pat Person", kind=AccountKind("person")))
        assert person.status == "active"
        assert s.scalar(select(Handoff.id).where(Handoff.account_id == person.id)) is None
        with pytest.raises(ValidationFailed) as refused:
            service.create_handoff(s, owner, person.id, HandoffCreate(), today=MONDAY)
        assert refused.value.problems[0].field == "account_id"
        assert "person (B2C)" in refused.value.detail
        assert s.scalar(select(Handoff.id).where(Handoff.account_id == person.id)) is None


def test_visibility_outsiders_see_nothing_viewers_read(sessions, cast):
    with sessions.begin() as s:
        sales, account_id, handoff_id = sales_company(s, cast)
        outsider, viewer, head = s.merge(cast.outsider), s.merge(cast.viewer), s.merge(cast.head)
        with pytest.raises(NotFound):
            service.get_handoff(s, outsider, handoff_id, today=MONDAY)
        with pytest.raises(NotFound):
            service.answer_item(s, outsider, handoff_id, "open_issues", text("x"))
        assert service.list_handoffs(s, outsider, box="all", today=MONDAY).total == 0
        seen = service.get_handoff(s, viewer, handoff_id, today=MONDAY)
        assert seen.allowed == []
        with pytest.raises(Forbidden):
            service.answer_item(s, viewer, handoff_id, "open_issues", text("x"))
        # the head of the receiver's team sees it and may accept it once submitted
        answer_all(s, sales, handoff_id)
        service.submit_handoff(s, sales, handoff_id, today=MONDAY)
        assert service.list_handoffs(s, head, box="waiting", today=MONDAY).total == 1
        other_head = s.merge(cast.other_head)
        with pytest.raises(NotFound):
            service.accept_handoff(s, other_head, handoff_id, today=MONDAY)
        assert service.accept_handoff(s, head, handoff_id, today=MONDAY).state == "accepted"


def test_deadline_on_the_work_calendar_and_the_overdue_box(sessions, cast):
    with sessions.begin() as s:
        # a holiday inside the ten working days pushes the deadline a day further
        s.add(KamSetting(name="calendar", value={
            "working_weekdays": [0, 1, 2, 3, 4],
            "holidays": [{"on": "2026-03-09", "name": "Company day"}]}, updated_at=utcnow()))
        s.add(KamSetting(name="handoffs", value={"deadline_working_days": 3},
                         updated_at=utcnow()))
        s.flush()
        sales, _account_id, handoff_id = sales_company(s, cast)
        owner = s.merge(cast.owner)
        answer_all(s, sales, handoff_id)
        sent = service.submit_handoff(s, sales, handoff_id, today=date(2026, 3, 5))  # Thursday
        assert sent.due_on == date(2026, 3, 11)  # Fri, (Mon holiday), Tue, Wed
        on_time = service.get_handoff(s, owner, handoff_id, today=date(2026, 3, 11))
        assert not on_time.overdue
        late = service.get_handoff(s, owner, handoff_id, today=date(2026, 3, 12))
        assert late.overdue
        assert service.list_handoffs(s, owner, box="overdue", today=date(2026, 3, 11)).total == 0
        box = service.list_handoffs(s, owner, box="overdue", today=date(2026, 3, 12))
        assert [r.id for r in box.items] == [handoff_id] and box.items[0].overdue


def test_boxes_sort_by_deadline_and_paginate(sessions, cast):
    with sessions.begin() as s:
        sales = make_sales(s)
        owner = s.merge(cast.owner)
        ids = []
        for i, day in enumerate((date(2026, 3, 4), date(2026, 3, 2), date(2026, 3, 3))):
            account = create_account(s, sales, AccountIn(name=f"Lead {i}",
                                                         manager_id=cast.owner.id))
            hid = s.scalar(select(Handoff.id).where(Handoff.account_id == account.id))
            answer_all(s, sales, hid)
            service.submit_handoff(s, sales, hid, today=day)
            ids.append(hid)
        first = service.list_handoffs(s, owner, box="waiting", page_size=2, today=MONDAY)
        assert first.total == 3 and first.pages == 2
        assert [r.id for r in first.items] == [ids[1], ids[2]]
        second = service.list_handoffs(s, owner, box="waiting", page=2, page_size=2,
                                       today=MONDAY)
        assert [r.id for r in second.items] == [ids[0]]
        latest = service.list_handoffs(s, owner, box="waiting", sort="-due_on", today=MONDAY)
        assert [r.id for r in latest.items] == [ids[0], ids[2], ids[1]]
        assert service.list_handoffs(s, sales, box="mine", today=MONDAY).total == 3
        with pytest.raises(ValidationFailed):
            service.list_handoffs(s, owner, box="everything", today=MONDAY)


def test_a_manager_change_opens_a_handover_the_new_manager_accepts(sessions, cast):
    from accord.accounts.schemas import AccountPatch
    from accord.accounts.service import update_account

    with sessions.begin() as s:
        head = s.merge(cast.head)
        update_account(s, head, cast.acme_id, AccountPatch(manager_id=cast.teammate.id))
        handoff = s.scalar(select(Handoff).where(Handoff.account_id == cast.acme_id))
        assert handoff is not None
        assert (handoff.kind, handoff.author_id, handoff.receiver_id, handoff.from_manager_id) == (
            "manager", cast.owner.id, cast.teammate.id, cast.owner.id)
        owner, teammate = s.merge(cast.owner), s.merge(cast.teammate)
        out = service.get_handoff(s, owner, handoff.id, today=MONDAY)
        assert [i.key for i in out.items] == [
            "open_issues", "commitments", "key_people", "next_dates"]
        answer_all(s, owner, handoff.id)
        service.submit_handoff(s, owner, handoff.id, today=MONDAY)
        done = service.accept_handoff(s, teammate, handoff.id, today=MONDAY)
        assert done.state == "accepted" and done.account_status == "active"
        assert done.quality == Decimal(1)


def test_a_manager_change_during_onboarding_moves_the_open_handoff(sessions, cast):
    from accord.accounts.schemas import AccountPatch
    from accord.accounts.service import update_account

    with sessions.begin() as s:
        _sales, account_id, handoff_id = sales_company(s, cast)
        head = s.merge(cast.head)
        update_account(s, head, account_id, AccountPatch(manager_id=cast.teammate.id))
        handoffs = list(s.scalars(select(Handoff).where(Handoff.account_id == account_id)))
        assert [(h.id, h.receiver_id) for h in handoffs] == [(handoff_id, cast.teammate.id)]


def test_one_open_handoff_of_a_kind(sessions, cast):
    with sessions.begin() as s:
        owner = s.merge(cast.owner)
        first = service.create_handoff(s, owner, cast.acme_id, HandoffCreate(), today=MONDAY)
        assert first.author_id == owner.id and first.receiver_id == owner.id
        with pytest.raises(Conflict) as again:
            service.create_handoff(s, owner, cast.acme_id, HandoffCreate(), today=MONDAY)
        assert f"#{first.id}" in again.value.detail
        with pytest.raises(NotFound):
            service.create_handoff(s, s.merge(cast.outsider), cast.acme_id, HandoffCreate(),
                                   today=MONDAY)


def test_checklist_templates_are_admin_edited_and_used_by_new_handoffs(sessions, cast):
    with sessions.begin() as s:
        admin, head = s.merge(cast.admin), s.merge(cast.head)
        assert service.checklist_out(s, "sales").version == 0
        body = {"items": [
            {"key": "decision_makers", "label": "Who decides", "required": True, "hint": ""},
            {"key": "references", "label": "References", "required": False, "hint": "opt"}]}
        with pytest.raises(Forbidden):
            service.save_checklist(s, head, "sales", body)
        with pytest.raises(ValidationFailed):
            service.save_checklist(s, admin, "sales", {"items": [body["items"][0]] * 2})
        with pytest.raises(ValidationFailed):
            service.save_checklist(s, admin, "sales", {"items": [
                {"key": "x", "label": "X", "required": False, "hint": ""}]})
        service.save_checklist(s, admin, "sales", body)
        out = service.create_handoff(s, s.merge(cast.owner), cast.acme_id, HandoffCreate(),
                                     today=MONDAY)
        assert [(i.key, i.required) for i in out.items] == [
            ("decision_makers", True), ("references", False)]
        assert service.checklist_out(s, "sales").version == 1
        assert service.checklist_out(s, "manager").items[0].key == "open_issues"
