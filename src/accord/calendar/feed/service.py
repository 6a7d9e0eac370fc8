"""The per-user iCalendar feed and the ``.ics`` meetings import: the use cases behind the
page, the API and ``accord calendar feed-url|import-ics``.

- Feed tokens: a user makes (at most ``rules.MAX_LIVE_TOKENS`` live at once), lists and
  revokes their own; an admin revokes anybody's. The secret (32 random bytes) is shown once;
  only its SHA-256 and a short prefix are stored. Every change is audited.
- The feed (``feed``): the token IS the identity — whoever holds it reads its user's feed,
  only what that user may see. An unknown, revoked or misshapen token, or a deactivated
  user's, is one and the same 404. Reading a feed writes nothing.
- The import (``import_meetings``): past meetings matched to the one account (among those
  the importer may change) their attendees are contacts of become interactions of kind
  ``meeting`` through the accounts' interaction service; each recorded by UID, so importing
  the same file again adds nothing. All or nothing, in the caller's transaction.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.accounts.contacts import log_interaction
from accord.accounts.models import Account, AccountContact, Contact, InteractionKind
from accord.accounts.schemas import InteractionIn
from accord.accounts.visibility import require_writer, visible_accounts
from accord.calendar.feed import ical, queries, rules
from accord.calendar.feed.meetings import ParsedMeeting, parse_meetings
from accord.calendar.feed.schemas import (
    FeedTokenCreated,
    FeedTokenOut,
    MatchedMeeting,
    MeetingsImportOut,
    PassedMeeting,
)
from accord.calendar.models import FeedToken, ImportedMeeting
from accord.core import audit
from accord.core.database import utcnow
from accord.core.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.security import hash_api_token

GONE = "no such calendar feed"
NOT_A_USER = "the calendar feed belongs to a user: act as one (--as EMAIL)"


# ---------------------------------------------------------------- tokens


def _out(row: FeedToken) -> FeedTokenOut:
    return FeedTokenOut(id=row.id, prefix=row.prefix, created_at=row.created_at,
                        revoked_at=row.revoked_at, active=row.revoked_at is None)


def _require_user(user: User) -> None:
    if user.id is None:
        raise Forbidden(NOT_A_USER)
    if not user.is_active:
        raise Forbidden("a deactivated user has no calendar feed")


def list_tokens(session: Session, user: User) -> list[FeedTokenOut]:
    """The user's feed tokens, the newest first (never their secrets)."""
    _require_user(user)
    rows = session.scalars(
        select(FeedToken).where(FeedToken.user_id == user.id)
        .order_by(FeedToken.created_at.desc(), FeedToken.id.desc())
    ).all()
    return [_out(row) for row in rows]


def create_token(session: Session, user: User) -> tuple[FeedToken, str]:
    """A new feed token for ``user``: the row and the secret (shown once, never stored)."""
    _require_user(user)
    live = session.scalar(
        select(func.count()).select_from(FeedToken)
        .where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
    ) or 0
    if live >= rules.MAX_LIVE_TOKENS:
        raise ValidationFailed([FieldProblem(
            "token", f"at most {rules.MAX_LIVE_TOKENS} feed tokens may be live at once: "
            "revoke one first")])
    secret = secrets.token_urlsafe(rules.SECRET_BYTES)
    row = FeedToken(user_id=user.id, prefix=rules.prefix_of(secret),
                    token_hash=hash_api_token(secret), created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, user, "create", "feed_token", row.id,
                 after={"user": user.email, "prefix": row.prefix})
    return row, secret


def new_feed_url(session: Session, user: User, *, base: str) -> FeedTokenCreated:
    """A new token with its feed's URL under ``base`` (the doors' one call)."""
    row, secret = create_token(session, user)
    return FeedTokenCreated(**_out(row).model_dump(), token=secret,
                            path=rules.FEED_PATH.format(token=secret),
                            url=rules.feed_url(base, secret))


def revoke_token(session: Session, user: User, token_id: int) -> FeedTokenOut:
    """Revoke one's own token (an admin: anybody's); the feed answers 404 at once. Revoking
    twice changes nothing. Someone else's token is not found."""
    row = session.get(FeedToken, token_id)
    is_admin = bool(user.is_active) and user.role == Role.ADMIN.value
    if row is None or (row.user_id != user.id and not is_admin) or not user.is_active:
        raise NotFound(f"no feed token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        audit.record(session, user, "revoke", "feed_token", row.id,
                     after={"revoked_at": row.revoked_at, "prefix": row.prefix})
    return _out(row)


# ---------------------------------------------------------------- the feed


def feed_owner(session: Session, token: str) -> User:
    """The user whose feed ``token`` opens; NotFound for anything else."""
    if not rules.looks_like_secret(token):
        raise NotFound(GONE)
    row = session.execute(
        select(FeedToken.revoked_at, User)
        .join(User, User.id == FeedToken.user_id)
        .where(FeedToken.token_hash == hash_api_token(token))
    ).first()
    if row is None or row[0] is not None or not row[1].is_active:
        raise NotFound(GONE)
    return row[1]


