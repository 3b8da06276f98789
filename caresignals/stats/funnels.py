"""Funnel plots: Spiegelhalter limits (FunnelPlotR) and PHE funnel significance.

`spiegelhalter` follows FunnelPlotR 0.6.0 ``funnel_plot``: each unit's value is put on a
variance-stabilising scale (log for SHMI-style ratios, square root for CQC ratios,
arcsine-square-root for proportions, log for ratios of counts), overdispersion is measured
on z-scores that are first truncated (SHMI) or Winsorised (everything else), and, when
the dispersion ratio ``phi`` exceeds 1, the DerSimonian-Laird between-unit variance
``tau2`` is added to every unit's within-unit variance to widen the limits.

`significance` follows PHEindicatormethods 2.1.0 ``assign_funnel_significance``: no
overdispersion, Wilson-based limits for proportions and exact/Byar Poisson limits for
ratios and rates.

Where the reference packages carry numerical quirks (hard-coded normal quantiles, linear
CQC limits, the neighbour-based repair of arcsine limits) they are reproduced on purpose:
analysts compare our numbers with theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from caresignals.stats._validate import (
    ArrayLike,
    FloatArray,
    as_float_array,
    confidence_level,
    non_negative,
    same_length,
)

__all__ = ["Funnel", "FunnelLimits", "significance", "spiegelhalter", "trim_for_few_units"]

DataType = Literal["SR", "PR", "RC"]
SrMethod = Literal["SHMI", "CQC"]
Statistic = Literal["proportion", "ratio", "rate"]
StrArray = npt.NDArray[np.str_]
Limits4 = tuple[FloatArray, FloatArray, FloatArray, FloatArray]

# FunnelPlotR writes these normal quantiles to six decimals; using them (not the exact
# quantiles) is what makes our limits agree with its output to 1e-9.
_Z95 = 1.959964
_Z998 = 3.090232


@dataclass(frozen=True)
class FunnelLimits:
    """The 95 % and 99.8 % limits at each denominator, on the ratio x multiplier scale."""

    denominator: FloatArray
    lower95: FloatArray
    upper95: FloatArray
    lower998: FloatArray
    upper998: FloatArray


@dataclass(frozen=True)
class _Curve:
    """Everything needed to redraw the limits in use at any denominator."""

    data_type: str
    sr_method: str
    adjusted: bool
    target: float
    tau2: float
    multiplier: float

    def at_sorted(self, n: FloatArray) -> Limits4:
        """Limits along ascending, distinct denominators ``n``.

        Order matters only for proportions, whose arcsine limits are repaired by comparing
        each point with the next one, as FunnelPlotR does along its own grid.
        """
        m = self.multiplier
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.data_type == "SR" and not self.adjusted:
                # Exact Poisson limits for the count observed around n expected events.
                scale = m * self.target / n
                return (
                    scale * special.gammaincinv(n, 0.025),
                    scale * special.gammainccinv(n + 1, 0.025),
                    scale * special.gammaincinv(n, 0.001),
                    scale * special.gammainccinv(n + 1, 0.001),
                )
            tau2 = self.tau2 if self.adjusted else 0.0
            if self.data_type == "SR" and self.sr_method == "SHMI":
                sd = np.sqrt(1.0 / n + tau2)
                return _bands(lambda z: m * np.exp(z * sd))
            sd = np.sqrt((1.0 / (2.0 * np.sqrt(n))) ** 2 + tau2)
            if self.data_type == "SR":
                # FunnelPlotR leaves CQC limits on the square-root scale (no squaring back).
                return _bands(lambda z: m * (1 + z * sd))
            if self.data_type == "RC":
                log_target = np.log(self.target)
                return _bands(lambda z: m * np.exp(log_target + z * sd))
            centre = np.arcsin(np.sqrt(self.target))
            lo95, up95, lo998, up998 = _bands(lambda z: m * np.sin(centre + z * sd) ** 2)
            return (
                _monotone_lower(lo95),
                _monotone_upper(up95, m),
                _monotone_lower(lo998),
                _monotone_upper(up998, m),
            )


def _bands(limit_at: Callable[[float], FloatArray]) -> Limits4:
    """Lower and upper limits at 95 % and 99.8 % from a limit as a function of z."""
    return limit_at(-_Z95), limit_at(_Z95), limit_at(-_Z998), limit_at(_Z998)


def _monotone_lower(lower: FloatArray) -> FloatArray:
    """Zero a proportion's lower limit where it falls as the denominator grows.

    Below the point where the arcsine limit crosses zero, sin² folds back up; FunnelPlotR
    removes the fold by comparing each point with the next one on its grid.
    """
    out = np.maximum(lower, 0.0)
    fold = np.zeros(out.shape, dtype=bool)
    fold[:-1] = out[:-1] > out[1:]
    out[fold] = 0.0
    return out


def _monotone_upper(upper: FloatArray, cap: float) -> FloatArray:
    """Cap a proportion's upper limit where it rises as the denominator grows."""
    out = np.minimum(upper, cap)
    fold = np.zeros(out.shape, dtype=bool)
    fold[:-1] = out[:-1] < out[1:]
    out[fold] = cap
    return out


