"""Request and response shapes of account plans (API, pages, CLI, exports, shared view)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from accord.accounts.models import BuyingRole
from accord.core.schemas import Id, SettingInt, UserRef

Title = Annotated[str, Field(min_length=1, max_length=200)]
#: the free text of a plan's business sections
LongText = Annotated[str, Field(max_length=10_000)]
#: one goal, pain point, SWOT item or risk
EntryText = Annotated[str, Field(min_length=1, max_length=1000)]
Entries = Annotated[list[EntryText], Field(max_length=50)]
Note = Annotated[str, Field(max_length=2000)]
def _four_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"))


#: a metric's value as ``Numeric(18, 4)`` holds it (and answers it: four places)
Figure = Annotated[
    Decimal,
    Field(ge=-(10**13), le=10**13, decimal_places=4, allow_inf_nan=False),
    AfterValidator(_four_places),
]
Horizon = Literal[6, 12, 18]
Metric = Literal["revenue_12m", "nrr", "share_of_wallet", "health", "key_people_touched", "manual"]
Section = Literal[
    "business", "value_to_us", "goals", "pain_points", "swot", "key_people", "risks", "objectives"
]
ActionStatus = Literal["open", "done", "cancelled"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    def given(self) -> dict[str, object]:
        """The fields the caller sent (a partial update changes only those)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


# ---------------------------------------------------------------- requests


class PlanStart(_In):
    """A new current plan; the one before is archived read-only (its content copied into
    the new one when ``copy_current``)."""

    horizon_months: Horizon = 12
    starts_on: date | None = None  # today when not given
    copy_current: bool = True


class PlanPatch(_In):
    """A change to a plan's sections: only the fields given change; a list replaces the
    section's entries."""

    horizon_months: Horizon | None = None
    business: LongText | None = None
    strategy: LongText | None = None
    budgets: LongText | None = None
    value_to_us: LongText | None = None
    goals: Entries | None = None
    pain_points: Entries | None = None
    strengths: Entries | None = None
    weaknesses: Entries | None = None
    opportunities: Entries | None = None
    threats: Entries | None = None
    risks: Entries | None = None
    shared_sections: Annotated[list[Section], Field(max_length=8)] | None = None


class KeyPersonIn(_In):
    contact_id: Id | None = None  # required: the service names the field when missing
    buying_role: BuyingRole | None = None
    reports_to_contact_id: Id | None = None
    note: Note | None = None


class KeyPersonPatch(_In):
    buying_role: BuyingRole | None = None
    reports_to_contact_id: Id | None = None
    note: Note | None = None


class ObjectiveIn(_In):
    title: Title
    metric: Metric | None = None  # required: "a target without a metric" is refused by name
    baseline: Figure | None = None  # a tied metric's current value when not given
    target: Figure | None = None
    owner_id: Id | None = None  # the author when not given
    due_on: date | None = None


class ObjectivePatch(_In):
    title: Title | None = None
    metric: Metric | None = None
    baseline: Figure | None = None
    target: Figure | None = None
    owner_id: Id | None = None
    due_on: date | None = None


class ObjectiveUpdateIn(_In):
    """A manual objective's value on a day, with what happened."""

    value: Figure
    noted_on: date | None = None  # today when not given
    note: Annotated[str, Field(min_length=1, max_length=2000)]


class ActionIn(_In):
    title: Title
    owner_id: Id | None = None  # the author when not given
    due_on: date | None = None
    status: ActionStatus = "open"


class ActionPatch(_In):
    title: Title | None = None
    owner_id: Id | None = None
    due_on: date | None = None
    status: ActionStatus | None = None


class PlansSettingsIn(_In):
    """A change to the plans settings: only the fields given change (bounds: the policy's)."""

    review_interval_days: SettingInt | None = None
    share_link_days: SettingInt | None = None


# ---------------------------------------------------------------- responses


class KeyPersonOut(BaseModel):
    id: int
    contact_id: int
    name: str
    title: str | None
    buying_role: str | None
    reports_to_contact_id: int | None
    reports_to_name: str | None
    note: str | None


class ObjectiveUpdateOut(BaseModel):
    id: int
    value: Decimal
    noted_on: date
    note: str
    by: str | None


class ActionOut(BaseModel):
    id: int
    objective_id: int
    title: str
    owner: UserRef | None
    due_on: date | None
    status: str
    done_on: date | None
    overdue: bool


class ObjectiveOut(BaseModel):
    id: int
    title: str
    metric: str
    metric_label: str
    tied: bool
    baseline: Decimal | None
    target: Decimal | None
    #: the tied figure today, or the latest manual update
    current: Decimal | None
    progress: Decimal | None
    owner: UserRef | None
    due_on: date | None
    position: int
    version: int
    updates: list[ObjectiveUpdateOut]
    actions: list[ActionOut]


class PlanOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    horizon_months: int
    starts_on: date
    ends_on: date
    is_current: bool
    #: history (an archived plan) or a reader without the right to write
    read_only: bool
    business: str
    strategy: str
    budgets: str
    value_to_us: str
    goals: list[str]
    pain_points: list[str]
    strengths: list[str]
    weaknesses: list[str]
    opportunities: list[str]
    threats: list[str]
    risks: list[str]
    shared_sections: list[str]
    key_people: list[KeyPersonOut]
    objectives: list[ObjectiveOut]
    completeness: Decimal
    last_reviewed_on: date | None
    review_due_on: date
    stale: bool
    overdue_actions: int
    #: the open actions, soonest due first (at most five)
    next_actions: list[ActionOut]
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    version: int


class PlanSummary(BaseModel):
    """One plan of an account's history."""

    id: int
    horizon_months: int
    starts_on: date
    ends_on: date
    is_current: bool
    last_reviewed_on: date | None
    created_at: datetime
    archived_at: datetime | None


class ShareLinkOut(BaseModel):
    id: int
    plan_id: int
    created_by: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool


class ShareLinkCreated(ShareLinkOut):
    """The new link: its token is shown this once (only its hash is kept)."""

    token: str
    path: str


# ---------------------------------------------------------------- the client's view


class SharedPerson(BaseModel):
    name: str
    title: str | None
    buying_role: str | None
    reports_to: str | None


class SharedObjective(BaseModel):
    title: str
    metric_label: str
    baseline: Decimal | None
    target: Decimal | None
    current: Decimal | None
    progress: Decimal | None
    due_on: date | None


class SharedPlanOut(BaseModel):
    """What a share link shows: only the sections marked shareable (None: not shared)."""

    account_name: str
    horizon_months: int
    starts_on: date
    ends_on: date
    sections: list[str]
    business: str | None = None
    strategy: str | None = None
    budgets: str | None = None
    value_to_us: str | None = None
    goals: list[str] | None = None
    pain_points: list[str] | None = None
    strengths: list[str] | None = None
    weaknesses: list[str] | None = None
    opportunities: list[str] | None = None
    threats: list[str] | None = None
    risks: list[str] | None = None
    key_people: list[SharedPerson] | None = None
    objectives: list[SharedObjective] | None = None
    expires_at: datetime
