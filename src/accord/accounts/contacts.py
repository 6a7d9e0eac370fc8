"""Use cases for contacts (one person, several accounts) and the account timeline."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.accounts.models import (
    Account,
    AccountContact,
    Contact,
    Interaction,
    InteractionContact,
    InteractionUser,
)
from accord.accounts.schemas import ContactIn, ContactOut, InteractionIn, InteractionOut
from accord.accounts.touches import is_qualifying
from accord.accounts.visibility import (
    get_visible_account,
    get_writable_account,
    sees_everything,
    visible_accounts,
)
from accord.core import audit, versions
from accord.core.database import utcnow
from accord.core.emails import EMAIL_RE
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import User

CONTACT_FIELDS = (
    "external_id",
    "name",
    "email",
    "phone",
    "function",
    "seniority",
    "stance",
    "influence",
)
LINK_FIELDS = ("buying_role", "title")


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def contact_snapshot(contact: Contact) -> dict[str, Any]:
    return {f: getattr(contact, f) for f in CONTACT_FIELDS}


def _last_touch_by_contact(session: Session, contact_ids: list[int]) -> dict[int, date]:
    if not contact_ids:
        return {}
    rows = session.execute(
        select(InteractionContact.contact_id, func.max(Interaction.occurred_on))
        .join(Interaction, Interaction.id == InteractionContact.interaction_id)
        .where(InteractionContact.contact_id.in_(contact_ids))
        .group_by(InteractionContact.contact_id)
    )
    return {cid: day for cid, day in rows}


def list_contacts(session: Session, user: User, account_id: int) -> list[ContactOut]:
    get_visible_account(session, user, account_id)
    rows = session.execute(
        select(Contact, AccountContact)
        .join(AccountContact, AccountContact.contact_id == Contact.id)
        .where(AccountContact.account_id == account_id)
        .order_by(Contact.name)
    ).all()
    touches = _last_touch_by_contact(session, [c.id for c, _ in rows])
    return [
        ContactOut(
            **contact_snapshot(c),
            id=c.id,
            buying_role=link.buying_role,
            title=link.title,
            last_touch_on=touches.get(c.id),
            account_ids=[account_id],
            version=c.version,
        )
        for c, link in rows
    ]


def get_contact(session: Session, user: User, contact_id: int) -> ContactOut:
    """A contact is visible when one of its accounts is."""
    contact = session.get(Contact, contact_id)
    account_ids = list(
        session.scalars(
            select(AccountContact.account_id)
            .join(Account, Account.id == AccountContact.account_id)
            .where(AccountContact.contact_id == contact_id, visible_accounts(user))
            .order_by(AccountContact.account_id)
        )
    )
    if contact is None or not account_ids:
        raise NotFound(f"no contact {contact_id}")
    touches = _last_touch_by_contact(session, [contact_id])
    return ContactOut(
        **contact_snapshot(contact),
        id=contact.id,
        last_touch_on=touches.get(contact_id),
        account_ids=account_ids,
        version=contact.version,
    )


#: what a user is told of a contact out of their reach (the words of the contacts import)
OUT_OF_REACH = "already used by a contact at an account you cannot see"


def contact_in_reach(session: Session, user: User, contact_id: int) -> bool:
    """True when ``user`` may see (and so link) the contact: it is at an account they see,
    or at no account at all; the same rule as the contacts import."""
    if sees_everything(user):
        return True
    links = select(AccountContact.account_id).where(AccountContact.contact_id == contact_id)
    if session.scalar(links.limit(1)) is None:
        return True  # an orphan contact belongs to no one yet
    seen = links.join(Account, Account.id == AccountContact.account_id).where(
        visible_accounts(user)
    )
    return session.scalar(seen.limit(1)) is not None


def _validate_contact(
    session: Session, user: User, data: dict[str, Any], contact_id: int | None
) -> None:
    problems = []
    email = data.get("email")
    if email and not EMAIL_RE.match(email):
        problems.append(FieldProblem("email", f"not an e-mail address: {email!r}"))
    ext = data.get("external_id")
    if ext:
        clash = session.scalar(select(Contact.id).where(Contact.external_id == ext))
        if clash is not None and clash != contact_id:
            known = contact_in_reach(session, user, clash)
            message = f"already used by contact {clash}" if known else OUT_OF_REACH
            problems.append(FieldProblem("external_id", message))
    if problems:
        raise ValidationFailed(problems)


def _same_person(session: Session, user: User, email: str | None) -> Contact | None:
    """The contact already known by this e-mail (any case) that the user may see, if any; a
    person known only at accounts out of the user's reach is refused, naming nothing of
    them, exactly as the import does."""
    if not email:
        return None
    known = session.scalars(
        select(Contact).where(func.lower(Contact.email) == email.lower()).order_by(Contact.id)
    ).all()
    for contact in known:
        if contact_in_reach(session, user, contact.id):
            return contact
    if known:
        raise ValidationFailed([FieldProblem("email", OUT_OF_REACH)])
    return None


def add_contact(session: Session, user: User, account_id: int, data: ContactIn) -> ContactOut:
    """Create a contact at an account, or link an existing person (same e-mail) to it.

    A person known by that e-mail only at accounts the user cannot see is not linked (that
    would show and let them change another team's contact): 422 on ``email``.
    """
    get_writable_account(session, user, account_id)
    values = {k: _plain(v) for k, v in data.model_dump().items()}
    _validate_contact(session, user, values, None)
    contact = _same_person(session, user, values.get("email"))
    if contact is None:
        now = utcnow()
        contact = Contact(
            **{f: values.get(f) for f in CONTACT_FIELDS}, created_at=now, updated_at=now
        )
        session.add(contact)
        session.flush()
        audit.record(
            session, user, "create", "contact", contact.id, after=contact_snapshot(contact)
        )
    link = session.get(AccountContact, (account_id, contact.id))
    if link is None:
        link = AccountContact(account_id=account_id, contact_id=contact.id)
        session.add(link)
    for f in LINK_FIELDS:
        setattr(link, f, values.get(f))
    session.flush()
    audit.record(
        session,
        user,
        "link",
        "account_contact",
        f"{account_id}:{contact.id}",
        after={f: values.get(f) for f in LINK_FIELDS},
    )
    return next(c for c in list_contacts(session, user, account_id) if c.id == contact.id)


def _contact_state(contact: Contact, link: AccountContact) -> dict[str, Any]:
    return {**contact_snapshot(contact), "buying_role": link.buying_role, "title": link.title}


def update_contact(
    session: Session,
    user: User,
    account_id: int,
    contact_id: int,
    data: dict[str, Any],
    *,
    expected: versions.Expected | None = None,
) -> ContactOut:
    """Change the person and their role here; ``expected`` as in ``update_account`` (the
    version is the person's, raised also when only their role at this account changes)."""
    get_writable_account(session, user, account_id)
    link = session.get(AccountContact, (account_id, contact_id))
    contact = session.get(Contact, contact_id)
    if link is None or contact is None:
        raise NotFound(f"no contact {contact_id} at account {account_id}")

    def current() -> dict[str, Any]:
        session.refresh(link)  # read after the lock
        return _contact_state(contact, link)

    versions.check(session, contact, expected, f"contact {contact_id}", current)
    before = _contact_state(contact, link)
    parsed = ContactIn.model_validate({**before, **data})
    values = {k: _plain(v) for k, v in parsed.model_dump().items()}
    _validate_contact(session, user, values, contact_id)
    for f in CONTACT_FIELDS:
        setattr(contact, f, values.get(f))
    for f in LINK_FIELDS:
        setattr(link, f, values.get(f))
    old, new = audit.changed_fields(before, _contact_state(contact, link))
    if set(new) & set(LINK_FIELDS):
        versions.bump(contact)
    contact.updated_at = utcnow()
    session.flush()
    if new:
        audit.record(
            session,
            user,
            "update",
            "contact",
            contact_id,
            before=old,
            after=new,
            account_id=account_id,
        )
    return next(c for c in list_contacts(session, user, account_id) if c.id == contact_id)


def unlink_contact(session: Session, user: User, account_id: int, contact_id: int) -> None:
    get_writable_account(session, user, account_id)
    link = session.get(AccountContact, (account_id, contact_id))
    if link is None:
        raise NotFound(f"no contact {contact_id} at account {account_id}")
    contact = session.get(Contact, contact_id)
    before = {
        "name": contact.name if contact else None,
        "email": contact.email if contact else None,
        **{f: getattr(link, f) for f in LINK_FIELDS},
    }
    session.delete(link)
    session.flush()
    audit.record(
        session, user, "unlink", "account_contact", f"{account_id}:{contact_id}", before=before
    )


def log_interaction(
    session: Session, user: User, account_id: int, data: InteractionIn, *, today: date
) -> InteractionOut:
    account = get_writable_account(session, user, account_id)
    problems = []
    if data.occurred_on > today:
        problems.append(FieldProblem("occurred_on", "an interaction cannot be in the future"))
    linked = set(
        session.scalars(
            select(AccountContact.contact_id).where(AccountContact.account_id == account_id)
        )
    )
    unknown = [c for c in data.contact_ids if c not in linked]
    if unknown:
        problems.append(FieldProblem("contact_ids", f"not contacts of this account: {unknown}"))
    users = set(session.scalars(select(User.id).where(User.id.in_(data.user_ids))))
    if missing := [u for u in data.user_ids if u not in users]:
        problems.append(FieldProblem("user_ids", f"no users {missing}"))
    if problems:
        raise ValidationFailed(problems)
    interaction = Interaction(
        account_id=account_id,
        kind=data.kind.value,
        occurred_on=data.occurred_on,
        summary=data.summary,
        outcome=data.outcome,
        sentiment=data.sentiment,
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(interaction)
    session.flush()
    for cid in sorted(set(data.contact_ids)):
        session.add(InteractionContact(interaction_id=interaction.id, contact_id=cid))
    for uid in sorted(set(data.user_ids) | {user.id}):
        session.add(InteractionUser(interaction_id=interaction.id, user_id=uid))
    if account.last_touch_on is None or data.occurred_on > account.last_touch_on:
        account.last_touch_on = data.occurred_on
    if is_qualifying(data.kind.value, bool(data.contact_ids)) and (
        account.last_qualifying_touch_on is None
        or data.occurred_on > account.last_qualifying_touch_on
    ):
        account.last_qualifying_touch_on = data.occurred_on
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "interaction",
        interaction.id,
        after={"account_id": account_id, **data.model_dump(mode="json")},
    )
    return timeline(session, user, account_id, limit=1, interaction_id=interaction.id)[0]


def timeline(
    session: Session,
    user: User,
    account_id: int,
    *,
    limit: int = 50,
    offset: int = 0,
    interaction_id: int | None = None,
) -> list[InteractionOut]:
    """The account's interactions, newest first, with participants' names."""
    get_visible_account(session, user, account_id)
    query = select(Interaction).where(Interaction.account_id == account_id)
    if interaction_id is not None:
        query = query.where(Interaction.id == interaction_id)
    items = list(
        session.scalars(
            query.order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    ids = [i.id for i in items]
    contacts: dict[int, list[str]] = {i: [] for i in ids}
    users: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for iid, name in session.execute(
            select(InteractionContact.interaction_id, Contact.name)
            .join(Contact, Contact.id == InteractionContact.contact_id)
            .where(InteractionContact.interaction_id.in_(ids))
            .order_by(Contact.name)
        ):
            contacts[iid].append(name)
        for iid, name in session.execute(
            select(InteractionUser.interaction_id, User.name)
            .join(User, User.id == InteractionUser.user_id)
            .where(InteractionUser.interaction_id.in_(ids))
            .order_by(User.name)
        ):
            users[iid].append(name)
    creators = {
        u.id: u.email
        for u in session.scalars(
            select(User).where(User.id.in_({i.created_by_id for i in items if i.created_by_id}))
        )
    }
    return [
        InteractionOut(
            id=i.id,
            account_id=i.account_id,
            kind=i.kind,
            occurred_on=i.occurred_on,
            summary=i.summary,
            outcome=i.outcome,
            sentiment=i.sentiment,
            created_by=creators.get(i.created_by_id or -1),
            contacts=contacts[i.id],
            users=users[i.id],
            created_at=i.created_at,
        )
        for i in items
    ]


def count_interactions(session: Session, user: User, account_id: int) -> int:
    get_visible_account(session, user, account_id)
    return (
        session.scalar(
            select(func.count())
            .select_from(Interaction)
            .where(Interaction.account_id == account_id)
        )
        or 0
    )
