"""The feed's rules, pure: what a feed token looks like, the feed's window, the dates of its
all-day items (a follow-up's effective due date, a renewal's notice deadline), the UIDs of
the items Accord makes, the feed's URL, and how an imported meeting is judged."""

from __future__ import annotations

import re
from datetime import date, timedelta

from accord.calendar.followups import rules as followups_rules
from accord.calendar.renewals import rules as renewals_rules

#: a feed secret: ``secrets.token_urlsafe(32)`` (32 random bytes, 43 characters)
SECRET_BYTES = 32
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
#: the first characters of a secret kept in the clear, to tell tokens apart in a list
PREFIX_LENGTH = 6
#: live (not revoked) tokens a user may hold at once
MAX_LIVE_TOKENS = 5
#: events whose series may reach back this far are in the feed
WINDOW_DAYS = 90
#: the route of the feed (``{token}``: the secret); the page, API and CLI print it whole
FEED_PATH = "/calendar/feed/{token}.ics"
#: an ImportedMeeting's key (the UID, with the RECURRENCE-ID of one changed occurrence)
MAX_UID = 255
#: the summary an imported meeting without SUMMARY gets
DEFAULT_SUMMARY = "Meeting"
MAX_SUMMARY = 500


def looks_like_secret(token: str) -> bool:
    """True when ``token`` has the shape of a feed secret (anything else is a 404 unread)."""
    return bool(SECRET_SHAPE.fullmatch(token))


def prefix_of(secret: str) -> str:
    return secret[:PREFIX_LENGTH]


def window_start(today: date) -> date:
    """The first day the feed covers: events that may reach it (a series still running)."""
    return today - timedelta(days=WINDOW_DAYS)


# one rule each, defined where it belongs (the feed shows them, it does not redefine them)
effective_due = followups_rules.effective_due
notice_deadline = renewals_rules.notice_deadline


def follow_up_uid(follow_up_id: int) -> str:
    return f"follow-up-{follow_up_id}@accord"


def renewal_uid(account_id: int, contract_end_on: date) -> str:
    return f"renewal-{account_id}-{contract_end_on.isoformat()}@accord"


def feed_url(base: str, secret: str) -> str:
    """The feed's full URL under ``base`` (``https://accord.example.com``)."""
    return base.rstrip("/") + FEED_PATH.format(token=secret)


def meeting_key(uid: str, recurrence_id: str | None) -> str:
    """What an imported meeting is recorded by: its UID, or UID#RECURRENCE-ID for one changed
    occurrence of a series (a file holds the series and such occurrences under one UID)."""
    return f"{uid}#{recurrence_id}" if recurrence_id else uid


def meeting_verdict(
    *, held_on: date | None, today: date, cancelled: bool, repeats: bool, accounts: int
) -> tuple[str, str]:
    """What becomes of an imported meeting: ("skipped" | "unmatched" | "matched", reason).

    ``accounts``: how many accounts (the importer may change) its attendees are contacts of.
    """
    if held_on is None:
        return "skipped", "it has no DTSTART date"
    if cancelled:
        return "skipped", "it was cancelled (STATUS:CANCELLED)"
    if repeats:
        return "skipped", ("a recurring series (RRULE): its occurrences are not read; export "
                           "them one by one")
    if held_on > today:
        return "skipped", "not held yet"
    if accounts == 0:
        return "unmatched", "no attendee is a contact of an account you may change"
    if accounts > 1:
        return "unmatched", f"the attendees are contacts of {accounts} accounts"
    return "matched", ""


def base_url(settings: object, fallback: str) -> str:
    """Where Accord is reached: the ``app_url`` setting when it was given (its default says
    nothing), else ``fallback`` (the request's own base URL; ``http://HOST:PORT`` on the
    command line)."""
    given: set[str] = getattr(settings, "model_fields_set", set())
    app_url = getattr(settings, "app_url", None) if "app_url" in given else None
    return str(app_url or fallback).rstrip("/")
