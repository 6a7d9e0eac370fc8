"""Shapes of the audit log viewer (API, pages, CLI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from accord.core.schemas import Id


class AuditFilter(BaseModel):
    """Which entries: every condition given must hold (exact values, dates inclusive, UTC)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    actor: Annotated[str, Field(max_length=254)] | None = None
    entity: Annotated[str, Field(max_length=60)] | None = None
    entity_id: Annotated[str, Field(max_length=60)] | None = None
    account_id: Id | None = None
    action: Annotated[str, Field(max_length=40)] | None = None
    since: date | None = None
    until: date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> AuditFilter:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since must not be after until")
        return self


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_id: int | None
    action: str
    entity: str
    entity_id: str | None
    #: the account the entry is about, when there is one
    account_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None


class AuditPage(BaseModel):
    """Newest first. ``older``: pass it as ``before`` for the next page; ``newer`` as
    ``after`` for the previous one (None: there is none)."""

    items: list[AuditEntryOut]
    limit: int
    older: int | None = None
    newer: int | None = None
