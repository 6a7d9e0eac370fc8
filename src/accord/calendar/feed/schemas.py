"""Output shapes of the feed tokens and of the meetings import (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class FeedTokenOut(BaseModel):
    """A feed token as listed: never its secret."""

    id: int
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    active: bool


class FeedTokenCreated(FeedTokenOut):
    """A new token: ``token`` (the secret) and ``url`` are shown this once."""

    token: str
    path: str
    url: str


class MatchedMeeting(BaseModel):
    uid: str
    account_id: int
    account_name: str
    occurred_on: date
    interaction_id: int
    contacts: list[str]


class PassedMeeting(BaseModel):
    """A meeting not imported: unmatched (no account or several) or skipped, and why."""

    uid: str
    summary: str
    reason: str


class MeetingsImportOut(BaseModel):
    events: int
    matched: list[MatchedMeeting]
    already_imported: list[str]
    unmatched: list[PassedMeeting]
    skipped: list[PassedMeeting]
