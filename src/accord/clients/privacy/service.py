"""Individual clients' personal data (issue 16): marketing consent, the suppression list and
erasure on request ("right to be forgotten"); docs/clients-privacy.md. One service behind
the API, the pages and the command line; every change audited in the caller's transaction.

Who may: consent, whoever may write the person account; the suppression list, admins and
heads; erasure, admins and heads over the person accounts they see (it cannot be undone).
A company is a 422, an account out of reach a 404, a second erasure a 409.

Erasure anonymises in place and keeps the figures: names and free text go, ids,
classification and revenue lines stay. A contact also at another account is kept there
and unlinked from this one. The audit log keeps ids, not values: the erasure's entry names
ids and counts, and earlier entries of the account and its anonymised contacts are redacted
(``clients.privacy.redaction``) — lifting the log's append-only guard for those statements
only, inside the erasure's transaction, and putting it back before it ends (as migration
0010 did).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.accounts.models import (
    Account,
    AccountContact,
    AccountKind,
    Contact,
    Interaction,
    InteractionContact,
)
from accord.accounts.search import name_key
from accord.accounts.visibility import (
    can_write,
    get_visible_account,
    require_writer,
    visible_accounts,
)
from accord.calendar.models import CalendarEvent, EventAttendee, FollowUp
from accord.clients.models import ClientProfile, ClientSuppression
from accord.clients.privacy.redaction import ERASED, redact_audit
from accord.clients.privacy.schemas import (
    MAX_REASON,
    ConsentOut,
    ErasureOut,
    ErasurePreview,
    SuppressionOut,
    SuppressionPage,
)
from accord.core import audit
from accord.core.database import utcnow
from accord.core.emails import email_problem, normalise_email
from accord.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID
from accord.revenue.models import RevenueLine

ERASERS = (Role.ADMIN, Role.HEAD)
SUPPRESSION_EDITORS = (Role.ADMIN, Role.HEAD)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
PROFILE = "client_profile"
SUPPRESSION = "client_suppression"

AccountRef = int | str


# ---------------------------------------------------------------- the account and its profile


def _visible(session: Session, user: User, ref: AccountRef) -> Account:
    """The account ``ref`` names (an id, or for the command line's ``ACCOUNT`` an id or an
    external id: all digits tries the id first) if ``user`` sees it; otherwise NotFound."""
    if isinstance(ref, int):
        if not 1 <= ref <= MAX_ID:
            raise NotFound(f"no account {ref}")
        return get_visible_account(session, user, ref)
    ref = ref.strip()
    if ref.isdigit() and len(ref) < 10:
        try:
            return get_visible_account(session, user, int(ref))
        except NotFound:
            pass
    found = session.scalar(select(Account.id).where(
        Account.external_id == ref, visible_accounts(user)))
    if found is None:
        raise NotFound(f"no account {ref!r} (neither an id nor an external id you can see)")
    return get_visible_account(session, user, int(found))


def _require_person(account: Account, what: str) -> None:
    if account.kind != AccountKind.PERSON:
        raise ValidationFailed([FieldProblem(
            "account_id", f"account {account.id} is a company: {what} is kept for individual "
            "clients (person accounts) only")])


def _profile(session: Session, account_id: int) -> ClientProfile:
    profile = session.get(ClientProfile, account_id)
    if profile is None:
        profile = ClientProfile(account_id=account_id, marketing_consent=False)
        session.add(profile)
    return profile


def _consent_out(account_id: int, profile: ClientProfile | None) -> ConsentOut:
    return ConsentOut(
        account_id=account_id,
        marketing_consent=bool(profile and profile.marketing_consent),
        consent_changed_on=profile.consent_changed_on if profile else None,
        erased=bool(profile and profile.erased_at))


def panel(session: Session, user: User, account_id: int) -> dict[str, Any] | None:
    """The account page's privacy panel (``clients/_privacy_panel.html``): consent, erasure
    and what the reader may do; None for a company. A read: writes nothing."""
    account = get_visible_account(session, user, account_id)
    if account.kind != AccountKind.PERSON:
        return None
    profile = session.get(ClientProfile, account_id)
    erased = profile.erased_at if profile else None
    writer = can_write(user)
    return {
        "account_id": account_id,
        "marketing_consent": bool(profile and profile.marketing_consent),
        "consent_changed_on": profile.consent_changed_on if profile else None,
        "erased_at": erased,
        "can_change": writer and erased is None,
        "can_erase": writer and erased is None and Role(user.role) in ERASERS,
    }


# ---------------------------------------------------------------- marketing consent


def set_consent(session: Session, user: User, ref: AccountRef, given: bool,
                today: date) -> ConsentOut:
    """Give or withdraw the person's marketing consent; audited when it changes."""
    account = _visible(session, user, ref)
    require_writer(user)
    _require_person(account, "marketing consent")
    if not given and session.get(ClientProfile, account.id) is None:
        return _consent_out(account.id, None)  # never given: nothing to withdraw
    profile = _profile(session, account.id)
    if profile.erased_at is not None:
        raise Conflict(f"account {account.id}'s personal data was erased: no consent is kept")
    before = bool(profile.marketing_consent)
    if before != given:
        profile.marketing_consent = given
        profile.consent_changed_on = today
        session.flush()
        audit.record(session, user, "consent", PROFILE, account.id,
                     before={"marketing_consent": before}, after={"marketing_consent": given},
                     account_id=account.id)
    session.flush()
    return _consent_out(account.id, profile)


