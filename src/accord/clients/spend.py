"""What a client's purchases are worth: the Gamma-Gamma spend model and customer value.

Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and CLV: using iso-value curves for
customer base analysis", JMR 42(4); Fader and Hardie, note 025): the value of each
purchase of a client is Gamma(p, nu), their nu ~ Gamma(q, v) across clients, and spend is
independent of the purchase process. Fitted on the repeat buyers (x > 0) from their
number of repeat purchases ``x`` and the mean value ``m`` of those purchases. A client's
expected spend per purchase is then p (v + x m) / (p x + q - 1): a weighted mean of the
population's v p / (q - 1) and their own m, trusting m more as x grows.

Amounts are whatever unit the caller uses (cents, say); the model is scale-free and the
caller rounds its results to whole cents once, at the end. Pure: numpy and scipy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

from accord.clients.bgnbd import Fit, expected_purchases
from accord.clients.summary import unit_days

FloatArray = npt.NDArray[np.float64]

MIN_REPEAT_BUYERS = 10
MONTH_DAYS = 30.4375
YEAR_DAYS = 365.25
_BOUND = float(np.log(1e6))
_STARTS = ((1.0, 1.0, 1.0), (2.0, 3.0, 1.0), (5.0, 10.0, 5.0))  # p, q, v (spend scaled)
_GRADIENT_TOLERANCE = 1e-5


@dataclass(frozen=True)
class SpendFit:
    """Gamma-Gamma parameters (v in the amounts' unit) and how the fit went."""

    p: float
    q: float
    v: float
    log_likelihood: float
    converged: bool
    message: str | None

    @property
    def population_mean(self) -> float | None:
        """E[spend per purchase] of a client drawn at random, v p / (q - 1); None if q <= 1."""
        return self.v * self.p / (self.q - 1.0) if self.q > 1.0 else None


def _repeat_buyers(
    frequency: npt.ArrayLike, mean_spend: npt.ArrayLike, weights: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = np.ravel(np.asarray(frequency, dtype=np.float64))
    m = np.ravel(np.asarray(mean_spend, dtype=np.float64))
    w = np.ones(x.size) if weights is None else np.ravel(np.asarray(weights, dtype=np.float64))
    if not x.size == m.size == w.size:
        raise ValueError("frequency, mean_spend and weights must have the same length")
    if not (np.isfinite(x).all() and np.isfinite(m).all() and np.isfinite(w).all()):
        raise ValueError("frequency, mean_spend and weights must be finite numbers")
    if (x < 0).any() or (w < 0).any():
        raise ValueError("frequency and weights must be >= 0")
    keep = (x > 0) & (m > 0) & (w > 0)  # a zero mean spend has no Gamma density
    return x[keep], m[keep], w[keep]


def _objective(
    theta: FloatArray, x: FloatArray, m: FloatArray, w: FloatArray, n: float
) -> tuple[float, FloatArray]:
    """Minus the mean log-likelihood and its gradient in log(p, q, v).

    ln f(m | x) = ln G(px+q) - ln G(px) - ln G(q) + q ln v + (px-1) ln m + px ln x
                  - (px+q) ln(v + x m)
    """
    p, q, v = np.exp(theta)
    px = p * x
    log_xm_v = np.log(v + x * m)
    log_mx = np.log(m) + np.log(x)
    ll = (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
        + px * log_mx - np.log(m) - (px + q) * log_xm_v
    )
    psi = digamma(px + q)
    g_p = x * (psi - digamma(px) + log_mx - log_xm_v)
    g_q = psi - digamma(q) + np.log(v) - log_xm_v
    g_v = q / v - (px + q) / (v + x * m)
    grad = np.array([(w * g_p).sum() * p, (w * g_q).sum() * q, (w * g_v).sum() * v])
    return -float((w * ll).sum()) / n, -grad / n


def _converged(theta: FloatArray, x: FloatArray, m: FloatArray, w: FloatArray,
               n: float) -> bool:
    """No parameter at a bound and a small gradient: what the fit calls converged."""
    if (np.abs(theta) > _BOUND - 1e-3).any():
        return False
    return bool(np.max(np.abs(_objective(theta, x, m, w, n)[1])) <= _GRADIENT_TOLERANCE)


def fit_spend(
    frequency: npt.ArrayLike, mean_spend: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> SpendFit | None:
    """Maximum-likelihood Gamma-Gamma fit on the clients with x > 0 and a mean spend > 0.

    None when fewer than ``MIN_REPEAT_BUYERS`` (10) such clients (weights counted): too
    few to say anything about the population. ValueError on impossible arrays.
    """
    x, m, w = _repeat_buyers(frequency, mean_spend, weights)
    n = float(w.sum())
    if n < MIN_REPEAT_BUYERS:
        return None
    scale = float((w * m).sum()) / n  # spends scaled to a mean of 1; v scales with them
    ms = m / scale
    best: Any = None
    for start in _STARTS:
        res = minimize(
            _objective, np.log(start), args=(x, ms, w, n), jac=True, method="SLSQP",
            bounds=[(-_BOUND, _BOUND)] * 3, options={"maxiter": 500, "ftol": 1e-12},
        )
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
            if _converged(np.asarray(res.x, dtype=np.float64), x, ms, w, n):
                break  # the likelihood is smooth and unimodal in practice: the next starts
                # are for a start that ended at a bound or short of the optimum
    if best is None:
        return SpendFit(np.nan, np.nan, np.nan, -np.inf, False, "the log-likelihood is not finite")
    theta = np.asarray(best.x, dtype=np.float64)
    value, grad = _objective(theta, x, ms, w, n)
    p, q, v = (float(e) for e in np.exp(theta))
    message: str | None = None
    if (np.abs(theta) > _BOUND - 1e-3).any():
        message = "did not converge: a parameter reached the bound (1e-6..1e6)"
    elif not float(np.max(np.abs(grad))) <= _GRADIENT_TOLERANCE:
        message = f"did not converge: gradient {np.max(np.abs(grad)):.1e} ({best.message})"
    # the density of m has the unit 1/amount: scaling m by 1/scale adds n ln(scale)
    ll = -value * n - n * np.log(scale)
    return SpendFit(p, q, v * scale, float(ll), message is None, message)


def expected_spend(
    fit: SpendFit | None,
    frequency: npt.ArrayLike,
    mean_spend: npt.ArrayLike,
    fallback: float,
) -> FloatArray:
    """E[spend per purchase | x, m] per client.

    With a fit: p (v + x m) / (p x + q - 1) for x > 0 (eq. 5 of the 2005 JMR paper), the
    population mean v p / (q - 1) for x = 0 (``fallback`` when q <= 1). Without a fit
    (too few repeat buyers): the client's own mean spend for x > 0, ``fallback`` (the
    population's mean spend, computed by the caller) for x = 0.
    """
    x, m = np.broadcast_arrays(
        np.asarray(frequency, dtype=np.float64), np.asarray(mean_spend, dtype=np.float64)
    )
    fallback = float(fallback)
    if fit is None or not fit.converged:
        return np.asarray(np.where(x > 0, m, fallback), dtype=np.float64)
    population = fit.population_mean
    denominator = fit.p * x + fit.q - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = fit.p * (fit.v + x * m) / denominator
    conditional = np.where(denominator > 0, conditional, m)
    return np.asarray(
        np.where(x > 0, conditional, fallback if population is None else population),
        dtype=np.float64,
    )


def customer_value(
    fit: Fit,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    t: npt.ArrayLike,
    spend: npt.ArrayLike,
    horizon: float,
    unit: str,
    yearly_discount: float | Decimal,
) -> FloatArray:
    """Discounted expected value of each client's purchases over the next ``horizon`` units.

    The horizon is cut into month-long steps (30.4375 days; the last one shorter); each
    step's expected purchases (the growth of the conditional expectation over the step)
    times the client's expected ``spend`` per purchase is discounted to today by
    (1 + yearly_discount) ^ (days to the end of the step / 365.25). The fit's unit is
    ``unit``.
    """
    horizon, rate = float(horizon), float(yearly_discount)
    if not np.isfinite(horizon) or horizon < 0:
        raise ValueError("the horizon must be a number >= 0")
    if not np.isfinite(rate) or rate <= -1:
        raise ValueError("the yearly discount must be a number above -1")
    days = unit_days(unit)
    horizon_days = horizon * days
    ends = np.arange(1, int(np.ceil(horizon_days / MONTH_DAYS - 1e-9)) + 1) * MONTH_DAYS
    ends = np.minimum(ends, horizon_days)
    spend_a = np.asarray(spend, dtype=np.float64)
    total = np.zeros(np.broadcast_shapes(np.shape(x), np.shape(t_x), np.shape(t), spend_a.shape))
    before = np.zeros(total.shape)
    for end in ends:
        upto = np.broadcast_to(expected_purchases(fit, end / days, x, t_x, t), total.shape)
        total += (upto - before) / (1.0 + rate) ** (end / YEAR_DAYS)
        before = upto
    return np.asarray(total * spend_a, dtype=np.float64)
