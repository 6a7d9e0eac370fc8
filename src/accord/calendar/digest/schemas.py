"""The digest's request and report (API, ``accord digest send``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from accord.core.emails import EMAIL_RE, MAX_EMAIL

Email = Annotated[str, Field(min_length=3, max_length=MAX_EMAIL, pattern=EMAIL_RE.pattern)]
#: what happened to one user's digest
OUTCOMES = ("sent", "skipped", "failed", "already", "would_send", "would_skip")


class DigestSendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(False, strict=True,
                          description="Only say what would be sent: nothing is sent or recorded")
    to: Email | None = Field(None, description="Only this user's digest (their e-mail)")


class DigestLine(BaseModel):
    user_id: int
    email: str
    outcome: str = Field(description="sent, skipped (empty), failed, already (sent or skipped "
                         "earlier that day), would_send, would_skip (a dry run)")
    items: int = Field(description="Items in the digest")
    subject: str = ""
    error: str | None = None


class DigestReport(BaseModel):
    day: date
    dry_run: bool
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    already: int = 0
    lines: list[DigestLine] = Field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The counts (a job's result)."""
        return {"day": self.day.isoformat(), "sent": self.sent, "skipped": self.skipped,
                "failed": self.failed, "already": self.already}
