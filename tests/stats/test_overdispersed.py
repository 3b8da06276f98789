"""Tests against a baseline fitted to each series' overdispersion: beta-binomial proportions
and negative binomial counts, checked by hand and against scipy's distributions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from caresignals.stats import overdispersed


def _beta_params(p: float, rho: float) -> tuple[float, float]:
    scale = 1 / rho - 1
    return p * scale, (1 - p) * scale


def test_one_month_is_the_exact_beta_binomial_tail():
    a, b = _beta_params(0.03, 0.02)
    got = overdispersed.betabinomial_sum_p(
        np.array([5.0, 0.0, 1.0]),
        np.array([50.0, 50.0, 50.0]),
        0.03,
        0.02,
        higher=np.array([True, False, False]),
    )
    assert got[0] == pytest.approx(scipy_stats.betabinom.sf(4, 50, a, b), rel=1e-12)
    assert got[1] == pytest.approx(scipy_stats.betabinom.pmf(0, 50, a, b), rel=1e-12)
    assert got[2] == pytest.approx(scipy_stats.betabinom.cdf(1, 50, a, b), rel=1e-12)


def test_no_correlation_is_the_binomial_and_by_hand():
    got = overdispersed.betabinomial_sum_p(np.array([2.0]), np.array([4.0]), 0.5, 0.0, higher=True)
    assert got[0] == pytest.approx(11 / 16)  # P(X >= 2) of 4 fair coins: 1 - (1 + 4) / 16
    assert got[0] == pytest.approx(scipy_stats.binom.sf(1, 4, 0.5))


def test_the_beta_binomial_tail_is_heavier_than_the_binomial():
    heavy = overdispersed.betabinomial_sum_p(np.array([8.0]), np.array([100.0]), 0.03, 0.02,
                                             higher=True)  # fmt: skip
    light = overdispersed.betabinomial_sum_p(np.array([8.0]), np.array([100.0]), 0.03, 0.0,
                                             higher=True)  # fmt: skip
    assert heavy[0] > 3 * light[0]


def test_a_run_is_moment_matched_and_widened_by_the_baseline_uncertainty():
    trials = np.array([[100.0, 100.0, np.nan]])  # a month outside the run is left out
    p, rho = 0.05, 0.01
    got = overdispersed.betabinomial_sum_p(np.array([18.0]), trials, p, rho, higher=True)
    # Variance 2 × 100 × p(1-p)(1 + 99 rho) = N p(1-p)(1 + (N-1) rho_eff) with N = 200.
    rho_eff = (2 * 100 * (1 + 99 * rho) / 200 - 1) / 199
    a, b = _beta_params(p, rho_eff)
    assert got[0] == pytest.approx(scipy_stats.betabinom.sf(17, 200, a, b), rel=1e-12)
    wider = overdispersed.betabinomial_sum_p(
        np.array([18.0]), trials, p, rho, higher=True, inflation=1.5
    )
    assert wider[0] > got[0]


def test_the_beta_binomial_run_test_holds_its_level_on_simulated_months():
    rng = np.random.default_rng(5)
    p, rho = 0.05, 0.02
    a, b = _beta_params(p, rho)
    shares = rng.beta(a, b, size=(100_000, 3))
    x = rng.binomial(120, shares).sum(axis=1).astype(float)
    pv = overdispersed.betabinomial_sum_p(x, np.full((100_000, 3), 120.0), p, rho, higher=True)
    assert np.mean(pv < 0.01) == pytest.approx(0.01, abs=0.002)
    # The binomial test on the same months would be far too ready to alarm.
    naive = overdispersed.betabinomial_sum_p(x, np.full((100_000, 3), 120.0), p, 0.0, higher=True)
    assert np.mean(naive < 0.01) > 0.05


def test_bad_input_gives_a_p_value_of_one():
    got = overdispersed.betabinomial_sum_p(
        np.array([3.0, 3.0, np.nan, 0.0]),
        np.array([0.0, 10.0, 10.0, 10.0]),
        np.array([0.1, 0.0, 0.1, 0.1]),
        0.01,
        higher=True,
    )
    assert got.tolist() == [1.0, 1.0, 1.0, 1.0]  # no trials; p 0; missing; nothing observed


def test_negative_binomial_one_month_matches_scipy_and_poisson_without_dispersion():
    got = overdispersed.negbin_sum_p(np.array([12.0, 2.0]), np.array([6.0, 6.0]), 0.1,
                                     higher=np.array([True, False]))  # fmt: skip
    size = 1 / 0.1
    assert got[0] == pytest.approx(scipy_stats.nbinom.sf(11, size, size / (size + 6)), rel=1e-12)
    assert got[1] == pytest.approx(scipy_stats.nbinom.cdf(2, size, size / (size + 6)), rel=1e-12)
    poisson = overdispersed.negbin_sum_p(np.array([0.0]), np.array([2.0]), 0.0, higher=False)
    assert poisson[0] == pytest.approx(np.exp(-2.0))  # P(X = 0) by hand
    nothing = overdispersed.negbin_sum_p(np.array([0.0]), np.array([2.0]), 0.0, higher=True)
    assert nothing[0] == 1.0


def test_negative_binomial_run_sums_means_and_variances():
    mu = np.array([[4.0, 6.0]])
    got = overdispersed.negbin_sum_p(np.array([20.0]), mu, 0.2, higher=True, inflation=1.25)
    mean = 10.0
    variance = 1.25 * (4 * (1 + 0.2 * 4) + 6 * (1 + 0.2 * 6))
    size = mean**2 / (variance - mean)
    expected = scipy_stats.nbinom.sf(19, size, size / (size + mean))
    assert got[0] == pytest.approx(expected, rel=1e-12)


def test_the_intra_class_correlation_is_recovered_from_simulated_baselines():
    rng = np.random.default_rng(11)
    p, rho = 0.05, 0.02
    a, b = _beta_params(p, rho)
    trials = rng.integers(100, 300, size=(3000, 24)).astype(float)
    x = rng.binomial(trials.astype(int), rng.beta(a, b, size=trials.shape)).astype(float)
    est, pairs = overdispersed.betabinomial_icc(x, trials, np.ones(x.shape, dtype=bool))
    assert pairs[0] == 23
    assert np.mean(est) == pytest.approx(rho, rel=0.1)
    plain = rng.binomial(trials.astype(int), p).astype(float)
    none, _ = overdispersed.betabinomial_icc(plain, trials, np.ones(x.shape, dtype=bool))
    assert np.median(none) < 0.002  # binomial months: about 0, never below it
    assert none.min() >= 0.0


def test_the_intra_class_correlation_by_hand():
    # Shares 0.1, 0.3, 0.1 of 10 trials: p = 0.5 / 3; squared differences 0.04 + 0.04.
    x = np.array([[1.0, 3.0, 1.0]])
    n = np.array([[10.0, 10.0, 10.0]])
    est, pairs = overdispersed.betabinomial_icc(x, n, np.ones((1, 3), dtype=bool))
    p = 5 / 30
    expected = (0.08 / (p * (1 - p)) - 4 * 0.1) / (4 * 0.9)
    assert pairs[0] == 2
    assert est[0] == pytest.approx(expected)


def test_negative_binomial_alpha_by_hand_and_from_simulation():
    # Counts 2, 8, 2 over exposure 1: rate 4; squared differences 36 + 36; Poisson part 4 × 4.
    est, pairs = overdispersed.negbin_alpha(
        np.array([[2.0, 8.0, 2.0]]), np.ones((1, 3)), np.ones((1, 3), dtype=bool)
    )
    assert est[0] == pytest.approx((72 - 4 * 4) / (2 * 16 * 2))
    assert pairs[0] == 2
    rng = np.random.default_rng(3)
    exposure = rng.uniform(2, 4, size=(3000, 24))
    mu = 3 * exposure
    size = 10.0
    y = rng.negative_binomial(size, size / (size + mu)).astype(float)
    alpha, _ = overdispersed.negbin_alpha(y, exposure, np.ones(y.shape, dtype=bool))
    assert np.mean(alpha) == pytest.approx(0.1, rel=0.1)


def test_too_few_months_give_no_dispersion_and_masked_months_are_left_out():
    one_pair, pairs = overdispersed.betabinomial_icc(
        np.array([[1.0, 9.0, 1.0]]), np.full((1, 3), 10.0), np.array([[True, True, False]])
    )
    assert one_pair[0] == 0.0 and pairs[0] == 1
    alpha, pairs = overdispersed.negbin_alpha(
        np.array([[0.0, 0.0, 0.0]]), np.ones((1, 3)), np.ones((1, 3), dtype=bool)
    )
    assert alpha[0] == 0.0 and pairs[0] == 2


def test_shrunk_toward_weights_own_and_peers():
    got = overdispersed.shrunk_toward(
        np.array([0.0, 0.04, 0.04, -1.0]),
        np.array([12.0, 12.0, 0.0, 12.0]),
        np.array([0.02, np.nan, 0.02, 0.02]),
        12.0,
    )
    assert got.tolist() == pytest.approx([0.01, 0.04, 0.02, 0.01])
    with pytest.raises(ValueError, match="prior_pairs"):
        overdispersed.shrunk_toward(0.0, 1.0, 0.0, -1.0)
