"""The reconciliation (issue 15): per account and month, the subscriptions' monthly
recurring revenue (``subscription_mrr``) beside the invoiced revenue (``monthly_revenue``)
and their difference, for the accounts the caller sees that have subscriptions (ended ones
too). Reads only; one statement for a page
(the rows, the count and the totals), computed by the database, never row by row.

The two stores are put side by side with a ``UNION ALL`` of both summed per (account, month)
(a full outer join that SQLite and PostgreSQL both run the same way): a month with MRR and no
invoice, or invoices and no MRR, is a row with zero on the other side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, case, cast, exists, func, literal, select, union_all
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.search import ESCAPE, like_pattern
from accord.accounts.visibility import get_visible_account, visible_accounts
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.money import from_cents
from accord.core.periods import format_month, month_index, parse_month
from accord.licences.models import Subscription, SubscriptionMrr
from accord.revenue.models import MonthlyRevenue

#: the sort keys (``-key``: descending); ``gap`` is the size of the difference
SORTS = ("gap", "difference", "account", "month", "subscriptions", "invoiced")
DEFAULT_SORT = "-gap"
MAX_PAGE_SIZE = 500
MAX_PAGES = 100_000
#: the widest month range one reading covers (ten years)
MAX_MONTHS = 120
#: the months a month may name (as the rest of Accord: 1900-01 … 2199-12)
FIRST_MONTH, LAST_MONTH = 1900 * 12, 2200 * 12 - 1
#: the largest threshold: 10¹² in the currency (cents stay within BIGINT)
MAX_THRESHOLD = Decimal(10) ** 12
#: rows a CSV export writes at most
MAX_EXPORT = 100_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Filters:
    """What a reading asks for, checked (``filters``)."""

    first: int  # month index
    last: int
    threshold_cents: int  # listed: |difference| > this
    q: str | None
    account_id: int | None
    sort: str


@dataclass(frozen=True)
class Row:
    account_id: int
    account_name: str
    month: str
    subscriptions: Decimal  # MRR of the month
    invoiced: Decimal  # invoiced revenue of the month
    difference: Decimal  # subscriptions − invoiced


@dataclass(frozen=True)
class Reading:
    filters: Filters
    rows: list[Row]
    total: int  # rows listed over all pages
    page: int
    pages: int
    page_size: int
    subscriptions: Decimal  # totals over every row listed (all pages)
    invoiced: Decimal
    difference: Decimal

    def as_dict(self) -> dict[str, Any]:
        f = self.filters
        return {
            "from": format_month(f.first), "to": format_month(f.last),
            "min_difference": from_cents(f.threshold_cents), "q": f.q,
            "account_id": f.account_id, "sort": f.sort,
            "total": self.total, "page": self.page, "pages": self.pages,
            "page_size": self.page_size,
            "totals": {"subscriptions": self.subscriptions, "invoiced": self.invoiced,
                       "difference": self.difference},
            "items": [r.__dict__ for r in self.rows],
        }


def _month(field: str, text: str | None) -> int | None:
    if text is None or text.strip() == "":
        return None
    try:
        month = parse_month(text)
    except ValueError as exc:
        raise ValidationFailed([FieldProblem(field, str(exc))]) from None
    if not FIRST_MONTH <= month <= LAST_MONTH:
        raise ValidationFailed([FieldProblem(field, "a month from 1900-01 to 2199-12")])
    return month


def _threshold(text: str | Decimal | None) -> int:
    if text is None or (isinstance(text, str) and text.strip() == ""):
        return 0
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > MAX_THRESHOLD or value != round(value, 2):
        raise ValidationFailed([FieldProblem(
            "min_difference", "an amount from 0 to 1,000,000,000,000 with at most 2 decimals")])
    return int(value * 100)


def filters(
    today: date, *, first: str | None = None, last: str | None = None,
    min_difference: str | Decimal | None = None, q: str | None = None,
    account_id: int | None = None, sort: str | None = None,
) -> Filters:
    """The checked filters; every problem at once as a 422 naming its field. The months
    default to the twelve up to last month (today's month is not complete)."""
    problems: list[FieldProblem] = []

    def checked(f: Any, *args: Any) -> Any:
        try:
            return f(*args)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            return None

    start, end = checked(_month, "from", first), checked(_month, "to", last)
    threshold = checked(_threshold, min_difference) or 0
    chosen = sort or DEFAULT_SORT
    if chosen.removeprefix("-") not in SORTS:
        problems.append(FieldProblem("sort", f"one of {', '.join(SORTS)} (- before: descending)"))
    if q is not None and (len(q) > 200 or _CONTROL.search(q)):
        problems.append(FieldProblem("q", "at most 200 characters, no control characters"))
    if problems:
        raise ValidationFailed(problems)
    end = end if end is not None else (start + 11 if start is not None else month_index(today) - 1)
    start = start if start is not None else end - 11
    if start > end:
        raise ValidationFailed([FieldProblem("from", "not after 'to'")])
    if end - start + 1 > MAX_MONTHS:
        raise ValidationFailed([FieldProblem("to", f"at most {MAX_MONTHS} months from 'from'")])
    return Filters(start, end, threshold, q.strip() if q and q.strip() else None, account_id,
                   chosen)


def _side_by_side(f: Filters, user: User) -> Any:
    """(account_id, name, name_key, month, mrr, invoiced, diff) of the visible accounts'
    months in range whose difference is listed."""
    mrr, inv = SubscriptionMrr.__table__.c, MonthlyRevenue.__table__.c
    zero = literal(0, BigInteger)
    both = union_all(
        select(mrr.account_id, mrr.month, mrr.amount_cents.label("mrr"), zero.label("inv"))
        .where(mrr.month.between(f.first, f.last)),
        select(inv.account_id, inv.month, zero.label("mrr"), inv.amount_cents.label("inv"))
        .where(inv.month.between(f.first, f.last)),
    ).subquery("both_stores")
    summed = select(
        both.c.account_id, both.c.month,
        cast(func.sum(both.c.mrr), BigInteger).label("mrr"),
        cast(func.sum(both.c.inv), BigInteger).label("inv"),
    ).group_by(both.c.account_id, both.c.month).subquery("summed")
    diff = summed.c.mrr - summed.c.inv
    query = select(
        summed.c.account_id, Account.name, Account.name_key, summed.c.month, summed.c.mrr,
        summed.c.inv, diff.label("diff"),
    ).join(Account, Account.id == summed.c.account_id).where(
        visible_accounts(user, summed.c.account_id),
        # only the accounts billed through subscriptions: the others are invoiced for
        # everything else and would bury the differences that matter
        exists().where(Subscription.account_id == summed.c.account_id),
        case((diff < 0, -diff), else_=diff) > f.threshold_cents,
    )
    if f.account_id is not None:
        query = query.where(summed.c.account_id == f.account_id)
    if f.q:
        query = query.where(Account.name_key.like(like_pattern(f.q), escape=ESCAPE))
    return query.subquery("listed")


def _order(listed: Any, sort: str) -> list[Any]:
    key = sort.removeprefix("-")
    gap = case((listed.c.diff < 0, -listed.c.diff), else_=listed.c.diff)
    column = {"gap": gap, "difference": listed.c.diff, "account": listed.c.name_key,
              "month": listed.c.month, "subscriptions": listed.c.mrr,
              "invoiced": listed.c.inv}[key]
    first = column.desc() if sort.startswith("-") else column.asc()
    return [first, listed.c.name_key, listed.c.account_id, listed.c.month]


def reconcile(
    session: Session, user: User, f: Filters, *, page: int = 1, page_size: int = 50,
) -> Reading:
    """One page of the differences the ``user`` sees (an account out of reach: 404)."""
    if not 1 <= page_size <= MAX_EXPORT:
        raise ValidationFailed([FieldProblem("page_size", f"1 to {MAX_PAGE_SIZE}")])
    if not 1 <= page <= MAX_PAGES:
        raise ValidationFailed([FieldProblem("page", f"1 to {MAX_PAGES}")])
    if f.account_id is not None:
        get_visible_account(session, user, f.account_id)
    listed = _side_by_side(f, user)
    total_over = {"total": func.count().over(), "t_mrr": func.sum(listed.c.mrr).over(),
                  "t_inv": func.sum(listed.c.inv).over()}
    rows = session.execute(
        select(*listed.c, *(v.label(k) for k, v in total_over.items()))
        .order_by(*_order(listed, f.sort))
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    if rows:
        total, t_mrr, t_inv = int(rows[0].total), int(rows[0].t_mrr), int(rows[0].t_inv)
    elif page > 1:  # past the last page: the count and totals once more
        head = session.execute(select(func.count(), func.coalesce(func.sum(listed.c.mrr), 0),
                                      func.coalesce(func.sum(listed.c.inv), 0))).one()
        total, t_mrr, t_inv = int(head[0]), int(head[1]), int(head[2])
    else:
        total = t_mrr = t_inv = 0
    return Reading(
        filters=f, total=total, page=page, pages=max(1, -(-total // page_size)),
        page_size=page_size, subscriptions=from_cents(t_mrr), invoiced=from_cents(t_inv),
        difference=from_cents(t_mrr - t_inv),
        rows=[Row(int(r.account_id), r.name, format_month(int(r.month)), from_cents(int(r.mrr)),
                  from_cents(int(r.inv)), from_cents(int(r.diff))) for r in rows],
    )
