"""One person account's client figures (issue 16): P(alive) under both models, expected
purchases, spend and value, RFM, the lifecycle status and its reason — for the account page,
``GET /api/v1/accounts/{id}/client`` and ``accord clients show``. Reads only."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.accounts.service import find_account_by_external_id
from accord.accounts.visibility import get_visible_account
from accord.clients.models import ClientFit, ClientProfile, ClientScore
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.core.money import from_cents


@dataclass(frozen=True)
class ClientFigures:
    account_id: int
    name: str
    scored: bool
    fit_id: int | None = None
    fitted_at: datetime | None = None
    model: str | None = None
    unit: str | None = None
    horizon: int | None = None
    p_alive: float | None = None
    p_alive_bgnbd: float | None = None
    p_alive_mbgnbd: float | None = None
    p_alive_previous: float | None = None
    expected_purchases: float | None = None
    expected_spend: Decimal | None = None
    value: Decimal | None = None
    past_value: Decimal | None = None
    purchases: int | None = None
    first_purchase_on: date | None = None
    last_purchase_on: date | None = None
    recency_days: int | None = None
    rfm: dict[str, Any] | None = None  # r, f, m, segment
    status: str | None = None  # lifecycle: the status set by hand, else the model's
    status_set_by: str | None = None  # hand | model
    status_on: date | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def client_figures(session: Session, user: User, account_id: int) -> ClientFigures:
    """One person account's figures (NotFound out of reach; a company is a 422)."""
    account = get_visible_account(session, user, account_id)
    if account.kind != "person":
        raise ValidationFailed([FieldProblem(
            "account_id", f"account {account_id} is a company: client figures are for "
                          "person accounts")])
    row = session.execute(
        select(ClientScore, ClientProfile, ClientFit).select_from(Account)
        .outerjoin(ClientScore, ClientScore.account_id == Account.id)
        .outerjoin(ClientProfile, ClientProfile.account_id == Account.id)
        .outerjoin(ClientFit, ClientFit.id == ClientScore.fit_id)
        .where(Account.id == account_id)).one()
    s, p, fit = row
    status = reason = on = by = None
    if p is not None:
        by = "hand" if p.manual_status else ("model" if p.model_status else None)
        status = p.manual_status or p.model_status
        on = p.manual_since if p.manual_status else p.model_status_on
        reason = p.reason
    base: dict[str, Any] = {"account_id": account.id, "name": account.name, "status": status,
            "status_set_by": by, "status_on": on, "reason": reason}
    if s is None:
        return ClientFigures(scored=False, **base)
    return ClientFigures(
        scored=True, fit_id=s.fit_id, fitted_at=fit.fitted_at if fit else None,
        model=fit.model if fit else None, unit=fit.unit if fit else None,
        horizon=fit.horizon if fit else None, p_alive=s.p_alive, p_alive_bgnbd=s.p_alive_bg,
        p_alive_mbgnbd=s.p_alive_mbg, p_alive_previous=s.p_alive_previous,
        expected_purchases=s.expected_purchases,
        expected_spend=from_cents(s.expected_spend_cents), value=from_cents(s.value_cents),
        past_value=from_cents(s.total_cents), purchases=s.purchases,
        first_purchase_on=s.first_purchase_on, last_purchase_on=s.last_purchase_on,
        recency_days=s.recency_days,
        rfm={"r": s.r_score, "f": s.f_score, "m": s.m_score, "segment": s.rfm_segment},
        **base)


def account_client(session: Session, user: User, account_id: int) -> ClientFigures | None:
    """The account page's panel: a person account's figures when it has a score, else
    None (no statement for a company: the visible account is read once per page)."""
    account = get_visible_account(session, user, account_id)
    if account.kind != "person":
        return None
    figures = client_figures(session, user, account_id)
    return figures if figures.scored else None


def client_by_ref(session: Session, user: User, ref: str) -> ClientFigures:
    """``client_figures`` of an account named by id or external id (the CLI)."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) < 10:
        try:
            account_id = get_visible_account(session, user, int(ref)).id
        except NotFound:
            pass
        else:
            return client_figures(session, user, account_id)
    try:
        account_id = find_account_by_external_id(session, user, ref).id
    except NotFound:
        raise NotFound(f"no account {ref!r} (neither an id nor an external id you can "
                       "see)") from None
    return client_figures(session, user, account_id)
