"""The shift test: a run's mean against a baseline, by the series' own variation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from caresignals.stats import shift


def test_moving_range_sigma_is_the_mean_moving_range_over_d2():
    y = np.array([[1.0, 3.0, 2.0, np.nan, 5.0], [4.0, 4.0, 4.0, 4.0, 4.0]])
    sigma = shift.moving_range_sigma(y)
    assert sigma[0] == pytest.approx(1.5 / 1.128)  # the pairs beside the gap are skipped
    assert sigma[1] == 0.0
    assert np.isnan(shift.moving_range_sigma(np.array([[1.0, np.nan, 2.0]])))[0]


def test_mean_shift_p_is_one_sided_and_scaled_by_both_samples():
    p = shift.mean_shift_p(
        np.array([7.0, 13.0, 7.0]),
        np.array([4, 4, 4]),
        np.array([10.0, 10.0, 10.0]),
        np.array([2.0, 2.0, 2.0]),
        np.array([16, 16, 16]),
        higher=np.array([False, False, True]),
    )
    z = 3.0 / (2.0 * np.sqrt(1 / 4 + 1 / 16))
    assert p[0] == pytest.approx(scipy_stats.norm.sf(z))
    assert p[1] == pytest.approx(scipy_stats.norm.cdf(z))  # the other side: no concern
    assert p[2] == pytest.approx(p[1])
    flat = shift.mean_shift_p(
        np.array([9.0, 10.0]), 3, np.array([10.0, 10.0]), 0.0, 12, higher=False
    )
    assert flat.tolist() == [0.0, 1.0]
    assert shift.mean_shift_p(np.array([np.nan]), 3, 10.0, 1.0, 12, higher=True)[0] == 1.0


def test_count_shift_p_is_the_poisson_tail_and_widens_with_dispersion():
    obs, mu = np.array([30.0, 12.0]), np.array([20.0, 20.0])
    up = shift.count_shift_p(obs, mu, 1.0, higher=True)
    down = shift.count_shift_p(obs, mu, 1.0, higher=False)
    assert up[0] == pytest.approx(scipy_stats.poisson.sf(29, 20))
    assert down[1] == pytest.approx(scipy_stats.poisson.cdf(12, 20))
    # phi = 2: counts and expectation halved.
    assert shift.count_shift_p(30.0, 20.0, 2.0, higher=True) == pytest.approx(
        scipy_stats.poisson.sf(14, 10)
    )
    assert shift.count_shift_p(30.0, 20.0, 0.5, higher=True) == pytest.approx(up[0])  # floor 1
    assert shift.count_shift_p(3.0, 0.0, 1.0, higher=True) == 1.0


def test_a_large_services_quarter_fall_counts_and_a_tiny_services_wobble_does_not():
    # Six months at 75 a month where 100 were usual (from 24 months): far beyond noise.
    large = shift.count_shift_p(6 * 75, 6 * 100, 1 + 6 / 24, higher=False)
    # One month at 1 where 2.5 were usual: a 60 % fall, and ordinary.
    tiny = shift.count_shift_p(1, 2.5, 1 + 1 / 24, higher=False)
    assert large < 1e-6 and tiny > 0.2


def test_laney_dispersion_is_about_one_for_poisson_counts_and_more_when_overdispersed():
    rng = np.random.default_rng(3)
    expected = np.full((400, 24), 40.0)
    poisson = rng.poisson(expected).astype(float)
    spread = rng.poisson(rng.gamma(1 / 0.05, 40 * 0.05, size=expected.shape)).astype(float)
    mask = np.ones_like(expected, dtype=bool)
    assert np.median(shift.laney_dispersion(poisson, expected, mask)) == pytest.approx(1, abs=0.15)
    # Variance 40 + 0.05 × 40² = 120: three times Poisson.
    assert np.median(shift.laney_dispersion(spread, expected, mask)) == pytest.approx(3, abs=0.5)
    # Too few months to measure it give 1.
    assert shift.laney_dispersion(poisson[:1, :2], expected[:1, :2], mask[:1, :2])[0] == 1.0


def test_shrunk_dispersion_weighs_own_and_peers_by_their_moving_ranges():
    out = shift.shrunk_dispersion(
        [4.0, 1.0, 0.5, 3.0], [36, 4, 12, 10], [2.0, 5.0, 3.0, np.nan], 12
    )
    assert out[0] == pytest.approx((36 * 4 + 12 * 2) / 48)  # a long baseline speaks for itself
    assert out[1] == pytest.approx((4 * 1 + 12 * 5) / 16)  # a short one leans on its peers
    assert out[2] == pytest.approx((12 * 1 + 12 * 3) / 24)  # never tighter than Poisson
    assert out[3] == pytest.approx(3.0)  # no peers: its own
    with pytest.raises(ValueError, match="prior_pairs"):
        shift.shrunk_dispersion([1.0], [1], [1.0], -1)


def test_group_median_is_each_elements_peers_median():
    out = shift.group_median([1.0, 3.0, np.nan, 10.0, np.nan], ["a", "a", "a", "b", "c"])
    assert out[:4].tolist() == [2.0, 2.0, 2.0, 10.0]
    assert np.isnan(out[4])
