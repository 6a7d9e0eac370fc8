"""Use cases for accounts: read, create, edit, members; lists and search (from
``accounts.search``, re-exported here). One transaction per call site."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from accord.accounts import lifecycle, search
from accord.accounts.models import Account, AccountKind, AccountMember, AccountStatus
from accord.accounts.schemas import AccountIn, AccountOut, AccountPatch
from accord.accounts.search import account_out, name_key
from accord.accounts.visibility import (
    get_visible_account,
    get_writable_account,
    headed_team_members,
    require_writer,
    sees_everything,
    visible_accounts,
)
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.money import from_cents, to_cents
from accord.core.roles import require_role

# Lists and search live in ``accounts.search``; the entry points know them from here.
SORTS = search.SORTS
MAX_PAGE_SIZE = search.MAX_PAGE_SIZE
AccountFilter = search.AccountFilter
list_accounts = search.list_accounts
iter_visible_accounts = search.iter_visible_accounts
distinct_segments = search.distinct_segments

def get_account(session: Session, user: User, account_id: int) -> AccountOut:
    account = get_visible_account(session, user, account_id)
    manager = session.get(User, account.manager_id) if account.manager_id else None
    parent = None
    if account.parent_id:  # a parent out of reach: nothing of it is shown (V3)
        parent = session.scalar(
            select(Account).where(Account.id == account.parent_id, visible_accounts(user))
        )
    return account_out(
        account,
        manager,
        parent.name if parent else None,
        parent_hidden=account.parent_id is not None and parent is None,
    )


def snapshot(account: Account) -> dict[str, Any]:
    return {
        "external_id": account.external_id,
        "kind": account.kind,
        "name": account.name,
        "parent_id": account.parent_id,
        "segment": account.segment,
        "business_line": account.business_line,
        "size_band": account.size_band,
        "status": account.status,
        "manager_id": account.manager_id,
        "country": account.country,
        "industry": account.industry,
        "estimated_spend_cents": account.estimated_spend_cents,
        "estimated_spend_source": account.estimated_spend_source,
        "notes": account.notes,
        "contract_end_on": account.contract_end_on,
        "notice_days": account.notice_days,
    }


def editable_state(account: Account) -> dict[str, Any]:
    """The account's editable fields as a form or the API names them (for stale saves)."""
    state = {k: v for k, v in snapshot(account).items() if k != "estimated_spend_cents"}
    cents = account.estimated_spend_cents
    state["estimated_spend"] = None if cents is None else from_cents(cents)
    return state


def _check_references(
    session: Session, user: User, values: dict[str, Any], account_id: int | None
) -> None:
    problems: list[FieldProblem] = []
    manager_id = values.get("manager_id")
    if manager_id is not None:
        manager = session.get(User, manager_id)
        if manager is None or not manager.is_active:
            problems.append(FieldProblem("manager_id", f"no active user {manager_id}"))
        elif manager.role not in (Role.MANAGER, Role.HEAD, Role.ADMIN, Role.SALES):
            problems.append(FieldProblem("manager_id", f"{manager.email} cannot manage accounts"))
    parent_id = values.get("parent_id")
    if parent_id is not None:
        if parent_id == account_id:
            problems.append(FieldProblem("parent_id", "an account cannot be its own parent"))
        elif (
            session.scalar(
                select(Account.id).where(Account.id == parent_id, visible_accounts(user))
            )
            is None
        ):
            problems.append(FieldProblem("parent_id", f"no account {parent_id}"))
        elif account_id is not None and _would_cycle(session, account_id, parent_id):
            problems.append(FieldProblem("parent_id", "this parent would make a cycle"))
    external_id = values.get("external_id")
    if external_id:
        clash = session.scalar(select(Account.id).where(Account.external_id == external_id))
        if clash is not None and clash != account_id:
            seen = session.scalar(
                select(Account.id).where(Account.id == clash, visible_accounts(user))
            )
            # an account out of reach is not named (V4)
            message = f"already used by account {clash}" if seen else "already in use"
            problems.append(FieldProblem("external_id", message))
    if problems:
        raise ValidationFailed(problems)


def managers_in_reach(session: Session, user: User) -> list[int] | None:
    """The users whose accounts ``user`` sees by management: themself, plus the members of
    the teams a head heads; None for a role that sees every account."""
    if sees_everything(user):
        return None
    ids = {user.id}
    if Role(user.role) is Role.HEAD:
        ids.update(session.scalars(headed_team_members(user)))
    return sorted(ids)


def _check_within_reach(session: Session, user: User, manager_id: int | None) -> None:
    """A new account must stay in its creator's view, or the creator would get "no account"
    after the write (V6): outside the roles that see everything, its manager is the creator
    or, for a head, one of their teams' managers."""
    reach = managers_in_reach(session, user)
    if reach is None or (manager_id is not None and manager_id in reach):
        return
    message = (
        "choose the manager responsible for the account"
        if manager_id is None
        else "you may only give a new account to yourself"
        + (" or a manager of your teams" if Role(user.role) is Role.HEAD else "")
    )
    raise ValidationFailed([FieldProblem("manager_id", message)])


