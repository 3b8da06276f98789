"""Log-likelihood ratio CUSUM charts for counts and proportions, many series at once.

The CUSUM that national mortality outlier alerts use (Steiner, Cook, Farewell & Treasure 2000;
the Imperial College / CQC alerts): each month adds the log of how much more likely its count
is under a chosen shift (the "out of control" ratio) than under the expected level, and the
sum restarts from 0 whenever it would go negative. A sustained shift makes it climb steadily;
noise keeps pulling it back to 0. It signals when it reaches the threshold ``h``, which sets
the false-alarm rate. For a sustained shift of the size it is designed for, no other chart
detects sooner at the same false-alarm rate (Moustakides 1986), which is why it is the
baseline the watchlist is judged against.

Arrays are ``[series, months]``; NaN marks a month without data, which adds nothing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike


def _two_d(name: str, values: ArrayLike) -> FloatArray:
    try:
        out = np.atleast_2d(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers") from None
    if out.ndim != 2 or out.size == 0:
        raise ValueError(f"{name} must be one- or two-dimensional, got shape {out.shape}")
    return out


def accumulate(weights: ArrayLike, *, reset_at: float | None = None) -> FloatArray:
    """The CUSUM path C_t = max(0, C_{t-1} + W_t) of monthly log-likelihood ratios W.

    NaN weights (no data that month) add nothing. With ``reset_at`` the path restarts at 0
    after each month it reaches that threshold, as an alert that has been answered does.
    """
    w = _two_d("weights", weights)
    out = np.empty_like(w)
    c = np.zeros(w.shape[0])
    for t in range(w.shape[1]):
        c = np.maximum(0.0, c + np.nan_to_num(w[:, t], nan=0.0))
        out[:, t] = c
        if reset_at is not None:
            c = np.where(c >= reset_at, 0.0, c)
    return out


def poisson_weights(observed: ArrayLike, expected: ArrayLike, *, ratio: float) -> FloatArray:
    """Monthly log-likelihood ratios for a count: Poisson with mean ``ratio`` × expected
    against Poisson with mean expected. ``ratio`` above 1 watches for a rise, below 1 for a
    fall (W = y log k − (k − 1) E)."""
    if not (ratio > 0 and ratio != 1 and np.isfinite(ratio)):
        raise ValueError(f"ratio must be positive and not 1, got {ratio!r}")
    y = _two_d("observed", observed)
    e = np.broadcast_to(_two_d("expected", expected), y.shape)
    if np.any(y[~np.isnan(y)] < 0) or np.any(e[~np.isnan(e)] < 0):
        raise ValueError("observed and expected counts must not be negative")
    return np.asarray(y * np.log(ratio) - (ratio - 1.0) * e, dtype=np.float64)


def binomial_weights(
    successes: ArrayLike, trials: ArrayLike, expected: ArrayLike, *, odds_ratio: float
) -> FloatArray:
    """Monthly log-likelihood ratios for a proportion: the odds of each trial multiplied by
    ``odds_ratio`` against the expected proportion (Steiner et al. 2000, one trial per
    patient; here a month's successes out of its trials: W = y log R − n log(1 − p + R p))."""
    if not (odds_ratio > 0 and odds_ratio != 1 and np.isfinite(odds_ratio)):
        raise ValueError(f"odds_ratio must be positive and not 1, got {odds_ratio!r}")
    y = _two_d("successes", successes)
    n = np.broadcast_to(_two_d("trials", trials), y.shape)
    p = np.broadcast_to(_two_d("expected", expected), y.shape)
    ok = ~np.isnan(y) & ~np.isnan(n)
    if np.any(y[ok] < 0) or np.any(y[ok] > n[ok]):
        raise ValueError("successes must lie between 0 and trials")
    pk = p[~np.isnan(p)]
    if np.any(pk < 0) or np.any(pk > 1):
        raise ValueError("expected proportions must lie between 0 and 1")
    return np.asarray(
        y * np.log(odds_ratio) - n * np.log(1.0 - p + odds_ratio * p), dtype=np.float64
    )


def poisson(
    observed: ArrayLike,
    expected: ArrayLike,
    *,
    ratio: float = 2.0,
    reset_at: float | None = None,
) -> FloatArray:
    """The Poisson log-likelihood CUSUM path of counts against their expected values."""
    return accumulate(poisson_weights(observed, expected, ratio=ratio), reset_at=reset_at)


def binomial(
    successes: ArrayLike,
    trials: ArrayLike,
    expected: ArrayLike,
    *,
    odds_ratio: float = 2.0,
    reset_at: float | None = None,
) -> FloatArray:
    """The binomial (Bernoulli) log-likelihood CUSUM path of proportions."""
    weights = binomial_weights(successes, trials, expected, odds_ratio=odds_ratio)
    return accumulate(weights, reset_at=reset_at)


def first_signal(path: ArrayLike, h: float) -> npt.NDArray[np.int64]:
    """Per series, the first month whose CUSUM reaches ``h`` (−1 when it never does)."""
    c = _two_d("path", path)
    over = c >= h
    return np.where(over.any(axis=1), over.argmax(axis=1), -1).astype(np.int64)


def quasi(weights: ArrayLike, dispersion: ArrayLike) -> FloatArray:
    """Quasi-likelihood weights: each series' log-likelihood ratios divided by its dispersion
    φ (the variance over the Poisson or binomial variance; never taken below 1).

    Counts with extra-Poisson variation carry less evidence per event than Poisson ones: a
    negative binomial month with variance φ·μ is worth 1/φ of a Poisson month, so a CUSUM of
    the scaled weights keeps the false-alarm rate the threshold was chosen for where the plain
    Poisson or binomial CUSUM would alarm on noise (McCullagh and Nelder's quasi-likelihood).
    """
    w = _two_d("weights", weights)
    phi = np.asarray(dispersion, dtype=np.float64).reshape(-1)
    if phi.size not in (1, w.shape[0]):
        raise ValueError(f"dispersion must be one number or one per series, not {phi.size}")
    phi = np.maximum(np.nan_to_num(phi, nan=1.0), 1.0)
    return np.asarray(w / phi[:, None], dtype=np.float64)


def excursion(path: ArrayLike) -> npt.NDArray[np.int64]:
    """Per series, the first month of the CUSUM's current climb: the month after it last stood
    at 0 (0 when it never did; the last month + 1 when it stands at 0 now)."""
    c = _two_d("path", path)
    months = c.shape[1]
    at_zero = c <= 0
    last_zero = np.where(at_zero.any(axis=1), months - 1 - np.argmax(at_zero[:, ::-1], axis=1), -1)
    return (last_zero + 1).astype(np.int64)
