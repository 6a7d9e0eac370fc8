"""Departments and deliverable checklists as pure rules: the default brief templates per kind
of department, the default deliverable types and their checklists, and what a valid
department or deliverable type is.

- A department: a name of 1–80 characters (unique, case-insensitively — the service checks
  the database), an IANA time zone, working weekdays (a non-empty subset of 0 = Monday …
  6 = Sunday) or None for the company calendar's, a default turnaround of 1–365 working
  days, and a brief template of 1–20 sections, each ``{key, label, hint}`` with a slug key
  (``[a-z0-9_]{1,40}``, unique), a label of 1–80 characters and a hint of at most 300.
- Its own holidays: a date (years 1900–2199) and a name of at most 120 characters; at most
  ``MAX_HOLIDAYS`` per department.
- A deliverable type: a slug key, a name of 1–80 characters and a checklist of 1–30 items,
  each ``{key, label}`` with a unique slug key and a label of 1–200 characters.
- A department created without sections gets the template of the kind its name names
  (``"Creative"`` → creative, case-insensitively), else ``GENERIC_TEMPLATE``.

Standard library only (``zoneinfo`` with the tzdata package).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from accord.core.errors import FieldProblem
from accord.core.text import refused_character

MAX_NAME = 80
MAX_LABEL = 80
MAX_HINT = 300
MAX_SECTIONS = 20
MAX_HOLIDAYS = 400
MAX_HOLIDAY_NAME = 120
MAX_ITEMS = 30
MAX_ITEM_LABEL = 200
MAX_KEY = 40
MAX_TURNAROUND = 365
MAX_ZONE = 64
FIRST_YEAR, LAST_YEAR = 1900, 2199
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
KEY_PATTERN = re.compile(r"[a-z0-9_]{1,40}")


def _s(key: str, label: str, hint: str) -> dict[str, str]:
    return {"key": key, "label": label, "hint": hint}


#: the brief sections of each kind of department (``{key, label, hint}``)
DEFAULT_TEMPLATES: dict[str, list[dict[str, str]]] = {
    "creative": [
        _s("objective", "Objective", "What the work must achieve for the client"),
        _s("audience", "Audience", "Who it speaks to: segment, mindset, what they know"),
        _s("message", "Message", "The one thing the audience should take away"),
        _s("mandatories", "Mandatories", "Logo, legal lines, brand rules, what must appear"),
        _s("formats", "Formats", "Sizes, media, lengths and languages to deliver"),
    ],
    "media": [
        _s("budget", "Budget", "Net media budget, currency, and what it includes"),
        _s("period", "Period", "Flight dates and any bursts or pauses"),
        _s("channels", "Channels", "Channels and placements wanted or ruled out"),
        _s("kpis", "KPIs", "The KPIs and their targets (reach, CPM, CPA, ROAS…)"),
    ],
    "production": [
        _s("deliverables", "Deliverables", "What is produced: assets, quantities, versions"),
        _s("specs", "Specifications", "Technical specs: sizes, resolutions, file formats"),
        _s("timeline", "Timeline", "Shoot, edit and delivery dates"),
        _s("budget", "Budget", "The production budget and what it covers"),
        _s("approvals", "Approvals", "Who signs off at the client, and when"),
    ],
    "copy": [
        _s("objective", "Objective", "What the text must do"),
        _s("audience", "Audience", "Who reads it"),
        _s("tone", "Tone of voice", "Brand voice, register, words to use or avoid"),
        _s("key_messages", "Key messages", "The points the copy must make, in order"),
        _s("length", "Length and formats", "Word counts, headlines, channels, languages"),
    ],
    "seo": [
        _s("objective", "Objective", "Traffic, rankings or conversions to improve"),
        _s("pages", "Pages in scope", "The site sections or URLs concerned"),
        _s("keywords", "Keywords", "Target keywords and search intent"),
        _s("competitors", "Competitors", "Sites to compare against"),
        _s("kpis", "KPIs", "How success is measured (positions, organic sessions…)"),
    ],
    "analytics": [
        _s("question", "Business question", "What the client needs to know or decide"),
        _s("data_sources", "Data sources", "Analytics, CRM, media platforms, access given"),
        _s("period", "Period", "The dates the analysis covers"),
        _s("metrics", "Metrics", "Metrics and dimensions wanted"),
        _s("output", "Output", "Dashboard, report or data extract, and its audience"),
    ],
    "ppc": [
        _s("budget", "Budget", "Daily or monthly spend, and by platform"),
        _s("period", "Period", "Campaign start and end dates"),
        _s("platforms", "Platforms", "Google Ads, Microsoft Ads, social…"),
        _s("targeting", "Targeting", "Keywords, audiences, locations, devices"),
        _s("kpis", "KPIs", "Target CPA, ROAS, CTR or conversions"),
    ],
    "usability": [
        _s("objective", "Objective", "What the study should find out"),
        _s("product", "Product in scope", "The site, app or flow tested, and its access"),
        _s("participants", "Participants", "Who takes part and how many"),
        _s("tasks", "Tasks", "The tasks or scenarios to test"),
        _s("deliverables", "Deliverables", "Findings report, recordings, recommendations"),
    ],
}

#: the template of a department whose name names no known kind
GENERIC_TEMPLATE: list[dict[str, str]] = [
    _s("objective", "Objective", "What the work must achieve"),
    _s("deliverables", "Deliverables", "What the department should hand over"),
    _s("background", "Background", "What they need to know about the client and the context"),
]

#: the departments ``seed_defaults`` creates (their template comes from their name)
STANDARD_DEPARTMENTS = ("Creative", "Media", "Production", "Copy", "SEO", "Analytics", "PPC",
                        "Usability")


def _i(key: str, label: str) -> dict[str, str]:
    return {"key": key, "label": label}


#: the deliverable types and their checklists: {key: {"name": …, "items": [{key, label}]}}
DEFAULT_DELIVERABLES: dict[str, dict[str, Any]] = {
    "media_plan": {"name": "Media plan", "items": [
        _i("budget_matches", "The budget matches the brief"),
        _i("dates_match", "The flight dates match the brief"),
        _i("channels_as_briefed", "The channels are as briefed"),
        _i("kpis_stated", "KPIs and their targets are stated"),
        _i("naming_convention", "Follows the client's naming convention"),
        _i("figures_checked", "Figures checked twice (totals, fees, currency)"),
    ]},
    "report": {"name": "Report", "items": [
        _i("period_right", "Covers the agreed period"),
        _i("kpis_against_targets", "Every KPI shown against its target"),
        _i("data_checked", "Figures reconciled with the platforms' own"),
        _i("insights", "Findings explained, with next steps"),
        _i("client_template", "Uses the client's template and branding"),
        _i("proofread", "Proofread, charts labelled"),
    ]},
    "creative": {"name": "Creative", "items": [
        _i("answers_brief", "Answers the brief's objective and message"),
        _i("mandatories", "Every mandatory is present (logo, legal lines)"),
        _i("brand_guidelines", "Follows the brand guidelines"),
        _i("formats_complete", "All formats and sizes delivered"),
        _i("proofread", "Copy proofread, in every language"),
        _i("files_named", "Files named and exported to spec"),
    ]},
}


def template_for(name: str) -> list[dict[str, str]]:
    """The default sections of a department called ``name``: its kind's template when the
    name is one (case-insensitively, surrounding spaces ignored), else the generic one."""
    kind = name.strip().casefold()
    return copy.deepcopy(DEFAULT_TEMPLATES.get(kind, GENERIC_TEMPLATE))


# ---------------------------------------------------------------- validation


def _text(problems: list[FieldProblem], field: str, value: object, *, low: int, high: int,
          what: str) -> str:
    """A one-line text of ``low``..``high`` characters (stripped), else a problem."""
    if not isinstance(value, str):
        problems.append(FieldProblem(field, f"give {what} as text"))
        return ""
    text = value.strip()
    if len(text) < low:
        problems.append(FieldProblem(field, f"give {what}"))
    elif len(text) > high:
        problems.append(FieldProblem(field, f"{what} is at most {high} characters"))
    elif refused_character(text) is not None or "\n" in text or "\r" in text:
        problems.append(FieldProblem(field, f"{what} must be one line of plain text"))
    return text


def check_name(problems: list[FieldProblem], value: object) -> str:
    return _text(problems, "name", value, low=1, high=MAX_NAME, what="a name")


def check_time_zone(problems: list[FieldProblem], value: object) -> str:
    """An IANA time zone name (``Europe/Prague``, ``UTC``)."""
    if not isinstance(value, str) or not value.strip():
        problems.append(FieldProblem("time_zone", "give a time zone (e.g. Europe/Prague)"))
        return "UTC"
    zone = value.strip()
    if len(zone) > MAX_ZONE or refused_character(zone) is not None:
        problems.append(FieldProblem("time_zone", f"unknown time zone {zone[:MAX_ZONE]!r}"))
        return "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        problems.append(FieldProblem("time_zone", f"unknown time zone {zone!r}"))
        return "UTC"
    return zone


def check_weekdays(problems: list[FieldProblem], value: object) -> list[int] | None:
    """Working weekdays (0 = Monday … 6 = Sunday), sorted and unique; None: the company's."""
    if value is None:
        return None
    if not isinstance(value, list | tuple | set | frozenset):
        problems.append(FieldProblem("weekdays", "give the working weekdays as a list"))
        return None
    days: set[int] = set()
    for day in value:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            problems.append(FieldProblem(
                "weekdays", f"{day!r} is no weekday: 0 (Monday) to 6 (Sunday)"))
            return None
        days.add(day)
    if not days:
        problems.append(FieldProblem(
            "weekdays", "give at least one working weekday, or none for the company calendar"))
        return None
    return sorted(days)