def _check_stays_in_view(
    session: Session, user: User, account_id: int, manager_id: int | None
) -> None:
    """A new manager must leave the account in its editor's view (as a new account must,
    V6): otherwise the save would end in "no account" and be lost. The editor still sees it
    as a member of its account team; a head of both teams or an admin hands it over."""
    reach = managers_in_reach(session, user)
    if reach is None or (manager_id is not None and manager_id in reach):
        return
    member = select(AccountMember.account_id).where(
        AccountMember.account_id == account_id, AccountMember.user_id == user.id
    )
    if session.scalar(member) is None:
        raise ValidationFailed([FieldProblem(
            "manager_id", "you would no longer see this account; an admin or the head of "
            "the new manager's team hands it over"
        )])


def _would_cycle(session: Session, account_id: int, parent_id: int) -> bool:
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == account_id:
            return True
        seen.add(current)
        current = session.scalar(select(Account.parent_id).where(Account.id == current))
    return False


def _apply(account: Account, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key == "estimated_spend":
            account.estimated_spend_cents = None if value is None else to_cents(value)
        elif hasattr(value, "value"):
            setattr(account, key, value.value)
        else:
            setattr(account, key, value)
    account.name_key = name_key(account.name)


#: roles that may create a company straight into ``active`` (loading an existing client base)
ACTIVATING_ROLES = frozenset({Role.ADMIN, Role.HEAD})


def _initial_status(user: User, values: dict[str, Any]) -> None:
    """A new company starts in ``onboarding`` unless an admin or a head creates it (their
    default stays ``active``); only they may create one straight into ``active``. A person
    (B2C) starts ``active`` and needs no hand-off."""
    company = values.get("kind") in (None, AccountKind.COMPANY)
    activating = Role(user.role) in ACTIVATING_ROLES
    if values.get("status") is None:
        values["status"] = (
            AccountStatus.ONBOARDING if company and not activating else AccountStatus.ACTIVE
        )
    elif company and values["status"] == AccountStatus.ACTIVE and not activating:
        raise ValidationFailed([FieldProblem(
            "status", "only an admin or a head creates a company straight into active; a new "
            "company starts in onboarding and becomes active when its manager accepts its "
            "hand-off"
        )])


def _check_sales_receiver(session: Session, values: dict[str, Any]) -> None:
    """A sales user's new company goes to the manager who will receive its hand-off."""
    manager_id = values.get("manager_id")
    manager = session.get(User, manager_id) if manager_id is not None else None
    if manager is None:
        raise ValidationFailed([FieldProblem(
            "manager_id", "choose the manager who will receive the account and its hand-off"
        )])
    if manager.is_active and Role(manager.role) not in (Role.MANAGER, Role.HEAD):
        raise ValidationFailed([FieldProblem(
            "manager_id", f"{manager.email} is not a manager or a head: choose who will "
            "manage the account"
        )])


def create_account(session: Session, user: User, data: AccountIn) -> AccountOut:
    require_writer(user)
    values = data.model_dump()
    _initial_status(user, values)
    sales_company = Role(user.role) is Role.SALES and values.get("kind") == AccountKind.COMPANY
    if sales_company:
        _check_sales_receiver(session, values)  # then seen as the author of its hand-off
    else:
        if values.get("manager_id") is None and Role(user.role) in (Role.MANAGER, Role.SALES):
            values["manager_id"] = user.id  # a manager's new account is their own
        _check_within_reach(session, user, values.get("manager_id"))
    _check_references(session, user, values, None)
    now = utcnow()
    account = Account(created_at=now, updated_at=now)
    _apply(account, values)
    session.add(account)
    session.flush()
    if sales_company and account.manager_id != user.id:
        session.add(
            AccountMember(account_id=account.id, user_id=user.id, role=lifecycle.AUTHOR_ROLE)
        )
        session.flush()
    audit.record(session, user, "create", "account", account.id, after=snapshot(account))
    if account.kind == AccountKind.COMPANY and account.status == AccountStatus.ONBOARDING:
        lifecycle.company_onboarding(session, user, account.id)
    return get_account(session, user, account.id)


def update_account(
    session: Session,
    user: User,
    account_id: int,
    patch: AccountPatch,
    *,
    expected: versions.Expected | None = None,
) -> AccountOut:
    """Change the fields given; ``expected``: the version (and a form's values) the change
    started from: a stale one is refused (409, ``versions.Stale``) rather than overwriting."""
    account = get_writable_account(session, user, account_id)
    versions.check(
        session, account, expected, f"account {account_id}", lambda: editable_state(account)
    )
    values = patch.model_dump(exclude_unset=True)
    if "name" in values and values["name"] is None:
        raise ValidationFailed([FieldProblem("name", "cannot be empty")])
    for key in ("kind", "status"):
        if key in values and values[key] is None:
            raise ValidationFailed([FieldProblem(key, "cannot be empty")])
    _check_references(session, user, values, account.id)
    if values.get("manager_id", account.manager_id) != account.manager_id:
        _check_stays_in_view(session, user, account.id, values["manager_id"])
    _check_activation(session, user, account, values)
    before = snapshot(account)
    _apply(account, values)
    after = snapshot(account)
    old, new = audit.changed_fields(before, after)
    if new:
        account.updated_at = utcnow()
        session.flush()
        audit.record(session, user, "update", "account", account.id, before=old, after=new)
        announce_changes(session, user, account.id, before, after)
    return get_account(session, user, account.id)


def _check_activation(
    session: Session, user: User, account: Account, values: dict[str, Any]
) -> None:
    """A company in onboarding becomes active only by accepting its hand-off; a prospect
    becomes a client through onboarding too (else onboarding → prospect → active would walk
    round the gate), except for the roles that may create a company straight into active."""
    kind = getattr(values.get("kind"), "value", values.get("kind")) or account.kind
    status = getattr(values.get("status"), "value", values.get("status"))
    if (
        kind == AccountKind.COMPANY
        and account.status == AccountStatus.PROSPECT
        and status == AccountStatus.ACTIVE
        and Role(user.role) not in ACTIVATING_ROLES
    ):
        raise ValidationFailed([FieldProblem(
            "status", "a prospect becomes a client through onboarding: set it to onboarding; "
            "it becomes active when its manager accepts its hand-off"
        )])
    if (
        kind == AccountKind.COMPANY
        and account.status == AccountStatus.ONBOARDING
        and status == AccountStatus.ACTIVE
    ):
        message = lifecycle.check_activation(session, account.id)
        if message:
            raise ValidationFailed([FieldProblem("status", message)])


def announce_changes(
    session: Session, user: User, account_id: int, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Tell the lifecycle's listeners what an edit or an import changed: a company entering
    onboarding, a new responsible manager."""
    if (
        after["kind"] == AccountKind.COMPANY
        and after["status"] == AccountStatus.ONBOARDING
        and (before["status"] != AccountStatus.ONBOARDING or before["kind"] != AccountKind.COMPANY)
    ):
        lifecycle.company_onboarding(session, user, account_id)
    if before["manager_id"] != after["manager_id"]:
        lifecycle.manager_changed(
            session, user, account_id, before["manager_id"], after["manager_id"]
        )


def delete_account(session: Session, user: User, account_id: int) -> None:
    account = get_visible_account(session, user, account_id)
    require_role(user, Role.ADMIN)
    if session.scalar(select(Account.id).where(Account.parent_id == account.id).limit(1)):
        raise Conflict("this account has child accounts; move or delete them first")
    before = snapshot(account)
    session.delete(account)
    session.flush()
    audit.record(session, user, "delete", "account", account_id, before=before)


def list_members(session: Session, user: User, account_id: int) -> list[User]:
    get_visible_account(session, user, account_id)
    return list(
        session.scalars(
            select(User)
            .join(AccountMember, AccountMember.user_id == User.id)
            .where(AccountMember.account_id == account_id)
            .order_by(User.name)
        )
    )


def set_members(session: Session, user: User, account_id: int, user_ids: list[int]) -> list[User]:
    get_writable_account(session, user, account_id)
    wanted = sorted(set(user_ids))
    found = set(session.scalars(select(User.id).where(User.id.in_(wanted), User.is_active)))
    missing = [u for u in wanted if u not in found]
    if missing:
        raise ValidationFailed([FieldProblem("user_ids", f"no active users {missing}")])
    before = sorted(
        session.scalars(select(AccountMember.user_id).where(AccountMember.account_id == account_id))
    )
    session.execute(delete(AccountMember).where(AccountMember.account_id == account_id))
    for uid in wanted:
        session.add(AccountMember(account_id=account_id, user_id=uid, role="member"))
    session.flush()
    if before != wanted:
        audit.record(
            session,
            user,
            "update",
            "account_members",
            account_id,
            before={"user_ids": before},
            after={"user_ids": wanted},
        )
    # not list_members: a teammate who removed themself may no longer see the account
    return list(
        session.scalars(select(User).where(User.id.in_(wanted)).order_by(User.name))
    )


def assignable_managers(session: Session, user: User | None = None) -> list[User]:
    """Who may manage accounts; with ``user``: only those a new account of theirs may go to
    (a head: themself and their teams' managers, see ``_check_within_reach``; a sales user:
    every active manager and head, who receives the company and its hand-off, and
    themself for a person, see ``_check_sales_receiver``)."""
    query = select(User).where(
        User.is_active, User.role.in_([Role.MANAGER, Role.HEAD, Role.SALES, Role.ADMIN])
    )
    if user is not None and Role(user.role) is Role.SALES:
        query = query.where(or_(User.role.in_([Role.MANAGER, Role.HEAD]), User.id == user.id))
        return list(session.scalars(query.order_by(User.name)))
    reach = managers_in_reach(session, user) if user is not None else None
    if reach is not None:
        query = query.where(User.id.in_(reach))
    return list(session.scalars(query.order_by(User.name)))


def find_account_by_external_id(session: Session, user: User, external_id: str) -> AccountOut:
    account_id = session.scalar(
        select(Account.id).where(Account.external_id == external_id, visible_accounts(user))
    )
    if account_id is None:
        raise NotFound(f"no account with external id {external_id!r}")
    return get_account(session, user, account_id)
