"""Reading hand-offs: who sees which, who may do what, the lists (boxes) and one hand-off
with its items and events as the front doors show it."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account, Contact, Interaction
from accord.accounts.visibility import (
    can_write,
    get_visible_account,
    headed_team_members,
    sees_everything,
    visible_accounts,
)
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, Team, User
from accord.handoffs import rules
from accord.handoffs.models import Handoff, HandoffEvent, HandoffItem
from accord.handoffs.schemas import (
    BOXES,
    MAX_PAGE_SIZE,
    SORTS,
    HandoffEventOut,
    HandoffItemOut,
    HandoffOut,
    HandoffPage,
    HandoffRow,
)

# ---------------------------------------------------------------- who sees, who may


def visible_handoffs(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Handoff``: the hand-offs of the accounts ``user`` sees, plus
    those they wrote or receive (an author keeps reading their hand-off after acceptance)."""
    if not user.is_active:
        return false()
    if sees_everything(user):
        return true()
    return or_(
        visible_accounts(user, Handoff.account_id),
        Handoff.author_id == user.id,
        Handoff.receiver_id == user.id,
    )


def heads_team_of(session: Session, user: User, member_id: int | None) -> bool:
    """True when ``user`` is a head of the team ``member_id`` belongs to."""
    if member_id is None or Role(user.role) is not Role.HEAD:
        return False
    found = session.scalar(
        select(User.id)
        .join(Team, User.team_id == Team.id)
        .where(User.id == member_id, Team.head_id == user.id)
    )
    return found is not None


def may_receive(session: Session, user: User, handoff: Handoff) -> bool:
    """The receiving manager, the head of their team or an admin accepts and returns."""
    if not user.is_active:
        return False
    if Role(user.role) is Role.ADMIN or (user.id is not None and user.id == handoff.receiver_id):
        return True
    return heads_team_of(session, user, handoff.receiver_id)


def may_write(session: Session, user: User, handoff: Handoff) -> bool:
    """The author answers and submits (an admin too); a hand-off without an author (opened
    for an import or by the migration) is written by those who receive it."""
    if not can_write(user):
        return False
    if Role(user.role) is Role.ADMIN or handoff.author_id == user.id:
        return True
    return handoff.author_id is None and may_receive(session, user, handoff)


def allowed_actions(session: Session, user: User, handoff: Handoff) -> list[str]:
    state = rules.HandoffState(handoff.state)
    out: list[str] = []
    if state in rules.EDITABLE and may_write(session, user, handoff):
        out += ["answer", "submit"]
    if state is rules.HandoffState.SUBMITTED and may_receive(session, user, handoff):
        out += ["accept", "return"]
    return out


def get_visible_handoff(
    session: Session, user: User, handoff_id: int, *, for_update: bool = False
) -> Handoff:
    """The hand-off if ``user`` may see it; otherwise NotFound (an outsider learns nothing)."""
    query = select(Handoff).where(Handoff.id == handoff_id, visible_handoffs(user))
    if for_update:
        query = query.with_for_update(of=Handoff)
    handoff = session.scalar(query)
    if handoff is None:
        raise NotFound(f"no hand-off {handoff_id}")
    return handoff


# ---------------------------------------------------------------- one hand-off


def _names(session: Session, ids: set[int | None]) -> dict[int, User]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def handoff_out(session: Session, user: User, handoff: Handoff, *, today: date) -> HandoffOut:
    account = session.get(Account, handoff.account_id)
    assert account is not None  # the foreign key cascades
    items = list(
        session.scalars(
            select(HandoffItem)
            .where(HandoffItem.handoff_id == handoff.id)
            .order_by(HandoffItem.position, HandoffItem.id)
        )
    )
    events = list(
        session.scalars(
            select(HandoffEvent)
            .where(HandoffEvent.handoff_id == handoff.id)
            .order_by(HandoffEvent.at, HandoffEvent.id)
        )
    )
    users = _names(
        session,
        {handoff.author_id, handoff.receiver_id, handoff.from_manager_id, handoff.accepted_by_id}
        | {i.answered_by_id for i in items}
        | {e.by_id for e in events},
    )
    contact_ids = sorted({i.contact_id for i in items if i.contact_id})
    contacts = dict(
        session.execute(
            select(Contact.id, Contact.name).where(Contact.id.in_(contact_ids))
        ).all()
    ) if contact_ids else {}
    interaction_ids = sorted({i.interaction_id for i in items if i.interaction_id})
    interactions = dict(
        session.execute(
            select(Interaction.id, Interaction.summary).where(Interaction.id.in_(interaction_ids))
        ).all()
    ) if interaction_ids else {}

    def name(user_id: int | None) -> str | None:
        found = users.get(user_id) if user_id is not None else None
        return found.name if found else None

    def email(user_id: int | None) -> str | None:
        found = users.get(user_id) if user_id is not None else None
        return found.email if found else None

    account_visible = sees_everything(user) or session.scalar(
        select(Account.id).where(Account.id == account.id, visible_accounts(user))
    ) is not None
    return HandoffOut(
        id=handoff.id,
        account_id=account.id,
        account_name=account.name,
        account_status=account.status,
        kind=handoff.kind,
        state=handoff.state,
        author_id=handoff.author_id,
        author_name=name(handoff.author_id),
        receiver_id=handoff.receiver_id,
        receiver_name=name(handoff.receiver_id),
        from_manager_id=handoff.from_manager_id,
        from_manager_name=name(handoff.from_manager_id),
        created_at=handoff.created_at,
        submitted_at=handoff.submitted_at,
        due_on=handoff.due_on,
        accepted_at=handoff.accepted_at,
        accepted_by_id=handoff.accepted_by_id,
        accepted_by_name=name(handoff.accepted_by_id),
        returned_at=handoff.returned_at,
        return_reason=handoff.return_reason,
        quality=handoff.quality,
        completeness=rules.completeness(items),
        overdue=rules.is_overdue(handoff.state, handoff.due_on, today),
        missing=rules.missing_required(items),
        allowed=allowed_actions(session, user, handoff),
        account_visible=account_visible,
        items=[
            HandoffItemOut(
                key=i.key,
                label=i.label,
                required=i.required,
                position=i.position,
                hint=i.hint,
                answer_kind=i.answer_kind,
                text=i.answer,
                contact_id=i.contact_id,
                contact_name=contacts.get(i.contact_id) if i.contact_id else None,
                interaction_id=i.interaction_id,
                interaction_summary=(
                    interactions.get(i.interaction_id) if i.interaction_id else None
                ),
                reason=i.na_reason,
                answered_by=email(i.answered_by_id),
                answered_at=i.answered_at,
            )
            for i in items
        ],
        events=[
            HandoffEventOut(
                at=e.at, by=email(e.by_id), from_state=e.from_state, to_state=e.to_state,
                reason=e.reason,
            )
            for e in events
        ],
        version=handoff.version,
    )


