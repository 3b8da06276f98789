"""Three simpler ways of spotting a deteriorating service, to judge the watchlist against.

Each reads the same indicators one at a time and gives every unit and month a score; a unit is
flagged in a month when its score reaches a threshold. The threshold is not chosen here: it is
calibrated on regions without injected changes so that each baseline makes as many false
entries as the watchlist does (run.py), and only then is its detection compared.

- RAG: red when a month's value is worse than its target (the median of the service's peers of
  the same type over the baseline months) by at least the threshold, as a share of the target.
- Making Data Count: one XmR chart per indicator (stats.spc, limits fixed on the baseline
  months); the score is the strongest of the point's distance from the centre in units of the
  3-sigma limit, the run on the worse side in units of 7 points and the worsening trend in
  units of 7 points, so a threshold of 1 is the standard chart's rules.
- CUSUM: the log-likelihood CUSUM of each indicator (stats.cusum), Poisson for counts and
  binomial for shares, designed for a halving or a doubling, from the first judged month; the
  score is the CUSUM itself and the threshold is h.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caresignals.signals.evaluation.regions import EVALUATED_FROM, Matrix, Region, provider_totals
from caresignals.stats import cusum, spc

METHODS = ("RAG against peer target", "Making Data Count (one indicator)", "CUSUM (one indicator)")

MIN_REPORTING = 5.0  # incidents a month before a fall in reporting is judged, as the watchlist


@dataclass(frozen=True)
class Series:
    """One indicator for every unit: its counts (and trials for a share), which way is worse."""

    name: str
    numerator: Matrix
    denominator: Matrix | None  # trials for a share, exposure for a rate, None for a count
    worse: int  # +1 when a rise is worse, -1 when a fall is
    share: bool  # a proportion of trials (binomial), else a count (Poisson)

    def values(self) -> Matrix:
        if self.denominator is None:
            return self.numerator
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.numerator / self.denominator
        out[~np.isfinite(out)] = np.nan
        return out


def _row_mean(values: Matrix) -> np.ndarray:
    """Each row's mean over its months with data (NaN when it has none)."""
    count = np.sum(~np.isnan(values), axis=1)
    total = np.nansum(values, axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def series(region: Region) -> list[Series]:
    """The indicators the baselines watch, one at a time."""
    counts = provider_totals(region)
    incidents = counts["incidents"].copy()
    base = _row_mean(incidents[:, :EVALUATED_FROM])
    incidents[~(base >= MIN_REPORTING)] = np.nan
    harmful = counts["harmful"].copy()
    harmful[np.nansum(harmful[:, :EVALUATED_FROM], axis=1) == 0] = np.nan
    out = [
        Series("incidents", incidents, None, -1, False),
        Series("harmful", harmful, None, +1, False),
        Series("harm share", harmful, incidents, +1, True),
    ]
    num, den = region.numerators, region.denominators
    for code, worse, share in (
        ("fft_negative", +1, True),
        ("complaints", +1, False),
        ("restraint_rate", +1, False),
        ("seclusion_rate", +1, False),
        ("supervision_compliance", -1, True),
        ("inpatient_visits_rate", -1, False),
        ("agency_staff_share", +1, True),
        ("staff_vacancy_rate", +1, True),
    ):
        if code in num:
            out.append(Series(code, num[code], den[code] if share else None, worse, share))
    speakup = counts["speakup"].copy()
    providers = np.array([u.kind == "provider" for u in region.units])
    speakup[~providers] = np.nan
    speakup[~(_row_mean(speakup[:, :EVALUATED_FROM]) >= 0.5)] = np.nan
    out.append(Series("speakup", speakup, None, -1, False))
    return out


def _max(parts: list[Matrix], shape: tuple[int, int]) -> Matrix:
    out = np.full(shape, -np.inf)
    for p in parts:
        out = np.fmax(out, np.where(np.isnan(p), -np.inf, p))
    return out


def rag(region: Region) -> Matrix:
    """Worse than the peer-median target by this share of the target (0.25 = 25 % worse)."""
    types = np.array([u.type for u in region.units])
    parts = []
    for s in series(region):
        values = s.values()
        own = _row_mean(values[:, :EVALUATED_FROM])
        target = np.full(len(types), np.nan)
        for kind in set(types):
            rows = (types == kind) & ~np.isnan(own)
            if rows.any():
                target[rows] = np.median(own[rows])
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = s.worse * (values - target[:, None]) / target[:, None]
        rel[~np.isfinite(rel)] = np.nan
        parts.append(rel)
    return _max(parts, (len(region.units), len(region.months)))


def _runs(worse: np.ndarray) -> Matrix:
    """Length of the unbroken run of True ending at each month."""
    out = np.zeros(worse.shape)
    run = np.zeros(worse.shape[0])
    for t in range(worse.shape[1]):
        run = np.where(worse[:, t], run + 1, 0)
        out[:, t] = run
    return out


def making_data_count(region: Region) -> Matrix:
    """The strongest Making Data Count rule, scaled so that 1 is the standard chart's rule."""
    parts = []
    n, t = len(region.units), len(region.months)
    for s in series(region):
        values = s.values()
        rows = np.flatnonzero(np.sum(~np.isnan(values[:, :EVALUATED_FROM]), axis=1) >= 12)
        if not rows.size:
            continue
        chart = spc.xmr_many(
            np.repeat(rows, t),
            values[rows].ravel(),
            improvement="decrease" if s.worse > 0 else "increase",
            fix_after_n_points=EVALUATED_FROM,
        )
        centre = chart.mean.reshape(len(rows), t)
        upper = chart.upl.reshape(len(rows), t)
        sigma = (upper - centre) / 3
        v = values[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            distance = s.worse * (v - centre) / (3 * sigma)
        distance[~np.isfinite(distance)] = np.nan
        run = _runs(np.nan_to_num(s.worse * (v - centre), nan=0.0) > 0) / 7
        steps = np.zeros_like(v, dtype=bool)
        steps[:, 1:] = np.nan_to_num(s.worse * np.diff(v, axis=1), nan=0.0) > 0
        trend = np.where(steps, _runs(steps) + 1, 0) / 7
        score = np.full((n, t), np.nan)
        score[rows] = np.fmax(np.fmax(distance, run), trend)
        score[rows] = np.where(np.isnan(distance), np.nan, score[rows])
        parts.append(score)
    return _max(parts, (n, t))


def cusum_scores(region: Region) -> Matrix:
    """The largest log-likelihood CUSUM over a unit's indicators, from the first judged month."""
    parts = []
    n, t = len(region.units), len(region.months)
    for s in series(region):
        y = s.numerator.copy()
        y[:, :EVALUATED_FROM] = np.nan
        ratio = 2.0 if s.worse > 0 else 0.5
        if s.share and s.denominator is not None:
            trials = s.denominator
            with np.errstate(divide="ignore", invalid="ignore"):
                base = np.nansum(s.numerator[:, :EVALUATED_FROM], axis=1) / np.nansum(
                    trials[:, :EVALUATED_FROM], axis=1
                )
            ok = np.isfinite(base) & (base > 0) & (base < 1)
            y[~ok] = np.nan
            y[np.isnan(trials)] = np.nan
            expected = np.where(ok, base, 0.5)[:, None]
            parts.append(cusum.binomial(y, trials, expected, odds_ratio=ratio))
        else:
            base = _row_mean(s.numerator[:, :EVALUATED_FROM])
            ok = np.isfinite(base) & (base > 0)
            y[~ok] = np.nan
            expected = np.where(np.isnan(y), np.nan, np.where(ok, base, 0.0)[:, None])
            path = cusum.poisson(np.nan_to_num(y), np.nan_to_num(expected), ratio=ratio)
            path[~ok] = np.nan
            parts.append(path)
    return _max(parts, (n, t))


SCORERS = {
    METHODS[0]: rag,
    METHODS[1]: making_data_count,
    METHODS[2]: cusum_scores,
}
