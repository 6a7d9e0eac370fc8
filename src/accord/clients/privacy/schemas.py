"""Input and output of the privacy API (issue 16): marketing consent, the suppression list,
erasure on request."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from accord.core.emails import MAX_EMAIL

#: the longest reason the suppression list keeps (``client_suppressions.reason``)
MAX_REASON = 200


class ConsentIn(BaseModel):
    """Marketing consent given (true) or withdrawn (false)."""

    model_config = ConfigDict(extra="forbid")

    marketing_consent: StrictBool


class ConsentOut(BaseModel):
    account_id: int
    marketing_consent: bool
    consent_changed_on: date | None = Field(description="the day consent last changed")
    erased: bool = Field(description="the client's personal data has been erased")


class SuppressionIn(BaseModel):
    """An address never to be exported to an e-mail tool; kept in lower case, trimmed."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(min_length=1, max_length=MAX_EMAIL)]
    reason: Annotated[str | None, Field(max_length=MAX_REASON)] = None


class SuppressionOut(BaseModel):
    id: int
    email: str
    reason: str | None
    added_at: datetime
    added_by: str | None = Field(description="the e-mail of the user who added it")


class SuppressionPage(BaseModel):
    q: str | None
    total: int = Field(description="addresses matching q, over every page")
    page: int
    pages: int
    page_size: int
    items: list[SuppressionOut]


class ErasurePreview(BaseModel):
    """What erasing the client's personal data would do (the confirmation step)."""

    account_id: int
    name: str
    kind: str
    erased_at: datetime | None = Field(description="set when already erased")
    contacts_erased: int = Field(description="contacts of this account only: anonymised")
    contacts_unlinked: int = Field(
        description="contacts also at other accounts: kept there, unlinked from this one")
    interactions: int
    follow_ups: int
    events: int = Field(description="scheduled meetings and reviews")
    revenue_lines: int = Field(description="kept: the figures do not change")


class ErasureOut(BaseModel):
    """What the erasure did: ids and counts only, as its audit entry."""

    account_id: int
    erased_at: datetime
    contacts_erased: int
    contacts_unlinked: int
    interactions: int
    follow_ups: int
    events: int
    audit_entries_redacted: int
    revenue_lines_kept: int
