"""Input and output of the calendar's API (bounds from ``accord.core.workdays``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from accord.core.workdays import MAX_HOLIDAYS, MAX_NAME, WorkCalendarPolicy

Weekday = Annotated[int, Field(strict=True, ge=0, le=6)]


class HolidayIn(BaseModel):
    """A public holiday: its date and its name."""

    model_config = ConfigDict(extra="forbid")

    on: date = Field(description="The date, e.g. `2026-12-25`.")
    name: str = Field(min_length=1, max_length=MAX_NAME, description="e.g. `Christmas Day`")


class HolidayOut(BaseModel):
    on: date
    name: str


class CalendarIn(BaseModel):
    """A change of the calendar: the fields given replace the stored ones, the others stay."""

    model_config = ConfigDict(extra="forbid")

    working_weekdays: list[Weekday] | None = Field(
        None, max_length=7, description="The days worked, 0 = Monday … 6 = Sunday; at least one."
    )
    holidays: list[HolidayIn] | None = Field(
        None, max_length=MAX_HOLIDAYS, description="Every public holiday, one per date."
    )

    def given(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class CalendarOut(BaseModel):
    """The company's working-day calendar."""

    working_weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday")
    holidays: list[HolidayOut] = Field(description="Sorted by date")

    @classmethod
    def of(cls, policy: WorkCalendarPolicy, year: int | None = None) -> CalendarOut:
        return cls(
            working_weekdays=list(policy.working_weekdays),
            holidays=[
                HolidayOut(on=h.on, name=h.name)
                for h in policy.holidays
                if year is None or h.on.year == year
            ],
        )


class ImportOut(BaseModel):
    """What an ``.ics`` import did."""

    events: int = Field(description="Events (VEVENT) read")
    days: int = Field(description="Distinct dates they cover")
    added: int = Field(description="Holidays added")
    unchanged: int = Field(description="Dates already holidays (kept as they were)")
    holidays: int = Field(description="Holidays in the calendar now")


class WorkingDaysOut(BaseModel):
    """``days`` working days after ``start`` end on ``end`` (``start`` itself not counted)."""

    start: date
    days: int = Field(ge=0)
    end: date
