"""BG/NBD and MBG/NBD: who is still a client, and how many purchases to expect.

BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way", Marketing
Science 24(2)): while alive a client buys as a Poisson process of rate lambda ~
Gamma(r, alpha); after each REPEAT purchase they drop out with probability p ~ Beta(a, b).
MBG/NBD (Batislam, Denizel and Filiztekin 2007, IJRM 24(3)) lets them drop out right
after the first purchase too, so a client who bought once long ago can be gone
(under BG/NBD every one-time buyer has P(alive) = 1).

The data of a client are ``x`` (repeat purchases), ``t_x`` (time of the last one from the
first purchase) and ``T`` (age), in one time unit (see ``accord.clients.summary``). The
fit maximises the log-likelihood over the distinct (x, t_x, T) rows weighted by their
counts: SLSQP on the logarithms of the parameters, with analytic gradients, bounds and
a few starts. Predictions use the closed forms of the papers, with the hypergeometric
function in its Euler-transformed form, whose parameters stay small whatever x (see
``docs/clients-models.md``). Pure: numpy and scipy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

FloatArray = npt.NDArray[np.float64]

MODELS: tuple[str, ...] = ("bgnbd", "mbgnbd")


@dataclass(frozen=True)
class Fit:
    """Fitted parameters (alpha in the unit of the data) and how the fit went."""

    model: str
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    converged: bool
    message: str | None
    clients: int

    def as_dict(self) -> dict[str, Any]:
        """The figures the CLI prints and a stored fit keeps."""
        return {
            "r": self.r,
            "alpha": self.alpha,
            "a": self.a,
            "b": self.b,
            "log_likelihood": self.log_likelihood,
            "clients": self.clients,
            "converged": self.converged,
        }


def _model(model: str) -> str:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}: use one of {', '.join(MODELS)}")
    return model


def _history(
    x: npt.ArrayLike, t_x: npt.ArrayLike, t: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """x, t_x, T as float arrays of one broadcast shape; ValueError on impossible values."""
    xs, txs, ts = (np.asarray(v, dtype=np.float64) for v in (x, t_x, t))
    try:
        xs, txs, ts = np.broadcast_arrays(xs, txs, ts)
    except ValueError:
        raise ValueError("x, t_x and T must have the same length") from None
    if not (np.isfinite(xs).all() and np.isfinite(txs).all() and np.isfinite(ts).all()):
        raise ValueError("x, t_x and T must be finite numbers")
    if (xs < 0).any() or (np.floor(xs) != xs).any():
        raise ValueError("x (repeat purchases) must be whole numbers >= 0")
    if (txs < 0).any() or (txs > ts * (1 + 1e-12) + 1e-12).any():
        raise ValueError("t_x must lie between 0 and T")
    return xs, txs, ts


# --- the likelihood and its gradient ------------------------------------------------------

_BOUND = float(np.log(1e6))  # every parameter in [1e-6, 1e6], times scaled to a mean T of 1
_STARTS = ((1.0, 1.0, 1.0), (0.3, 0.8, 2.5), (3.0, 2.0, 8.0))  # (r, a, b); alpha = r / rate
_GRADIENT_TOLERANCE = 1e-5  # largest |d(mean LL)/d log(parameter)| of a converged fit
# SLSQP, not L-BFGS-B: on two cores L-BFGS-B's tiny BLAS calls wake OpenBLAS threads and
# cost several times the likelihood itself; SLSQP reaches a gradient ~1e-7 in ~20 calls
_OPTIONS = {"maxiter": 500.0, "ftol": 1e-12}


def _dot(u: FloatArray, v: FloatArray) -> float:
    return float(np.multiply(u, v).sum())


class _Data:
    """The rows, with the parts of the likelihood that depend on x, T or t_x alone kept
    on their distinct values (few) and gathered to the rows by index."""

    def __init__(
        self, x: FloatArray, t_x: FloatArray, t: FloatArray, w: FloatArray, modified: bool
    ) -> None:
        self.modified = modified
        self.n = float(w.sum())
        mean_t = float(_dot(w, t)) / self.n
        self.scale = 1.0 / mean_t if mean_t > 0 else 1.0
        self.w = w
        self.x = x
        self.sum_wx = float(_dot(w, x))
        self.xu, self.x_inv = np.unique(x, return_inverse=True)
        self.wx: FloatArray = np.bincount(self.x_inv, weights=w).astype(np.float64)
        self.tu, self.t_inv = np.unique(t * self.scale, return_inverse=True)
        self.txu, self.tx_inv = np.unique(t_x * self.scale, return_inverse=True)
        # MBG/NBD: B(a, b+x+1)/B(a, b) and a/(b+x); BG/NBD: B(a, b+x)/B(a, b) and a/(b+x-1),
        # the second term only for x > 0
        self.kk = self.xu + 1.0 if modified else self.xu
        self.off = self.xu if modified else np.maximum(self.xu, 1.0) - 1.0
        self.none = np.zeros(self.xu.size, bool) if modified else self.xu == 0
        self.buffers = [np.empty(x.size) for _ in range(7)]
        self._product = np.empty(x.size)

    def wsum(self, u: FloatArray, v: FloatArray) -> float:
        """u . v into a kept buffer: no BLAS (its threads cost more than they save on two
        cores), no fresh array."""
        return float(np.multiply(u, v, out=self._product).sum())

    def objective(self, theta: FloatArray) -> tuple[float, FloatArray]:
        """Minus the mean log-likelihood (scaled times) and its gradient in log-parameters."""
        r, al, a, b = np.exp(theta)
        k, kk = self.xu, self.kk
        ll = float(
            _dot(self.wx, gammaln(r + k) + gammaln(b + kk) - gammaln(a + b + kk))
            + self.n * (r * np.log(al) - gammaln(r) + gammaln(a + b) - gammaln(b))
        )
        g_r = float(_dot(self.wx, digamma(r + k)) + self.n * (np.log(al) - digamma(r)))
        g_al = self.n * r / al
        g_a = float(self.n * digamma(a + b) - _dot(self.wx, digamma(a + b + kk)))
        g_b = g_a + float(_dot(self.wx, digamma(b + kk)) - self.n * digamma(b))
        with np.errstate(divide="ignore"):
            const = np.where(self.none, -np.inf, np.log(a) - np.log(b + self.off))
            inv_boff = np.where(self.none, 0.0, 1.0 / (b + self.off))
        lt, ltx, diff, rx, d, ws, t1 = self.buffers  # in place: fresh arrays cost page faults
        w, wsum = self.w, self.wsum
        np.take(np.log(al + self.tu), self.t_inv, out=lt, mode="clip")
        np.take(np.log(al + self.txu), self.tx_inv, out=ltx, mode="clip")
        np.subtract(lt, ltx, out=diff)
        np.add(self.x, r, out=rx)
        # d: log odds of the dropout term against the alive one; q = e^d (capped: past 700
        # the log-odds are the softplus itself), s = q / (1 + q) the dropout term's share
        np.multiply(rx, diff, out=d)
        d += np.take(const, self.x_inv, out=t1, mode="clip")
        np.exp(np.minimum(d, 700.0, out=ws), out=ws)
        np.add(ws, 1.0, out=t1)
        np.divide(ws, t1, out=ws)
        ws *= w
        ll += wsum(w, np.log(t1, out=t1))
        if float(d.max()) > 700.0:
            ll += wsum(w, np.maximum(d - 700.0, 0.0))
        np.multiply(w, rx, out=t1)
        ll -= wsum(t1, lt)
        g_r += wsum(ws, diff) - wsum(w, lt)
        np.take(1.0 / (al + self.tu), self.t_inv, out=lt, mode="clip")
        np.take(1.0 / (al + self.txu), self.tx_inv, out=ltx, mode="clip")
        g_al -= wsum(t1, lt)
        np.subtract(lt, ltx, out=diff)
        g_al += wsum(np.multiply(ws, rx, out=d), diff)
        g_a += float(ws.sum()) / a
        g_b -= wsum(ws, np.take(inv_boff, self.x_inv, out=t1, mode="clip"))
        grad = -np.array([g_r * r, g_al * al, g_a * a, g_b * b]) / self.n
        return -ll / self.n, grad

    def log_likelihood(self, mean_scaled: float) -> float:
        """The total log-likelihood in the data's own unit: ln L = ln L' + x ln(scale)."""
        return -mean_scaled * self.n + np.log(self.scale) * self.sum_wx


@dataclass(frozen=True)
class _Found:
    params: FloatArray  # r, alpha, a, b in the data's unit
    log_likelihood: float
    converged: bool
    message: str | None


def _minimise(data: _Data, theta0: FloatArray) -> Any:
    return minimize(
        data.objective, theta0, jac=True, method="SLSQP",
        bounds=[(-_BOUND, _BOUND)] * 4, options=_OPTIONS,
    )


def _judge(data: _Data, theta: FloatArray, stopped: str) -> _Found:
    """The fit at ``theta``: converged when finite, inside the bounds, gradient ~ 0."""
    value, grad = data.objective(theta)
    params = np.exp(theta) / np.array([1.0, data.scale, 1.0, 1.0])
    names = ("r", "alpha", "a", "b")
    message: str | None = None
    steep = float(np.max(np.abs(grad)))
    if not np.isfinite(value):
        message = "the log-likelihood is not finite"
    elif bounded := [n for n, v in zip(names, theta, strict=True) if abs(v) > _BOUND - 1e-3]:
        message = f"{', '.join(bounded)} reached the bound (1e-6..1e6): the data do not pin it"
    elif not steep <= _GRADIENT_TOLERANCE:
        message = f"the optimiser stopped with a gradient of {steep:.1e} ({stopped})"
    ll = data.log_likelihood(value) if np.isfinite(value) else -np.inf
    return _Found(params, float(ll), message is None, message)


def _agree(one: Any, other: Any) -> bool:
    """Two runs that ended at the same optimum (a third start would add nothing)."""
    return bool(
        np.isfinite(one.fun) and np.isfinite(other.fun)
        and abs(one.fun - other.fun) <= 1e-9 * max(1.0, abs(one.fun))
        and np.allclose(one.x, other.x, atol=1e-3)
    )


def _best_fit(data: _Data) -> _Found:
    """The best of the starts (by log-likelihood), judged; flagged when not converged.

    The third start runs only when the first two did not end at the same optimum."""
    rate = data.sum_wx / data.n or 0.1  # repeat purchases per (scaled) unit of age
    starts = [np.clip(np.log([r, r / rate, a, b]), 1 - _BOUND, _BOUND - 1) for r, a, b in _STARTS]
    runs = [_minimise(data, starts[0]), _minimise(data, starts[1])]
    if not _agree(*runs):
        runs.append(_minimise(data, starts[2]))
    finite = [res for res in runs if np.isfinite(res.fun)]
    if not finite:
        return _Found(np.full(4, np.nan), -np.inf, False, "the log-likelihood is not finite")
    best = min(finite, key=lambda res: float(res.fun))
    found = _judge(data, np.asarray(best.x, dtype=np.float64), str(best.message))
    if found.converged:
        return found
    return _Found(found.params, found.log_likelihood, False, f"did not converge: {found.message}")


def fit(
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    t: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    model: str = "bgnbd",
) -> Fit:
    """Maximum-likelihood fit of BG/NBD or MBG/NBD on (x, t_x, T) rows weighted by counts.

    Rows are usually the distinct triples of ``accord.clients.summary.triples``. ValueError
    on an unknown model, no rows, rows of different lengths, impossible values or weights
    that are not positive. A fit that no start brought to a converged interior optimum is
    returned with ``converged`` False and a message saying why.
    """
    _model(model)
    if len({np.size(v) for v in (x, t_x, t)}) > 1:
        raise ValueError("x, t_x and T must have the same length")
    xs, txs, ts = (np.ravel(v) for v in _history(x, t_x, t))
    if not xs.size:
        raise ValueError("no clients to fit")
    w = (
        np.ones(xs.size)
        if weights is None
        else np.ravel(np.asarray(weights, dtype=np.float64))
    )
    if w.size != xs.size:
        raise ValueError("weights must have one value per row")
    if not np.isfinite(w).all() or (w <= 0).any():
        raise ValueError("weights must be positive numbers")
    found = _best_fit(_Data(xs, txs, ts, w, modified=model == "mbgnbd"))
    r, alpha, a, b = (float(v) for v in found.params)
    return Fit(
        model=model,
        r=r,
        alpha=alpha,
        a=a,
        b=b,
        log_likelihood=found.log_likelihood,
        converged=found.converged,
        message=found.message,
        clients=int(round(float(w.sum()))),
    )


def log_likelihood(
    fit: Fit,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    t: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> float:
    """The log-likelihood of the fit's model and parameters on (x, t_x, T) rows."""
    xs, txs, ts = (np.ravel(v) for v in _history(x, t_x, t))
    w = np.ones(xs.size) if weights is None else np.ravel(np.asarray(weights, np.float64))
    if not xs.size or w.size != xs.size or not (w > 0).all():
        raise ValueError("rows and positive weights, one per row, are needed")
    data = _Data(xs, txs, ts, w, modified=_model(fit.model) == "mbgnbd")
    theta = np.log([fit.r, fit.alpha * data.scale, fit.a, fit.b])
    return data.log_likelihood(data.objective(theta)[0])


