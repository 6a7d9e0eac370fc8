"""Request and response shapes of departments and deliverable types (API, pages, CLI).

The request models bound every field (lengths, ranges, list sizes); the service checks the
rules themselves (``rules``: an IANA zone, unique keys, a unique name), so a caller that
bypasses these models (a form, the CLI) gets the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from accord.agency.departments.rules import (
    MAX_HINT,
    MAX_HOLIDAY_NAME,
    MAX_ITEM_LABEL,
    MAX_ITEMS,
    MAX_KEY,
    MAX_LABEL,
    MAX_NAME,
    MAX_SECTIONS,
    MAX_TURNAROUND,
    MAX_ZONE,
    slug,
)
from accord.core.schemas import StrictId, UserRef

MAX_PAGE_SIZE = 200
KEY_RE = r"^[a-z0-9_]{1,40}$"
Key = Annotated[str, Field(min_length=1, max_length=MAX_KEY, pattern=KEY_RE,
                           examples=["objective"])]
Weekday = Annotated[int, Field(strict=True, ge=0, le=6)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SectionIn(_In):
    """One section of a brief template."""

    key: Key
    label: Annotated[str, Field(min_length=1, max_length=MAX_LABEL)]
    hint: Annotated[str, Field(max_length=MAX_HINT)] = ""


class DepartmentIn(_In):
    """A new department; ``sections`` left out: the template its name's kind has."""

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    lead_id: StrictId | None = None
    time_zone: Annotated[str, Field(min_length=1, max_length=MAX_ZONE,
                                    examples=["Europe/Prague"])] = "UTC"
    weekdays: Annotated[list[Weekday] | None, Field(
        min_length=1, max_length=7,
        description="Working weekdays, 0 = Monday … 6 = Sunday; null: the company's")] = None
    turnaround_days: Annotated[int, Field(strict=True, ge=1, le=MAX_TURNAROUND)] = 5
    sections: Annotated[list[SectionIn] | None, Field(
        min_length=1, max_length=MAX_SECTIONS,
        description="The brief template; left out: the default of the name's kind")] = None
    is_active: bool = True


class DepartmentPatch(_In):
    """Fields to change (members and holidays have their own routes)."""

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)] | None = None
    lead_id: StrictId | None = None
    time_zone: Annotated[str, Field(min_length=1, max_length=MAX_ZONE)] | None = None
    weekdays: Annotated[list[Weekday] | None, Field(min_length=1, max_length=7)] = None
    turnaround_days: Annotated[int, Field(strict=True, ge=1, le=MAX_TURNAROUND)] | None = None
    sections: Annotated[list[SectionIn], Field(min_length=1, max_length=MAX_SECTIONS)] | None \
        = None
    is_active: bool | None = None


class MembersIn(_In):
    user_ids: Annotated[list[StrictId], Field(max_length=500)]


class HolidayIn(_In):
    day: date
    name: Annotated[str, Field(max_length=MAX_HOLIDAY_NAME)] = ""


class ItemIn(_In):
    key: Key
    label: Annotated[str, Field(min_length=1, max_length=MAX_ITEM_LABEL)]


class DeliverableTypeIn(_In):
    """A deliverable type's name and checklist (the key is in the path)."""

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=MAX_ITEMS)]


class Section(BaseModel):
    key: str
    label: str
    hint: str


class Holiday(BaseModel):
    day: date
    name: str


class DepartmentSummary(BaseModel):
    id: int
    name: str
    lead: UserRef | None
    member_count: int
    turnaround_days: int
    time_zone: str
    weekdays: list[int] | None
    is_active: bool
    is_mine: bool


class DepartmentOut(DepartmentSummary):
    sections: list[Section]
    members: list[UserRef]
    holidays: list[Holiday]
    created_at: datetime
    updated_at: datetime
    version: int


class DepartmentPage(BaseModel):
    items: list[DepartmentSummary]
    total: int
    page: int
    page_size: int


