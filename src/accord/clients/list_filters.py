"""The Clients lists' filters as asked for (a page's query, the API's, the CLI's options),
checked once: every problem reported at once as a 422 naming its field (``filters``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.money import from_cents
from accord.core.schemas import MAX_ID

LISTS = ("winback", "at_risk", "best", "all")
SORTS = ("past_value", "value", "p_alive", "drop", "expected_purchases", "last_purchase",
         "purchases", "segment", "name")
DEFAULT_SORTS = {"winback": "-past_value", "at_risk": "-drop", "best": "-value",
                 "all": "-value"}
MAX_PER_PAGE = 200
MAX_PAGES = 100_000
MAX_VALUE = Decimal(10) ** 12
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Filters:
    """A list as asked for, checked (``filters``)."""

    list: str = "winback"
    segment: str | None = None
    manager_id: int | None = None
    min_value_cents: int | None = None  # past value at least
    p_alive_min: Decimal | None = None
    p_alive_max: Decimal | None = None
    q: str | None = None
    sort: str = "-past_value"

    @property
    def narrowed(self) -> bool:
        """Narrowed beyond the list itself (its count is then not the overview's)."""
        return any(v is not None for v in (self.segment, self.manager_id, self.min_value_cents,
                                           self.p_alive_min, self.p_alive_max, self.q))

    def params(self) -> dict[str, str]:
        """The filters as query parameters (the export, the campaign link, the CLI)."""
        values = {"list": self.list, "segment": self.segment, "manager_id": self.manager_id,
                  "min_value": None if self.min_value_cents is None
                  else str(from_cents(self.min_value_cents)),
                  "p_alive_min": self.p_alive_min, "p_alive_max": self.p_alive_max,
                  "q": self.q, "sort": self.sort}
        return {k: str(v) for k, v in values.items() if v is not None}


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def _decimal(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _text(key: str, value: Any, most: int) -> str | None:
    if _blank(value):
        return None
    if len(str(value)) > most or _CONTROL.search(str(value)):
        raise ValidationFailed([FieldProblem(key, f"at most {most} characters, no control "
                                                   "characters")])
    return str(value).strip()


def _manager(value: Any) -> int | None:
    if _blank(value):
        return None
    digits = str(value).strip()
    manager = int(digits) if digits.isdigit() and len(digits) < 12 else 0
    if not 1 <= manager <= MAX_ID:
        raise ValidationFailed([FieldProblem("manager_id", "a user's id")])
    return manager


def _cents(value: Any) -> int | None:
    if _blank(value):
        return None
    amount = _decimal(value)
    if amount is None or amount < 0 or amount > MAX_VALUE or amount != round(amount, 2):
        raise ValidationFailed([FieldProblem(
            "min_value", "an amount from 0 to 1,000,000,000,000 with at most 2 decimals")])
    return int(amount * 100)


def _share(key: str, value: Any) -> Decimal | None:
    if _blank(value):
        return None
    share = _decimal(value)
    if share is None or not 0 <= share <= 1 or share != round(share, 4):
        raise ValidationFailed([FieldProblem(key, "a P(alive) from 0 to 1, at most 4 decimals")])
    return share


def filters(*, list_name: str | None = None, segment: str | None = None,
            manager_id: int | str | None = None, min_value: str | Decimal | None = None,
            p_alive_min: str | Decimal | None = None, p_alive_max: str | Decimal | None = None,
            q: str | None = None, sort: str | None = None) -> Filters:
    """The checked filters (blank means not given); every problem at once, as a 422
    naming its field."""
    problems: list[FieldProblem] = []

    def checked(parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            return None

    name = "winback" if _blank(list_name) else str(list_name).strip()
    if name not in LISTS:
        problems.append(FieldProblem("list", f"one of {', '.join(LISTS)}"))
        name = "winback"
    low, high = checked(_share, "p_alive_min", p_alive_min), \
        checked(_share, "p_alive_max", p_alive_max)
    if low is not None and high is not None and low > high:
        problems.append(FieldProblem("p_alive_min", "not above p_alive_max"))
    chosen = DEFAULT_SORTS[name] if _blank(sort) else str(sort).strip()
    if chosen.removeprefix("-") not in SORTS:
        problems.append(FieldProblem("sort", f"one of {', '.join(SORTS)} (- before: "
                                             "descending)"))
    f = Filters(name, checked(_text, "segment", segment, 40), checked(_manager, manager_id),
                checked(_cents, min_value), low, high, checked(_text, "q", q, 200), chosen)
    if problems:
        raise ValidationFailed(problems)
    return f
