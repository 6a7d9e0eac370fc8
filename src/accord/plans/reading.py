"""A plan as its readers see it: sections, key people, objectives with their current values
and progress, actions, completeness and staleness (a handful of queries per plan)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountContact, Contact
from accord.core.models import User
from accord.core.schemas import UserRef
from accord.plans import contributions, metrics, rules
from accord.plans.access import may_write
from accord.plans.list_queries import filled_sections
from accord.plans.models import (
    AccountPlan,
    ObjectiveUpdate,
    PlanAction,
    PlanEntry,
    PlanKeyPerson,
    PlanObjective,
)
from accord.plans.schemas import (
    ActionOut,
    KeyPersonOut,
    ObjectiveOut,
    ObjectiveUpdateOut,
    PlanOut,
)
from accord.plans.settings import plans_policy

NEXT_ACTIONS = 5


def tied_values(
    session: Session, account_id: int, *, today: date
) -> dict[tuple[int, str], Decimal | None]:
    """The account's tied figures today (``plans.metrics.current_values``)."""
    return metrics.current_values(session, [account_id], today=today)


def user_refs(session: Session, ids: set[int | None]) -> dict[int, UserRef]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    users = session.scalars(select(User).where(User.id.in_(wanted)))
    return {
        u.id: UserRef(id=u.id, email=u.email, name=u.name, role=u.role) for u in users
    }


