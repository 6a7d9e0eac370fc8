"""Who may read and change a plan, and fetching a plan's rows with that check.

A plan is read by whoever sees its account (``accounts.visibility``); it is changed by the
writers who see it (managers, heads, admins), a sales rep only while a member of the
account's team. An archived plan is history: nobody changes it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountMember
from accord.accounts.visibility import can_write, get_visible_account, visible_accounts
from accord.core import versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.plans.models import AccountPlan, PlanAction, PlanObjective


def may_write(session: Session, user: User, account: Account) -> bool:
    """Whether ``user`` (who sees ``account``) may change its plans."""
    if not can_write(user):
        return False
    if Role(user.role) is Role.SALES:
        member = session.get(AccountMember, (account.id, user.id))
        return member is not None
    return True


def require_write(session: Session, user: User, account: Account) -> None:
    if not may_write(session, user, account):
        raise Forbidden(f"the {user.role} role may read this account's plan but not change it")


def visible_plan(session: Session, user: User, plan_id: int) -> tuple[AccountPlan, Account]:
    """The plan and its account when ``user`` sees the account; NotFound otherwise."""
    plan = session.get(AccountPlan, plan_id)
    if plan is None:
        raise NotFound(f"no plan {plan_id}")
    try:
        account = get_visible_account(session, user, plan.account_id)
    except NotFound:
        raise NotFound(f"no plan {plan_id}") from None
    return plan, account


def writable_plan(session: Session, user: User, plan_id: int) -> tuple[AccountPlan, Account]:
    """The current plan ``user`` may change; an archived plan is a 409 (history)."""
    plan, account = visible_plan(session, user, plan_id)
    require_write(session, user, account)
    require_current(plan)
    return plan, account


def require_current(plan: AccountPlan) -> None:
    if not plan.is_current:
        raise Conflict(f"plan {plan.id} is archived: an earlier plan is kept read-only")


def writable_objective(
    session: Session, user: User, objective_id: int
) -> tuple[PlanObjective, AccountPlan, Account]:
    objective = session.get(PlanObjective, objective_id)
    if objective is None:
        raise NotFound(f"no objective {objective_id}")
    try:
        plan, account = writable_plan(session, user, objective.plan_id)
    except NotFound:
        raise NotFound(f"no objective {objective_id}") from None
    return objective, plan, account


def writable_action(
    session: Session, user: User, action_id: int
) -> tuple[PlanAction, PlanObjective, AccountPlan, Account]:
    action = session.get(PlanAction, action_id)
    if action is None:
        raise NotFound(f"no action {action_id}")
    try:
        objective, plan, account = writable_objective(session, user, action.objective_id)
    except NotFound:
        raise NotFound(f"no action {action_id}") from None
    return action, objective, plan, account


def check_owner(
    session: Session, account: Account, owner_id: int, field: str = "owner_id"
) -> User:
    """An owner is an active user who sees the account (and may act on it)."""
    owner = session.get(User, owner_id)
    if owner is None or not owner.is_active:
        raise ValidationFailed([FieldProblem(field, f"no active user {owner_id}")])
    sees = session.scalar(
        select(Account.id).where(Account.id == account.id, visible_accounts(owner))
    )
    if sees is None or not can_write(owner):
        raise ValidationFailed(
            [FieldProblem(field, f"{owner.name} does not work on {account.name}")]
        )
    return owner


def touch(plan: AccountPlan) -> None:
    """The plan changed through one of its parts (key people): a new version, a new date."""
    plan.updated_at = utcnow()
    versions.bump(plan)
