"""Tests of a run of months against a baseline that allow for each series' own overdispersion.

Real monthly counts and shares vary more than Poisson or binomial noise: a ward's share of
harmful incidents moves with its case mix and with who reports, a unit's Friends and Family
Test (FFT) answers come in clusters. The quasi-Poisson test (:mod:`caresignals.stats.shift`)
widens the Poisson by a constant factor, which fits the variance but not the shape: the right
tail of a share whose months are beta-binomial is much heavier than a scaled Poisson's, so
an ordinary bad month at a small service passes for a significant one.

Here the distributions are the ones that have that tail:

* a proportion (x successes of n trials a month) is **beta-binomial** with intra-class
  correlation rho: Var(x) = n p (1 - p) (1 + (n - 1) rho);
* a count with expectation mu a month is **negative binomial** with dispersion alpha:
  Var(x) = mu (1 + alpha mu).

The dispersion is estimated from the baseline months by the method of moments on successive
differences (a month against the one before: a slow drift or a season adds little to it, as
with Laney's moving ranges) and drawn toward the service type's median with
:func:`shrunk_toward` as :func:`caresignals.stats.shift.shrunk_dispersion` does for phi.

A run of several months is tested by its total, whose mean and variance are the sums of the
months'; the total is given the distribution of the same family with that mean and variance
(moment-matched), so one month is tested exactly and a run closely. The baseline level is an
estimate too; ``inflation`` multiplies the run's variance by (1 + run's exposure / baseline's)
as the quasi-Poisson test does.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats as distributions

from caresignals.stats.shift import shrunk_dispersion

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_TINY_RHO = 1e-7  # below this a beta-binomial is a binomial to well within a p-value's use


def _successive(
    numerator: npt.ArrayLike, denominator: npt.ArrayLike, mask: npt.ArrayLike
) -> tuple[FloatArray, BoolArray, FloatArray, FloatArray]:
    """What both moment estimators rest on, per row (rows × months), over the masked months
    with a positive denominator: the pooled ratio, the pairs of consecutive months both used,
    1 / denominator a month (NaN where unused) and the sum over pairs of the squared
    difference of the monthly ratios (a share, or a rate per unit of exposure)."""
    x = np.asarray(numerator, dtype=np.float64)
    d = np.asarray(denominator, dtype=np.float64)
    use = np.asarray(mask, dtype=np.bool_) & ~np.isnan(x) & ~np.isnan(d) & (d > 0)
    xs = np.where(use, x, 0.0)
    ds = np.where(use, d, 0.0)
    total = ds.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.where(total > 0, xs.sum(axis=1) / total, np.nan)
        ratio = np.where(use, xs / np.where(use, ds, 1.0), np.nan)
        inv = np.where(use, 1.0 / np.where(use, ds, 1.0), np.nan)
    both = use[:, 1:] & use[:, :-1]  # consecutive months both used
    d2 = np.where(both, (ratio[:, 1:] - ratio[:, :-1]) ** 2, 0.0).sum(axis=1)
    return pooled, both, inv, d2


def betabinomial_icc(
    successes: npt.ArrayLike, trials: npt.ArrayLike, mask: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Per row (rows × months): the intra-class correlation rho of a beta-binomial proportion,
    by the method of moments on successive differences of the monthly shares, and the number
    of pairs it rests on.

    With share s_i = x_i / n_i and pooled share p over the masked months,
    E[(s_i - s_{i-1})²] = p (1 - p) [(1 + (n_i - 1) rho) / n_i + (1 + (n_{i-1} - 1) rho) / n_{i-1}],
    so summing over pairs and solving for rho gives the estimate, taken as at least 0 (no
    series is judged tighter than binomial). Months with no trials are left out; a row with
    fewer than 2 pairs, or with p of 0 or 1, gets rho 0."""
    p, both, inv, d2 = _successive(successes, trials, mask)
    count = both.sum(axis=1).astype(np.float64)
    binomial_part = np.where(both, inv[:, 1:] + inv[:, :-1], 0.0).sum(axis=1)
    extra_part = np.where(both, (1.0 - inv[:, 1:]) + (1.0 - inv[:, :-1]), 0.0).sum(axis=1)
    pq = p * (1.0 - p)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (d2 / pq - binomial_part) / extra_part
    ok = (count >= 2) & (pq > 0) & (extra_part > 0) & np.isfinite(rho)
    return np.where(ok, np.clip(rho, 0.0, 1.0 - 1e-9), 0.0), count


