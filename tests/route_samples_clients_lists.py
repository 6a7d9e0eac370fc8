"""The route table's client-list samples (tests/route_samples.py): Petra Person, a person
account of the owner's with the sales rep on her account team (seen exactly as Acme is),
and Hank Hooli, a person account of the outsider's (out of North's reach, and named so that
the route table finds him if he leaks), both scored by a fit; a validation with its rows;
Petra's lifecycle status. Petra's id becomes the account route's ``{account_id}``
(route_policy_clients_lists.PERSON)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountMember
from accord.clients.models import ClientFit, ClientProfile, ClientScore
from accord.core.database import utcnow
from route_policy_clients_lists import PERSON

VALIDATION = {"by_purchases": [{"purchases": 0, "clients": 2, "actual": 0.5,
                                "predicted": 0.4}],
              "cumulative": [{"week": 1, "actual": 1.0, "predicted": 0.9, "holdout": False}],
              "errors": {"mean_absolute_error": 0.1}}


def _person(session: Session, name: str, external_id: str, manager_id: int) -> int:
    now = utcnow()
    account = Account(name=name, name_key=name.lower(), external_id=external_id, kind="person",
                      status="active", manager_id=manager_id, created_at=now, updated_at=now)
    session.add(account)
    session.flush()
    return int(account.id)


def _fit(session: Session, kind: str) -> int:
    fit = ClientFit(kind=kind, unit="week", first_purchase_on=date(2025, 1, 6),
                    calibration_end=date(2025, 12, 31), clients=2, triples=2, model="mbgnbd",
                    mbg_r=0.5, mbg_alpha=6.0, mbg_a=0.9, mbg_b=1.6, mbg_converged=True,
                    horizon=52, discount_rate_e4=1000,
                    holdout_end=date(2026, 6, 30) if kind == "validation" else None,
                    validation=json.dumps(VALIDATION) if kind == "validation" else None)
    session.add(fit)
    session.flush()
    return int(fit.id)


def _score(session: Session, account_id: int, fit_id: int, p: float, total: int) -> None:
    session.add(ClientScore(
        account_id=account_id, fit_id=fit_id, first_purchase_on=date(2025, 1, 6),
        last_purchase_on=date(2025, 9, 1), purchases=3, x=2, t_x=34.0, t=51.0,
        total_cents=total, repeat_mean_cents=total // 3, recency_days=121, r_score=2,
        f_score=4, m_score=4, rfm_segment="at risk", p_alive_bg=0.9, p_alive_mbg=p,
        p_alive=p, p_alive_previous=0.8, expected_purchases=0.7, expected_spend_cents=4000,
        value_cents=2500))


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    fit = _fit(session, "scores")
    petra = _person(session, "Petra Person", "PETRA-P", cast.owner.id)
    session.add(AccountMember(account_id=petra, user_id=sales_id, role="member"))
    _score(session, petra, fit, 0.35, 120_000)
    session.add(ClientProfile(account_id=petra, model_status="active",
                              model_status_on=date(2025, 12, 31), reason="bought recently"))
    outsider = getattr(cast, "outsider", None)
    if outsider is not None:
        hank = _person(session, "Hank Hooli", "HOOLI-HANK", outsider.id)
        _score(session, hank, fit, 0.2, 990_000)
    _fit(session, "validation")
    session.flush()
    PERSON["account_id"] = str(petra)
    return {"client_person": petra}
