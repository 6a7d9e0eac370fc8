"""``accord subscriptions list|show|add|change|end|request|requests|approve|decline|
rebuild-mrr|settings|reconcile|signals``: subscriptions from the shell (as the operator, or
as a user with ``--as EMAIL``)."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.common import acting_today, acting_user, console, handles_errors, unit_of_work
from accord.core import audit
from accord.core.errors import FieldProblem, Forbidden, ValidationFailed
from accord.core.models import Role
from accord.core.periods import month_index
from accord.core.schemas import MAX_ID
from accord.licences import mrr
from accord.licences import settings as licence_settings
from accord.licences.reconciliation import reading as reconciliation
from accord.licences.signals import service as signals
from accord.licences.subscriptions import panels, service
from accord.licences.subscriptions.schemas import (
    ChangeIn,
    DecisionIn,
    EndIn,
    RequestOut,
    SubscriptionIn,
    SubscriptionOut,
    from_text,
)

app = typer.Typer(help="Subscriptions: what each client bought, their quantities and prices "
                  "over time, and the requests billing decides.", no_args_is_help=True)
TodayOption = Annotated[str | None, typer.Option(
    "--today", help="Act as of this day (YYYY-MM-DD; default: today in your time zone)")]
IdArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The subscription's id")]
RequestArgument = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The request's id")]
Quantity = Annotated[str, typer.Option("--quantity", help="The new quantity (0-10,000,000)")]
Price = Annotated[str | None, typer.Option(
    "--price", help="The new unit price per billing period (default: unchanged)")]
Effective = Annotated[str, typer.Option("--from", help="Effective from (YYYY-MM-DD)")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the history)")]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def _said(out: SubscriptionOut) -> str:
    return (f"subscription {out.id} of {out.account_name}: {out.quantity} × {out.service} at "
            f"{out.unit_price} {out.currency}/{out.billing_period} = {out.monthly_amount} a "
            f"month ({out.status}, {out.start_on} to {out.end_on}"
            f"{', renews' if out.auto_renew else ''})")


def _request_said(out: RequestOut) -> str:
    price = f" at {out.unit_price}" if out.unit_price is not None else ""
    return (f"request {out.id} on subscription {out.subscription_id} ({out.account_name}, "
            f"{out.service}): {out.quantity}{price} from {out.effective_on} — {out.status}")


def _change(quantity: str, price: str | None, effective: str, reason: str) -> ChangeIn:
    return from_text(ChangeIn, {"quantity": quantity, "unit_price": price,
                                "effective_on": effective, "reason": reason}, "quantity")


@app.command("list")
@handles_errors
def list_subscriptions(
    account: Annotated[int | None, typer.Option("--account", min=1, max=MAX_ID,
                                                help="Only this account's")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="trial, active, cancelled or expired (default: all)")] = None,
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """The subscriptions of the accounts you see, by account and service."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        items, total = service.list_subscriptions(session, acting_user(session), day,
                                                  account_id=account, status=status,
                                                  page=page, page_size=200)
    if fmt is Format.JSON:
        typer.echo(json.dumps({"items": [i.model_dump(mode="json") for i in items],
                               "total": total, "page": page}, indent=2))
        return
    if not items:
        _print("No subscriptions.")
        return
    table = Table(title=f"Subscriptions ({total})")
    for col in ("id", "account", "service", "quantity", "unit price", "monthly", "status",
                "ends", "notice by"):
        table.add_column(col)
    for i in items:
        table.add_row(str(i.id), i.account_name, i.service, str(i.quantity),
                      f"{i.unit_price}/{i.billing_period}", str(i.monthly_amount), i.status,
                      str(i.end_on), str(i.notice_deadline))
    console.print(table)


