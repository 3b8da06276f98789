"""Is a run of months really at another level? A test of a run's mean against a baseline.

A Making Data Count shift (seven points on one side of the mean) happens on noise in about
one long series in twenty, so a shift rule needs a second question: is the run's mean far
enough from the baseline mean, given how much this series varies? A fixed share (say 40 %)
answers it badly both ways: a large service's 25 % fall is far beyond its noise, a tiny
service's 60 % wobble is within it.

The test here uses each series' own variation, estimated as the XmR chart does from the mean
moving range (sigma = mean |x_i - x_{i-1}| / 1.128). That sigma already carries any extra-Poisson
variation (overdispersion) of the series, so the test is quasi-Poisson in spirit and works the
same for counts, rates and shares. The run's mean and the baseline mean are compared by a
two-sample z statistic, sigma * sqrt(1/k + 1/n), one-sided in the direction of concern.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

D2 = 1.128  # the expected range of two normal values, in sigmas (XmR's d2 for n = 2)


def moving_range_sigma(values: FloatArray) -> FloatArray:
    """Per row of ``values`` (rows × months): mean |difference of consecutive months| / 1.128.

    A pair with a missing month on either side is skipped; a row with no pair gives NaN.
    """
    y = np.asarray(values, dtype=np.float64)
    if y.ndim != 2:
        raise ValueError(f"values must be rows × months, got shape {y.shape}")
    if y.shape[1] < 2:
        return np.full(y.shape[0], np.nan)
    diff = np.abs(np.diff(y, axis=1))
    ok = ~np.isnan(diff)
    count = ok.sum(axis=1)
    total = np.where(ok, diff, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1) / D2, np.nan)


def mean_shift_p(
    run_mean: FloatArray,
    run_n: npt.ArrayLike,
    base_mean: FloatArray,
    base_sigma: FloatArray,
    base_n: npt.ArrayLike,
    *,
    higher: bool | BoolArray,
) -> FloatArray:
    """One-sided p-value that a run of ``run_n`` months with mean ``run_mean`` is that far
    above (``higher``) or below the ``base_mean`` of ``base_n`` months whose month-to-month
    sigma is ``base_sigma``. A run on the other side gives p >= 0.5; a zero sigma gives 0 for
    any difference in the direction asked (and 1 for none); NaN inputs give 1."""
    run_mean = np.asarray(run_mean, dtype=np.float64)
    base_mean = np.asarray(base_mean, dtype=np.float64)
    sigma = np.asarray(base_sigma, dtype=np.float64)
    k = np.asarray(run_n, dtype=np.float64)
    n = np.asarray(base_n, dtype=np.float64)
    sign = np.where(np.asarray(higher, dtype=np.bool_), 1.0, -1.0)
    diff = sign * (run_mean - base_mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = sigma * np.sqrt(1.0 / np.maximum(k, 1.0) + 1.0 / np.maximum(n, 1.0))
        z = np.where(se > 0, diff / se, np.where(diff > 0, np.inf, -np.inf))
    p = special.ndtr(-z)
    bad = np.isnan(diff) | np.isnan(sigma) | (k < 1) | (n < 1)
    return np.where(bad, 1.0, np.where((se == 0) & (diff == 0), 1.0, p))


def laney_dispersion(counts: FloatArray, expected: FloatArray, mask: BoolArray) -> FloatArray:
    """Per row: the extra-Poisson variation of counts about their expectation, as Laney's
    p′ and u′ charts measure it: sigma_z², with sigma_z the mean moving range of the z-scores
    (count - expected) / sqrt(expected) over consecutive masked months, over 1.128. About 1
    for a Poisson series; above 1 with overdispersion. Moving ranges are not inflated by a
    season or a slow drift, and little by one odd month. Fewer than two pairs give 1."""
    c = np.asarray(counts, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    use = np.asarray(mask, dtype=np.bool_) & (e > 0) & ~np.isnan(c)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(use, (c - e) / np.sqrt(np.where(use, e, 1.0)), np.nan)
    sigma = moving_range_sigma(z)
    pairs = np.sum(~np.isnan(np.diff(z, axis=1)), axis=1) if z.shape[1] > 1 else np.zeros(len(z))
    return np.where(pairs >= 2, np.nan_to_num(sigma, nan=1.0) ** 2, 1.0)


def count_shift_p(
    observed: npt.ArrayLike,
    expected: npt.ArrayLike,
    dispersion: npt.ArrayLike,
    *,
    higher: bool | BoolArray,
) -> FloatArray:
    """One-sided quasi-Poisson p-value of ``observed`` events where ``expected`` were
    expected: P(X >= observed) when ``higher``, else P(X <= observed), with X/phi Poisson of
    mean expected/phi and phi = max(1, dispersion). No expectation gives 1."""
    obs = np.asarray(observed, dtype=np.float64)
    mu = np.asarray(expected, dtype=np.float64)
    phi = np.maximum(np.nan_to_num(np.asarray(dispersion, dtype=np.float64), nan=1.0), 1.0)
    up = np.asarray(higher, dtype=np.bool_)
    with np.errstate(invalid="ignore", divide="ignore"):
        above = np.where(obs > 0, special.gammainc(np.maximum(obs, 1e-12) / phi, mu / phi), 1.0)
        below = special.gammaincc(np.maximum(obs, 0.0) / phi + 1.0, mu / phi)
    p = np.where(up, above, below)
    bad = ~(mu > 0) | np.isnan(obs)
    return np.where(bad, 1.0, p)


def shrunk_dispersion(
    own: npt.ArrayLike,
    pairs: npt.ArrayLike,
    prior: npt.ArrayLike,
    prior_pairs: float,
    *,
    floor: float = 1.0,
) -> FloatArray:
    """A series' dispersion drawn toward its peers' when its own baseline is short.

    ``own`` is the series' Laney dispersion from ``pairs`` moving ranges; ``prior`` its peers'
    (say the median of the same service type). The result is their average weighted by
    ``pairs`` and ``prior_pairs``: a long baseline speaks for itself, a short one (whose
    moving-range estimate is itself noisy and as often too low as too high) leans on the
    peers. Both are taken as at least ``floor``, 1 for phi (no series is judged tighter than
    Poisson); a missing prior leaves the own estimate."""
    if not (prior_pairs >= 0 and np.isfinite(prior_pairs)):
        raise ValueError(f"prior_pairs must be a number from 0 up, got {prior_pairs!r}")
    phi = np.maximum(np.nan_to_num(np.asarray(own, dtype=np.float64), nan=floor), floor)
    k = np.maximum(np.nan_to_num(np.asarray(pairs, dtype=np.float64), nan=0.0), 0.0)
    raw_prior = np.asarray(prior, dtype=np.float64)
    p = np.maximum(np.nan_to_num(raw_prior, nan=floor), floor)
    weight = np.where(np.isnan(raw_prior), 0.0, prior_pairs)
    total = k + weight
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, (k * phi + weight * p) / np.where(total > 0, total, 1.0), phi)
    return np.asarray(out, dtype=np.float64)


def group_median(values: npt.ArrayLike, groups: npt.ArrayLike) -> FloatArray:
    """Each element's group median of ``values`` (NaNs left out; NaN for a group with none):
    the peers' dispersion for :func:`shrunk_dispersion`."""
    v = np.asarray(values, dtype=np.float64)
    g = np.asarray(groups)
    if v.shape != g.shape:
        raise ValueError(f"values and groups differ in shape: {v.shape} and {g.shape}")
    out = np.full(v.shape, np.nan)
    for key in np.unique(g):
        members = g == key
        known = v[members & ~np.isnan(v)]
        if known.size:
            out[members] = float(np.median(known))
    return out