def feed(session: Session, token: str, today: date) -> bytes:
    """The token's user's calendar (RFC 5545): their events, open follow-ups and renewal
    notice deadlines, only what they may see. Reads only."""
    user = feed_owner(session, token)
    since = rules.window_start(today)
    return ical.calendar(
        user_name=user.name, time_zone=user.time_zone, today=today,
        events=queries.events(session, user, since),
        follow_ups=queries.follow_ups(session, user),
        renewals=queries.renewals(session, user, since),
    )


# ---------------------------------------------------------------- the meetings import


def _contacts_by_email(
    session: Session, user: User, emails: set[str]
) -> dict[str, list[tuple[int, str, int, str]]]:
    """(contact id, name, account id, account name) per e-mail, at accounts ``user`` sees."""
    found: dict[str, list[tuple[int, str, int, str]]] = defaultdict(list)
    ordered = sorted(emails)
    for start in range(0, len(ordered), queries.CHUNK):
        rows = session.execute(
            select(func.lower(Contact.email), Contact.id, Contact.name, Account.id, Account.name)
            .join(AccountContact, AccountContact.contact_id == Contact.id)
            .join(Account, Account.id == AccountContact.account_id)
            .where(func.lower(Contact.email).in_(ordered[start:start + queries.CHUNK]),
                   visible_accounts(user))
            .order_by(Contact.id, Account.id)
        ).all()
        for email, contact_id, name, account_id, account_name in rows:
            found[email].append((contact_id, name, account_id, account_name))
    return found


def _seen(session: Session, keys: list[str]) -> set[str]:
    seen: set[str] = set()
    for start in range(0, len(keys), queries.CHUNK):
        seen.update(session.scalars(select(ImportedMeeting.uid).where(
            ImportedMeeting.uid.in_(keys[start:start + queries.CHUNK]))))
    return seen


def import_meetings(
    session: Session, user: User, data: bytes, *, today: date
) -> MeetingsImportOut:
    """Past meetings of an ``.ics`` file as interactions (see the module's docstring)."""
    require_writer(user)
    if user.id is None:
        raise Forbidden("meetings are imported as a user: act as one (--as EMAIL)")
    meetings = parse_meetings(data, ical.zone(user.time_zone))
    by_email = _contacts_by_email(session, user, {e for m in meetings for e in m.emails})
    seen = _seen(session, sorted({m.key for m in meetings if m.key}))
    out = MeetingsImportOut(events=len(meetings), matched=[], already_imported=[],
                            unmatched=[], skipped=[])
    for meeting in meetings:
        if meeting.problem:
            out.skipped.append(PassedMeeting(uid=meeting.key, summary=meeting.summary,
                                             reason=meeting.problem))
            continue
        if meeting.key in seen:
            out.already_imported.append(meeting.key)
            continue
        _import_one(session, user, meeting, by_email, today, out)
        seen.add(meeting.key)
    if out.matched:
        audit.record(session, user, "import", "imported_meetings", None, after={
            "events": out.events, "matched": len(out.matched),
            "already_imported": len(out.already_imported), "unmatched": len(out.unmatched),
            "skipped": len(out.skipped)})
    return out


def _import_one(
    session: Session, user: User, meeting: ParsedMeeting,
    by_email: dict[str, list[tuple[int, str, int, str]]], today: date, out: MeetingsImportOut,
) -> None:
    accounts: dict[int, str] = {}
    contacts: dict[int, str] = {}
    for email in meeting.emails:
        for contact_id, name, account_id, account_name in by_email.get(email, []):
            accounts[account_id] = account_name
            contacts[contact_id] = name
    verdict, reason = rules.meeting_verdict(
        held_on=meeting.held_on, today=today, cancelled=meeting.cancelled,
        repeats=meeting.repeats, accounts=len(accounts))
    if verdict != "matched":
        if verdict == "unmatched" and len(accounts) > 1:
            reason += ": " + ", ".join(sorted(accounts.values()))
        target = out.skipped if verdict == "skipped" else out.unmatched
        target.append(PassedMeeting(uid=meeting.key, summary=meeting.summary, reason=reason))
        return
    assert meeting.held_on is not None  # a verdict of "matched" has a day
    (account_id, account_name), = accounts.items()
    linked = sorted(cid for email in meeting.emails for cid, _, acc, _ in by_email.get(email, [])
                    if acc == account_id)
    interaction = log_interaction(
        session, user, account_id,
        InteractionIn(kind=InteractionKind.MEETING, occurred_on=meeting.held_on,
                      summary=meeting.summary, contact_ids=sorted(set(linked))),
        today=today)
    session.add(ImportedMeeting(uid=meeting.key, interaction_id=interaction.id,
                                imported_by_id=user.id, imported_at=utcnow()))
    try:
        session.flush()
    except IntegrityError:  # the same UID imported at this moment by another request
        raise Conflict(f"meeting {meeting.key} is being imported by someone else right now: "
                       "import the file again in a moment (nothing was written)") from None
    out.matched.append(MatchedMeeting(
        uid=meeting.key, account_id=account_id, account_name=account_name,
        occurred_on=meeting.held_on, interaction_id=interaction.id,
        contacts=sorted(contacts[c] for c in set(linked))))