# ---------------------------------------------------------------- lists


def _box_condition(user: User, box: str, today: date) -> ColumnElement[bool]:
    submitted = Handoff.state == rules.HandoffState.SUBMITTED
    if box == "waiting":
        mine: ColumnElement[bool] = Handoff.receiver_id == user.id
        if Role(user.role) is Role.HEAD:
            mine = or_(mine, Handoff.receiver_id.in_(headed_team_members(user)))
        return and_(submitted, mine)
    if box == "mine":
        return Handoff.author_id == user.id
    if box == "overdue":
        return and_(submitted, Handoff.due_on < today)
    if box == "returned":
        return and_(Handoff.author_id == user.id, Handoff.state == rules.HandoffState.RETURNED)
    return true()


def _order(query: Any, sort: str, account: Any) -> Any:
    if sort == "-due_on":
        return query.order_by(Handoff.due_on.is_(None), Handoff.due_on.desc(), Handoff.id.desc())
    if sort == "-created_at":
        return query.order_by(Handoff.created_at.desc(), Handoff.id.desc())
    if sort == "account":
        return query.order_by(account.name_key, Handoff.id)
    return query.order_by(Handoff.due_on.is_(None), Handoff.due_on, Handoff.id)


def list_page(
    session: Session,
    user: User,
    *,
    box: str,
    account_id: int | None,
    state: str | None,
    page: int,
    page_size: int,
    sort: str,
    today: date,
) -> HandoffPage:
    problems = []
    if box not in BOXES:
        problems.append(FieldProblem("box", "one of " + ", ".join(BOXES)))
    if state is not None and state not in {s.value for s in rules.HandoffState}:
        problems.append(
            FieldProblem("state", "one of " + ", ".join(s.value for s in rules.HandoffState))
        )
    if sort not in SORTS:
        problems.append(FieldProblem("sort", "one of " + ", ".join(SORTS)))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"from 1 to {MAX_PAGE_SIZE}"))
    if page < 1:
        problems.append(FieldProblem("page", "from 1"))
    if problems:
        raise ValidationFailed(problems)
    where = [visible_handoffs(user), _box_condition(user, box, today)]
    if account_id is not None:
        get_visible_account(session, user, account_id)  # an account out of reach: 404
        where.append(Handoff.account_id == account_id)
    if state is not None:
        where.append(Handoff.state == state)
    total = session.scalar(select(func.count()).select_from(Handoff).where(*where)) or 0
    rows = _rows(session, where, sort=sort, limit=page_size, offset=(page - 1) * page_size,
                 today=today)
    return HandoffPage(
        box=box,
        items=rows,
        total=total,
        page=page,
        page_size=page_size,
        pages=max(1, math.ceil(total / page_size)),
    )


def account_panel(session: Session, user: User, account_id: int, *, limit: int, today: date
                  ) -> list[HandoffRow]:
    """The newest hand-offs of an account the caller has already found visible (the account
    page): those the user may see, one statement (no count, no second look at the account)."""
    where = [visible_handoffs(user), Handoff.account_id == account_id]
    return _rows(session, where, sort="-created_at", limit=limit, offset=0, today=today)


def _rows(session: Session, where: list[Any], *, sort: str, limit: int, offset: int,
          today: date) -> list[HandoffRow]:
    author = aliased(User)
    receiver = aliased(User)
    query = (
        select(Handoff, Account.name, author.name, receiver.name)
        .join(Account, Account.id == Handoff.account_id)
        .outerjoin(author, author.id == Handoff.author_id)
        .outerjoin(receiver, receiver.id == Handoff.receiver_id)
        .where(*where)
    )
    query = _order(query, sort, Account).limit(limit).offset(offset)
    return [
        HandoffRow(
            id=h.id,
            account_id=h.account_id,
            account_name=account_name,
            kind=h.kind,
            state=h.state,
            author_id=h.author_id,
            author_name=author_name,
            receiver_id=h.receiver_id,
            receiver_name=receiver_name,
            created_at=h.created_at,
            submitted_at=h.submitted_at,
            due_on=h.due_on,
            overdue=rules.is_overdue(h.state, h.due_on, today),
            return_reason=h.return_reason,
            quality=h.quality,
        )
        for h, account_name, author_name, receiver_name in session.execute(query).all()
    ]
