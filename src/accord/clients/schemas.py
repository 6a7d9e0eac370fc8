"""What the clients' fits, validations and settings look like from outside (API, pages,
``accord clients fit|fits|validate|settings``)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.clients.models import ClientFit
from accord.clients.settings import Score, Share

Unit = Literal["day", "week", "month"]


class FitModelOut(BaseModel):
    """One model's parameters (alpha in the fit's unit) and log-likelihood."""

    r: float | None
    alpha: float | None
    a: float | None
    b: float | None
    log_likelihood: float | None
    converged: bool


class FitSpendOut(BaseModel):
    """The Gamma-Gamma spend model's parameters (v in cents)."""

    p: float | None
    q: float | None
    v: float | None
    converged: bool


class ClientFitOut(BaseModel):
    """A stored fit: its data window, unit, both models, the spend model; for a
    validation its holdout end and predicted against actual rows."""

    id: int
    kind: str = Field(description="`scores` (the clients' figures) or `validation`")
    fitted_at: datetime
    fitted_by_id: int | None = Field(description="who ran it (null: the job or the CLI)")
    unit: str = Field(description="`day`, `week` or `month`: x, t_x and T are days / 1, 7 "
                      "or 30.4375")
    model: str = Field(description="the model whose P(alive) the scores and lists use")
    first_purchase_on: date | None = Field(description="the first purchase read")
    calibration_end: date = Field(description="the last day of the data window (inclusive)")
    holdout_end: date | None = Field(description="a validation's last holdout day")
    clients: int
    triples: int = Field(description="distinct (x, t_x, T) rows the models were fitted on")
    horizon: int = Field(description="expected purchases and value over this many units")
    yearly_discount: Decimal
    bgnbd: FitModelOut
    mbgnbd: FitModelOut
    spend: FitSpendOut | None = Field(description="null: fewer than 10 repeat buyers")
    message: str | None = Field(description="why a model did not converge")
    validation: dict[str, Any] | None = Field(
        default=None, description="a validation: `by_purchases`, `cumulative` and `errors` "
        "of the setting's model, and `models` with both (null for scores)")
    scores: int | None = Field(default=None, description="clients scored (the fit's answer)")
    lifecycle: dict[str, int] | None = Field(
        default=None, description="status changes made (the fit's answer, when the "
        "calibration ends today)")


class ClientFitPage(BaseModel):
    items: list[ClientFitOut]
    total: int
    page: int
    page_size: int
    pages: int


class FitRunIn(BaseModel):
    """A scores fit: the calibration end (default today) and unit (default the setting's)."""

    model_config = ConfigDict(extra="forbid")

    calibration_end: date | None = None
    unit: Unit | None = None


class ValidationRunIn(BaseModel):
    """A validation: fit up to ``calibration_end``, compare with the holdout period up to
    ``holdout_end`` (both inclusive)."""

    model_config = ConfigDict(extra="forbid")

    calibration_end: date
    holdout_end: date
    unit: Unit | None = None


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=40)]
    r: tuple[Score, Score]
    fm: tuple[Score, Score]


class ClientsSettingsIn(BaseModel):
    """A change to the clients settings: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    model: Literal["bgnbd", "mbgnbd"] | None = None
    unit: Unit | None = None
    horizon: Annotated[int | None, Field(strict=True, ge=1, le=520)] = None
    yearly_discount: Share | None = None
    rfm_window_days: Annotated[int | None, Field(strict=True, ge=7, le=3660)] = None
    segments: Annotated[list[SegmentIn] | None, Field(max_length=30)] = None
    lapsed_below: Share | None = None
    churned_after_days: Annotated[int | None, Field(strict=True, ge=30, le=7300)] = None
    winback_p_alive_below: Share | None = None
    winback_min_past_cents: Annotated[int | None, Field(strict=True, ge=0,
                                                        le=1_000_000_000_000)] = None
    at_risk_drop: Share | None = None
    best_p_alive_above: Share | None = None
    refit_every_days: Annotated[int | None, Field(strict=True, ge=1, le=365)] = None

    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, mode="json")


def fit_out(fit: ClientFit, *, scores: int | None = None,
            lifecycle: dict[str, int] | None = None) -> ClientFitOut:
    spend = None if fit.gg_p is None else FitSpendOut(p=fit.gg_p, q=fit.gg_q, v=fit.gg_v,
                                                      converged=fit.gg_converged)
    return ClientFitOut(
        id=fit.id, kind=fit.kind, fitted_at=fit.fitted_at, fitted_by_id=fit.fitted_by_id,
        unit=fit.unit, model=fit.model, first_purchase_on=fit.first_purchase_on,
        calibration_end=fit.calibration_end, holdout_end=fit.holdout_end, clients=fit.clients,
        triples=fit.triples, horizon=fit.horizon,
        yearly_discount=Decimal(fit.discount_rate_e4) / 10_000,
        bgnbd=FitModelOut(r=fit.bg_r, alpha=fit.bg_alpha, a=fit.bg_a, b=fit.bg_b,
                          log_likelihood=fit.bg_log_likelihood, converged=fit.bg_converged),
        mbgnbd=FitModelOut(r=fit.mbg_r, alpha=fit.mbg_alpha, a=fit.mbg_a, b=fit.mbg_b,
                           log_likelihood=fit.mbg_log_likelihood, converged=fit.mbg_converged),
        spend=spend, message=fit.message,
        validation=json.loads(fit.validation) if fit.validation else None,
        scores=scores, lifecycle=lifecycle)


def model_figures(fit: ClientFit, model: str) -> dict[str, Any]:
    """``{"r", "alpha", "a", "b", "log_likelihood", "clients", "converged"}`` of one model
    (what ``accord clients fit --format json`` prints)."""
    out = fit_out(fit)
    chosen = out.bgnbd if model == "bgnbd" else out.mbgnbd
    return {"r": chosen.r, "alpha": chosen.alpha, "a": chosen.a, "b": chosen.b,
            "log_likelihood": chosen.log_likelihood, "clients": fit.clients,
            "converged": chosen.converged}