@dataclass(frozen=True)
class Funnel:
    """A Spiegelhalter funnel: per-unit ratios, z-scores, limits in use and outlier flags.

    ``ratio`` and the limits are on the multiplied scale. ``z`` is the unadjusted z-score
    on the transformed scale; ``z_adjusted`` divides by sqrt(s² + tau2) when the
    overdispersed limits are in use and equals ``z`` otherwise. ``z_trimmed`` is the
    Winsorised z-score, or NaN where SHMI truncation dropped the unit, i.e. what ``phi``
    was estimated from.
    """

    data_type: str
    limit: float
    target: float
    phi: float
    tau2: float
    adjusted: bool
    ratio: FloatArray
    z: FloatArray
    z_adjusted: FloatArray
    z_trimmed: FloatArray
    lower95: FloatArray
    upper95: FloatArray
    lower998: FloatArray
    upper998: FloatArray
    outlier: StrArray
    _curve: _Curve = field(repr=False)

    def limits_at(self, denominators: ArrayLike) -> FunnelLimits:
        """The limits in use along any denominators (e.g. a grid for drawing the curve)."""
        n = as_float_array(denominators, name="denominators")
        non_negative(n, name="denominators")
        ok = ~np.isnan(n)
        grid, where = np.unique(n[ok], return_inverse=True)
        limits = self._curve.at_sorted(grid)
        out = []
        for values in limits:
            full = np.full(n.shape, np.nan)
            full[ok] = values[where]
            out.append(full)
        return FunnelLimits(n, out[0], out[1], out[2], out[3])


def spiegelhalter(
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    data_type: DataType = "SR",
    limit: float = 95,
    overdispersion: bool = True,
    sr_method: SrMethod = "SHMI",
    trim_by: float = 0.1,
    multiplier: float = 1,
    shmi_rounding: bool = True,
) -> Funnel:
    """Spiegelhalter funnel limits for units, as FunnelPlotR ``funnel_plot`` draws them.

    ``data_type`` is "SR" (observed / expected, e.g. SHMI), "PR" (proportion) or "RC"
    (ratio of counts). ``limit`` (95 or 99, meaning 99.8 %) decides the outlier flags;
    both sets of limits are always returned. With ``overdispersion`` the limits widen by
    tau2 when phi > 1; ``phi`` and ``tau2`` are reported either way. SHMI rounding rounds
    expected counts to 2 dp for the z-scores and limits (not the ratio), as NHS England do.
    Units with a missing numerator or denominator get NaN and take no part in the estimates.
    """
    num = as_float_array(numerator, name="numerator")
    den = as_float_array(denominator, name="denominator")
    same_length(numerator=num, denominator=den)
    non_negative(num, name="numerator")
    non_negative(den, name="denominator")
    if np.any(den == 0):
        raise ValueError("denominator must be positive: a unit with no denominator has no ratio")
    if data_type not in ("SR", "PR", "RC"):
        raise ValueError(f"data_type must be 'SR', 'PR' or 'RC', got {data_type!r}")
    if sr_method not in ("SHMI", "CQC"):
        raise ValueError(f"sr_method must be 'SHMI' or 'CQC', got {sr_method!r}")
    level = confidence_level(limit, name="limit")
    if not (np.isclose(level, 0.95) or np.isclose(level, 0.99) or np.isclose(level, 0.998)):
        raise ValueError(f"limit must be 95 or 99 (99.8 %), got {limit!r}")
    wide = not np.isclose(level, 0.95)
    if not 0 < trim_by < 0.5:
        raise ValueError(f"trim_by must be a proportion in (0, 0.5), got {trim_by!r}")
    if not (np.isfinite(multiplier) and multiplier > 0):
        raise ValueError(f"multiplier must be a positive number, got {multiplier!r}")
    if data_type == "PR" and np.any(num > den):
        raise ValueError("numerator must not exceed denominator for proportions (data_type='PR')")

    shmi = data_type == "SR" and sr_method == "SHMI"
    ok = ~(np.isnan(num) | np.isnan(den))
    if not ok.any():
        raise ValueError("numerator and denominator have no unit with both values present")
    o, e = num[ok], den[ok]
    ratio = o / e
    if shmi and shmi_rounding:
        e = _round2(e)
    target = 1.0 if data_type == "SR" else float(np.sum(o) / np.sum(e))

    with np.errstate(divide="ignore", invalid="ignore"):
        y, centre, s = _transform(o, e, data_type, sr_method, target)
        z = np.sqrt(e) * np.log(o / e) if shmi else (y - centre) / s
        trimmed = _truncate(z, trim_by) if shmi else _winsorise(z, trim_by)
        phi, tau2 = _dispersion(trimmed, s)
    adjusted = bool(overdispersion and phi > 1)
    curve = _Curve(data_type, sr_method, adjusted, target, tau2, float(multiplier))

    grid = _reference_grid(e, data_type)
    limits = curve.at_sorted(grid)
    where = np.searchsorted(grid, e)
    lo95, up95, lo998, up998 = (values[where] for values in limits)

    with np.errstate(divide="ignore", invalid="ignore"):
        z_adj = (y - centre) / np.sqrt(s**2 + tau2) if adjusted else z
    shown = ratio * multiplier
    lower, upper = (lo998, up998) if wide else (lo95, up95)
    flag = np.where(shown > upper, "high", np.where(shown < lower, "low", ""))

    def spread(values: FloatArray) -> FloatArray:
        full = np.full(num.shape, np.nan)
        full[ok] = values
        return full

    outlier = np.full(num.shape, "", dtype="<U4")
    outlier[ok] = flag
    return Funnel(
        data_type=data_type,
        limit=99.8 if wide else 95.0,
        target=target * multiplier,
        phi=phi,
        tau2=tau2,
        adjusted=adjusted,
        ratio=spread(shown),
        z=spread(z),
        z_adjusted=spread(z_adj),
        z_trimmed=spread(trimmed),
        lower95=spread(lo95),
        upper95=spread(up95),
        lower998=spread(lo998),
        upper998=spread(up998),
        outlier=outlier,
        _curve=curve,
    )


