"""Microsoft 365 files, read (pure: no database): the admin centre's **Active users** export
and the **Microsoft 365 active user detail** report (Reports > Usage > Active users).

- **Active users** (admin centre, Users > Active users > Export users): ``Display name``,
  ``User principal name``, ``Licenses`` (product display names joined with ``+``;
  ``Unlicensed`` for none), and on some tenants ``License assignment details``, then
  ``Department``, ``Block credential`` (``True``/``False``) among thirty other columns.
- **Active user detail** (``getOffice365ActiveUserDetail``): ``Report Refresh Date``,
  ``User Principal Name``, ``Display Name``, ``Is Deleted``, ``Deleted Date``, then per
  workload ``Has <Workload> License`` and ``<Workload> Last Activity Date`` (Exchange,
  OneDrive, SharePoint, Skype For Business, Yammer, Teams…), ``… License Assign Date`` and
  ``Assigned Products`` (upper-case product names joined with ``+``). Dates are ISO.

Rules:

- **Licences** are split against the product-name mapping, **longest name first** at each
  place of the cell: some names hold ``+`` themselves ("ENTERPRISE MOBILITY + SECURITY
  E5"). A name the mapping does not know is reported with its row and column (the longest
  stretch no known name starts in), never guessed.
- **Concealed names**: since September 2021 the reports replace user names by 32
  hexadecimal characters unless a global admin turns that off; such a file cannot be tied
  to anybody and is refused whole, naming the setting.
- **The same user twice** (same sign-in name, any case) is refused, naming both rows.
- Sign-in names are kept in lower case; a display name is cut to 200 characters, a
  department to 120; a control character is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from accord.licences.names.rules import product_key

#: where the admin centre conceals user names, and what to do (the text of the refusal)
CONCEALED = ("the file's user names are concealed (32-character codes instead of sign-in "
             "names): a global admin of the tenant unticks \"Display concealed user, group, "
             "and site names in all reports\" in the Microsoft 365 admin center (Settings > "
             "Org settings > Services > Reports), then exports the file again")
HASHED = re.compile(r"[0-9A-Fa-f]{32}")
#: what the Licenses cell holds for a user without any licence
NO_LICENCE = frozenset({"", "UNLICENSED", "UNLICENCED"})
MAX_PRINCIPAL = 254
MAX_NAME = 200
MAX_DEPARTMENT = 120
MAX_SERVICE = 40
FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False,
         "": False}

#: fields of a row (read through ``exchange.columns``' maps) as this module names them
PRINCIPAL, NAME, LICENCES, DEPARTMENT, BLOCKED = (
    "principal", "display_name", "licences", "department", "blocked")
REFRESHED, DELETED, DELETED_ON = "refreshed_on", "is_deleted", "deleted_on"
#: a usage report's workload columns: ``Has <W> License``, ``<W> Last Activity Date``
HAS_LICENCE = re.compile(r"has (.+) licen[cs]e")
LAST_ACTIVITY = re.compile(r"(.+) last activity date")

Problem = tuple[int, str, str]  # (file line, column as written, reason)


class Person(NamedTuple):
    """One user of the tenant as a file shows them (a named tuple: a file makes 100,000,
    cheaper than frozen dataclasses)."""

    line: int
    principal: str  # lower case
    #: None: the file has no such column (what is recorded stays)
    display_name: str | None
    department: str | None
    blocked: bool | None
    #: whether the file has a department column (a blank one clears it)
    has_department: bool
    #: the day they left the tenant (usage report: deleted), else None
    left_on: date | None
    sku_ids: frozenset[int]
    #: (workload, last activity or None) for each workload the report covers them for
    activity: tuple[tuple[str, date | None], ...] = ()


@dataclass
class Parsed:
    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: the usage report's refresh date (the day its activity is as of)
    reported_on: date | None = None


def service_slug(workload: str) -> str:
    """``Skype For Business`` → ``skypeforbusiness``: the name ``sku_services`` uses."""
    return re.sub(r"[^a-z0-9]", "", workload.lower())[:MAX_SERVICE]


def workload_columns(header: Sequence[str]) -> dict[str, tuple[int | None, int | None]]:
    """Per workload of a usage report: the positions of its ``Has … License`` and its
    ``… Last Activity Date`` columns."""
    found: dict[str, list[int | None]] = {}
    for i, cell in enumerate(header):
        text = " ".join(str(cell).replace("\ufeff", "").strip().lower().split())
        for pattern, slot in ((HAS_LICENCE, 0), (LAST_ACTIVITY, 1)):
            match = pattern.fullmatch(text)
            if match and service_slug(match.group(1)):
                pair = found.setdefault(service_slug(match.group(1)), [None, None])
                if pair[slot] is None:
                    pair[slot] = i
    return {k: (v[0], v[1]) for k, v in found.items()}


class Products:
    """The product-name mapping, keys longest first, with each cell's split remembered (a
    tenant of 100,000 people has a few dozen distinct licence cells)."""

    def __init__(self, lookup: Iterable[tuple[str, int]]) -> None:
        pairs = sorted(set(lookup), key=lambda p: (-len(p[0]), p[0]))
        self.keys = [k for k, _ in pairs]
        self.sku_of = dict(pairs)
        self._seen: dict[str, tuple[frozenset[int], tuple[str, ...]]] = {}

    def match(self, cell: str) -> tuple[frozenset[int], tuple[str, ...]]:
        """The services a licence cell names, and the names the mapping does not know."""
        found = self._seen.get(cell)
        if found is None:
            names, unknown = split_products(cell, self.keys)
            found = (frozenset(self.sku_of[n] for n in names), tuple(unknown))
            self._seen[cell] = found
        return found


def _known_at(text: str, at: int, keys: Sequence[str]) -> str | None:
    """The longest key starting at ``at`` and ending at the cell's end or a ``+``."""
    for key in keys:
        end = at + len(key)
        if text.startswith(key, at) and (end == len(text) or text[end:].lstrip()[:1] == "+"):
            return key
    return None


