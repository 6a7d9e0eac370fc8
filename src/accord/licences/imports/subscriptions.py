"""``accord import subscriptions``: subscriptions in Accord's columns, through the
subscriptions service's rules (billing and admins only; the currency, quantity, price and
term rules; audited; the MRR store rebuilt).

One row per subscription, identified by its account and ``reference`` (required): a row
whose subscription exists is **unchanged** when its service, start, term, renewal, notice,
status, quantity and price are those recorded (the latest term); a new quantity or price is
a change from ``effective_on`` (required then); any other difference is refused, naming the
column (change it with ``accord subscriptions``). A new row adds a subscription (``trial``
or ``active``). Every problem is reported with its row, column and reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.importing import Outcome, Problem
from accord.accounts.models import Account
from accord.accounts.visibility import visible_accounts
from accord.core.errors import AccordError, ValidationFailed
from accord.core.models import User
from accord.growth.models import Sku
from accord.licences.models import Subscription
from accord.licences.subscriptions import service
from accord.licences.subscriptions.reading import terms_of
from accord.licences.subscriptions.schemas import STATES, ChangeIn, SubscriptionIn, from_text

Row = tuple[int, Mapping[str, str | None]]
#: fields of the models -> the column of the file they come from
COLUMN_OF = {"account_id": "account_external_id", "sku_id": "sku_code"}
COMPARED = ("sku_id", "start_on", "term_months", "auto_renew", "notice_days", "status")
CHUNK = 500


def _lookup(session: Session, query: Any, column: Any, keys: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(keys)
    for at in range(0, len(ordered), CHUNK):
        found.update(session.execute(query.where(column.in_(ordered[at:at + CHUNK]))).all())
    return found


def import_subscriptions(session: Session, user: User, rows: Sequence[Row],
                         headers: Mapping[str, str], *, today: date,
                         file: str) -> Outcome:
    service.require_billing(user, "import subscriptions")
    out = Outcome(rows=len(rows))
    accounts = _lookup(session, select(Account.external_id, Account.id).where(
        visible_accounts(user)), Account.external_id,
        {str(v["account_external_id"]) for _, v in rows if v.get("account_external_id")})
    skus = _lookup(session, select(Sku.code, Sku.id), Sku.code,
                   {str(v["sku_code"]) for _, v in rows if v.get("sku_code")})
    seen: dict[tuple[int, str], int] = {}
    for line, values in rows:
        problems = _row(session, user, line, values, headers, accounts, skus, seen, today,
                        file, out)
        if problems:
            out.invalid_rows += 1
            out.problems.extend(problems)
    return out


def _column(headers: Mapping[str, str], name: str) -> str:
    name = COLUMN_OF.get(name, name)
    return headers.get(name, name)


def _row(session: Session, user: User, line: int, v: Mapping[str, str | None],
         headers: Mapping[str, str], accounts: Mapping[str, int], skus: Mapping[str, int],
         seen: dict[tuple[int, str], int], today: date, file: str,
         out: Outcome) -> list[Problem]:
    problems: list[Problem] = []
    account_id = accounts.get(v.get("account_external_id") or "")
    if account_id is None:
        problems.append((line, _column(headers, "account_id"),
                         f"no account {str(v.get('account_external_id') or '')[:60]!r} "
                         "that you can see"))
    sku_id = skus.get(v.get("sku_code") or "")
    if sku_id is None:
        problems.append((line, _column(headers, "sku_id"),
                         f"no service {str(v.get('sku_code') or '')[:60]!r} in the catalogue"))
    reference = v.get("reference")
    if not reference:
        problems.append((line, _column(headers, "reference"), "a reference is required: it "
                         "identifies the subscription when the file is imported again"))
    if problems or account_id is None or sku_id is None or not reference:
        return problems
    earlier = seen.setdefault((account_id, reference), line)
    if earlier != line:
        return [(line, _column(headers, "reference"),
                 f"{reference[:60]!r} of this account is on rows {earlier} and {line}")]
    status = (v.get("status") or "active").lower()
    values = {**v, "account_id": account_id, "sku_id": sku_id,
              "status": status if status in ("trial", "active") else "active"}
    try:
        data = from_text(SubscriptionIn, {**values, "reason": f"import of {file}"[:200]},
                         "file")
    except ValidationFailed as exc:
        return [(line, _column(headers, p.field), p.message) for p in exc.problems]
    existing = session.scalar(select(Subscription).where(
        Subscription.account_id == account_id, Subscription.reference == reference))
    if status not in STATES or (existing is None and status not in ("trial", "active")):
        return [(line, _column(headers, "status"), "a new subscription is trial or active"
                 if status in STATES else f"one of {', '.join(STATES)}")]
    data = data.model_copy(update={"status": status})
    savepoint = session.begin_nested()
    try:
        if existing is None:
            service.add_subscription(session, user, data, today)
            out.inserted += 1
        else:
            problems = _update(session, user, line, existing, data, v, headers, today, file,
                               out)
    except AccordError as exc:
        savepoint.rollback()
        if isinstance(exc, ValidationFailed):
            return [(line, _column(headers, p.field), p.message) for p in exc.problems]
        return [(line, _column(headers, "reference"), exc.detail)]
    if problems:
        savepoint.rollback()
    else:
        savepoint.commit()
    return problems


def _update(session: Session, user: User, line: int, row: Subscription,
            data: SubscriptionIn, v: Mapping[str, str | None], headers: Mapping[str, str],
            today: date, file: str, out: Outcome) -> list[Problem]:
    """Unchanged, a new term, or refused naming what differs."""
    status_given = bool(v.get("status"))
    problems = [
        (line, _column(headers, name), f"differs from subscription {row.id}'s "
         f"({getattr(row, name)}): change it with accord subscriptions, not an import")
        for name in COMPARED
        if (name != "status" or status_given) and getattr(row, name) != getattr(data, name)]
    if problems:
        return problems
    terms = terms_of(session, row.id)
    latest = terms[-1] if terms else None
    if latest and latest.quantity == data.quantity and _same(latest.unit_price, data.unit_price):
        out.unchanged += 1
        return []
    effective = v.get("effective_on")
    if not effective:
        return [(line, _column(headers, "effective_on"), "the quantity or price differs from "
                 f"subscription {row.id}'s: give the day the change takes effect")]
    try:
        change = ChangeIn(quantity=data.quantity, unit_price=data.unit_price,
                          effective_on=date.fromisoformat(effective), reason=f"import of {file}")
    except ValueError:
        return [(line, _column(headers, "effective_on"), "a date (YYYY-MM-DD)")]
    if latest and change.effective_on == latest.effective_on:
        return [(line, _column(headers, "effective_on"), f"subscription {row.id} has a term "
                 f"from {latest.effective_on.isoformat()} already: give a later day")]
    service.change_terms(session, user, row.id, change, today)
    out.updated += 1
    return []


def _same(a: Decimal, b: Decimal) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return False
