"""Account plans: the one service behind the pages, the API and the CLI.

One current plan per account; starting a new one archives the current plan read-only
(history). Reads check the account's visibility; writes need a writer who sees it (a sales
rep only as a member of the account's team), are audited and run in the caller's one
transaction. Objectives, actions and manual updates live in ``plans.objectives`` and are
re-exported here; share links and the client's view in ``plans.sharing``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accord.accounts.service import find_account_by_external_id
from accord.accounts.visibility import get_visible_account
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import NotFound
from accord.core.models import User
from accord.plans import rules
from accord.plans.access import require_write, visible_plan, writable_plan
from accord.plans.models import (
    AccountPlan,
    PlanAction,
    PlanEntry,
    PlanKeyPerson,
    PlanObjective,
)
from accord.plans.objectives import (  # noqa: F401  (the service's names)
    add_action,
    add_objective,
    add_objective_update,
    complete_action,
    remove_objective,
    update_action,
    update_objective,
)
from accord.plans.people import (  # noqa: F401  (the service's names)
    add_key_person,
    remove_key_person,
    update_key_person,
)
from accord.plans.reading import plan_for
from accord.plans.schemas import (
    PlanOut,
    PlanPatch,
    PlanStart,
    PlanSummary,
)

TEXT_FIELDS = ("business", "strategy", "budgets", "value_to_us")


def plan_state(plan: AccountPlan) -> dict[str, Any]:
    """A plan's own fields, as the audit log keeps them."""
    return {
        "account_id": plan.account_id,
        "horizon_months": plan.horizon_months,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        **{name: getattr(plan, name) for name in TEXT_FIELDS},
        "shared_sections": list(plan.shared_sections or []),
        "last_reviewed_on": plan.last_reviewed_on,
    }


# ---------------------------------------------------------------- reading


def account_ref(session: Session, user: User, ref: str) -> int:
    """An account's id from its id or external id (an all-digit reference tries the id
    first), among the accounts ``user`` sees."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) < 10:
        try:
            return get_visible_account(session, user, int(ref)).id
        except NotFound:
            pass
    try:
        return find_account_by_external_id(session, user, ref).id
    except NotFound:
        raise NotFound(f"no account {ref!r} (neither an id nor an external id you can see)") \
            from None


def current_plan(session: Session, user: User, account_id: int, *, today: date) -> PlanOut | None:
    """The account's current plan (None: no plan yet)."""
    account = get_visible_account(session, user, account_id)
    plan = session.scalar(
        select(AccountPlan).where(
            AccountPlan.account_id == account_id, AccountPlan.is_current.is_(True)
        )
    )
    return None if plan is None else plan_for(session, user, plan, account, today)


def plan_history(session: Session, user: User, account_id: int) -> list[PlanSummary]:
    """Every plan of the account, the newest first (the current one among them)."""
    get_visible_account(session, user, account_id)
    plans = session.scalars(
        select(AccountPlan)
        .where(AccountPlan.account_id == account_id)
        .order_by(AccountPlan.starts_on.desc(), AccountPlan.id.desc())
    )
    return [
        PlanSummary(
            id=p.id,
            horizon_months=p.horizon_months,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            is_current=p.is_current,
            last_reviewed_on=p.last_reviewed_on,
            created_at=p.created_at,
            archived_at=p.archived_at,
        )
        for p in plans
    ]


def get_plan(session: Session, user: User, plan_id: int, *, today: date) -> PlanOut:
    """One plan, current or archived (then read-only)."""
    plan, account = visible_plan(session, user, plan_id)
    return plan_for(session, user, plan, account, today)


# ---------------------------------------------------------------- writing the plan


