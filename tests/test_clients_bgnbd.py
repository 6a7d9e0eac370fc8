"""BG/NBD and MBG/NBD: the 2005 paper's CDNOW figures, lifetimes as the independent
implementation, and the properties of P(alive) and the expected purchases."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.clients import bgnbd
from accord.clients.bgnbd import Fit
from accord.clients.summary import triples
from test_clients_summary import cdnow_summary

FloatArray = npt.NDArray[np.float64]


@functools.cache
def cdnow_fit(model: str) -> Fit:
    x, t_x, t, weights = triples(*cdnow_summary())
    return bgnbd.fit(x, t_x, t, weights, model=model)


def lifetimes_fitter(model: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes 0.11 and pandas 3 warn on import
        from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter

    return {"bgnbd": BetaGeoFitter, "mbgnbd": ModifiedBetaGeoFitter}[model]


def test_cdnow_reproduces_the_2005_paper() -> None:
    fit = cdnow_fit("bgnbd")
    assert fit.converged and fit.message is None and fit.clients == 2357
    assert fit.r == pytest.approx(0.243, abs=0.0015)
    assert fit.alpha == pytest.approx(4.414, abs=0.015)
    assert fit.a == pytest.approx(0.793, abs=0.0015)
    assert fit.b == pytest.approx(2.426, abs=0.0015)
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.5)
    assert fit.as_dict() == {
        "r": fit.r, "alpha": fit.alpha, "a": fit.a, "b": fit.b,
        "log_likelihood": fit.log_likelihood, "clients": 2357, "converged": True,
    }


@pytest.mark.parametrize("model", bgnbd.MODELS)
def test_cdnow_fit_agrees_with_lifetimes(model: str) -> None:
    x, t_x, t, weights = triples(*cdnow_summary())
    fitter_class = lifetimes_fitter(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = fitter_class().fit(x, t_x, t, weights=weights)
        params = reference.params_[["r", "alpha", "a", "b"]].to_numpy(dtype=float)
        # lifetimes' own likelihood, on the unscaled data, at its own optimum
        their_ll = -fitter_class._negative_log_likelihood(
            np.log(params), x, t_x, t, weights, 0.0
        ) * weights.sum()
    fit = cdnow_fit(model)
    np.testing.assert_allclose([fit.r, fit.alpha, fit.a, fit.b], params, rtol=2e-4)
    assert fit.log_likelihood == pytest.approx(their_ll, abs=0.01)
    assert bgnbd.log_likelihood(fit, *cdnow_summary()) == pytest.approx(fit.log_likelihood)


@pytest.mark.parametrize("model", bgnbd.MODELS)
def test_cdnow_predictions_agree_with_lifetimes(model: str) -> None:
    fit = cdnow_fit(model)
    x, t_x, t = (v[::7] for v in cdnow_summary())  # a sample of clients, all kinds
    reference = lifetimes_fitter(model)()
    reference.params_ = pd.Series(
        {"r": fit.r, "alpha": fit.alpha, "a": fit.a, "b": fit.b}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(
            bgnbd.p_alive(fit, x, t_x, t),
            reference.conditional_probability_alive(x, t_x, t), rtol=1e-10, atol=1e-12,
        )
        for horizon in (1.0, 13.0, 39.0, 104.0):
            np.testing.assert_allclose(
                bgnbd.expected_purchases(fit, horizon, x, t_x, t),
                reference.conditional_expected_number_of_purchases_up_to_time(
                    horizon, x, t_x, t
                ),
                rtol=1e-9, atol=1e-12,
            )
        ages = np.linspace(0.0, 78.0, 27)
        np.testing.assert_allclose(
            bgnbd.expected_new(fit, ages),
            reference.expected_number_of_purchases_up_to_time(ages), rtol=1e-9, atol=1e-12,
        )


def test_one_row_per_client_gives_the_fit_of_the_triples() -> None:
    rows = bgnbd.fit(*cdnow_summary(), model="mbgnbd")
    assert rows.log_likelihood == pytest.approx(cdnow_fit("mbgnbd").log_likelihood, abs=1e-6)
    assert rows.r == pytest.approx(cdnow_fit("mbgnbd").r, rel=1e-4)


def simulate(
    n: int, params: tuple[float, float, float, float], modified: bool, seed: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Clients of ages 1..104 weeks drawn from the model itself (continuous times)."""
    r, alpha, a, b = params
    rng = np.random.default_rng(seed)
    age = rng.uniform(1.0, 104.0, n)
    rate, drop = rng.gamma(r, 1.0 / alpha, n), rng.beta(a, b, n)
    x, last, now = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = rng.random(n) >= drop if modified else np.ones(n, bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1.0 / rate[idx])
        bought = idx[now[idx] <= age[idx]]
        alive[idx[now[idx] > age[idx]]] = False
        x[bought] += 1
        last[bought] = now[bought]
        alive[bought] &= rng.random(bought.size) >= drop[bought]
    return x, last, age


@pytest.mark.parametrize("model", bgnbd.MODELS)
def test_a_fit_recovers_the_parameters_it_was_simulated_with(model: str) -> None:
    truth = (0.5, 6.0, 0.8, 2.5)
    fit = bgnbd.fit(*simulate(20_000, truth, model == "mbgnbd", seed=7), model=model)
    assert fit.converged
    np.testing.assert_allclose([fit.r, fit.alpha, fit.a, fit.b], truth, rtol=0.2)


