"""The account-plan service: one current plan with read-only history, sections, key people,
objectives with manual updates and actions, reviews, visibility; bad input named, nothing
written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accord.accounts.models import AccountMember, BuyingRole
from accord.core.database import utcnow
from accord.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from accord.core.models import User
from accord.core.versions import Expected, Stale
from accord.plans import service
from accord.plans.models import AccountPlan, PlanKeyPerson, PlanObjective
from accord.plans.schemas import (
    ActionIn,
    ActionPatch,
    KeyPersonIn,
    KeyPersonPatch,
    ObjectiveIn,
    ObjectivePatch,
    ObjectiveUpdateIn,
    PlanPatch,
    PlanStart,
)
from plan_helpers import TODAY, audit_count, contact, full_plan, person


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {p.field for p in exc.value.problems}


def test_an_account_has_no_plan_until_one_is_started(db, cast) -> None:
    owner = person(db, cast, "owner")
    assert service.current_plan(db, owner, cast.acme_id, today=TODAY) is None
    plan = service.start_plan(db, owner, cast.acme_id, PlanStart(horizon_months=6), today=TODAY)
    assert (plan.starts_on, plan.ends_on, plan.is_current) == (TODAY, date(2026, 9, 2), True)
    assert plan.completeness == Decimal(0) and not plan.read_only
    shown = service.current_plan(db, owner, cast.acme_id, today=TODAY)
    assert shown is not None and shown.id == plan.id


def test_a_new_plan_archives_the_current_one_read_only_and_copies_its_content(db, cast) -> None:
    owner = person(db, cast, "owner")
    first_id, _ = full_plan(db, cast)
    second = service.start_plan(db, owner, cast.acme_id, PlanStart(horizon_months=18),
                                today=TODAY + timedelta(days=200))
    assert second.id != first_id and second.is_current
    assert second.goals == ["Open a second plant"] and second.business == "Pumps for breweries"
    assert [p.name for p in second.key_people] == ["Carla Acme"]
    assert [o.title for o in second.objectives] == ["Second plant on contract"]
    current = db.scalar(select(func.count()).select_from(AccountPlan).where(
        AccountPlan.account_id == cast.acme_id, AccountPlan.is_current.is_(True)))
    assert current == 1
    history = service.plan_history(db, owner, cast.acme_id)
    assert [(h.id, h.is_current) for h in history] == [(second.id, True), (first_id, False)]
    old = service.get_plan(db, owner, first_id, today=TODAY)
    assert old.read_only and old.archived_at is not None and not old.is_current
    before = audit_count(db)
    with pytest.raises(Conflict):
        service.update_plan(db, owner, first_id, PlanPatch(business="x"), today=TODAY)
    with pytest.raises(Conflict):
        service.mark_reviewed(db, owner, first_id, today=TODAY)
    objective_id = old.objectives[0].id
    with pytest.raises(Conflict):
        service.update_objective(db, owner, objective_id, ObjectivePatch(title="y"), today=TODAY)
    assert audit_count(db) == before
    fresh = service.start_plan(db, owner, cast.acme_id, PlanStart(copy_current=False),
                               today=TODAY + timedelta(days=300))
    assert fresh.goals == [] and fresh.key_people == [] and fresh.objectives == []


def test_sections_change_audited_and_under_optimistic_concurrency(db, cast) -> None:
    owner = person(db, cast, "owner")
    plan = service.start_plan(db, owner, cast.acme_id, PlanStart(), today=TODAY)
    before = audit_count(db)
    out = service.update_plan(db, owner, plan.id, PlanPatch(
        value_to_us="Reference", risks=["Budget freeze", "New CFO"],
        shared_sections=["risks", "business"]), today=TODAY, expected=Expected(plan.version))
    assert out.risks == ["Budget freeze", "New CFO"] and out.value_to_us == "Reference"
    assert out.shared_sections == ["business", "risks"]
    assert out.version > plan.version and audit_count(db) == before + 1
    with pytest.raises(Stale):
        service.update_plan(db, owner, plan.id, PlanPatch(business="late"), today=TODAY,
                            expected=Expected(plan.version))
    unchanged = service.update_plan(db, owner, plan.id, PlanPatch(risks=["Budget freeze",
                                    "New CFO"]), today=TODAY)
    assert unchanged.version == out.version and audit_count(db) == before + 1


def test_completeness_and_staleness(db, cast) -> None:
    owner = person(db, cast, "owner")
    plan_id, _ = full_plan(db, cast)
    plan = service.get_plan(db, owner, plan_id, today=TODAY)
    # eight sections, every objective with a target; no action yet: 9 of 10
    assert plan.completeness == Decimal("0.9")
    objective = plan.objectives[0]
    service.add_action(db, owner, objective.id, ActionIn(title="Visit"), today=TODAY)
    assert service.get_plan(db, owner, plan_id, today=TODAY).completeness == Decimal(1)
    late = TODAY + timedelta(days=91)
    assert service.get_plan(db, owner, plan_id, today=late).stale
    reviewed = service.mark_reviewed(db, owner, plan_id, today=late)
    assert reviewed.last_reviewed_on == late and not reviewed.stale
    assert reviewed.review_due_on == late + timedelta(days=90)


def test_key_people_must_be_contacts_of_the_account(db, cast) -> None:
    owner = person(db, cast, "owner")
    plan_id, carla = full_plan(db, cast)
    gina = contact(db, cast.globex_id, "Gina Globex")
    before, people = audit_count(db), db.scalar(select(func.count()).select_from(PlanKeyPerson))
    for unknown in (gina, 987654):
        with pytest.raises(ValidationFailed) as refused:
            service.add_key_person(db, owner, plan_id, KeyPersonIn(contact_id=unknown),
                                   today=TODAY)
        assert _fields(refused) == {"contact_id"}
    with pytest.raises(ValidationFailed) as missing:
        service.add_key_person(db, owner, plan_id, KeyPersonIn(), today=TODAY)
    assert _fields(missing) == {"contact_id"}
    with pytest.raises(ValidationFailed) as twice:
        service.add_key_person(db, owner, plan_id, KeyPersonIn(contact_id=carla), today=TODAY)
    assert _fields(twice) == {"contact_id"}
    dave = contact(db, cast.acme_id, "Dave Acme")
    with pytest.raises(ValidationFailed) as boss:
        service.add_key_person(db, owner, plan_id, KeyPersonIn(
            contact_id=dave, reports_to_contact_id=gina), today=TODAY)
    assert _fields(boss) == {"reports_to_contact_id"}
    assert audit_count(db) == before
    assert db.scalar(select(func.count()).select_from(PlanKeyPerson)) == people


def test_reports_to_links_are_kept_without_loops(db, cast) -> None:
    owner = person(db, cast, "owner")
    plan_id, carla = full_plan(db, cast)
    dave = contact(db, cast.acme_id, "Dave Acme")
    plan = service.add_key_person(db, owner, plan_id, KeyPersonIn(
        contact_id=dave, buying_role=BuyingRole.INFLUENCER, reports_to_contact_id=carla),
        today=TODAY)
    by_name = {p.name: p for p in plan.key_people}
    assert by_name["Dave Acme"].reports_to_name == "Carla Acme"
    assert by_name["Carla Acme"].buying_role == "decision_maker"  # the account link's role
    with pytest.raises(ValidationFailed) as loop:
        service.update_key_person(db, owner, by_name["Carla Acme"].id,
                                  KeyPersonPatch(reports_to_contact_id=dave), today=TODAY)
    assert _fields(loop) == {"reports_to_contact_id"}
    after = service.remove_key_person(db, owner, plan_id, by_name["Carla Acme"].id, today=TODAY)
    assert [(p.name, p.reports_to_name) for p in after.key_people] == [("Dave Acme", None)]


def test_objectives_need_a_metric_a_due_date_in_the_plan_and_an_owner_on_the_account(
    db, cast
) -> None:
    owner = person(db, cast, "owner")
    plan_id, _ = full_plan(db, cast)
    before, count = audit_count(db), db.scalar(select(func.count()).select_from(PlanObjective))
    cases = [
        (ObjectiveIn(title="Grow", target=Decimal(5)), "metric"),
        (ObjectiveIn(title="Grow", metric="manual", target=Decimal(5),
                     due_on=TODAY - timedelta(days=1)), "due_on"),
        (ObjectiveIn(title="Grow", metric="manual", owner_id=cast.outsider.id), "owner_id"),
        (ObjectiveIn(title="Grow", metric="manual", owner_id=cast.viewer.id), "owner_id"),
        (ObjectiveIn(title="Grow", metric="manual", owner_id=987654), "owner_id"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            service.add_objective(db, owner, plan_id, data, today=TODAY)
        assert _fields(refused) == {field}, data
    objective = service.get_plan(db, owner, plan_id, today=TODAY).objectives[0]
    with pytest.raises(ValidationFailed) as no_metric:
        service.update_objective(db, owner, objective.id, ObjectivePatch.model_validate(
            {"metric": None}), today=TODAY)
    assert _fields(no_metric) == {"metric"}
    assert audit_count(db) == before
    assert db.scalar(select(func.count()).select_from(PlanObjective)) == count
    teammate = service.add_objective(db, owner, plan_id, ObjectiveIn(
        title="Renewal", metric="manual", owner_id=cast.teammate.id), today=TODAY)
    assert teammate.owner is not None and teammate.owner.name == "Tom Teammate"
    assert teammate.progress is None  # no target yet: completeness counts it
    assert service.get_plan(db, owner, plan_id, today=TODAY).completeness < Decimal("0.9")


def test_manual_updates_give_the_current_value_and_progress(db, cast) -> None:
    owner = person(db, cast, "owner")
    plan_id, _ = full_plan(db, cast)
    objective = service.get_plan(db, owner, plan_id, today=TODAY).objectives[0]
    service.add_objective_update(db, owner, objective.id, ObjectiveUpdateIn(
        value=Decimal(1), note="first plant signed", noted_on=TODAY), today=TODAY)
    out = service.add_objective_update(db, owner, objective.id, ObjectiveUpdateIn(
        value=Decimal("1.5"), note="second plant half signed"), today=TODAY + timedelta(days=5))
    assert out.current == Decimal("1.5") and out.progress == Decimal("0.75")
    assert [u.note for u in out.updates] == ["second plant half signed", "first plant signed"]
    with pytest.raises(ValidationFailed) as future:
        service.add_objective_update(db, owner, objective.id, ObjectiveUpdateIn(
            value=Decimal(2), note="x", noted_on=TODAY + timedelta(days=9)), today=TODAY)
    assert _fields(future) == {"noted_on"}
    tied = service.add_objective(db, owner, plan_id, ObjectiveIn(
        title="Revenue", metric="revenue_12m", baseline=Decimal(100), target=Decimal(200)),
        today=TODAY)
    with pytest.raises(ValidationFailed) as computed:
        service.add_objective_update(db, owner, tied.id, ObjectiveUpdateIn(
            value=Decimal(150), note="x"), today=TODAY)
    assert _fields(computed) == {"value"}


def test_actions_are_flagged_overdue_and_completed(db, cast) -> None:
    owner = person(db, cast, "owner")
    plan_id, _ = full_plan(db, cast)
    objective = service.get_plan(db, owner, plan_id, today=TODAY).objectives[0]
    late = service.add_action(db, owner, objective.id, ActionIn(
        title="Send the offer", due_on=TODAY + timedelta(days=3)), today=TODAY)
    service.add_action(db, owner, objective.id, ActionIn(
        title="Plan the visit", due_on=TODAY + timedelta(days=30),
        owner_id=cast.teammate.id), today=TODAY)
    later = TODAY + timedelta(days=10)
    plan = service.get_plan(db, owner, plan_id, today=later)
    assert plan.overdue_actions == 1
    assert [(a.title, a.overdue) for a in plan.next_actions] == [
        ("Send the offer", True), ("Plan the visit", False)]
    done = service.complete_action(db, owner, late.id, today=later)
    assert (done.status, done.done_on, done.overdue) == ("done", later, False)
    assert service.get_plan(db, owner, plan_id, today=later).overdue_actions == 0
    reopened = service.update_action(db, owner, late.id, ActionPatch(status="open"),
                                     today=later)
    assert reopened.done_on is None and reopened.overdue
    with pytest.raises(ValidationFailed) as early:
        service.add_action(db, owner, objective.id, ActionIn(
            title="x", due_on=TODAY - timedelta(days=1)), today=TODAY)
    assert _fields(early) == {"due_on"}


def test_readers_and_writers_follow_the_accounts_visibility(db, cast) -> None:
    plan_id, _ = full_plan(db, cast)
    outsider, viewer = person(db, cast, "outsider"), person(db, cast, "viewer")
    with pytest.raises(NotFound):
        service.current_plan(db, outsider, cast.acme_id, today=TODAY)
    with pytest.raises(NotFound):
        service.get_plan(db, outsider, plan_id, today=TODAY)
    with pytest.raises(NotFound):
        service.update_plan(db, outsider, plan_id, PlanPatch(business="x"), today=TODAY)
    seen = service.get_plan(db, viewer, plan_id, today=TODAY)
    assert seen.read_only and seen.goals == ["Open a second plant"]
    with pytest.raises(Forbidden):
        service.update_plan(db, viewer, plan_id, PlanPatch(business="x"), today=TODAY)
    head, teammate = person(db, cast, "head"), person(db, cast, "teammate")
    assert not service.get_plan(db, head, plan_id, today=TODAY).read_only
    service.mark_reviewed(db, teammate, plan_id, today=TODAY)


def test_a_sales_rep_writes_only_while_on_the_account_team(db, cast) -> None:
    plan_id, _ = full_plan(db, cast)
    sales = User(email="sales@accord.test", name="Sam Sales", role="sales", capacity=100,
                 is_active=True, created_at=utcnow())
    db.add(sales)
    db.flush()
    with pytest.raises(NotFound):
        service.get_plan(db, sales, plan_id, today=TODAY)
    member = AccountMember(account_id=cast.acme_id, user_id=sales.id, role="member")
    db.add(member)
    db.flush()
    service.mark_reviewed(db, sales, plan_id, today=TODAY)
    assert not service.get_plan(db, sales, plan_id, today=TODAY).read_only


def test_a_tied_objective_takes_its_value_from_the_accounts_revenue(db, cast) -> None:
    from accord.core.periods import month_index
    from import_helpers import write_monthly

    owner = person(db, cast, "owner")
    now = month_index(TODAY)
    write_monthly(db, cast.acme_id, {now - 12 + m: 100_000 for m in range(12)})
    plan = service.start_plan(db, owner, cast.acme_id, PlanStart(), today=TODAY)
    tied = service.add_objective(db, owner, plan.id, ObjectiveIn(
        title="Grow Acme", metric="revenue_12m", target=Decimal(24_000)), today=TODAY)
    assert tied.tied and tied.baseline == Decimal(12_000)  # its value the day it was set
    assert tied.current == Decimal(12_000) and tied.progress == Decimal(0)
    write_monthly(db, cast.acme_id, {now - 6 + m: 300_000 for m in range(6)})
    again = service.get_plan(db, owner, plan.id, today=TODAY).objectives[0]
    assert again.current == Decimal(24_000) and again.progress == Decimal(1)


def test_objective_edits_are_under_optimistic_concurrency(db, cast) -> None:
    owner = person(db, cast, "owner")
    plan_id, _ = full_plan(db, cast)
    objective = service.get_plan(db, owner, plan_id, today=TODAY).objectives[0]
    changed = service.update_objective(db, owner, objective.id, ObjectivePatch(
        target=Decimal(3)), today=TODAY, expected=Expected(objective.version))
    assert changed.version == objective.version + 1 and changed.target == Decimal(3)
    before = audit_count(db)
    with pytest.raises(Stale):
        service.update_objective(db, owner, objective.id, ObjectivePatch(target=Decimal(4)),
                                 today=TODAY, expected=Expected(objective.version))
    assert audit_count(db) == before