def trim_for_few_units(n: int, *, shmi: bool, trim: float = 0.1) -> float:
    """The ``trim_by`` for :func:`spiegelhalter` over ``n`` units: ``trim`` at each end, and
    never fewer than one unit.

    An ICS has few organisations of a type (often 5–9), and at 10 % neither method would
    touch the most extreme one: SHMI's rank groups set aside nobody below 10 units, and
    Winsorising at the 10th percentile of 8 values leaves most of the extreme one in. Then a
    single real outlier inflates the overdispersion and widens the limits until it hides
    itself. ``1/n`` (SHMI groups) sets aside exactly one at each end; ``1/(n-1)`` puts the
    Winsorising quantile exactly on the second value from each end. Capped below one half,
    as ``spiegelhalter`` requires.
    """
    if not 0 < trim < 0.5:
        raise ValueError(f"trim must be a proportion in (0, 0.5), got {trim!r}")
    if n < 3:
        return trim
    # The nudge keeps 1/(1/n) from rounding just above n, which would keep the top unit.
    least = 1 / n + 1e-9 if shmi else 1 / (n - 1)
    return min(max(trim, least), 0.49)


def _round2(x: FloatArray) -> FloatArray:
    """Round to 2 dp as R >= 4.0 does: the nearer of the two 2-dp neighbours, ties to even.

    Multiplying by 100 and rounding (numpy) differs for values such as 0.145 whose binary
    value sits just below the tie.
    """
    x10 = x * 100.0
    i10 = np.floor(x10)
    down = i10 / 100.0
    up = np.ceil(x10) / 100.0
    du, dd = up - x, x - down
    return np.where((du < dd) | ((du == dd) & (np.fmod(i10, 2.0) == 1)), up, down)


def _transform(
    o: FloatArray, e: FloatArray, data_type: str, sr_method: str, target: float
) -> tuple[FloatArray, float, FloatArray]:
    """Value, centre and standard error on the variance-stabilising scale."""
    if data_type == "SR" and sr_method == "SHMI":
        return np.log(o / e), 0.0, 1.0 / np.sqrt(e)
    if data_type == "SR":
        return np.sqrt(o / e), 1.0, 1.0 / (2.0 * np.sqrt(e))
    if data_type == "PR":
        return (
            np.arcsin(np.sqrt(o / e)),
            float(np.arcsin(np.sqrt(target))),
            1.0 / (2.0 * np.sqrt(e)),
        )
    # Ratio of counts: a continuity-corrected log ratio and its delta-method error.
    y = np.log((o + 0.5) / (e + 0.5))
    s = np.sqrt(o / (o + 0.5) ** 2 + e / (e + 0.5) ** 2)
    return y, float(np.log(target)), s


