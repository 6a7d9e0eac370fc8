"""Optimistic concurrency: row versions, what the caller started from, and stale writes.

Every editable row (accounts, contacts, users, KAM settings) has a ``version``, raised by one
in the same UPDATE whenever one of its editable fields changes, whoever writes it (a form,
the API, an import): ``versioned(Model, fields)`` registers that once per model.

A write that names the version it started from (``Expected``: a form's hidden field, or the
API's ``If-Match``) is checked by ``check`` after the row is locked (``FOR UPDATE`` on
PostgreSQL; SQLite takes the write lock when the transaction begins), so two saves of the
same version cannot both pass. A stale write raises ``Stale`` (409). A form also sends the
values it showed (``original``): when none of the fields it carries changed meanwhile, the
save goes ahead (another field or a derived one changed); otherwise ``Stale.changed`` lists
each changed field with its current value, for the form to show beside the user's input.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from accord.core.errors import Conflict


class Stale(Conflict):
    """The row changed since the caller read it."""

    title = "Changed meanwhile"

    def __init__(self, what: str, version: int, changed: Mapping[str, str] | None = None) -> None:
        self.version = version
        self.changed = dict(changed or {})
        names = ", ".join(self.changed)
        detail = (
            f"{what} was changed by someone else meanwhile"
            + (f" ({names})" if names else "")
            + f"; it is now at version {version}: reload it and apply your change again"
        )
        super().__init__(
            detail,
            errors=[
                {"field": field, "message": f"changed meanwhile to {value!r}"}
                for field, value in self.changed.items()
            ],
        )


@dataclass(frozen=True)
class Expected:
    """What a write started from: the version, and for a form the values it showed and
    the values it sends (a field changed meanwhile to what the user typed is no conflict)."""

    version: int
    original: Mapping[str, str] | None = None
    submitted: Mapping[str, Any] | None = None


def versioned(model: type, fields: Iterable[str]) -> None:
    """Raise ``model.version`` in the UPDATE whenever one of ``fields`` changes."""
    watched = tuple(fields)
    column = model.version  # type: ignore[attr-defined]

    @event.listens_for(model, "before_update")
    def _bump(_mapper: Any, _connection: Any, target: Any) -> None:
        attrs = inspect(target).attrs
        if attrs.version.history.has_changes():
            return  # set by the writer itself
        if any(attrs[name].history.has_changes() for name in watched):
            target.version = column + 1  # computed by the database: concurrent bumps add up


def bump(target: Any) -> None:
    """Raise the version of a row whose editable state lives partly elsewhere (a contact's
    link to an account) when only that part changed."""
    attrs = inspect(target).attrs
    if not attrs.version.history.has_changes():
        target.version = type(target).version + 1


def check(
    session: Session,
    row: Any,
    expected: Expected | None,
    what: str,
    current: Callable[[], Mapping[str, Any]] | None = None,
) -> None:
    """Refuse a write that started from an older version of ``row`` (no-op without one).

    ``current`` gives the row's values as the caller's ``original`` holds them (the form's
    field names and text), to tell a real conflict from a change elsewhere in the row."""
    if expected is None:
        return
    session.refresh(row, with_for_update=True)  # PostgreSQL: later writers wait here
    if row.version == expected.version:
        return
    if expected.original is not None and current is not None:
        changed = changed_meanwhile(expected.original, current(), expected.submitted)
        if not changed:
            return
        raise Stale(what, row.version, changed)
    raise Stale(what, row.version)


def as_text(value: Any) -> str:
    """A value as a form shows it: None is empty, enumerations by their value."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def changed_meanwhile(
    original: Mapping[str, Any],
    current: Mapping[str, Any],
    submitted: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The fields of ``original`` whose current value differs, with that current value
    (leaving out those where ``submitted`` already holds the current value)."""

    def same(a: Any, b: Any) -> bool:
        return as_text(a).strip() == as_text(b).strip()

    return {
        name: as_text(current[name])
        for name in original
        if name in current
        and not same(original[name], current[name])
        and not (
            submitted is not None and name in submitted and same(submitted[name], current[name])
        )
    }


# ---------------------------------------------------------------- transport


def etag(version: int) -> str:
    """The ETag of a row's editable state."""
    return f'"{version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an ``If-Match`` names; None when absent or ``*``; -1 when it names no
    version this server gave out (it can match nothing: the write is stale)."""
    if header is None or not header.strip() or header.strip() == "*":
        return None
    first = header.split(",")[0].strip().removeprefix("W/").strip('"')
    return int(first) if first.isdigit() and len(first) < 10 else -1


def form_expected(
    values: Mapping[str, Any], submitted: Mapping[str, Any] | None = None
) -> Expected | None:
    """A form's ``version`` and ``original`` hidden fields (and the ``submitted`` fields),
    as an ``Expected``."""
    raw = values.get("version")
    if not isinstance(raw, str) or not raw.strip().isdigit() or len(raw.strip()) > 9:
        return None
    original: dict[str, str] | None = None
    try:
        decoded = json.loads(values.get("original") or "null")
    except ValueError:
        decoded = None
    if isinstance(decoded, dict):
        original = {str(k): as_text(v) for k, v in decoded.items()}
    return Expected(int(raw.strip()), original, submitted)


def form_original(values: Mapping[str, Any]) -> str:
    """The ``original`` hidden field of a form showing ``values``."""
    return json.dumps({k: as_text(v) for k, v in values.items()}, sort_keys=True)


def form_started(version: int, values: Mapping[str, Any]) -> dict[str, str | int]:
    """The hidden fields of an edit form showing a row as stored: its ``version`` and the
    ``original`` values (``form_expected`` reads them back)."""
    return {"version": version, "original": form_original(values)}


def form_state(
    started: Mapping[str, Any] | None, changed: Mapping[str, str] | None
) -> dict[str, Any]:
    """What ``web/_versions.html`` needs of an edit form: the hidden fields it started from
    and what someone else changed meanwhile (a 409 shows them)."""
    return {
        "version": (started or {}).get("version"),
        "original": (started or {}).get("original") or "",
        "changed": dict(changed or {}),
    }