class ChecklistItem(BaseModel):
    key: str
    label: str


class DeliverableTypeOut(BaseModel):
    key: str
    name: str
    items: list[ChecklistItem]
    version: int


class DeliverableTypePage(BaseModel):
    items: list[DeliverableTypeOut]
    total: int
    page: int
    page_size: int


# ---------------------------------------------------------------- forms and the command line


def _int(raw: object) -> object:
    """A whole number typed as text (else the text, for the rules to refuse)."""
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit() and len(raw.strip()) < 11:
        return int(raw.strip())
    return raw


def weekdays_text(raw: str | None) -> list[object] | None:
    """``0,1,2,3,4`` (the CLI) as a list; blank: None (the company calendar)."""
    if raw is None or not raw.strip():
        return None
    return [_int(p.strip()) for p in raw.split(",")]


def numbered_rows(values: Mapping[str, object], prefix: str, fields: tuple[str, ...]
                  ) -> list[tuple[int, dict[str, str]]]:
    """The rows of an editable list (``<prefix>-<n>-<field>``, n < 100) in order, with their
    row numbers, leaving out blank rows and rows ticked ``<prefix>-<n>-remove``; a blank key
    is made from the label."""
    out = []
    for n in range(100):
        names = {f: f"{prefix}-{n}-{f}" for f in fields}
        if not any(name in values for name in names.values()):
            continue
        if values.get(f"{prefix}-{n}-remove"):
            continue
        row = {f: str(values.get(name) or "").strip() for f, name in names.items()}
        if not any(row.values()):
            continue
        if not row.get("key") and row.get("label"):
            row["key"] = slug(row["label"])
        out.append((n, row))
    return out


def rows(values: Mapping[str, object], prefix: str, fields: tuple[str, ...]
         ) -> list[dict[str, str]]:
    """``numbered_rows`` without the numbers."""
    return [row for _, row in numbered_rows(values, prefix, fields)]


def row_errors(errors: dict[str, str], values: Mapping[str, object], prefix: str,
               fields: tuple[str, ...]) -> dict[str, str]:
    """A service's ``<prefix>.<i>.<field>`` problems renamed ``<prefix>-<n>-<field>`` (the
    form's row ``n``), for the form to show beside the field."""
    numbers = [n for n, _ in numbered_rows(values, prefix, fields)]
    out: dict[str, str] = {}
    for field, message in errors.items():
        parts = field.split(".")
        if len(parts) >= 2 and parts[0] == prefix and parts[1].isdigit() \
                and int(parts[1]) < len(numbers):
            name = f"{prefix}-{numbers[int(parts[1])]}"
            out[name + ("-" + parts[2] if len(parts) > 2 else "-label")] = message
        else:
            out[field] = message
    return out


def department_form(values: Mapping[str, object], *, with_sections: bool) -> dict[str, object]:
    """What a department form holds, as ``service.create_department`` / ``update_department``
    take it (text the rules refuse is passed on as typed, for them to name the field)."""
    lead = values.get("lead_id")
    data: dict[str, object] = {
        "name": values.get("name") or "",
        "lead_id": _int(lead) if lead not in ("", None) else None,
        "time_zone": values.get("time_zone") or "",
        "turnaround_days": _int(values.get("turnaround_days") or ""),
        "is_active": values.get("is_active") in ("on", "true", "1"),
    }
    if values.get("weekdays_mode") == "own":
        days = values.get("weekdays") or []
        data["weekdays"] = [_int(d) for d in (days if isinstance(days, list) else [days])]
    else:
        data["weekdays"] = None
    if with_sections:
        data["sections"] = rows(values, "sections", ("key", "label", "hint"))
    return data


def checklist_form(values: Mapping[str, object]) -> dict[str, object]:
    """A deliverable type's form: its name and checklist rows."""
    return {"name": values.get("name") or "",
            "items": rows(values, "items", ("key", "label"))}