def entries_of(session: Session, plan_id: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {name: [] for name in rules.ENTRY_SECTIONS}
    rows = session.execute(
        select(PlanEntry.section, PlanEntry.text)
        .where(PlanEntry.plan_id == plan_id)
        .order_by(PlanEntry.section, PlanEntry.position, PlanEntry.id)
    )
    for section, text in rows:
        out[section].append(text)
    return out


def key_people_of(session: Session, plan: AccountPlan) -> list[KeyPersonOut]:
    rows = session.execute(
        select(PlanKeyPerson, Contact.name, AccountContact.title)
        .join(Contact, Contact.id == PlanKeyPerson.contact_id)
        .outerjoin(
            AccountContact,
            (AccountContact.contact_id == PlanKeyPerson.contact_id)
            & (AccountContact.account_id == plan.account_id),
        )
        .where(PlanKeyPerson.plan_id == plan.id)
        .order_by(Contact.name, PlanKeyPerson.id)
    ).all()
    names = {person.contact_id: name for person, name, _ in rows}
    return [
        KeyPersonOut(
            id=person.id,
            contact_id=person.contact_id,
            name=name,
            title=title,
            buying_role=person.buying_role,
            reports_to_contact_id=person.reports_to_contact_id,
            reports_to_name=names.get(person.reports_to_contact_id or 0),
            note=person.note,
        )
        for person, name, title in rows
    ]


def action_out(action: PlanAction, refs: dict[int, UserRef], today: date) -> ActionOut:
    return ActionOut(
        id=action.id,
        objective_id=action.objective_id,
        title=action.title,
        owner=refs.get(action.owner_id or 0),
        due_on=action.due_on,
        status=action.status,
        done_on=action.done_on,
        overdue=rules.action_overdue(action.status, action.due_on, today),
    )


def objectives_of(
    session: Session, plan: AccountPlan, *, today: date, with_figures: bool = True
) -> tuple[list[ObjectiveOut], list[PlanAction]]:
    objectives = list(
        session.scalars(
            select(PlanObjective)
            .where(PlanObjective.plan_id == plan.id)
            .order_by(PlanObjective.position, PlanObjective.id)
        )
    )
    ids = [o.id for o in objectives]
    actions: list[PlanAction] = []
    updates: dict[int, list[ObjectiveUpdate]] = defaultdict(list)
    if ids:
        actions = list(
            session.scalars(
                select(PlanAction)
                .where(PlanAction.objective_id.in_(ids))
                .order_by(PlanAction.due_on.is_(None), PlanAction.due_on, PlanAction.id)
            )
        )
        for update in session.scalars(
            select(ObjectiveUpdate)
            .where(ObjectiveUpdate.objective_id.in_(ids))
            .order_by(ObjectiveUpdate.noted_on.desc(), ObjectiveUpdate.id.desc())
        ):
            updates[update.objective_id].append(update)
    refs = user_refs(
        session,
        {o.owner_id for o in objectives}
        | {a.owner_id for a in actions}
        | {u.by_id for rows in updates.values() for u in rows},
    )
    tied = (
        tied_values(session, plan.account_id, today=today)
        if with_figures and any(o.metric in rules.TIED_METRICS for o in objectives)
        else {}
    )
    extra = contributions.added(session, [o.id for o in objectives if o.metric == rules.MANUAL])
    by_objective: dict[int, list[ActionOut]] = defaultdict(list)
    for action in actions:
        by_objective[action.objective_id].append(action_out(action, refs, today))
    out = []
    for o in objectives:
        if o.metric == rules.MANUAL:
            latest = updates[o.id][0] if updates[o.id] else None
            current = contributions.current(latest.value if latest else None, extra.get(o.id))
        else:
            current = tied.get((plan.account_id, o.metric))
        out.append(
            ObjectiveOut(
                id=o.id,
                title=o.title,
                metric=o.metric,
                metric_label=rules.METRIC_LABELS.get(o.metric, o.metric),
                tied=o.metric in rules.TIED_METRICS,
                baseline=o.baseline,
                target=o.target,
                current=current,
                progress=rules.progress(o.baseline, o.target, current),
                owner=refs.get(o.owner_id or 0),
                due_on=o.due_on,
                position=o.position,
                version=o.version,
                updates=[
                    ObjectiveUpdateOut(
                        id=u.id,
                        value=u.value,
                        noted_on=u.noted_on,
                        note=u.note,
                        by=refs[u.by_id].name if u.by_id in refs else None,
                    )
                    for u in updates[o.id]
                ],
                actions=by_objective[o.id],
            )
        )
    return out, actions


def facts(
    plan: AccountPlan,
    entries: dict[str, list[str]],
    key_people: int,
    objectives: list[ObjectiveOut],
    actions: list[PlanAction],
) -> rules.PlanFacts:
    texts = {"business": plan.business, "strategy": plan.strategy,
             "budgets": plan.budgets, "value_to_us": plan.value_to_us}
    # the one definition of a filled section (and of a blank text), the SQL's pure twin
    filled = filled_sections(texts, {k for k, v in entries.items() if v}, key_people,
                             len(objectives))
    return rules.PlanFacts(
        filled=filled,
        objectives=len(objectives),
        objectives_with_target=sum(1 for o in objectives if o.target is not None),
        actions=len(actions),
        actions_with_owner=sum(1 for a in actions if a.owner_id is not None),
    )


def plan_out(
    session: Session,
    plan: AccountPlan,
    account: Account,
    *,
    today: date,
    review_interval_days: int,
    writable: bool,
) -> PlanOut:
    entries = entries_of(session, plan.id)
    people = key_people_of(session, plan)
    objectives, actions = objectives_of(session, plan, today=today)
    refs = user_refs(session, {plan.created_by_id} | {a.owner_id for a in actions})
    reviewed = plan.last_reviewed_on or plan.starts_on
    open_actions = [a for a in actions if a.status == "open"]
    return PlanOut(
        id=plan.id,
        account_id=plan.account_id,
        account_name=account.name,
        horizon_months=plan.horizon_months,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        is_current=plan.is_current,
        read_only=not (plan.is_current and writable),
        business=plan.business,
        strategy=plan.strategy,
        budgets=plan.budgets,
        value_to_us=plan.value_to_us,
        **entries,
        shared_sections=[s for s in rules.SECTIONS if s in (plan.shared_sections or [])],
        key_people=people,
        objectives=objectives,
        completeness=rules.completeness(facts(plan, entries, len(people), objectives, actions)),
        last_reviewed_on=plan.last_reviewed_on,
        review_due_on=reviewed + timedelta(days=review_interval_days),
        stale=plan.is_current and rules.is_stale(reviewed, review_interval_days, today),
        overdue_actions=sum(
            1 for a in actions if rules.action_overdue(a.status, a.due_on, today)
        ),
        next_actions=[action_out(a, refs, today) for a in open_actions[:NEXT_ACTIONS]],
        created_by=refs.get(plan.created_by_id or 0),
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        archived_at=plan.archived_at,
        version=plan.version,
    )


def plan_for(
    session: Session, user: User, plan: AccountPlan, account: Account, today: date
) -> PlanOut:
    """``plan_out`` as ``user`` sees it (read-only unless they may write), under the plans
    policy's review interval."""
    return plan_out(
        session,
        plan,
        account,
        today=today,
        review_interval_days=plans_policy(session).review_interval_days,
        writable=may_write(session, user, account),
    )