# ---------------------------------------------------------------- the suppression list


def _suppression_out(row: ClientSuppression, added_by: str | None) -> SuppressionOut:
    return SuppressionOut(id=row.id, email=row.email_key, reason=row.reason,
                          added_at=row.added_at, added_by=added_by)


def _email_key(email: str) -> str:
    key = normalise_email(email or "")
    problem = email_problem(key) if key else "an e-mail address is required"
    if problem:
        raise ValidationFailed([FieldProblem("email", problem)])
    return key


def suppressions(session: Session, user: User, *, q: str | None = None, page: int = 1,
                 page_size: int = PAGE_SIZE) -> SuppressionPage:
    """One page of the list by address; ``q``: part of an address."""
    require_role(user, *SUPPRESSION_EDITORS)
    if not 1 <= page_size <= MAX_PAGE_SIZE or not 1 <= page <= MAX_ID // MAX_PAGE_SIZE:
        raise ValidationFailed([FieldProblem("page", f"pages of 1 to {MAX_PAGE_SIZE}")])
    where: list[Any] = []
    needle = normalise_email(q or "")
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(ClientSuppression.email_key.like(f"%{escaped}%", escape="\\"))
    total = int(session.scalar(
        select(func.count()).select_from(ClientSuppression).where(*where)) or 0)
    rows = session.execute(
        select(ClientSuppression, User.email)
        .outerjoin(User, User.id == ClientSuppression.added_by_id)
        .where(*where).order_by(ClientSuppression.email_key)
        .limit(page_size).offset((page - 1) * page_size)).all()
    return SuppressionPage(
        q=needle or None, total=total, page=page, page_size=page_size,
        pages=max(1, math.ceil(total / page_size)),
        items=[_suppression_out(row, added_by) for row, added_by in rows])


def add_suppression(session: Session, user: User, email: str,
                    reason: str | None = None) -> SuppressionOut:
    """Add an address (lower case, trimmed); a malformed one is a 422, one listed a 409."""
    require_role(user, *SUPPRESSION_EDITORS)
    key = _email_key(email)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationFailed([FieldProblem("reason", f"at most {MAX_REASON} characters")])
    if session.scalar(select(ClientSuppression.id).where(ClientSuppression.email_key == key)):
        raise Conflict(f"{key} is on the suppression list already")
    row = ClientSuppression(email_key=key, reason=reason, added_at=utcnow(),
                            added_by_id=user.id)
    try:
        with session.begin_nested():  # two at once: the unique key decides
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(f"{key} is on the suppression list already") from None
    audit.record(session, user, "create", SUPPRESSION, row.id,
                 after={"email": key, "reason": reason})
    return _suppression_out(row, user.email if user.id is not None else None)


def remove_suppression(session: Session, user: User, ref: int | str) -> str:
    """Take an address off the list, by its id (API, pages) or the address itself (the
    command line); returns the address."""
    require_role(user, *SUPPRESSION_EDITORS)
    if isinstance(ref, int):
        row = session.get(ClientSuppression, ref) if 1 <= ref <= MAX_ID else None
        missing = f"no suppressed address {ref}"
    else:
        key = normalise_email(ref)
        row = session.scalar(select(ClientSuppression).where(ClientSuppression.email_key == key))
        missing = f"{key or ref!r} is not on the suppression list"
    if row is None:
        raise NotFound(missing)
    before = {"email": row.email_key, "reason": row.reason}
    session.delete(row)
    session.flush()
    audit.record(session, user, "delete", SUPPRESSION, row.id, before=before)
    return row.email_key


# ---------------------------------------------------------------- erasure


@dataclass(frozen=True)
class _Reach:
    """What an erasure touches: contacts of this account only (anonymised), contacts also
    at another account (unlinked), interactions, follow-ups, events; revenue lines kept."""

    own: list[int]
    shared: list[int]
    interactions: int
    follow_ups: int
    events: int
    revenue_lines: int