def _next_name(text: str, at: int) -> int:
    """Past the separator after a name: spaces, one ``+``, spaces."""
    while at < len(text) and text[at] == " ":
        at += 1
    if at < len(text) and text[at] == "+":
        at += 1
    while at < len(text) and text[at] == " ":
        at += 1
    return at


def split_products(cell: str, keys: Sequence[str]) -> tuple[list[str], list[str]]:
    """(known keys, unknown names) of a licence cell, ``keys`` longest first. At each place
    the longest known name wins; where none starts, the unknown name runs to the next
    ``+`` after which a known name starts (or to the end)."""
    text = product_key(cell)
    if text in NO_LICENCE:
        return [], []
    known: list[str] = []
    unknown: list[str] = []
    at = 0
    while at < len(text):
        key = _known_at(text, at, keys)
        if key is not None:
            known.append(key)
            at = _next_name(text, at + len(key))
            continue
        end = text.find("+", at)
        while end >= 0 and _known_at(text, _next_name(text, end), keys) is None:
            end = text.find("+", end + 1)
        stop = len(text) if end < 0 else end
        name = text[at:stop].strip(" +")
        if name:
            unknown.append(name)
        at = len(text) if end < 0 else _next_name(text, end)
    return known, unknown


def is_concealed(text: str) -> bool:
    return bool(HASHED.fullmatch(text.strip()))


def _flag(text: str | None) -> bool | None:
    """True, False (blank too), or None for anything else."""
    return FLAGS.get((text or "").strip().lower())


_DAYS: dict[str, date | str] = {}


def _day(text: str | None) -> date | None | str:
    """A date, None when blank, or the text when it is no ISO date (remembered: a report's
    dates repeat)."""
    if not text:
        return None
    found = _DAYS.get(text)
    if found is None:
        value = text.strip()
        try:
            found = date.fromisoformat(value[:10]) if value else ""
        except ValueError:
            found = value
        if len(_DAYS) < 100_000:
            _DAYS[text] = found
    return found or None


CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: what a sign-in name may not hold: white space, control characters
NOT_IN_PRINCIPAL = re.compile(r"[\s\x00-\x1f\x7f]")


def _control(text: str) -> bool:
    return CONTROL.search(text) is not None


def _principal(text: str | None) -> tuple[str | None, str | None]:
    """(the sign-in name in lower case, or None and why)."""
    value = (text or "").strip()
    if not value:
        return None, "a user principal name is required"
    if "@" not in value or NOT_IN_PRINCIPAL.search(value):
        return None, f"not a user principal name: {value[:60]!r}"
    if len(value) > MAX_PRINCIPAL:
        return None, f"at most {MAX_PRINCIPAL} characters"
    return value.lower(), None


#: (file line, {field: text}, the row's cells as read)
Row = tuple[int, Mapping[str, str | None], Sequence[str]]


