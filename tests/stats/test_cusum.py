"""Log-likelihood ratio CUSUM: the monthly weights worked by hand, the path's restarts and
resets, and what a sustained shift does to it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from caresignals.stats import cusum


def test_poisson_weights_are_the_log_likelihood_ratio_of_a_doubling():
    w = cusum.poisson_weights([2, 0, 5], [1.0, 1.0, 1.0], ratio=2.0)
    assert w[0] == pytest.approx([2 * math.log(2) - 1, -1, 5 * math.log(2) - 1])


def test_binomial_weights_follow_steiner():
    w = cusum.binomial_weights([[3]], [[10]], [[0.1]], odds_ratio=2.0)
    assert w[0, 0] == pytest.approx(3 * math.log(2) - 10 * math.log(1 - 0.1 + 0.2))


def test_path_restarts_at_zero_and_months_without_data_add_nothing():
    path = cusum.poisson([[2, 0, np.nan, 5]], [[1.0, 1.0, 1.0, 1.0]], ratio=2.0)
    assert path[0] == pytest.approx([2 * math.log(2) - 1, 0, 0, 5 * math.log(2) - 1])


def test_reset_after_a_signal():
    weights = [[1.0, 1.0, 1.0, 1.0]]
    assert cusum.accumulate(weights)[0] == pytest.approx([1, 2, 3, 4])
    assert cusum.accumulate(weights, reset_at=2.0)[0] == pytest.approx([1, 2, 1, 2])


def test_a_fall_is_watched_with_a_ratio_below_one():
    expected = np.full((1, 12), 20.0)
    steady = cusum.poisson(np.full((1, 12), 20.0), expected, ratio=0.5)
    fallen = cusum.poisson(np.full((1, 12), 10.0), expected, ratio=0.5)
    assert steady.max() == 0
    assert fallen[0, -1] > fallen[0, 0] > 0


def test_sustained_shift_signals_soon_after_onset_and_not_before():
    rng = np.random.default_rng(1)
    months = 48
    expected = np.full((200, months), 10.0)
    counts = rng.poisson(10.0, (200, months)).astype(float)
    counts[:, 24:] = rng.poisson(20.0, (200, months - 24))
    first = cusum.first_signal(cusum.poisson(counts, expected, ratio=2.0), h=5.0)
    assert np.mean((first >= 0) & (first < 24)) < 0.1
    assert np.median(first[first >= 24]) <= 26


def test_first_signal_is_minus_one_when_never_reached():
    assert cusum.first_signal([[0.0, 1.0, 4.0], [0.0, 0.5, 0.2]], 3.0).tolist() == [2, -1]


@pytest.mark.parametrize(
    "call",
    [
        lambda: cusum.poisson_weights([1], [1], ratio=1.0),
        lambda: cusum.poisson_weights([-1], [1], ratio=2.0),
        lambda: cusum.binomial_weights([[11]], [[10]], [[0.1]], odds_ratio=2.0),
        lambda: cusum.binomial_weights([[1]], [[10]], [[1.5]], odds_ratio=2.0),
        lambda: cusum.accumulate([["a"]]),
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=30))
def test_path_is_never_negative_and_never_above_the_sum_of_positive_weights(ws):
    path = cusum.accumulate([ws])[0]
    assert np.all(path >= 0)
    assert np.all(path <= np.cumsum(np.maximum(ws, 0)) + 1e-9)


def test_quasi_weights_are_divided_by_each_series_dispersion_never_below_one():
    w = np.array([[2.0, -1.0], [3.0, 0.5], [4.0, 4.0]])
    out = cusum.quasi(w, [2.0, 0.5, np.nan])
    assert out.tolist() == [[1.0, -0.5], [3.0, 0.5], [4.0, 4.0]]
    assert cusum.quasi(w, 4.0)[2].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="one per series"):
        cusum.quasi(w, [1.0, 2.0])


def test_quasi_weights_keep_the_false_alarm_rate_of_overdispersed_counts():
    """Negative binomial counts (variance 5 × the mean) trip a plain Poisson CUSUM for a
    halving far more often than its design; scaled by their dispersion they do not."""
    rng = np.random.default_rng(5)
    mean, phi = 40.0, 5.0
    counts = rng.poisson(rng.gamma(mean / (phi - 1), phi - 1, (2000, 6))).astype(float)
    weights = cusum.poisson_weights(counts, np.full(counts.shape, mean), ratio=0.6)
    plain = (cusum.accumulate(weights)[:, -1] >= 4).mean()
    scaled = (cusum.accumulate(cusum.quasi(weights, phi))[:, -1] >= 4).mean()
    assert plain > 0.1
    assert scaled < 0.02


def test_excursion_is_the_month_after_the_path_last_stood_at_zero():
    path = np.array([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.5]])
    assert cusum.excursion(path).tolist() == [1, 0, 3, 2]