@app.command("show")
@handles_errors
def show(subscription: IdArgument,
         fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
         today: TodayOption = None) -> None:
    """One subscription with the history of its quantities and prices."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.get_subscription(session, acting_user(session), subscription, day)
    if fmt is Format.JSON:
        typer.echo(json.dumps(out.model_dump(mode="json"), indent=2))
        return
    _print(_said(out))
    _print(f"  notice deadline {out.notice_deadline} ({out.notice_days} days' notice)"
           + (f"; ended {out.ended_on}" if out.ended_on else ""))
    for t in out.terms:
        _print(f"  from {t.effective_on}: {t.quantity} at {t.unit_price} — {t.reason} "
               f"({t.changed_by or 'system'})")


@app.command("add")
@handles_errors
def add(
    account: Annotated[int, typer.Option("--account", min=1, max=MAX_ID)],
    sku: Annotated[int, typer.Option("--sku", min=1, max=MAX_ID, help="The service's id")],
    start: Annotated[str, typer.Option("--start", help="First day (YYYY-MM-DD)")],
    quantity: Quantity,
    price: Annotated[str, typer.Option("--price", help="Unit price per billing period")],
    term: Annotated[str, typer.Option("--term", help="Term in months (1-120)")] = "12",
    renew: Annotated[bool, typer.Option("--auto-renew/--no-auto-renew")] = False,
    notice: Annotated[str, typer.Option("--notice-days", help="0-3650")] = "0",
    trial: Annotated[bool, typer.Option("--trial", help="A trial (no MRR)")] = False,
    currency: Annotated[str | None, typer.Option("--currency")] = None,
    reference: Annotated[str | None, typer.Option("--reference")] = None,
    today: TodayOption = None,
) -> None:
    """Add a subscription (billing and admins); audited."""
    data = from_text(SubscriptionIn, {
        "account_id": str(account), "sku_id": str(sku), "start_on": start,
        "quantity": quantity, "unit_price": price, "term_months": term,
        "auto_renew": renew, "notice_days": notice, "status": "trial" if trial else "active",
        "currency": currency, "reference": reference}, "quantity")
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.add_subscription(session, acting_user(session), data, day)
    _print(_said(out) + " added")


@app.command("change")
@handles_errors
def change(subscription: IdArgument, quantity: Quantity, effective: Effective,
           reason: Reason, price: Price = None, today: TodayOption = None) -> None:
    """Change the quantity (and price) from a day on — billing and admins; audited."""
    data = _change(quantity, price, effective, reason)
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.change_terms(session, acting_user(session), subscription, data, day)
    _print(_said(out) + f"; from {data.effective_on}: {data.quantity}")


@app.command("end")
@handles_errors
def end(subscription: IdArgument,
        on: Annotated[str, typer.Option("--on", help="The last day (YYYY-MM-DD)")],
        reason: Reason,
        expired: Annotated[bool, typer.Option("--expired", help="Expired, not cancelled")]
        = False,
        today: TodayOption = None) -> None:
    """Cancel (or record as expired) from a day on — billing and admins; audited."""
    data = from_text(EndIn, {"status": "expired" if expired else "cancelled", "on": on,
                             "reason": reason}, "on")
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.end_subscription(session, acting_user(session), subscription, data, day)
    _print(_said(out))


@app.command("request")
@handles_errors
def request(subscription: IdArgument, quantity: Quantity, effective: Effective,
            reason: Reason, price: Price = None, today: TodayOption = None) -> None:
    """Ask billing for a change of quantity (and price); audited."""
    data = _change(quantity, price, effective, reason)
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.request_change(session, acting_user(session), subscription, data, day)
    _print(_request_said(out))


@app.command("requests")
@handles_errors
def requests(
    status: Annotated[str, typer.Option(
        "--status", help="pending (default), approved, declined or all")] = "pending",
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Requests for changes (billing's queue: every account's)."""
    with unit_of_work() as session:
        items = service.list_requests(session, acting_user(session), status=status)
    if fmt is Format.JSON:
        typer.echo(json.dumps([i.model_dump(mode="json") for i in items], indent=2))
        return
    if not items:
        _print("No requests.")
        return
    for i in items:
        _print(_request_said(i) + f" — {i.reason} ({i.requested_by or '—'})")


def _decide(request_id: int, approve: bool, note: str | None, today: str | None) -> None:
    data = from_text(DecisionIn, {"note": note}, "note")
    with unit_of_work() as session:
        day = acting_today(session, today)
        out = service.decide_request(session, acting_user(session), request_id, approve,
                                     data, day)
    _print(_request_said(out))


@app.command("approve")
@handles_errors
def approve(request_id: RequestArgument,
            note: Annotated[str | None, typer.Option("--note")] = None,
            today: TodayOption = None) -> None:
    """Approve a request: the change is written from its date (billing and admins)."""
    _decide(request_id, True, note, today)


@app.command("decline")
@handles_errors
def decline(request_id: RequestArgument,
            note: Annotated[str | None, typer.Option("--note")] = None,
            today: TodayOption = None) -> None:
    """Decline a request (billing and admins)."""
    _decide(request_id, False, note, today)


@app.command("rebuild-mrr")
@handles_errors
def rebuild_mrr(today: TodayOption = None) -> None:
    """Rewrite the monthly MRR store of every account (admins): after a restore or a bulk
    load that went around the services."""
    with unit_of_work() as session:
        user = acting_user(session)
        if user.role != Role.ADMIN:
            raise Forbidden("only admins rebuild the MRR store")
        day = acting_today(session, today)
        rows = mrr.rebuild(session, through=month_index(day) + service.HORIZON_MONTHS)
        audit.record(session, user, "rebuild", "subscription_mrr", None,
                     note=f"{rows} account-months")
    _print(f"MRR store rebuilt: {rows} account-months")


