"""Gamma-Gamma on CDNOW (against lifetimes and the published figures) and customer value."""

from __future__ import annotations

import functools
import warnings
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clients import bgnbd, spend
from accord.clients.bgnbd import Fit
from accord.clients.spend import SpendFit
from test_clients_summary import CALIBRATION_END, cdnow_purchases, cdnow_summary

FloatArray = npt.NDArray[np.float64]


@functools.cache
def cdnow_spend() -> tuple[FloatArray, FloatArray]:
    """Per customer: repeat purchases in calibration and their mean value (0 when none)."""
    x, m = [], []
    for days in cdnow_purchases().values():
        seen = sorted(d for d in days if d <= CALIBRATION_END)
        repeats = [days[d] for d in seen[1:]]
        x.append(len(repeats))
        m.append(sum(repeats) / len(repeats) if repeats else 0.0)
    return np.array(x, dtype=np.float64), np.array(m)


@functools.cache
def cdnow_spend_fit() -> SpendFit:
    found = spend.fit_spend(*cdnow_spend())
    assert found is not None
    return found


def gamma_gamma() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes 0.11 and pandas 3 warn on import
        from lifetimes import GammaGammaFitter
    return GammaGammaFitter


def test_cdnow_spend_fit_agrees_with_lifetimes_and_the_published_figures() -> None:
    x, m = cdnow_spend()
    buyers = (x > 0) & (m > 0)
    fitter_class = gamma_gamma()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = fitter_class().fit(x[buyers], m[buyers])
        params = reference.params_[["p", "q", "v"]].to_numpy(dtype=float)
        their_ll = -fitter_class._negative_log_likelihood(
            np.log(params), x[buyers], m[buyers], np.ones(int(buyers.sum())), 0.0
        ) * buyers.sum()
        reference.params_[:] = [cdnow_spend_fit().p, cdnow_spend_fit().q, cdnow_spend_fit().v]
        their_spend = reference.conditional_expected_average_profit(x[buyers], m[buyers])
    fit = cdnow_spend_fit()
    assert fit.converged and fit.message is None
    np.testing.assert_allclose([fit.p, fit.q, fit.v], params, rtol=1e-4)
    assert fit.log_likelihood == pytest.approx(their_ll, abs=0.01)
    # Fader and Hardie, note 025, on the same 946 repeat buyers: p 6.25, q 3.74, v 15.44
    assert (round(fit.p, 2), round(fit.q, 2), round(fit.v, 2)) == (6.25, 3.74, 15.44)
    np.testing.assert_allclose(
        spend.expected_spend(fit, x[buyers], m[buyers], 0.0), their_spend, rtol=1e-10
    )


def test_expected_spend_shrinks_towards_the_population_mean() -> None:
    fit = cdnow_spend_fit()
    population = fit.population_mean
    assert population is not None and population == pytest.approx(fit.v * fit.p / (fit.q - 1))
    one, many = spend.expected_spend(fit, [1, 50], [500.0, 500.0], 0.0)
    assert population < one < many < 500.0  # more purchases, more trust in their own mean
    assert spend.expected_spend(fit, 0, 0.0, 99.0) == pytest.approx(population)


def test_too_few_repeat_buyers_give_no_fit_and_the_fallbacks() -> None:
    assert spend.fit_spend([1] * 9 + [0] * 50, [20.0] * 9 + [0.0] * 50) is None
    assert spend.fit_spend([1] * 20, [0.0] * 20) is None  # zero spends have no density
    got = spend.expected_spend(None, [0, 3], [0.0, 42.0], fallback=17.5)
    np.testing.assert_allclose(got, [17.5, 42.0])
    with pytest.raises(ValueError, match="same length"):
        spend.fit_spend([1, 2], [3.0])


def fit_of(model: str = "bgnbd") -> Fit:
    return Fit(model, 0.243, 4.414, 0.793, 2.426, -9582.4, True, None, 2357)


def test_customer_value_without_discount_is_expected_purchases_times_spend() -> None:
    fit = fit_of()
    x, t_x, t = (v[:200] for v in cdnow_summary())
    spends = np.linspace(10.0, 60.0, x.size)
    plain = spend.customer_value(fit, x, t_x, t, spends, 52.0, "week", 0.0)
    expected = bgnbd.expected_purchases(fit, 52.0, x, t_x, t) * spends
    np.testing.assert_allclose(plain, expected, rtol=1e-9)
    discounted = spend.customer_value(fit, x, t_x, t, spends, 52.0, "week", 0.10)
    assert (discounted < plain).all() and (discounted > plain / 1.1).all()
    assert (spend.customer_value(fit, x, t_x, t, spends, 0.0, "week", 0.1) == 0).all()


def test_customer_value_discounts_each_month_long_step() -> None:
    fit = fit_of("mbgnbd")
    x, t_x, t, horizon, rate = 3.0, 20.0, 38.0, 10.0, 0.25  # 70 days: 3 steps, the last short
    ends = [30.4375, 60.875, 70.0]
    total, before = 0.0, 0.0
    for end in ends:
        upto = float(bgnbd.expected_purchases(fit, end / 7, x, t_x, t))
        total += (upto - before) / 1.25 ** (end / 365.25)
        before = upto
    got = spend.customer_value(fit, x, t_x, t, 40.0, horizon, "week", rate)
    assert float(got) == pytest.approx(40.0 * total, rel=1e-12)
    as_setting = spend.customer_value(fit, x, t_x, t, 40.0, 10, "week", Decimal("0.25"))
    assert float(as_setting) == pytest.approx(float(got))
    with pytest.raises(ValueError, match="unknown unit"):
        spend.customer_value(fit, x, t_x, t, 40.0, horizon, "fortnight", rate)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 30), st.floats(0.0, 1.0), st.floats(1.0, 150.0),
    st.floats(1.0, 100.0), st.floats(0.0, 0.5),
)
def test_customer_value_grows_with_the_horizon(
    x: int, share: float, t: float, horizon: float, rate: float
) -> None:
    fit = fit_of("mbgnbd")
    t_x = share * t if x else 0.0
    near, far = (
        float(spend.customer_value(fit, x, t_x, t, 25.0, h, "week", rate))
        for h in (horizon, 2 * horizon)
    )
    assert 0.0 <= near <= far * (1 + 1e-9)