def _log_odds_dead(fit: Fit, xs: FloatArray, txs: FloatArray, ts: FloatArray) -> FloatArray:
    """log[P(dead | data) / P(alive | data)]; -inf where BG/NBD cannot be dead (x = 0)."""
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    ratio = (r + xs) * (np.log(alpha + ts) - np.log(alpha + txs))
    if _model(fit.model) == "mbgnbd":
        return np.asarray(np.log(a) - np.log(b + xs) + ratio, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.log(a) - np.log(b + np.maximum(xs, 1.0) - 1.0) + ratio
    return np.where(xs > 0, odds, -np.inf)


def p_alive(fit: Fit, x: npt.ArrayLike, t_x: npt.ArrayLike, t: npt.ArrayLike) -> FloatArray:
    """P(alive at T | x, t_x, T) per client.

    BG/NBD: 1 / (1 + delta(x>0) a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)) (Fader, Hardie and
    Lee 2008, note 021); MBG/NBD: 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)).
    """
    xs, txs, ts = _history(x, t_x, t)
    return np.asarray(expit(-_log_odds_dead(fit, xs, txs, ts)), dtype=np.float64)


def _a_off_one(a: float) -> float:
    """a nudged off 1, where (a+b+x-1)/(a-1) x [1 - ...] is 0/0 (its limit is smooth)."""
    if abs(a - 1.0) < 1e-7:
        return 1.0 + (1e-7 if a >= 1.0 else -1e-7)
    return a


def _b_off_pole(a: float, b: float, model: str) -> float:
    """b nudged where BG/NBD's a + b - 1 is 0: there 2F1(.; .; c; z) has a pole at c = 0
    (a client without a repeat purchase, and E[X(t)]) multiplied by a factor that is 0; the
    product's limit is smooth in b, so a b 1e-7 away gives it."""
    if _model(model) == "bgnbd" and abs(a + b - 1.0) < 1e-7:
        return b + 2e-7
    return b


def expected_purchases(
    fit: Fit, horizon: float, x: npt.ArrayLike, t_x: npt.ArrayLike, t: npt.ArrayLike
) -> FloatArray:
    """E[purchases in (T, T + horizon] | x, t_x, T] per client (horizon in the fit's unit).

    BG/NBD, eq. (10) of the 2005 paper, with z = h / (alpha + T + h) and the hypergeometric
    term written by Euler's transformation,
    (a+b+x-1)/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)] x P(alive);
    MBG/NBD: (a+b+x)/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-r, a-1; a+b+x; z)] x P(alive).
    """
    horizon = float(horizon)
    if not np.isfinite(horizon) or horizon < 0:
        raise ValueError("the horizon must be a number >= 0")
    xs, txs, ts = _history(x, t_x, t)
    r, alpha = fit.r, fit.alpha
    a = _a_off_one(fit.a)
    b = _b_off_pole(a, fit.b, fit.model)
    z = horizon / (alpha + ts + horizon)
    shift = 0.0 if _model(fit.model) == "mbgnbd" else -1.0
    c = a + b + xs + shift
    growth = 1.0 - (1.0 - z) ** (a - 1.0) * hyp2f1(a + b + shift - r, a - 1.0, c, z)
    alive = expit(-_log_odds_dead(fit, xs, txs, ts))
    return np.asarray(np.maximum(c / (a - 1.0) * growth * alive, 0.0), dtype=np.float64)


def expected_new(fit: Fit, t: npt.ArrayLike) -> FloatArray:
    """E[X(t)]: expected repeat purchases in the first ``t`` units of a new client's life.

    BG/NBD, eq. (9): (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z)]
    with z = t/(alpha+t) (Euler form); MBG/NBD: b/(a-1) [1 - (alpha/(alpha+t))^(a-1)
    2F1(a+b-r, a-1; a+b; z)]. 0 at t <= 0.
    """
    ts = np.asarray(t, dtype=np.float64)
    if not np.isfinite(ts).all():
        raise ValueError("t must be finite numbers")
    ts = np.maximum(ts, 0.0)
    r, alpha = fit.r, fit.alpha
    a = _a_off_one(fit.a)
    b = _b_off_pole(a, fit.b, fit.model)
    z = ts / (alpha + ts)
    if _model(fit.model) == "mbgnbd":
        lead, c = b / (a - 1.0), a + b
    else:
        lead, c = (a + b - 1.0) / (a - 1.0), a + b - 1.0
    growth = 1.0 - (1.0 - z) ** (a - 1.0) * hyp2f1(c - r, a - 1.0, c, z)
    return np.asarray(np.maximum(lead * growth, 0.0), dtype=np.float64)
