"""Subscriptions from a CSV in Accord's columns (billing only, the service's rules, row /
column / reason, idempotent by account and reference) and the licences' exports
(subscriptions re-import unchanged; seats; utilisation; only what the user sees; no cell a
formula) — both databases."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from accord.accounts.models import Account
from accord.core.errors import Forbidden, NotFound
from accord.core.models import User
from accord.exchange import exporting
from accord.exchange.importing import run_import
from accord.licences.imports import exports
from accord.licences.models import Subscription, SubscriptionTerm
from accord.licences.seats import service as seats
from licence_helpers import make_sku

DAY = date(2026, 3, 10)
HEADER = ("account_external_id,sku_code,start_on,term_months,quantity,unit_price,auto_renew,"
          "notice_days,status,reference,effective_on\n")


def _as(s: Session, who: Any) -> User:
    user = s.get(User, who.id)
    assert user is not None
    return user


def _run(sessions: sessionmaker[Session], who: Any, text: str, **kw: Any) -> Any:
    with sessions.begin() as s:
        return run_import(s, _as(s, who), "subscriptions", io.BytesIO(text.encode()),
                          filename="subs.csv", today=DAY, **kw)


def _export(sessions: sessionmaker[Session], who: Any, kind: str, fmt: str = "csv") -> bytes:
    out = io.BytesIO()
    with sessions() as s:
        exporting.export(s, _as(s, who), kind, fmt, out, DAY)
    return out.getvalue()


def _terms(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(SubscriptionTerm)) or 0)


def test_subscriptions_in_and_out(sessions: sessionmaker[Session], cast: Any) -> None:
    with sessions.begin() as s:
        make_sku(s)
    good = HEADER + ("ACME,M365-E3,2026-01-01,12,3,432.5000,true,30,active,PO-1,\n"
                     "GLOBEX,M365-E3,2026-02-01,12,5,400,false,0,trial,PO-9,\n")
    first = _run(sessions, cast.billing, good)
    assert (first.status, first.inserted) == ("imported", 2), first.problems
    assert (_run(sessions, cast.billing, good).unchanged) == 2

    # the export re-imports unchanged; what the owner does not see is not in theirs
    exported = _export(sessions, cast.billing, "subscriptions").decode()
    assert _run(sessions, cast.billing, exported).unchanged == 2
    assert "GLOBEX" not in _export(sessions, cast.owner, "subscriptions").decode()

    terms = _terms(sessions)
    more = HEADER + "ACME,M365-E3,2026-01-01,12,4,432.5,true,30,active,PO-1,\n"
    refused = _run(sessions, cast.billing, more)
    assert refused.status == "rejected" and [(p.row, p.column) for p in refused.problems] == [
        (2, "effective_on")]
    changed = _run(sessions, cast.billing, more.replace(",\n", ",2026-03-01\n"))
    assert (changed.status, changed.updated) == ("imported", 1)
    assert _terms(sessions) == terms + 1


def test_bad_rows_are_reported_and_nothing_written(sessions: sessionmaker[Session],
                                                   cast: Any) -> None:
    with sessions.begin() as s:
        make_sku(s)
    bad = HEADER + ("NOPE,M365-E3,2026-01-01,12,3,10,false,0,active,A,\n"
                    "ACME,NOPE,2026-01-01,12,3,10,false,0,active,B,\n"
                    "ACME,M365-E3,2026-01-01,12,-3,10,false,0,active,C,\n"
                    "ACME,M365-E3,2026-01-01,12,3,10,false,0,cancelled,D,\n"
                    "ACME,M365-E3,2026-01-01,12,3,10,false,0,active,,\n"
                    "ACME,M365-E3,2026-01-01,12,3,10,false,0,active,OK,\n")
    report = _run(sessions, cast.billing, bad)
    assert report.status == "rejected"
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "account_external_id"), (3, "sku_code"), (4, "quantity"), (5, "status"),
        (6, "reference")]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Subscription)) == 0
    with pytest.raises(Forbidden, match="billing"):
        _run(sessions, cast.owner, bad)


def test_seats_and_utilisation_exports(sessions: sessionmaker[Session], cast: Any) -> None:
    from accord.licences.subscriptions import service as subscriptions
    from accord.licences.subscriptions.schemas import SubscriptionIn

    with sessions.begin() as s:
        sku = make_sku(s)
        s.execute(update(Account).where(Account.id == cast.acme_id).values(name="=HYPERLINK(1)"))
        subscriptions.add_subscription(s, _as(s, cast.billing), SubscriptionIn(
            account_id=cast.acme_id, sku_id=sku, start_on=date(2026, 1, 1), quantity=4,
            unit_price=Decimal(10)), DAY)
        for n in range(2):
            seats.add_licence_user(s, _as(s, cast.owner), cast.acme_id, f"p{n}@acme.test")
            seats.assign(s, _as(s, cast.owner), cast.acme_id, f"p{n}@acme.test", sku, DAY)
    rows = list(csv.reader(io.StringIO(_export(sessions, cast.owner, "utilisation").decode())))
    assert rows[0] == exports.UTILISATION_HEADER
    assert rows[1] == ["ACME", "'=HYPERLINK(1)", "M365-E3", "Microsoft 365 E3", "4", "2", "0",
                       "0", "50.00", "", "50.00"]
    seat_rows = list(csv.reader(io.StringIO(_export(sessions, cast.owner, "seats").decode())))
    assert seat_rows[0] == exports.SEATS_HEADER and len(seat_rows) == 3
    assert seat_rows[1][7:10] == ["2026-03-10", "", "manual"]
    assert len(list(csv.reader(io.StringIO(
        _export(sessions, cast.outsider, "utilisation").decode())))) == 1
    assert _export(sessions, cast.owner, "utilisation", "xlsx")[:2] == b"PK"
    with pytest.raises(NotFound):
        _export(sessions, cast.owner, "m365-users")
