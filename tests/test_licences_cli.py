"""``accord subscriptions``: billing adds and changes, a manager requests, billing approves,
bad input exits non-zero naming the field and writes nothing (both databases)."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.models import AuditEntry
from accord.licences.models import (
    QuantityRequest,
    SeatAssignment,
    Subscription,
    SubscriptionMrr,
    SubscriptionTerm,
)
from licence_helpers import make_sku

runner = CliRunner()
TODAY = "2026-03-10"


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options([*args, "--database-url", database_url]))


def _sku(sessions) -> int:
    with sessions.begin() as s:
        return make_sku(s, "M365-E5", "Microsoft 365 E5", "month")


def _counts(db) -> tuple[int, ...]:
    db.rollback()
    return tuple(int(db.scalar(select(func.count()).select_from(m)) or 0) for m in (
        Subscription, SubscriptionTerm, QuantityRequest, SubscriptionMrr, AuditEntry))


def test_the_command_line(sessions, cast, database_url, db) -> None:
    sku = str(_sku(sessions))
    acme = str(cast.acme_id)
    before = _counts(db)
    negative = _cli(database_url, "--as", "billing@accord.test", "subscriptions", "add",
                    "--account", acme, "--sku", sku, "--start", "2026-01-01",
                    "--quantity", "-5", "--price", "30", "--today", TODAY)
    assert negative.exit_code != 0 and "quantity" in negative.output, negative.output
    dollars = _cli(database_url, "--as", "billing@accord.test", "subscriptions", "add",
                   "--account", acme, "--sku", sku, "--start", "2026-01-01", "--quantity",
                   "5", "--price", "30", "--currency", "USD", "--today", TODAY)
    assert dollars.exit_code != 0 and "currency" in dollars.output and "EUR" in dollars.output
    manager = _cli(database_url, "--as", "owner@accord.test", "subscriptions", "add",
                   "--account", acme, "--sku", sku, "--start", "2026-01-01", "--quantity",
                   "5", "--price", "30", "--today", TODAY)
    assert manager.exit_code != 0 and "billing" in manager.output
    assert _counts(db) == before

    added = _cli(database_url, "--as", "billing@accord.test", "subscriptions", "add",
                 "--account", acme, "--sku", sku, "--start", "2026-01-01", "--quantity", "25",
                 "--price", "32.50", "--auto-renew", "--notice-days", "30", "--today", TODAY)
    assert added.exit_code == 0, added.output
    assert "25 × Microsoft 365 E5 at 32.5000 EUR/month = 812.50 a month" in added.output
    db.rollback()
    sub = str(db.scalar(select(Subscription.id)))

    early = _cli(database_url, "--as", "billing@accord.test", "subscriptions", "change", sub,
                 "--quantity", "30", "--from", "2025-12-01", "--reason", "typo",
                 "--today", TODAY)
    assert early.exit_code != 0 and "effective_on" in early.output
    refused = _cli(database_url, "--as", "owner@accord.test", "subscriptions", "change", sub,
                   "--quantity", "30", "--from", "2026-04-01", "--reason", "hires",
                   "--today", TODAY)
    assert refused.exit_code != 0 and "requests a change" in refused.output
    asked = _cli(database_url, "--as", "owner@accord.test", "subscriptions", "request", sub,
                 "--quantity", "30", "--from", "2026-04-01", "--reason", "five hires",
                 "--today", TODAY)
    assert asked.exit_code == 0 and "pending" in asked.output, asked.output
    queue = _cli(database_url, "--as", "billing@accord.test", "subscriptions", "requests",
                 "--format", "json")
    pending = json.loads(queue.output)
    assert [(r["quantity"], r["requested_by"]) for r in pending] == [(30, "owner@accord.test")]
    approved = _cli(database_url, "--as", "billing@accord.test", "subscriptions", "approve",
                    str(pending[0]["id"]), "--note", "budget ok", "--today", TODAY)
    assert approved.exit_code == 0 and "approved" in approved.output, approved.output
    again = _cli(database_url, "--as", "billing@accord.test", "subscriptions", "decline",
                 str(pending[0]["id"]), "--today", TODAY)
    assert again.exit_code != 0 and "approved already" in again.output

    shown = _cli(database_url, "subscriptions", "show", sub, "--today", "2026-04-01")
    assert shown.exit_code == 0, shown.output
    assert "30 × Microsoft 365 E5" in shown.output
    assert "from 2026-04-01: 30 at 32.5000" in shown.output and "five hires" in shown.output
    outsider = _cli(database_url, "--as", "outsider@accord.test", "subscriptions", "show", sub)
    assert outsider.exit_code != 0 and f"no subscription {sub}" in outsider.output
    listed = _cli(database_url, "--as", "outsider@accord.test", "subscriptions", "list")
    assert listed.exit_code == 0 and "No subscriptions." in listed.output
    rebuilt = _cli(database_url, "subscriptions", "rebuild-mrr", "--today", TODAY)
    assert rebuilt.exit_code == 0 and "account-months" in rebuilt.output
    head = _cli(database_url, "--as", "head@accord.test", "subscriptions", "rebuild-mrr")
    assert head.exit_code != 0 and "admins" in head.output


def test_the_seats_command_line(sessions, cast, database_url, db) -> None:
    sku = str(_sku(sessions))
    acme = str(cast.acme_id)
    added = _cli(database_url, "--as", "billing@accord.test", "subscriptions", "add",
                 "--account", acme, "--sku", sku, "--start", "2026-01-01", "--quantity", "1",
                 "--price", "22", "--today", TODAY)
    assert added.exit_code == 0, added.output
    for who in ("ann@acme.test", "bob@acme.test"):
        made = _cli(database_url, "--as", "owner@accord.test", "seats", "add-user",
                    "--account", acme, "--user", who, "--name", who.split("@")[0].title())
        assert made.exit_code == 0, made.output
    first = _cli(database_url, "--as", "owner@accord.test", "seats", "assign", "--account",
                 acme, "--user", "ann@acme.test", "--sku", sku, "--today", TODAY)
    assert first.exit_code == 0 and "(1 of 1 assigned)" in first.output, first.output
    db.rollback()
    held = db.scalar(select(func.count()).select_from(SeatAssignment))
    second = _cli(database_url, "--as", "owner@accord.test", "seats", "assign", "--account",
                  acme, "--user", "bob@acme.test", "--sku", sku, "--today", TODAY)
    assert second.exit_code != 0 and "all 1 seats" in second.output, second.output
    db.rollback()
    assert db.scalar(select(func.count()).select_from(SeatAssignment)) == held
    listed = _cli(database_url, "--as", "owner@accord.test", "seats", "list", "--account",
                  acme, "--today", TODAY)
    assert listed.exit_code == 0 and "100 %" in listed.output, listed.output
    viewer = _cli(database_url, "--as", "viewer@accord.test", "seats", "remove", "--account",
                  acme, "--user", "ann@acme.test", "--sku", sku, "--today", TODAY)
    assert viewer.exit_code != 0
    freed = _cli(database_url, "--as", "owner@accord.test", "seats", "remove", "--account",
                 acme, "--user", "ann@acme.test", "--sku", sku, "--today", TODAY)
    assert freed.exit_code == 0, freed.output