def _reach(session: Session, account_id: int) -> _Reach:
    linked = select(AccountContact.contact_id).where(AccountContact.account_id == account_id)
    contacts = sorted(session.scalars(linked))
    shared = set(session.scalars(select(AccountContact.contact_id).where(
        AccountContact.contact_id.in_(linked), AccountContact.account_id != account_id)))

    def count(model: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(
            model.account_id == account_id)) or 0)

    return _Reach(own=[c for c in contacts if c not in shared], shared=sorted(shared),
                  interactions=count(Interaction), follow_ups=count(FollowUp),
                  events=count(CalendarEvent), revenue_lines=count(RevenueLine))


def _eraser(session: Session, user: User, ref: AccountRef) -> Account:
    account = _visible(session, user, ref)  # out of reach: 404 before anything is said
    require_writer(user)
    require_role(user, *ERASERS)
    return account


def erasure_preview(session: Session, user: User, ref: AccountRef) -> ErasurePreview:
    """What erasing would do (the confirmation step). A read."""
    account = _eraser(session, user, ref)
    profile = session.get(ClientProfile, account.id)
    r = _reach(session, account.id)
    return ErasurePreview(
        account_id=account.id, name=account.name, kind=account.kind,
        erased_at=profile.erased_at if profile else None, contacts_erased=len(r.own),
        contacts_unlinked=len(r.shared), interactions=r.interactions,
        follow_ups=r.follow_ups, events=r.events, revenue_lines=r.revenue_lines)


def erase_client(session: Session, user: User, ref: AccountRef, today: date) -> ErasureOut:
    """Erase the person's personal data (see the module's docstring); one transaction."""
    account = _eraser(session, user, ref)
    _require_person(account, "erasure")
    profile = _profile(session, account.id)
    if profile.erased_at is not None:
        raise Conflict(f"account {account.id}'s personal data was erased already "
                       f"({profile.erased_at.date().isoformat()})")
    r = _reach(session, account.id)
    # the log first: its guard is lifted before any row of the account is locked
    redacted = redact_audit(session, account.id, r.own)
    now = utcnow()
    account.name = f"Erased client #{account.id}"
    account.name_key = name_key(account.name)
    for column in ("notes", "country", "industry", "estimated_spend_source"):
        setattr(account, column, None)
    account.updated_at = now
    for contact in session.scalars(select(Contact).where(Contact.id.in_(r.own))):
        contact.name = f"Erased contact #{contact.id}"
        for column in ("email", "phone", "function", "seniority", "stance", "influence"):
            setattr(contact, column, None)
        contact.updated_at = now
    _unlink(session, account.id, r.shared)
    session.execute(update(Interaction).where(Interaction.account_id == account.id)
                    .values(summary=ERASED, outcome=None))
    session.execute(update(FollowUp).where(FollowUp.account_id == account.id).values(
        title=ERASED, notes="", cancel_reason=None, updated_at=now,
        version=FollowUp.version + 1))
    session.execute(update(CalendarEvent).where(CalendarEvent.account_id == account.id).values(
        title=ERASED, agenda="", location="", updated_at=now,
        version=CalendarEvent.version + 1))
    profile.marketing_consent = False
    profile.consent_changed_on = today
    profile.erased_at = now
    session.flush()
    result = ErasureOut(
        account_id=account.id, erased_at=now, contacts_erased=len(r.own),
        contacts_unlinked=len(r.shared), interactions=r.interactions, follow_ups=r.follow_ups,
        events=r.events, audit_entries_redacted=redacted, revenue_lines_kept=r.revenue_lines)
    audit.record(session, user, "erase", PROFILE, account.id, after={
        **result.model_dump(exclude={"erased_at"}), "contact_ids": r.own,
        "unlinked_contact_ids": r.shared}, account_id=account.id)
    return result


def _unlink(session: Session, account_id: int, shared: list[int]) -> None:
    """Titles at this account dropped; contacts also elsewhere unlinked from the account,
    its interactions and its events."""
    session.execute(update(AccountContact).where(AccountContact.account_id == account_id)
                    .values(title=None))
    if not shared:
        return
    session.execute(delete(InteractionContact).where(
        InteractionContact.interaction_id.in_(
            select(Interaction.id).where(Interaction.account_id == account_id)),
        InteractionContact.contact_id.in_(shared)))
    session.execute(delete(EventAttendee).where(
        EventAttendee.event_id.in_(
            select(CalendarEvent.id).where(CalendarEvent.account_id == account_id)),
        EventAttendee.contact_id.in_(shared)))
    session.execute(delete(AccountContact).where(
        AccountContact.account_id == account_id, AccountContact.contact_id.in_(shared)))
