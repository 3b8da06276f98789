"""Two tests every rule shares, run over all series of a region at once.

* :func:`concern` reads the Making Data Count XmR chart (caresignals.stats.spc.xmr_many) of
  each series up to the month being read, with limits set from the earlier months, and says
  whether that month shows special-cause concern (beyond a limit, a shift, a trend or two of
  three near a limit), since when, and how strongly. The concern only counts when it passes a
  shift test against the baseline (stats.shift): runs of seven happen on noise in about one
  36-month series in twenty, and a watchlist that cries wolf stops being read. A shift older
  than the recent months is still judged against the level before it (:func:`_sustained`).
* :func:`rare_excess` is for counts too rare for an XmR chart (a care home's harmful falls,
  about 0.1 a month, give degenerate limits): the count of the last one, two or three months
  against its Poisson expectation from the earlier months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from caresignals.stats import overdispersed, shift, spc

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

_BEYOND = {"Above UCL", "Below LCL"}

# The shift test's distribution on events (see _shift_p).
QUASI = "quasi"  # quasi-Poisson: Laney's dispersion from the baseline's moving ranges
NEGBIN = "negbin"  # negative binomial counts, alpha fitted to the baseline
BETABINOM = "betabinom"  # beta-binomial successes of trials, rho fitted to the baseline
FAMILIES = (QUASI, NEGBIN, BETABINOM)
# Fitted dispersions are held below these, as the quasi-Poisson phi is held to 10: a baseline
# with one wild month should not make every later month look ordinary.
MAX_RHO = 0.2
MAX_ALPHA = 2.0


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
    p_value: float | None,
    recent: int = 1,
    eligible: BoolArray | None = None,
    counts: FloatArray | None = None,
    exposure: FloatArray | None = None,
    sustained_p_value: float | None = None,
    groups: npt.NDArray[np.str_] | None = None,
    peer_pairs: float = 0.0,
    family: str = QUASI,
) -> Verdict:
    """Special-cause concern at month ``t`` of every row of ``values`` (units × months),
    charting months ``start``..``t`` with limits from the months before the last ``recent``.

    The concern must also pass the shift test (stats.shift) at ``p_value`` (None: no test):
    the months of concern against the baseline. Where the values are events over an exposure
    (``counts`` / ``exposure``: a count has exposure 1, a rate per 1 000 bed days bed days /
    1 000, a share of incidents incidents / 100) the test is quasi-Poisson on the events;
    otherwise it compares means by the series' own month-to-month variation. With the test,
    a row whose concern began before the last ``recent`` months is judged against the level
    before it (see :func:`_sustained`), so a shift keeps firing while it lasts; that search
    tries every earlier month as the change point and keeps the most significant, so it is
    held to its own, stricter ``sustained_p_value`` (default ``p_value``). With ``groups``
    (each row's peer group) the events' dispersion is drawn toward the group's median over
    ``peer_pairs`` moving ranges (stats.shift.shrunk_dispersion). ``family`` chooses the
    shift test on events (see :func:`_shift_p`): quasi-Poisson, negative binomial, or
    beta-binomial (``exposure`` then being the trials, e.g. incidents for a harmful share)."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {family!r}")
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
    run_n = np.sum(in_run & ~np.isnan(y), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        run_mean = np.nansum(np.where(in_run, y, 0.0), axis=1) / np.maximum(run_n, 1)
        scale = np.abs(centre)
        relative = np.where(scale > 0, np.abs(run_mean - centre) / scale, np.inf)
        reach = np.abs(latest - centre) / np.abs(limit - centre)
    events = None
    if counts is not None:
        ex = np.ones_like(counts) if exposure is None else exposure
        events = (counts[rows, start : t + 1], ex[rows, start : t + 1])
    base_mask = np.broadcast_to(cols[None, :] < w - recent, y.shape)
    peers = None if groups is None else (groups[rows], peer_pairs)
    p = _shift_p(y, events, base_mask, in_run, higher_is_worse, peers, family)
    significant = np.ones(rows.size, dtype=np.bool_) if p_value is None else p < p_value
    fired = bad[:, -1] & significant
    strength = np.where(
        beyond,
        np.clip(np.nan_to_num(reach, nan=1.0, posinf=2.0), 1.0, 2.0),
        np.clip(0.5 + relative, 0.75, 1.5),
    )
    since = t - run + 1
    rule = reason[:, -1].copy()
    held = (
        None
        if p_value is None
        else _sustained(
            y,
            events,
            w - recent,
            higher_is_worse=higher_is_worse,
            run_length=run_length,
            min_baseline=max(12, min_baseline),
            p_value=p_value if sustained_p_value is None else sustained_p_value,
            peers=peers,
            family=family,
        )
    )
    if held is not None:
        begins, held_centre, held_sigma = held
        take = ~fired & (begins >= 0)
        earlier = fired & ~beyond & (begins >= 0)
        since = np.where(take | earlier, start + begins, since)
        with np.errstate(invalid="ignore", divide="ignore"):
            held_run = np.array(
                [np.nanmean(y[i, b:]) if b >= 0 else np.nan for i, b in enumerate(begins)]
            )
            held_rel = np.where(
                held_centre != 0, np.abs(held_run - held_centre) / np.abs(held_centre), np.inf
            )
        # A run that began before the recent months is described against the level before
        # it, not against a centre line that has absorbed part of it.
        moved = take | earlier
        sign = 1.0 if higher_is_worse else -1.0
        centre = np.where(moved, held_centre, centre)
        limit = np.where(moved, held_centre + sign * 3 * held_sigma, limit)
        held_strength = np.clip(0.5 + held_rel, 0.75, 1.5)
        strength = np.where(moved, np.maximum(np.where(take, 0.0, strength), held_strength),
                            strength)  # fmt: skip
        rule = np.where(moved, "sustained shift", rule)
        fired = fired | take
    out.fired[rows] = fired
    out.beyond[rows] = beyond & fired
    out.since[rows] = since
    out.strength[rows] = np.where(fired, strength, 0.0)
    out.latest[rows] = latest
    out.centre[rows] = centre
    out.limit[rows] = limit
    out.rule[rows] = rule
    return out


def _shift_p(
    y: FloatArray,
    events: tuple[FloatArray, FloatArray] | None,
    base: BoolArray,
    run: BoolArray,
    higher: bool,
    peers: tuple[npt.NDArray[np.str_], float] | None = None,
    family: str = QUASI,
) -> FloatArray:
    """The shift test's p-value per row: the ``run`` months against the ``base`` months.
    With ``peers`` (each row's group and the prior's weight in moving ranges) each row's
    dispersion is drawn toward its group's median: a baseline's own estimate is noisy, and
    one that comes out low by chance would make ordinary months look significant.

    On events, ``family`` is the test: "quasi" (quasi-Poisson with Laney's dispersion),
    "negbin" (negative binomial counts over the exposure) or "betabinom" (beta-binomial
    successes of the exposure's trials), the last two with the dispersion fitted to the
    baseline months (stats.overdispersed) and drawn toward the peers' in the same way."""
    present = ~np.isnan(y)
    if events is None:
        b, r = base & present, run & present
        with np.errstate(invalid="ignore", divide="ignore"):
            base_mean = np.where(b, y, 0.0).sum(axis=1) / b.sum(axis=1)
            run_mean = np.where(r, y, 0.0).sum(axis=1) / r.sum(axis=1)
        sigma = shift.moving_range_sigma(np.where(base, y, np.nan))
        return shift.mean_shift_p(run_mean, r.sum(axis=1), base_mean, sigma, b.sum(axis=1),
                                  higher=higher)  # fmt: skip
    counts, exposure = events
    ok = ~np.isnan(counts) & ~np.isnan(exposure) & (exposure > 0)
    b, r = base & ok, run & ok
    c = np.where(ok, counts, 0.0)
    e = np.where(ok, exposure, 0.0)
    base_exposure = np.where(b, e, 0.0).sum(axis=1)
    run_exposure = np.where(r, e, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(b, c, 0.0).sum(axis=1) / base_exposure
        if higher:  # a first event in a quiet series is not "infinitely" surprising
            rate = np.maximum(rate, 0.5 / base_exposure)
    if family != QUASI:
        return _fitted_shift_p(c, e, b, r, rate, base_exposure, run_exposure, higher, peers, family)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = shift.laney_dispersion(c, rate[:, None] * e, b)
        if peers is not None:
            pairs = np.sum(b[:, 1:] & b[:, :-1], axis=1)
            prior = shift.group_median(np.where(pairs >= 2, np.maximum(phi, 1.0), np.nan), peers[0])
            phi = shift.shrunk_dispersion(phi, pairs, prior, peers[1])
        # The baseline rate is itself an estimate: its variance adds to the run's.
        phi = np.clip(phi, 1.0, 10.0) * (1.0 + run_exposure / base_exposure)
    observed = np.where(r, c, 0.0).sum(axis=1)
    return shift.count_shift_p(observed, rate * run_exposure, phi, higher=higher)


def _fitted_dispersion(
    counts: FloatArray,
    exposure: FloatArray,
    base: BoolArray,
    peers: tuple[npt.NDArray[np.str_], float] | None,
    family: str,
) -> FloatArray:
    """Each row's dispersion fitted to its ``base`` months (stats.overdispersed): the
    beta-binomial rho of successes out of trials, or the negative binomial alpha of counts
    over an exposure; drawn toward its peer group's median over ``peers[1]`` pairs."""
    if family == BETABINOM:
        own, pairs = overdispersed.betabinomial_icc(counts, exposure, base)
        cap = MAX_RHO
    else:
        own, pairs = overdispersed.negbin_alpha(counts, exposure, base)
        cap = MAX_ALPHA
    if peers is not None:
        prior = shift.group_median(np.where(pairs >= 2, own, np.nan), peers[0])
        own = overdispersed.shrunk_toward(own, pairs, prior, peers[1])
    return np.minimum(own, cap)


def _fitted_shift_p(
    c: FloatArray,
    e: FloatArray,
    b: BoolArray,
    r: BoolArray,
    rate: FloatArray,
    base_exposure: FloatArray,
    run_exposure: FloatArray,
    higher: bool,
    peers: tuple[npt.NDArray[np.str_], float] | None,
    family: str,
) -> FloatArray:
    """The shift test with the dispersion fitted to the baseline: the run's total against a
    negative binomial (counts) or beta-binomial (successes of trials) of the baseline's level,
    its variance widened by the baseline level's own uncertainty (1 + run / baseline)."""
    dispersion = _fitted_dispersion(c, e, b, peers, family)
    observed = np.where(r, c, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        inflation = 1.0 + run_exposure / base_exposure
        level = np.nan_to_num(rate, nan=0.0, posinf=0.0)
    if family == BETABINOM:
        if higher:
            level = np.minimum(level, 1.0 - 0.5 / np.maximum(base_exposure, 1.0))
        else:
            level = np.maximum(level, 0.5 / np.maximum(base_exposure, 1.0))
        return overdispersed.betabinomial_sum_p(
            observed, np.where(r, e, 0.0), level, dispersion, higher=higher, inflation=inflation
        )
    return overdispersed.negbin_sum_p(
        observed, np.where(r, level[:, None] * e, 0.0), dispersion, higher=higher,
        inflation=inflation,
    )  # fmt: skip


# A sustained shift (charts._sustained): at least this share of its months on the side of
# concern of the level before it, and its last LAST_MONTHS months still at least half as far
# from that level as the whole shift (else the data have returned).
ON_SIDE_SHARE = 0.75
LAST_MONTHS = 3


def _sustained(
    y: FloatArray,
    events: tuple[FloatArray, FloatArray] | None,
    recent_from: int,
    *,
    higher_is_worse: bool,
    run_length: int,
    min_baseline: int,
    p_value: float,
    peers: tuple[npt.NDArray[np.str_], float] | None = None,
    family: str = QUASI,
) -> tuple[IntArray, FloatArray, FloatArray] | None:
    """A shift that began before the recent months, judged against the months before it.

    Limits from a fixed number of months back absorb a change once it is older than the
    recent months: a unit whose reporting halved a year ago looks "usual" again. So each
    earlier month ``c`` is tried as the change point, with the months before it as the
    baseline (each on its own: a baseline already holding changed months must not hide the
    change point before it). ``c`` holds when the months from it to the month read are at
    least ``run_length``, mostly (ON_SIDE_SHARE) on the side of concern of the baseline mean,
    pass the shift test against the baseline, and have not returned: their last LAST_MONTHS
    are still at least half as far from the baseline as the whole run. Of the ``c`` that
    hold, the most significant is where the shift began. Returns, per row, the change point
    (column in ``y``, or -1), the mean before it and that baseline's sigma; None when no row
    held."""
    rows, w = y.shape
    begins = np.full(rows, -1, dtype=np.intp)
    centre = np.full(rows, np.nan)
    sigma = np.full(rows, np.nan)
    best = np.ones(rows)
    sign = 1.0 if higher_is_worse else -1.0
    cols = np.arange(w)[None, :]
    for c in range(recent_from - 1, min_baseline - 1, -1):
        base = y[:, :c]
        seg = y[:, c:]
        n = np.sum(~np.isnan(base), axis=1)
        present = ~np.isnan(seg)
        k = present.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.where(n > 0, np.nansum(base, axis=1) / np.maximum(n, 1), np.nan)
            away = sign * (seg - m[:, None])
            on_side = np.sum((away > 0) & present, axis=1) / np.maximum(k, 1)
            whole = np.nansum(np.where(present, away, 0.0), axis=1) / np.maximum(k, 1)
            last = seg[:, -LAST_MONTHS:]
            last_away = np.nanmean(sign * (last - m[:, None]), axis=1)
        held = (
            (k >= run_length)
            & (n >= min_baseline)
            & (on_side >= ON_SIDE_SHARE)
            & (whole > 0)
            & (last_away >= 0.5 * whole)
        )
        if not held.any():
            continue
        p = _shift_p(
            y,
            events,
            np.broadcast_to(cols < c, y.shape),
            np.broadcast_to(cols >= c, y.shape),
            higher_is_worse,
            peers,
            family,
        )
        held &= p < p_value
        better = held & (p < best)
        if not better.any():
            continue
        s = shift.moving_range_sigma(base)
        best = np.where(better, p, best)
        begins = np.where(better, c, begins)
        centre = np.where(better, m, centre)
        sigma = np.where(better, s, sigma)
    if not (begins >= 0).any():
        return None
    return begins, centre, sigma


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
    peers: tuple[npt.NDArray[np.str_], float] | None = None,
    family: str = QUASI,
) -> Verdict:
    """Too many events in the last 1..``window_months`` months of each row, by the Poisson
    chance of so many given the earlier months' rate. The baseline rate never goes below
    half an event over the baseline, so a first event in a quiet series is not "infinitely"
    surprising. With ``exposure`` (e.g. FFT responses) the rate is per unit of exposure and
    the expectation follows the recent months' exposure; months missing either are left out.
    With ``peers`` (each row's group, the prior's weight in months) the baseline's dispersion
    is drawn toward its group's median, as in the shift test. With ``family`` "betabinom"
    the counts are successes of the ``exposure``'s trials (FFT answers of the responses) and
    the test is beta-binomial with the intra-class correlation fitted to the baseline months
    (stats.overdispersed), its variance widened by the baseline share's own uncertainty."""
    if family not in (QUASI, BETABINOM):
        raise ValueError(f"family must be {QUASI} or {BETABINOM}, got {family!r}")
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
    rho = None
    if family == BETABINOM:
        in_base = np.zeros(counts.shape, dtype=np.bool_)
        in_base[:, base] = present[:, base]
        rho = _fitted_dispersion(counts, exposure, in_base, peers, BETABINOM)
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
        if rho is not None:
            whole = np.sum(present[:, recent_months], axis=1) == length
            with np.errstate(invalid="ignore", divide="ignore"):
                inflation = 1.0 + np.sum(exposure[:, recent_months], axis=1) / base_exposure
            share = np.minimum(rate, 1.0 - 0.5 / np.maximum(base_exposure, 1.0))
            p = overdispersed.betabinomial_sum_p(
                obs, exposure[:, recent_months], share, rho, higher=True, inflation=inflation
            )
            p = np.where(whole & (months >= min_baseline), p, 1.0)
        else:
            p = _quasi_rare_p(counts, exposure, base, months, rate, obs, mu, peers)
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


def _quasi_rare_p(
    counts: FloatArray,
    exposure: FloatArray,
    base: slice,
    months: npt.NDArray[np.intp],
    rate: FloatArray,
    obs: FloatArray,
    mu: FloatArray,
    peers: tuple[npt.NDArray[np.str_], float] | None,
) -> FloatArray:
    """The rare-count rule's quasi-Poisson p-value: the extra-Poisson variation seen in the
    baseline divides observed and expected counts alike, never by less than 1."""
    expected = rate[:, None] * exposure[:, base]
    with np.errstate(invalid="ignore", divide="ignore"):
        resid = np.where(expected > 0, (counts[:, base] - expected) ** 2 / expected, 0.0)
        phi = np.sum(resid, axis=1) / np.maximum(months - 1, 1)
    phi = np.clip(np.nan_to_num(phi, nan=1.0), 1.0, 10.0)
    if peers is not None:
        known = np.where(months >= 2, phi, np.nan)
        prior = shift.group_median(known, peers[0])
        phi = np.minimum(shift.shrunk_dispersion(phi, months - 1, prior, peers[1]), 10.0)
    with np.errstate(invalid="ignore"):
        p = np.where((obs > 0) & (mu > 0), special.gammainc(obs / phi, mu / phi), 1.0)
    return np.asarray(p, dtype=np.float64)