def parse(rows: Iterable[Row], headers: Mapping[str, str], products: Products, *,
          workloads: Mapping[str, tuple[int | None, int | None]] | None = None,
          header_row: Sequence[str] = ()) -> Parsed:
    """The people of either file. ``rows``: (file line, {field: text}, cells);
    ``headers``: each field's column as the file names it (for the problems);
    ``workloads`` (``workload_columns`` of ``header_row``): a usage report's workload
    columns, read from the cells. A concealed file stops at its first row: one problem,
    the setting named."""
    out = Parsed()
    first_line: dict[str, int] = {}
    for line, values, cells in rows:
        person = _person(line, values, headers, products, out, workloads, cells, header_row)
        if person is None:
            if out.problems and out.problems[-1][2] == CONCEALED:
                return Parsed(problems=[out.problems[-1]])
            continue
        earlier = first_line.setdefault(person.principal, line)
        if earlier != line:
            out.problems.append((line, headers[PRINCIPAL], f"{person.principal} is on rows "
                                 f"{earlier} and {line}: a user may appear once"))
            continue
        out.people.append(person)
    return out


def _person(line: int, values: Mapping[str, str | None], headers: Mapping[str, str],
            products: Products, out: Parsed,
            workloads: Mapping[str, tuple[int | None, int | None]] | None,
            cells: Sequence[str] | None, header_row: Sequence[str]) -> Person | None:
    problems: list[Problem] = []
    raw_principal = (values.get(PRINCIPAL) or "").strip()
    name = (values.get(NAME) or "").strip()
    if is_concealed(raw_principal):
        out.problems.append((line, headers[PRINCIPAL], CONCEALED))
        return None
    principal, why = _principal(raw_principal)
    if why:
        problems.append((line, headers[PRINCIPAL], why))
    department = (values.get(DEPARTMENT) or "").strip() or None
    if _control(name + (department or "")):  # (which one: only then)
        for key, text in ((NAME, name), (DEPARTMENT, department or "")):
            if _control(text):
                problems.append((line, headers[key], "control characters are not allowed"))
    sku_ids, unknown = products.match(values.get(LICENCES) or "")
    for product in unknown:
        problems.append((line, headers[LICENCES], f"unknown product name {product[:80]!r}: "
                         "map it to a service (licence product names) and import again"))
    blocked = _flag(values.get(BLOCKED)) if BLOCKED in values else None
    if blocked is None and BLOCKED in values:
        problems.append((line, headers[BLOCKED], "True or False"))
    left_on = _left_on(line, values, headers, out, problems)
    activity = (_activity(line, workloads, cells, header_row, problems)
                if workloads and cells else ())
    out.problems.extend(problems)
    if problems or principal is None:
        return None
    return Person(line, principal, name[:MAX_NAME] if NAME in values else None,
                  department and department[:MAX_DEPARTMENT], blocked, DEPARTMENT in values,
                  left_on, frozenset() if left_on else sku_ids, activity)


def _left_on(line: int, values: Mapping[str, str | None], headers: Mapping[str, str],
             out: Parsed, problems: list[Problem]) -> date | None:
    """The usage report's refresh date (kept on ``out``) and the day a deleted user left
    (their deletion date, else the report's day)."""
    if REFRESHED not in headers:
        return None
    refreshed = _day(values.get(REFRESHED))
    if not isinstance(refreshed, date):
        problems.append((line, headers[REFRESHED], "a date (YYYY-MM-DD) is required"))
        return None
    if out.reported_on is None or refreshed > out.reported_on:
        out.reported_on = refreshed
    deleted = _flag(values.get(DELETED)) if DELETED in headers else False
    if deleted is None:
        problems.append((line, headers[DELETED], "True or False"))
        return None
    if not deleted:
        return None
    gone = _day(values.get(DELETED_ON)) if DELETED_ON in headers else None
    if isinstance(gone, str):
        problems.append((line, headers[DELETED_ON], "a date (YYYY-MM-DD)"))
        return None
    return min(gone or refreshed, refreshed)


def _activity(line: int, workloads: Mapping[str, tuple[int | None, int | None]],
              cells: Sequence[str], header_row: Sequence[str],
              problems: list[Problem]) -> tuple[tuple[str, date | None], ...]:
    """(workload, last activity) for each workload the user used; when they used none, the
    first they are licensed for, with no date (the report covered them: activity known)."""
    found: list[tuple[str, date | None]] = []
    unused: list[tuple[str, date | None]] = []
    for service, (has_at, last_at) in workloads.items():
        has = _flag(cells[has_at] if has_at is not None and has_at < len(cells) else "")
        last = _day(cells[last_at] if last_at is not None and last_at < len(cells) else "")
        if isinstance(last, str):
            column = (str(header_row[last_at]).strip() if last_at is not None
                      and last_at < len(header_row) else f"{service} last activity date")
            problems.append((line, column, "a date (YYYY-MM-DD)"))
            continue
        if last is not None:
            found.append((service, last))
        elif has and not unused:
            unused.append((service, None))
    return tuple(found or unused)