def negbin_alpha(
    counts: npt.ArrayLike, exposure: npt.ArrayLike, mask: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Per row (rows × months): the dispersion alpha of negative binomial counts with mean
    rate × exposure a month, by the method of moments on successive differences of the
    monthly rates, and the number of pairs it rests on.

    With rate r_i = x_i / e_i and pooled rate r over the masked months,
    E[(r_i - r_{i-1})²] = r (1 / e_i + 1 / e_{i-1}) + 2 alpha r², so alpha is the excess of
    the summed squared differences over the Poisson part, over 2 r² per pair; taken as at
    least 0. A row with fewer than 2 pairs or no events gets alpha 0."""
    r, both, inv, d2 = _successive(counts, exposure, mask)
    count = both.sum(axis=1).astype(np.float64)
    poisson_part = np.where(both, inv[:, 1:] + inv[:, :-1], 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = (d2 - r * poisson_part) / (2.0 * r * r * count)
    ok = (count >= 2) & (r > 0) & np.isfinite(alpha)
    return np.where(ok, np.maximum(alpha, 0.0), 0.0), count


def shrunk_toward(
    own: npt.ArrayLike, pairs: npt.ArrayLike, prior: npt.ArrayLike, prior_pairs: float
) -> FloatArray:
    """A dispersion (rho or alpha, 0 = none) drawn toward its peers' when its baseline is short:
    :func:`caresignals.stats.shift.shrunk_dispersion`'s weighted average, with both taken as
    at least 0 rather than phi's 1. A missing prior leaves the own estimate."""
    return shrunk_dispersion(own, pairs, prior, prior_pairs, floor=0.0)


def _as_rows(a: npt.ArrayLike) -> FloatArray:
    x = np.asarray(a, dtype=np.float64)
    return x[:, None] if x.ndim == 1 else x


def betabinomial_sum_p(
    observed: npt.ArrayLike,
    trials: npt.ArrayLike,
    p: npt.ArrayLike,
    rho: npt.ArrayLike,
    *,
    higher: bool | BoolArray,
    inflation: npt.ArrayLike = 1.0,
) -> FloatArray:
    """One-sided p-value of ``observed`` successes in a run of months with ``trials`` a month
    (rows × months, NaN or 0 outside the run; a 1-D array is one month per row), each month
    beta-binomial with share ``p`` and intra-class correlation ``rho``: P(X >= observed) when
    ``higher``, else P(X <= observed).

    The run's total has mean N p (N the total trials) and variance
    inflation × sum n_i p (1 - p) (1 + (n_i - 1) rho); it is tested as one beta-binomial of N
    trials with that mean and variance (exact for one month when inflation is 1). No trials,
    or p outside (0, 1), gives 1."""
    obs = np.round(np.asarray(observed, dtype=np.float64))
    n = np.nan_to_num(_as_rows(trials), nan=0.0)
    n = np.maximum(n, 0.0)
    share = np.asarray(p, dtype=np.float64) * np.ones(obs.shape)
    r = np.clip(np.nan_to_num(np.asarray(rho, dtype=np.float64), nan=0.0), 0.0, 1.0 - 1e-9)
    r = r * np.ones(obs.shape)
    infl = np.maximum(np.asarray(inflation, dtype=np.float64), 1.0) * np.ones(obs.shape)
    up = np.asarray(higher, dtype=np.bool_) * np.ones(obs.shape, dtype=np.bool_)
    total = np.round(n.sum(axis=1))
    bad = ~(total > 0) | ~(share > 0) | ~(share < 1) | np.isnan(obs)
    pq = np.where(bad, 0.25, share * (1.0 - share))
    s = np.where(bad, 0.5, share)
    nn = np.where(bad, 1.0, total)
    variance = infl * pq * (n * (1.0 + (n - 1.0) * r[:, None])).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = variance / (nn * pq)
        r_eff = np.where(nn > 1, (factor - 1.0) / (nn - 1.0), 0.0)
    r_eff = np.clip(np.nan_to_num(r_eff, nan=0.0), 0.0, 1.0 - 1e-9)
    k = np.clip(obs, 0.0, nn)
    binomial = r_eff < _TINY_RHO
    b_up = distributions.binom.sf(k - 1, nn, s)
    b_down = distributions.binom.cdf(k, nn, s)
    scale = np.where(binomial, 1.0, 1.0 / np.maximum(r_eff, _TINY_RHO) - 1.0)
    a, b = s * scale, (1.0 - s) * scale
    bb_up = distributions.betabinom.sf(k - 1, nn, a, b)
    bb_down = distributions.betabinom.cdf(k, nn, a, b)
    result = np.where(up, np.where(binomial, b_up, bb_up), np.where(binomial, b_down, bb_down))
    result = np.where(up & (obs <= 0), 1.0, result)
    return np.asarray(np.where(bad, 1.0, np.clip(result, 0.0, 1.0)), dtype=np.float64)


def negbin_sum_p(
    observed: npt.ArrayLike,
    expected: npt.ArrayLike,
    alpha: npt.ArrayLike,
    *,
    higher: bool | BoolArray,
    inflation: npt.ArrayLike = 1.0,
) -> FloatArray:
    """One-sided p-value of ``observed`` events in a run of months with ``expected`` a month
    (rows × months, NaN or 0 outside the run; a 1-D array is one month per row), each month
    negative binomial with dispersion ``alpha``: P(X >= observed) when ``higher``, else
    P(X <= observed).

    The run's total has mean M = sum mu_i and variance inflation × sum mu_i (1 + alpha mu_i);
    it is tested as one negative binomial with that mean and variance (a Poisson when the
    variance is not above the mean). No expectation gives 1."""
    obs = np.round(np.asarray(observed, dtype=np.float64))
    mu = np.maximum(np.nan_to_num(_as_rows(expected), nan=0.0), 0.0)
    a = np.maximum(np.nan_to_num(np.asarray(alpha, dtype=np.float64), nan=0.0), 0.0)
    a = a * np.ones(obs.shape)
    infl = np.maximum(np.asarray(inflation, dtype=np.float64), 1.0) * np.ones(obs.shape)
    up = np.asarray(higher, dtype=np.bool_) * np.ones(obs.shape, dtype=np.bool_)
    mean = mu.sum(axis=1)
    bad = ~(mean > 0) | np.isnan(obs)
    m = np.where(bad, 1.0, mean)
    variance = infl * (mu * (1.0 + a[:, None] * mu)).sum(axis=1)
    variance = np.where(bad, 1.0, variance)
    excess = np.maximum(variance - m, 0.0)
    poisson = excess <= 1e-12 * m
    size = np.where(poisson, 1.0, m * m / np.where(poisson, 1.0, excess))  # 1 / alpha_eff
    prob = size / (size + m)
    k = np.maximum(obs, 0.0)
    p_up = np.where(
        poisson, distributions.poisson.sf(k - 1, m), distributions.nbinom.sf(k - 1, size, prob)
    )
    p_down = np.where(
        poisson, distributions.poisson.cdf(k, m), distributions.nbinom.cdf(k, size, prob)
    )
    result = np.where(up, np.where(obs <= 0, 1.0, p_up), p_down)
    return np.asarray(np.where(bad, 1.0, np.clip(result, 0.0, 1.0)), dtype=np.float64)