def check_turnaround(problems: list[FieldProblem], value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 1 <= value <= MAX_TURNAROUND:
        problems.append(FieldProblem(
            "turnaround_days", f"the turnaround is 1 to {MAX_TURNAROUND} working days"))
        return 1
    return value


def _key(problems: list[FieldProblem], field: str, value: object) -> str:
    if not isinstance(value, str) or not KEY_PATTERN.fullmatch(value.strip()):
        problems.append(FieldProblem(
            field, f"a key is 1 to {MAX_KEY} characters of a-z, 0-9 and _"))
        return ""
    return value.strip()


def check_key(problems: list[FieldProblem], value: object, field: str = "key") -> str:
    return _key(problems, field, value)


def slug(label: str) -> str:
    """A key made from a label (``"Key messages"`` → ``key_messages``); may be empty."""
    return re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")[:MAX_KEY].strip("_")


def check_sections(problems: list[FieldProblem], value: object) -> list[dict[str, str]]:
    """A brief template: 1–20 sections ``{key, label, hint}`` with unique slug keys."""
    if not isinstance(value, list | tuple):
        problems.append(FieldProblem("sections", "give the sections as a list"))
        return []
    if not 1 <= len(value) <= MAX_SECTIONS:
        problems.append(FieldProblem("sections", f"give 1 to {MAX_SECTIONS} sections"))
        return []
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, raw in enumerate(value):
        field = f"sections.{n}"
        if not isinstance(raw, Mapping):
            problems.append(FieldProblem(field, "a section is {key, label, hint}"))
            continue
        key = _key(problems, f"{field}.key", raw.get("key"))
        if key and key in seen:
            problems.append(FieldProblem(f"{field}.key", f"the key {key!r} is used twice"))
        seen.add(key)
        label = _text(problems, f"{field}.label", raw.get("label"), low=1, high=MAX_LABEL,
                      what="a label")
        hint_raw = raw.get("hint") or ""
        hint = _text(problems, f"{field}.hint", hint_raw, low=0, high=MAX_HINT, what="a hint")
        out.append({"key": key, "label": label, "hint": hint})
    return out


def check_holiday(problems: list[FieldProblem], day: object, name: object) -> tuple[date, str]:
    """A department holiday: a date in 1900–2199 and a name of at most 120 characters."""
    if not isinstance(day, date) or not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(FieldProblem("day", f"give a date in {FIRST_YEAR}–{LAST_YEAR}"))
        day = date(FIRST_YEAR, 1, 1)
    text = _text(problems, "name", name if name is not None else "", low=0,
                 high=MAX_HOLIDAY_NAME, what="a holiday's name")
    return day, text


def check_items(problems: list[FieldProblem], value: object) -> list[dict[str, str]]:
    """A checklist: 1–30 items ``{key, label}`` with unique slug keys, labels 1–200."""
    if not isinstance(value, list | tuple):
        problems.append(FieldProblem("items", "give the checklist as a list"))
        return []
    if not 1 <= len(value) <= MAX_ITEMS:
        problems.append(FieldProblem("items", f"give 1 to {MAX_ITEMS} checklist items"))
        return []
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, raw in enumerate(value):
        field = f"items.{n}"
        if not isinstance(raw, Mapping):
            problems.append(FieldProblem(field, "an item is {key, label}"))
            continue
        key = _key(problems, f"{field}.key", raw.get("key"))
        if key and key in seen:
            problems.append(FieldProblem(f"{field}.key", f"the key {key!r} is used twice"))
        seen.add(key)
        label = _text(problems, f"{field}.label", raw.get("label"), low=1,
                      high=MAX_ITEM_LABEL, what="a label")
        out.append({"key": key, "label": label})
    return out


def weekdays_label(weekdays: Iterable[int] | None) -> str:
    """``Mon–Fri`` style text of working weekdays; "company calendar" for None."""
    if weekdays is None:
        return "company calendar"
    return ", ".join(WEEKDAY_NAMES[d] for d in sorted(weekdays))


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """The IANA time zones a form offers (UTC first, then by name)."""
    names = sorted(z for z in available_timezones()
                   if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return ("UTC", *names)
