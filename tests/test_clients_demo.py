"""The demo's individual clients (issue 16, ``clients.demo``), on both databases: a small
demo load leaves consent on about 70 % of the person accounts, a few of their addresses
suppressed, every person account that bought scored by a fit ending with the purchase data
(the last complete month), a validation of the year before stored, and the demo's statuses
as its revenue rule set them; too few buyers skip the fits, saying why."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.accounts.models import Account, AccountContact, Contact
from accord.clients import demo
from accord.clients.models import ClientFit, ClientProfile, ClientScore, ClientSuppression
from accord.core.models import AuditEntry
from accord.demo.loader import load_demo
from accord.demo.plan import DemoSpec
from accord.revenue.models import RevenueLine

TODAY = date(2026, 3, 18)
#: about 56 person accounts, 53 with purchases over 18 months: just past MIN_CLIENTS
SPEC = DemoSpec(accounts=160, months=18, seed=11, today=TODAY)


def test_the_data_ends_with_the_month_of_the_last_purchase() -> None:
    assert demo.data_end(date(2026, 2, 28), TODAY) == date(2026, 2, 28)
    assert demo.data_end(date(2025, 12, 5), date(2026, 1, 9)) == date(2025, 12, 31)
    assert demo.data_end(date(2025, 12, 5), date(2025, 12, 20)) == date(2025, 12, 20)


def test_a_small_demo_has_scored_clients_and_a_validation(
        sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        load_demo(s, SPEC)
    with sessions() as s:
        people = set(s.scalars(select(Account.id).where(Account.kind == "person")))
        buyers = set(s.scalars(select(RevenueLine.account_id).distinct().where(
            RevenueLine.account_id.in_(people), RevenueLine.amount_cents >= 0)))
        assert len(buyers) >= demo.MIN_CLIENTS
        assert set(s.scalars(select(ClientScore.account_id))) == buyers
        scores = s.scalar(select(ClientFit).where(ClientFit.kind == "scores"))
        assert scores is not None and scores.calibration_end == date(2026, 2, 28)
        assert scores.clients == len(buyers)
        check = s.scalar(select(ClientFit).where(ClientFit.kind == "validation"))
        assert check is not None and check.holdout_end == date(2026, 2, 28)
        assert check.calibration_end == date(2025, 2, 28)
        assert json.loads(check.validation or "{}")["by_purchases"]

        given = s.scalar(select(func.count()).select_from(ClientProfile).where(
            ClientProfile.marketing_consent)) or 0
        assert s.scalar(select(func.count()).select_from(ClientProfile)) == len(people)
        assert 0.5 * len(people) <= given <= 0.9 * len(people)
        suppressed = set(s.scalars(select(ClientSuppression.email_key)))
        person_emails = set(s.scalars(
            select(func.lower(Contact.email)).join(AccountContact)
            .where(AccountContact.account_id.in_(people))))
        assert len(suppressed) >= 3 and suppressed <= person_emails
        # the fits audit themselves; no status was changed by the model
        fits = s.execute(select(AuditEntry.actor, AuditEntry.after).where(
            AuditEntry.entity == "client_fit")).all()
        assert sorted(a["kind"] for _, a in fits) == ["scores", "validation"]
        assert {actor for actor, _ in fits} == {"job:demo"}
        assert not s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "account", AuditEntry.action == "update"))


def test_too_few_buyers_skip_the_fits(sessions: sessionmaker[Session], cast) -> None:
    from import_helpers import write_monthly

    with sessions.begin() as s:
        pia = Account(name="Pia Person", name_key="pia person", kind="person",
                      status="active", manager_id=cast.owner.id)
        s.add(pia)
        s.flush()
        write_monthly(s, pia.id, {2025 * 12 + m: 5_000 for m in range(12)})
        said = demo.seed_demo(s, seed=3, today=TODAY)
    assert said["person_accounts"] == 1 and "1 person accounts with purchases" in said["skipped"]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(ClientFit)) == 0
        assert s.scalar(select(func.count()).select_from(ClientProfile)) == 1
