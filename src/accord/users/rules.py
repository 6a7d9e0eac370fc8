"""The rules of a user's fields and of an API token's name (standard library only).

One definition each: the service checks them on every door (pages, API, command line), the
API schemas take their limits from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from zoneinfo import available_timezones

from accord.core.emails import email_problem, normalise_email
from accord.core.errors import FieldProblem, ValidationFailed

MIN_PASSWORD = 8
#: the longest text each field holds, as the users table (B5)
MAX_PASSWORD = 200
MAX_NAME = 200
MAX_SEGMENT = 60
MAX_CAPACITY = 100_000
DEFAULT_CAPACITY = 100
MAX_TOKEN_NAME = 120
TOKEN_NAME_MESSAGE = f"give the token a name (up to {MAX_TOKEN_NAME} characters)"
#: the longest IANA time-zone name the users table holds
MAX_TIME_ZONE = 64
DEFAULT_TIME_ZONE = "UTC"


@cache
def time_zones() -> frozenset[str]:
    """The IANA time-zone names Accord knows (``zoneinfo.available_timezones()``, tzdata)."""
    return frozenset(available_timezones())


def time_zone_problem(name: object) -> str | None:
    """What is wrong with a time-zone name (None: an IANA name such as ``Europe/London``)."""
    if not isinstance(name, str) or not name.strip():
        return "give a time zone, e.g. Europe/London"
    if len(name) > MAX_TIME_ZONE or name.strip() not in time_zones():
        shown = name.strip()[:MAX_TIME_ZONE]
        return f"unknown time zone {shown!r}: give an IANA name such as Europe/London or UTC"
    return None


def field_problems(fields: Mapping[str, object]) -> list[FieldProblem]:
    """What is wrong with the user fields given (only those; ``None`` is judged by the caller:
    no value on create, "cannot be empty" on a change)."""
    problems: list[FieldProblem] = []

    def text(key: str) -> str | None:
        value = fields.get(key)
        return value if isinstance(value, str) else None

    email = text("email")
    if email is not None:
        problem = email_problem(normalise_email(email))
        if problem:
            problems.append(FieldProblem("email", problem))
    name = text("name")
    if name is not None:
        if not name.strip():
            problems.append(FieldProblem("name", "cannot be empty"))
        elif len(name.strip()) > MAX_NAME:
            problems.append(FieldProblem("name", f"at most {MAX_NAME} characters"))
    segment = text("segment")
    if segment is not None and len(segment.strip()) > MAX_SEGMENT:
        problems.append(FieldProblem("segment", f"at most {MAX_SEGMENT} characters"))
    password = text("password")
    if password and len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", f"at least {MIN_PASSWORD} characters"))
    elif password and len(password) > MAX_PASSWORD:
        problems.append(FieldProblem("password", f"at most {MAX_PASSWORD} characters"))
    capacity = fields.get("capacity")
    if capacity is not None and (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not 0 <= capacity <= MAX_CAPACITY
    ):
        problems.append(FieldProblem("capacity", f"a whole number from 0 to {MAX_CAPACITY}"))
    return problems + _time_zone_problems(fields)


def _time_zone_problems(fields: Mapping[str, object]) -> list[FieldProblem]:
    if fields.get("time_zone") is None:
        return []
    problem = time_zone_problem(fields["time_zone"])
    return [FieldProblem("time_zone", problem)] if problem else []


def self_change_problems(changes: Mapping[str, object], admin_role: str) -> list[FieldProblem]:
    """An admin changing themself may not lock themself out."""
    problems: list[FieldProblem] = []
    if changes.get("is_active") is False:
        problems.append(FieldProblem("is_active", "you cannot deactivate yourself"))
    if "role" in changes and changes["role"] != admin_role:
        problems.append(FieldProblem("role", "you cannot remove your own admin role"))
    return problems


def token_name(name: object) -> str:
    """A token's name trimmed and checked: 1 to 120 characters."""
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_TOKEN_NAME:
        raise ValidationFailed([FieldProblem("name", TOKEN_NAME_MESSAGE)])
    return name.strip()