def _winsorise(z: FloatArray, trim_by: float) -> FloatArray:
    """Pull z-scores beyond the trim_by / 1 - trim_by quantiles (R type 7) in to them."""
    valid = z[~np.isnan(z)]
    if valid.size == 0:
        return z.copy()
    low, high = np.quantile(valid, [trim_by, 1 - trim_by])
    return np.clip(z, low, high)


def _truncate(z: FloatArray, trim_by: float) -> FloatArray:
    """SHMI truncation: drop (NaN) the units ranked in the outer trim_by groups each side."""
    k = 1 / trim_by
    ranks = np.full(z.shape, np.nan)
    valid = ~np.isnan(z)
    ranks[valid] = _average_ranks(z[valid])
    # R ranks missing z-scores last, in order of appearance.
    ranks[~valid] = valid.sum() + np.arange(1, (~valid).sum() + 1)
    group = np.floor(ranks * k / (z.size + 1))
    kept = (group > 0) & (group < k - 1)
    return np.where(kept, z, np.nan)


def _average_ranks(x: FloatArray) -> FloatArray:
    """Ranks 1..n with ties sharing their average rank (R's default)."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    ends = np.r_[starts[1:], xs.size]
    per_run = (starts + 1 + ends) / 2.0
    ranks = np.empty(x.size)
    ranks[order] = np.repeat(per_run, ends - starts)
    return ranks


def _dispersion(trimmed: FloatArray, s: FloatArray) -> tuple[float, float]:
    """Dispersion ratio phi and DerSimonian-Laird tau2 from the trimmed z-scores."""
    kept = ~np.isnan(trimmed)
    n = int(kept.sum())
    if n == 0:
        return float("nan"), 0.0
    phi = float(np.sum(trimmed[kept] ** 2) / n)
    if n * phi < n - 1:
        return phi, 0.0
    w = 1.0 / s[kept] ** 2
    tau2 = (n * phi - (n - 1)) / (np.sum(w) - np.sum(w**2) / np.sum(w))
    return phi, float(max(0.0, tau2))


def _reference_grid(e: FloatArray, data_type: str) -> FloatArray:
    """FunnelPlotR's lookup grid: 1000 points from 1.1 (SR) or 3 to the ceiling of the
    largest denominator, plus the units' own denominators, sorted and distinct.

    Per-unit limits only depend on it through the proportion fold repair, but it has to be
    the same grid for that repair to agree with FunnelPlotR.
    """
    start = 1.1 if data_type == "SR" else 3.0
    stop = float(np.ceil(np.max(e)))
    steps = (stop - start) / 999
    seq = np.concatenate(([start], start + np.arange(1, 999) * steps, [stop]))
    return np.unique(np.concatenate((seq, e)))


# --- PHE funnel significance ------------------------------------------------------------

_PHE_LABELS = ("high_998", "high_95", "low_998", "low_95")


def significance(
    numerator: ArrayLike,
    denominator: ArrayLike | None,
    *,
    statistic: Statistic = "proportion",
    rate: ArrayLike | None = None,
    rate_type: Literal["dsr", "crude"] = "dsr",
    multiplier: float | None = None,
) -> StrArray:
    """Funnel significance of each unit against the overall average, as PHE assign it.

    Returns one label per unit: "high_998", "high_95", "none", "low_95", "low_998", or
    "not_applicable" (a DSR from fewer than 10 events, or a unit with missing values).
    Proportions use the Wilson-score limits around the pooled proportion; ratios compare 1
    with the unit's exact (under 10 events) or Byar interval; rates compare the pooled rate
    with the interval of the unit's events over its implied denominator
    (events / rate x multiplier). ``rate`` and ``multiplier`` are needed for rates only.
    """
    if statistic not in ("proportion", "ratio", "rate"):
        raise ValueError(f"statistic must be 'proportion', 'ratio' or 'rate', got {statistic!r}")
    num = as_float_array(numerator, name="numerator")
    non_negative(num, name="numerator")
    den: FloatArray | None = None
    if denominator is not None:
        den = as_float_array(denominator, name="denominator")
        same_length(numerator=num, denominator=den)
        if np.any(den[~np.isnan(den)] <= 0):
            raise ValueError("denominator must be greater than zero")
    elif statistic != "rate":
        raise ValueError(f"denominator is required for statistic={statistic!r}")

    labels = np.full(num.shape, "none", dtype="<U14")
    if statistic == "proportion":
        assert den is not None
        if np.any(num > den):
            raise ValueError("numerator must not exceed denominator for proportions")
        ok = ~(np.isnan(num) | np.isnan(den))
        average = np.sum(num[ok]) / np.sum(den[ok])
        p = num[ok] / den[ok]
        n = den[ok]
        beyond = (
            p > _wilson_funnel(0.999, n, average, upper=True),
            p > _wilson_funnel(0.975, n, average, upper=True),
            p < _wilson_funnel(0.999, n, average, upper=False),
            p < _wilson_funnel(0.975, n, average, upper=False),
        )
        labels[ok] = _first_label(beyond, _PHE_LABELS)
        labels[~ok] = "not_applicable"
        return labels

    if statistic == "ratio":
        assert den is not None
        ok = ~(np.isnan(num) | np.isnan(den))
        labels[ok] = _poisson_labels(num[ok], den[ok], 1.0)
        labels[~ok] = "not_applicable"
        return labels

    if rate_type not in ("dsr", "crude"):
        raise ValueError(f"rate_type must be 'dsr' or 'crude', got {rate_type!r}")
    if rate is None:
        raise ValueError("rate is required for statistic='rate'")
    if multiplier is None or not (np.isfinite(multiplier) and multiplier > 0):
        raise ValueError(f"multiplier must be a positive number for rates, got {multiplier!r}")
    rates = as_float_array(rate, name="rate")
    same_length(numerator=num, rate=rates)
    non_negative(rates, name="rate")
    zero = num == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        derived = num / rates * multiplier
    if rate_type == "crude" and np.any(zero):
        if den is None:
            raise ValueError("denominator is required for crude rates where there are 0 events")
        derived = np.where(zero, den, derived)
    else:
        # A DSR from no events says nothing about its population: leave it out.
        derived = np.where(zero, np.nan, derived)
    missing = np.isnan(num) | np.isnan(rates)
    pooled = np.sum(num[~missing]) / np.nansum(derived[~missing])
    ok = ~missing & ~np.isnan(derived)
    labels[ok] = _poisson_labels(num[ok], derived[ok], pooled)
    labels[missing] = "not_applicable"
    if rate_type == "dsr":
        labels[num < 10] = "not_applicable"
    return labels


def _first_label(conditions: tuple[npt.NDArray[np.bool_], ...], names: tuple[str, ...]) -> StrArray:
    """The name of the first true condition per unit, else "none" (like dplyr case_when)."""
    return np.select(list(conditions), list(names), default="none").astype("<U14")


def _wilson_funnel(p: float, n: FloatArray, average: float, *, upper: bool) -> FloatArray:
    """The proportion whose Wilson interval at two-sided level 2p - 1 just reaches average.

    PHE solve the Wilson quadratic for the observed proportion in closed form.
    """
    z2 = special.ndtri(p) ** 2
    first = average * (n / z2 + 1)
    last = 1 / z2 + 1 / n
    half_root = np.sqrt(
        first**2 - last * average * (n * (average * (n / z2 + 2) - 1) + z2 * (average - 1))
    )
    return ((first + half_root) if upper else (first - half_root)) / last / n


def _poisson_labels(obs: FloatArray, expected: FloatArray, reference: float) -> StrArray:
    """Compare ``reference`` with each unit's Poisson interval for obs / expected."""
    beyond = (
        reference < _poisson_bound(obs, 0.998, upper=False) / expected,
        reference < _poisson_bound(obs, 0.95, upper=False) / expected,
        reference > _poisson_bound(obs, 0.998, upper=True) / expected,
        reference > _poisson_bound(obs, 0.95, upper=True) / expected,
    )
    return _first_label(beyond, _PHE_LABELS)


def _poisson_bound(obs: FloatArray, level: float, *, upper: bool) -> FloatArray:
    """Two-sided Poisson confidence bound for a count: exact below 10 events, Byar from 10.

    (A private helper so that funnels stays self-contained; it matches intervals.rate.)
    """
    tail = 0.5 + level / 2
    exact = obs < 10
    bound = np.empty(obs.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        if upper:
            bound[exact] = special.gammaincinv(obs[exact] + 1, tail)
            a = obs[~exact] + 1
            bound[~exact] = a * (1 - 1 / (9 * a) + special.ndtri(tail) / 3 / np.sqrt(a)) ** 3
        else:
            small = obs[exact]
            bound[exact] = np.where(small == 0, 0.0, special.gammainccinv(small, tail))
            a = obs[~exact]
            bound[~exact] = a * (1 - 1 / (9 * a) - special.ndtri(tail) / 3 / np.sqrt(a)) ** 3
    return bound