@app.command("settings")
@handles_errors
def settings_command(
    active_days: Annotated[int | None, typer.Option(
        "--active-days", min=1, max=365,
        help="A seat is active when a service of its product was used in the last N days")
    ] = None,
    upsell_allocation: Annotated[str | None, typer.Option(
        "--upsell-allocation", help="Up-sell at or above this allocation (0-1, e.g. 0.90)")
    ] = None,
    upsell_adoption: Annotated[str | None, typer.Option(
        "--upsell-adoption", help="... and at or above this adoption (0-1)")] = None,
    risk_adoption: Annotated[str | None, typer.Option(
        "--risk-adoption", help="A risk at or below this adoption (0-1)")] = None,
    today: TodayOption = None,
) -> None:
    """Show the licences settings; with options, change those given (admins and heads)."""
    given = {k: v for k, v in {"active_days": active_days,
                               "upsell_allocation": upsell_allocation,
                               "upsell_adoption": upsell_adoption,
                               "risk_adoption": risk_adoption}.items() if v is not None}
    with unit_of_work() as session:
        user = acting_user(session)
        policy = (signals.change_settings(session, user, given, None,
                                          acting_today(session, today)) if given
                  else licence_settings.policy(session))
        money = licence_settings.currency(session)
    if given:
        _print("licences settings saved")
    for key, value in policy.to_dict().items():
        _print(f"{key}: {value}")
    _print(f"currency: {money} (the company's: accord company)")


@app.command("reconcile")
@handles_errors
def reconcile(
    first: Annotated[str | None, typer.Option(
        "--from", help="First month, YYYY-MM (default: twelve months up to last month)")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM")] = None,
    min_difference: Annotated[str | None, typer.Option(
        "--min-difference", help="Only differences larger than this amount (default 0)")] = None,
    account: Annotated[int | None, typer.Option("--account", min=1, max=MAX_ID,
                                                help="Only this account")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Account name contains")] = None,
    sort: Annotated[str | None, typer.Option(
        "--sort", help="gap, difference, account, month, subscriptions, invoiced; - first: "
        "descending (default -gap)")] = None,
    page: Annotated[int, typer.Option("--page", min=1, max=100_000)] = 1,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.TABLE,
    today: TodayOption = None,
) -> None:
    """Subscription MRR beside invoiced revenue per account and month: the differences."""
    with unit_of_work() as session:
        day = acting_today(session, today)
        f = reconciliation.filters(day, first=first, last=last, min_difference=min_difference,
                                   q=search, account_id=account, sort=sort)
        result = reconciliation.reconcile(session, acting_user(session), f, page=page)
    doc = result.as_dict()
    if fmt is Format.JSON:
        typer.echo(json.dumps(doc, default=str, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"Subscriptions against invoices, {doc['from']} to {doc['to']}",
                  caption=f"{result.total} differences · page {result.page} of "
                  f"{result.pages} · totals: subscriptions {result.subscriptions}, invoiced "
                  f"{result.invoiced}, difference {result.difference}")
    for column in ("account", "month", "subscriptions", "invoiced", "difference"):
        table.add_column(column, justify="left" if column in ("account", "month") else "right")
    for r in result.rows:
        table.add_row(f"{r.account_name} ({r.account_id})", r.month, str(r.subscriptions),
                      str(r.invoiced), str(r.difference))
    console.print(table)


@app.command("signals")
@handles_errors
def signals_command(
    signal: Annotated[str, typer.Option("--signal", help="upsell or risk")] = "upsell",
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 50,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """The services that suggest an up-sell (the fullest first) or are a risk (the least
    adopted first), on the accounts you see, as last evaluated."""
    if signal not in ("upsell", "risk"):
        raise ValidationFailed([FieldProblem("signal", "upsell or risk")])
    with unit_of_work() as session:
        items, total = panels.signal_list(session, acting_user(session), signal, limit)
    if fmt is Format.JSON:
        typer.echo(json.dumps({"items": [dataclasses.asdict(i) for i in items],
                               "total": total}, default=str, indent=2))
        return
    table = Table(title=f"{'Up-sell' if signal == 'upsell' else 'Risk'}: {total}")
    for col in ("account", "service", "bought", "assigned", "active", "allocation",
                "adoption"):
        table.add_column(col)
    for i in items:
        table.add_row(i.account_name, i.service, str(i.purchased), str(i.assigned),
                      f"{i.active} of {i.reported}", _percent(i.allocation),
                      _percent(i.adoption))
    console.print(table)


def _percent(share: Decimal | None) -> str:
    return "—" if share is None else f"{share * 100:.0f} %"