def start_plan(
    session: Session, user: User, account_id: int, data: PlanStart, *, today: date
) -> PlanOut:
    """A new current plan; the current one (if any) is archived read-only, its sections,
    key people, objectives and open actions copied into the new one when asked."""
    account = get_visible_account(session, user, account_id)
    require_write(session, user, account)
    session.refresh(account, with_for_update=True)  # one current plan, even when raced
    starts_on = data.starts_on or today
    old = session.scalar(
        select(AccountPlan).where(
            AccountPlan.account_id == account_id, AccountPlan.is_current.is_(True)
        )
    )
    now = utcnow()
    if old is not None:
        old.is_current = False
        old.archived_at = now
        session.flush()
        audit.record(
            session, user, "archive", "account_plan", old.id, account_id=account_id,
            after={"archived_at": now},
        )
    plan = AccountPlan(
        account_id=account_id,
        horizon_months=data.horizon_months,
        starts_on=starts_on,
        ends_on=rules.plan_end(starts_on, data.horizon_months),
        is_current=True,
        shared_sections=[],
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    for name in TEXT_FIELDS:
        setattr(plan, name, getattr(old, name) if old is not None and data.copy_current else "")
    if old is not None and data.copy_current:
        plan.shared_sections = list(old.shared_sections or [])
    session.add(plan)
    session.flush()
    if old is not None and data.copy_current:
        _copy_content(session, old, plan)
    audit.record(
        session, user, "create", "account_plan", plan.id, after=plan_state(plan),
        note=f"copied from plan {old.id}" if old is not None and data.copy_current else None,
    )
    return plan_for(session, user, plan, account, today)


def _copy_content(session: Session, old: AccountPlan, new: AccountPlan) -> None:
    for entry in session.scalars(select(PlanEntry).where(PlanEntry.plan_id == old.id)):
        session.add(
            PlanEntry(plan_id=new.id, section=entry.section, text=entry.text,
                      position=entry.position)
        )
    for person in session.scalars(select(PlanKeyPerson).where(PlanKeyPerson.plan_id == old.id)):
        session.add(
            PlanKeyPerson(
                plan_id=new.id, contact_id=person.contact_id, buying_role=person.buying_role,
                reports_to_contact_id=person.reports_to_contact_id, note=person.note,
            )
        )
    objectives = session.scalars(select(PlanObjective).where(PlanObjective.plan_id == old.id))
    for objective in list(objectives):
        copy = PlanObjective(
            plan_id=new.id, title=objective.title, metric=objective.metric,
            baseline=objective.baseline, target=objective.target, owner_id=objective.owner_id,
            due_on=objective.due_on if objective.due_on and objective.due_on >= new.starts_on
            else None,
            position=objective.position, created_at=utcnow(),
        )
        session.add(copy)
        session.flush()
        for action in session.scalars(
            select(PlanAction).where(
                PlanAction.objective_id == objective.id, PlanAction.status == "open"
            )
        ):
            session.add(
                PlanAction(objective_id=copy.id, title=action.title, owner_id=action.owner_id,
                           due_on=action.due_on, status="open")
            )
    session.flush()


def update_plan(
    session: Session,
    user: User,
    plan_id: int,
    data: PlanPatch,
    *,
    today: date,
    expected: versions.Expected | None = None,
) -> PlanOut:
    """Change the sections given; a list given replaces that section's entries."""
    plan, account = writable_plan(session, user, plan_id)
    versions.check(session, plan, expected, f"plan {plan_id}", lambda: _editable(session, plan))
    given = data.given()
    before = _editable(session, plan)
    if given.get("horizon_months") is not None:
        plan.horizon_months = int(given["horizon_months"])  # type: ignore[call-overload]
        plan.ends_on = rules.plan_end(plan.starts_on, plan.horizon_months)
    for name in TEXT_FIELDS:
        if name in given:
            setattr(plan, name, given[name] or "")
    if "shared_sections" in given:
        chosen = set(given["shared_sections"] or [])  # type: ignore[call-overload]
        plan.shared_sections = [s for s in rules.SECTIONS if s in chosen]
    entries_changed = False
    for section in rules.ENTRY_SECTIONS:
        if section not in given:
            continue
        texts = [t for t in (given[section] or []) if t]  # type: ignore[attr-defined]
        if texts == before[section]:
            continue
        entries_changed = True
        session.execute(
            delete(PlanEntry).where(PlanEntry.plan_id == plan.id, PlanEntry.section == section)
        )
        session.add_all(
            PlanEntry(plan_id=plan.id, section=section, text=text, position=i)
            for i, text in enumerate(texts)
        )
    after = _editable(session, plan)
    changed_before, changed_after = audit.changed_fields(before, after)
    if changed_after:
        plan.updated_at = utcnow()
        if entries_changed:
            versions.bump(plan)
        session.flush()
        audit.record(
            session, user, "update", "account_plan", plan.id, account_id=plan.account_id,
            before=changed_before, after=changed_after,
        )
    return plan_for(session, user, plan, account, today)


def _editable(session: Session, plan: AccountPlan) -> dict[str, Any]:
    """What the plan's edit form shows: its text sections and its lists."""
    session.flush()
    state: dict[str, Any] = {name: getattr(plan, name) for name in TEXT_FIELDS}
    state["horizon_months"] = plan.horizon_months
    state["shared_sections"] = list(plan.shared_sections or [])
    lists: dict[str, list[str]] = {name: [] for name in rules.ENTRY_SECTIONS}
    for section, text in session.execute(
        select(PlanEntry.section, PlanEntry.text)
        .where(PlanEntry.plan_id == plan.id)
        .order_by(PlanEntry.position, PlanEntry.id)
    ):
        lists[section].append(text)
    return {**state, **lists}


def mark_reviewed(session: Session, user: User, plan_id: int, *, today: date) -> PlanOut:
    """The plan was reviewed today (its staleness starts again)."""
    plan, account = writable_plan(session, user, plan_id)
    before = plan.last_reviewed_on
    plan.last_reviewed_on = today
    plan.updated_at = utcnow()
    session.flush()
    audit.record(
        session, user, "review", "account_plan", plan.id, account_id=plan.account_id,
        before={"last_reviewed_on": before}, after={"last_reviewed_on": today},
    )
    return plan_for(session, user, plan, account, today)
