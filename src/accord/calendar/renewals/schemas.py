"""Request and response shapes of renewals (API, pages, CLI)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from accord.calendar.renewals.rules import MAX_LEAD_DAYS


class RenewalOut(BaseModel):
    """One account's contract end — or one of its subscriptions' end of term — with its
    notice deadline, reminder date and state, and the renewal opportunity its reminder
    opened (if it fell due)."""

    #: ``contract`` (the account's client contract) or ``subscription``
    kind: str = "contract"
    account_id: int
    account_name: str
    manager_id: int | None
    manager_name: str | None
    #: the contract's end, or the end of the subscription's current term
    contract_end_on: date
    notice_days: int | None
    notice_deadline: date
    reminder_on: date
    state: str
    opportunity_id: int | None = None
    opportunity_stage: str | None = None
    #: a subscription's id, its service's name and whether it renews itself
    subscription_id: int | None = None
    service: str | None = None
    auto_renew: bool | None = None


class RenewalPage(BaseModel):
    items: list[RenewalOut]
    total: int
    page: int
    page_size: int
    pages: int
    scope: str
    lead_days: int


class RenewalsSettings(BaseModel):
    """The renewals setting's document (fields left out keep their value)."""

    model_config = ConfigDict(extra="forbid")

    lead_days: Annotated[int | None, Field(
        strict=True, ge=0, le=MAX_LEAD_DAYS,
        description="Days before the notice deadline the reminder falls due (0-365)")] = None


class ReminderRun(BaseModel):
    """What a run of the reminders did."""

    date: date
    reminders: int