def test_a_fit_the_data_cannot_pin_says_it_did_not_converge() -> None:
    fit = bgnbd.fit(np.zeros(50), np.zeros(50), np.linspace(1, 30, 50))  # nobody came back
    assert not fit.converged
    assert fit.message and "did not converge" in fit.message


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (([], [], []), "no clients"),
        (([1, 2], [1.0], [2.0, 3.0]), "same length"),
        (([-1], [0.0], [2.0]), "whole numbers"),
        (([1.5], [1.0], [2.0]), "whole numbers"),
        (([1], [3.0], [2.0]), "between 0 and T"),
        (([1], [np.nan], [2.0]), "finite"),
    ],
)
def test_bad_arrays_are_refused(args: tuple[list[float], ...], problem: str) -> None:
    x, t_x, t = args
    with pytest.raises(ValueError, match=problem):
        bgnbd.fit(x, t_x, t)


def test_bad_weights_and_models_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        bgnbd.fit([1, 0], [1.0, 0.0], [2.0, 2.0], weights=[1, 0])
    with pytest.raises(ValueError, match="one value per row"):
        bgnbd.fit([1, 0], [1.0, 0.0], [2.0, 2.0], weights=[1])
    with pytest.raises(ValueError, match="unknown model"):
        bgnbd.fit([1, 0], [1.0, 0.0], [2.0, 2.0], model="pareto")


params = st.tuples(
    st.floats(0.05, 5.0), st.floats(0.5, 50.0), st.floats(0.05, 5.0), st.floats(0.05, 10.0)
)
histories = st.tuples(st.integers(0, 40), st.floats(0.0, 1.0), st.floats(0.0, 200.0))


def make_fit(model: str, p: tuple[float, float, float, float]) -> Fit:
    return Fit(model, *p, log_likelihood=0.0, converged=True, message=None, clients=1)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(bgnbd.MODELS), params, histories, st.floats(0.1, 100.0))
def test_p_alive_is_a_probability_and_expectations_grow_with_the_horizon(
    model: str,
    p: tuple[float, float, float, float],
    history: tuple[int, float, float],
    horizon: float,
) -> None:
    x, share, t = history
    t_x = share * t if x else 0.0
    fit = make_fit(model, p)
    alive = float(bgnbd.p_alive(fit, x, t_x, t))
    assert 0.0 <= alive <= 1.0
    near = float(bgnbd.expected_purchases(fit, horizon, x, t_x, t))
    far = float(bgnbd.expected_purchases(fit, 2 * horizon, x, t_x, t))
    assert 0.0 <= near <= far * (1 + 1e-9)
    young, old = bgnbd.expected_new(fit, [horizon, 2 * horizon])
    assert 0.0 <= young <= old * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(params, st.floats(0.0, 100.0), st.floats(0.1, 100.0))
def test_one_time_buyers_under_each_model(
    p: tuple[float, float, float, float], t: float, later: float
) -> None:
    assert float(bgnbd.p_alive(make_fit("bgnbd", p), 0, 0.0, t)) == 1.0
    modified = make_fit("mbgnbd", p)
    now, then = bgnbd.p_alive(modified, [0, 0], [0.0, 0.0], [t, t + later])
    assert now < 1.0 and then <= now


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(bgnbd.MODELS),
    st.lists(st.floats(0.8, 1.25), min_size=4, max_size=4).filter(
        lambda f: max(abs(v - 1.0) for v in f) > 1e-3
    ),
)
def test_the_fitted_parameters_beat_their_neighbours(model: str, factors: list[float]) -> None:
    fit = cdnow_fit(model)
    x, t_x, t, weights = triples(*cdnow_summary())
    moved = make_fit(
        model,
        (fit.r * factors[0], fit.alpha * factors[1], fit.a * factors[2], fit.b * factors[3]),
    )
    assert bgnbd.log_likelihood(moved, x, t_x, t, weights) < fit.log_likelihood


@pytest.mark.parametrize("x", [0, 3])
def test_a_plus_b_equal_to_one_is_the_limit_not_nan(x: int) -> None:
    """BG/NBD's 2F1 has a pole where a + b - 1 = 0 (times a factor 0): the expectations
    there are finite and equal the neighbouring parameters' (the limit is smooth)."""
    at = make_fit("bgnbd", (1.0, 1.0, 0.5, 0.5))
    near = make_fit("bgnbd", (1.0, 1.0, 0.5, 0.5001))
    t_x = 0.2 if x else 0.0
    e_at = float(bgnbd.expected_purchases(at, 1.5, x, t_x, 1.0))
    e_near = float(bgnbd.expected_purchases(near, 1.5, x, t_x, 1.0))
    assert np.isfinite(e_at) and e_at == pytest.approx(e_near, rel=1e-3)
    new_at, new_near = bgnbd.expected_new(at, [1.0])[0], bgnbd.expected_new(near, [1.0])[0]
    assert np.isfinite(new_at) and new_at == pytest.approx(new_near, rel=1e-3)
