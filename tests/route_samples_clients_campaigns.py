"""The route table's sample win-back campaign (tests/route_samples.py): one member, an
individual client of the owner's (North) with scores, frozen on 2026-01-01 without a
holdout; its id is ``{campaign_id}``. The client is on the win-back list (P(alive) 0.2), so
a campaigner who sees it creates a campaign of it; one who does not gets an empty list."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.clients.models import CampaignMember, ClientFit, ClientScore, WinBackCampaign
from accord.core.database import utcnow


def add_client(session: Session, manager_id: int, name: str) -> int:
    """An individual client of ``manager_id`` with scores (and the fit they come from)."""
    now = utcnow()
    person = Account(name=name, name_key=name.lower(), kind="person", status="active",
                     manager_id=manager_id, created_at=now, updated_at=now)
    fit = ClientFit(kind="scores", unit="week", calibration_end=date(2025, 12, 31), clients=1,
                    triples=1, model="mbgnbd", horizon=52, discount_rate_e4=1000)
    session.add_all([person, fit])
    session.flush()
    session.add(ClientScore(
        account_id=person.id, fit_id=fit.id, first_purchase_on=date(2024, 1, 5),
        last_purchase_on=date(2024, 6, 1), purchases=2, x=1, t_x=21.0, t=103.0,
        total_cents=24_000, repeat_mean_cents=12_000, recency_days=578, rfm_segment="lost",
        p_alive_bg=0.4, p_alive_mbg=0.2, p_alive=0.2, p_alive_previous=0.5,
        expected_purchases=0.3, expected_spend_cents=12_000, value_cents=3_600))
    session.flush()
    return int(person.id)


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    client = add_client(session, cast.owner.id, "Route Client")
    campaign = WinBackCampaign(name="Route campaign", frozen_on=date(2026, 1, 1),
                               source="winback", holdout_e4=0, seed=1, members=1,
                               result_months=3, created_by_id=cast.owner.id)
    session.add(campaign)
    session.flush()
    session.add(CampaignMember(campaign_id=campaign.id, account_id=client, group="treatment",
                               p_alive=0.2, value_cents=3_600))
    session.flush()
    return {"campaign": int(campaign.id)}
