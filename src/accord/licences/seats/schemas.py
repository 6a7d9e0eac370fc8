"""Request and response shapes of seats, licence users, usage figures and domains (the API,
the pages' forms, the command line)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from accord.core.schemas import StrictId

#: a day an assignment starts or ends: from 2000 to 2100 (a typo's year 20260 is refused)
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
MAX_PAGE_SIZE = 200
#: one line of text, no control characters (the edge refuses them in bodies already)
Line = Annotated[str, Field(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LicenceUserIn(_In):
    """A person at the client who may hold seats."""

    principal: Annotated[str, Field(min_length=3, max_length=254, description=(
        "The sign-in name (user principal name), unique per account; stored in lower case"))]
    display_name: Line = ""
    department: Annotated[str | None, Field(max_length=120,
                                            pattern=r"^[^\x00-\x1f\x7f]*$")] = None
    contact_id: Annotated[StrictId | None, Field(
        description="One of the account's contacts, the same person")] = None


class AssignIn(_In):
    """A seat of a service for a licence user from a day (today when left out)."""

    licence_user_id: StrictId
    sku_id: StrictId
    from_on: Day | None = None


class EndIn(_In):
    """Not held from ``on`` on (today when left out)."""

    on: Day | None = None


class DomainIn(_In):
    domain: Annotated[str, Field(min_length=1, max_length=254)]


class SeatOut(BaseModel):
    id: int
    sku_id: int
    service: str
    from_on: date
    to_on: date | None
    #: ``manual`` or ``import``
    source: str


class LicenceUserOut(BaseModel):
    id: int
    principal: str
    display_name: str
    department: str | None
    contact_id: int | None
    blocked: bool
    left_on: date | None
    #: every assignment, held or ended, by service and start
    seats: list[SeatOut]


class LicenceUserPage(BaseModel):
    items: list[LicenceUserOut]
    total: int
    page: int
    page_size: int


class UsageOut(BaseModel):
    """Seats purchased, assigned, assigned with activity known (``reported``), active; and
    allocation, adoption and utilisation (shares to four decimals; null when the divisor
    is 0)."""

    purchased: int
    assigned: int
    reported: int
    active: int
    allocation: Decimal | None
    adoption: Decimal | None
    utilisation: Decimal | None


class ServiceUsageOut(UsageOut):
    sku_id: int
    sku_code: str
    service: str
    #: ``upsell``, ``risk`` or null (settings ``licences.upsell_*``, ``risk_adoption``)
    signal: str | None


class SubscriptionUsageOut(BaseModel):
    """A subscription's figures are its service's on the account: seats are held per
    service, and ``purchased`` sums the quantities of every subscription to it that
    provides seats that day (usually one: then it is this one's quantity)."""

    subscription_id: int
    sku_id: int
    status: str
    #: its own quantity in force that day (0 when it provides no seats that day)
    quantity: int
    provides_seats: bool
    usage: UsageOut


class AccountUsageOut(BaseModel):
    account_id: int
    on: date
    #: a seat is active when used within this many days (setting ``licences.active_days``)
    active_days: int
    account: UsageOut
    services: list[ServiceUsageOut]
    subscriptions: list[SubscriptionUsageOut]
