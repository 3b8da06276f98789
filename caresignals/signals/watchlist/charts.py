"""Two tests every rule shares, run over all series of a region at once.

* :func:`concern` reads the Making Data Count XmR chart (caresignals.stats.spc.xmr_many) of
  each series up to the month being read, with limits set from the earlier months, and says
  whether that month shows special-cause concern (beyond a limit, a shift, a trend or two of
  three near a limit), since when, and how strongly. A run only counts when its mean differs
  from the centre line by a material share: runs of seven happen on noise in about one
  36-month series in twenty, and a watchlist that cries wolf stops being read.
* :func:`rare_excess` is for counts too rare for an XmR chart (a care home's harmful falls,
  about 0.1 a month, give degenerate limits): the count of the last one, two or three months
  against its Poisson expectation from the earlier months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from caresignals.stats import spc

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

_BEYOND = {"Above UCL", "Below LCL"}


@dataclass(frozen=True)
class Verdict:
    """Per unit (aligned with the panel's units): did the month show concern?"""

    fired: BoolArray
    beyond: BoolArray  # a point beyond a process limit (else a run)
    since: IntArray  # absolute month index where the current run of concern began
    strength: FloatArray  # 0 where not fired
    latest: FloatArray  # the value in the month read
    centre: FloatArray  # the centre line (mean of the earlier months)
    limit: FloatArray  # the process limit on the side of concern
    rule: npt.NDArray[np.object_]  # the Making Data Count reason, e.g. "Above UCL"

    @staticmethod
    def none(n: int) -> Verdict:
        z = np.zeros(n)
        return Verdict(
            fired=np.zeros(n, dtype=np.bool_),
            beyond=np.zeros(n, dtype=np.bool_),
            since=np.zeros(n, dtype=np.intp),
            strength=z,
            latest=np.full(n, np.nan),
            centre=np.full(n, np.nan),
            limit=np.full(n, np.nan),
            rule=np.full(n, "", dtype=object),
        )


def concern(
    values: FloatArray,
    start: int,
    t: int,
    *,
    higher_is_worse: bool,
    run_length: int,
    min_baseline: int,
    min_relative_change: float,
    recent: int = 1,
    eligible: BoolArray | None = None,
) -> Verdict:
    """Special-cause concern at month ``t`` of every row of ``values`` (units × months),
    charting months ``start``..``t`` with limits from the months before the last ``recent``."""
    n = values.shape[0]
    window = values[:, start : t + 1]
    w = window.shape[1]
    out = Verdict.none(n)
    if w - recent < max(12, min_baseline):
        return out
    base = window[:, : w - recent]
    ok = (np.sum(~np.isnan(base), axis=1) >= min_baseline) & ~np.isnan(window[:, -1])
    if eligible is not None:
        ok &= eligible
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return out
    labels = np.repeat(np.arange(rows.size), w)
    result = spc.xmr_many(
        labels,
        window[rows].ravel(),
        improvement="decrease" if higher_is_worse else "increase",
        fix_after_n_points=w - recent,
        run_length=run_length,
    )
    point_type = result.point_type.reshape(rows.size, w)
    reason = result.special_cause_type.reshape(rows.size, w)
    centre = result.mean.reshape(rows.size, w)[:, -1]
    limit = (result.upl if higher_is_worse else result.lpl).reshape(rows.size, w)[:, -1]
    y = window[rows]
    bad = point_type == "special_cause_concern"
    # Length of the run of concern ending at the month read.
    run = np.where(bad[:, ::-1].all(axis=1), w, np.argmin(bad[:, ::-1], axis=1))
    latest = y[:, -1]
    beyond = np.isin(reason[:, -1], list(_BEYOND))
    cols = np.arange(w)
    in_run = cols[None, :] >= (w - run)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        run_mean = np.nansum(np.where(in_run, y, 0.0), axis=1) / np.maximum(
            np.sum(in_run & ~np.isnan(y), axis=1), 1
        )
        scale = np.abs(centre)
        relative = np.where(scale > 0, np.abs(run_mean - centre) / scale, np.inf)
        reach = np.abs(latest - centre) / np.abs(limit - centre)
    material = relative >= min_relative_change
    fired = bad[:, -1] & material
    strength = np.where(
        beyond,
        np.clip(np.nan_to_num(reach, nan=1.0, posinf=2.0), 1.0, 2.0),
        np.clip(0.5 + relative, 0.75, 1.5),
    )
    out.fired[rows] = fired
    out.beyond[rows] = beyond & fired
    out.since[rows] = t - run + 1
    out.strength[rows] = np.where(fired, strength, 0.0)
    out.latest[rows] = latest
    out.centre[rows] = centre
    out.limit[rows] = limit
    out.rule[rows] = reason[:, -1]
    return out


def rare_excess(
    counts: FloatArray,
    start: int,
    t: int,
    *,
    window_months: int,
    p_value: float,
    min_events: int,
    min_baseline: int,
    recent: int | None = None,
    eligible: BoolArray | None = None,
    exposure: FloatArray | None = None,
) -> Verdict:
    """Too many events in the last 1..``window_months`` months of each row, by the Poisson
    chance of so many given the earlier months' rate. The baseline rate never goes below
    half an event over the baseline, so a first event in a quiet series is not "infinitely"
    surprising. With ``exposure`` (e.g. FFT responses) the rate is per unit of exposure and
    the expectation follows the recent months' exposure; months missing either are left out."""
    if exposure is None:
        exposure = np.where(np.isnan(counts), np.nan, 1.0)
    present = ~np.isnan(counts) & ~np.isnan(exposure) & (exposure > 0)
    counts = np.where(present, counts, 0.0)
    exposure = np.where(present, exposure, 0.0)
    n = counts.shape[0]
    out = Verdict.none(n)
    best_p = np.ones(n)
    best_len = np.ones(n, dtype=np.intp)
    best_obs = np.zeros(n)
    best_mu = np.zeros(n)
    gap = window_months if recent is None else max(recent, window_months)
    base = slice(start, t + 1 - gap)
    if t + 1 - gap - start < min_baseline:
        return out
    for length in range(1, window_months + 1):
        recent_months = slice(t + 1 - length, t + 1)
        months = np.sum(present[:, base], axis=1)
        base_exposure = np.sum(exposure[:, base], axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.sum(counts[:, base], axis=1) / np.maximum(base_exposure, 1e-12)
            rate = np.maximum(rate, 0.5 / np.maximum(base_exposure, 1e-12))
        obs = np.sum(counts[:, recent_months], axis=1)
        mu = rate * np.sum(exposure[:, recent_months], axis=1)
        mu = np.where(np.sum(present[:, recent_months], axis=1) == length, mu, 0.0)
        # Extra-Poisson variation seen in the baseline (quasi-Poisson): observed and
        # expected counts are both divided by it, never by less than 1.
        expected = rate[:, None] * exposure[:, base]
        with np.errstate(invalid="ignore", divide="ignore"):
            resid = np.where(expected > 0, (counts[:, base] - expected) ** 2 / expected, 0.0)
            phi = np.sum(resid, axis=1) / np.maximum(months - 1, 1)
        phi = np.clip(np.nan_to_num(phi, nan=1.0), 1.0, 10.0)
        with np.errstate(invalid="ignore"):
            p = np.where((obs > 0) & (mu > 0), special.gammainc(obs / phi, mu / phi), 1.0)
        p = np.where(months >= min_baseline, p, 1.0)
        better = p < best_p
        best_p = np.where(better, p, best_p)
        best_len = np.where(better, length, best_len)
        best_obs = np.where(better, obs, best_obs)
        best_mu = np.where(better, mu, best_mu)
    fired = (best_p < p_value) & (best_obs >= min_events)
    if eligible is not None:
        fired &= eligible
    with np.errstate(divide="ignore"):
        surprise = -np.log10(np.maximum(best_p, 1e-300)) + np.log10(p_value)
    out.fired[:] = fired
    out.beyond[:] = fired
    out.since[:] = t - best_len + 1
    out.strength[:] = np.where(fired, np.clip(1.0 + surprise / 3.0, 1.0, 2.0), 0.0)
    out.latest[:] = best_obs
    out.centre[:] = best_mu
    out.limit[:] = best_len
    out.rule[:] = "Poisson excess"
    return out
