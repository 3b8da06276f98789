"""Directly and indirectly standardised rates and ratios.

Age standardisation lets areas with different age structures be compared fairly. These follow
PHEindicatormethods 2.1.0:

* :func:`dsr` — directly standardised rates (``calculate_dsr``) with Dobson limits built on
  Byar's limits for the total count, including the wider limits for non-independent (repeat)
  events; suppressed (NaN) below 10 events, where they are unreliable;
* :func:`indirect_ratio` — indirectly standardised ratios such as the SMR (``calculate_ISRatio``);
* :func:`indirect_rate` — indirectly standardised rates (``calculate_ISRate``).

Rows are standardisation categories (usually age bands). Pass ``group`` labels to compute many
areas at once (vectorised: no per-area Python loop); results are then arrays with one entry per
group in order of first appearance, and ``group`` on the result holds the labels. Reference
inputs (``standard_population``, ``x_ref``, ``n_ref``) may be given per row or, like the R
package's ``"vector"`` option, once per group's rows (e.g. :data:`ESP2013`) and reused for every
group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from caresignals.stats import _validate
from caresignals.stats._validate import ArrayLike, FloatArray
from caresignals.stats.intervals import (
    Values,
    byars_lower,
    byars_upper,
    group_codes,
    group_sum,
    poisson_limits,
)

__all__ = [
    "ESP2013",
    "DSRResult",
    "IndirectResult",
    "dsr",
    "indirect_rate",
    "indirect_ratio",
]

#: The 2013 European Standard Population: 19 five-year bands, 0-4, 5-9, …, 85-89, 90+.
ESP2013: FloatArray = np.array(
    [
        5000,  # 0-4
        5500,  # 5-9
        5500,  # 10-14
        5500,  # 15-19
        6000,  # 20-24
        6000,  # 25-29
        6500,  # 30-34
        7000,  # 35-39
        7000,  # 40-44
        7000,  # 45-49
        7000,  # 50-54
        6500,  # 55-59
        6000,  # 60-64
        5500,  # 65-69
        5000,  # 70-74
        4000,  # 75-79
        2500,  # 80-84
        1500,  # 85-89
        1000,  # 90+
    ],
    dtype=np.float64,
)
ESP2013.setflags(write=False)

#: Below this many events a DSR is suppressed, as in the reference.
MIN_DSR_EVENTS = 10


@dataclass(frozen=True, eq=False)
class DSRResult:
    """A directly standardised rate with its Dobson limits, total count and total population."""

    value: Values
    lower: Values
    upper: Values
    total_count: Values
    total_population: Values
    group: npt.NDArray[Any] | None = None


@dataclass(frozen=True, eq=False)
class IndirectResult:
    """An indirectly standardised ratio or rate: observed and expected events and the estimate.

    ``ref_rate`` (the crude reference rate per ``multiplier``) is set by :func:`indirect_rate`.
    """

    observed: Values
    expected: Values
    value: Values
    lower: Values
    upper: Values
    ref_rate: Values = None
    group: npt.NDArray[Any] | None = None


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


class _Groups:
    """Group codes for the rows (a single group when no labels are given)."""

    def __init__(self, group: ArrayLike | None, rows: int) -> None:
        if group is None:
            self.codes: npt.NDArray[np.intp] = np.zeros(rows, dtype=np.intp)
            self.labels: npt.NDArray[Any] | None = None
            self.size = 1
        else:
            self.codes, self.labels = group_codes(group)
            if self.codes.size != rows:
                raise ValueError(
                    f"arguments must have the same length: group has {self.codes.size}, "
                    f"the data have {rows}"
                )
            self.size = int(self.labels.size)
        self._counts: npt.NDArray[np.intp] | None = None

    @property
    def counts(self) -> npt.NDArray[np.intp]:
        if self._counts is None:
            self._counts = np.bincount(self.codes, minlength=self.size)
        return self._counts

    def position(self) -> npt.NDArray[np.intp]:
        """Each row's position (0, 1, …) within its group, in input order."""
        order = np.argsort(self.codes, kind="stable")
        starts = np.concatenate(([0], np.cumsum(self.counts)[:-1]))
        pos = np.empty(self.codes.size, dtype=np.intp)
        pos[order] = np.arange(self.codes.size) - np.repeat(starts, self.counts)
        return pos

    def sum(self, values: FloatArray) -> FloatArray:
        return group_sum(values, self.codes, self.size)

    def out(self, values: FloatArray) -> Values:
        return float(values[0]) if self.labels is None else values


def _per_row(
    values: FloatArray,
    groups: _Groups,
    name: str,
    *,
    band_codes: npt.NDArray[np.intp] | None = None,
    bands: int = 0,
) -> FloatArray:
    """Expand a reference vector to one entry per row.

    Accepted: one entry per row; one entry per age band (with ``age_band``); or one entry per
    row of a group, reused for every group (all groups must then have that many rows).
    """
    rows = groups.codes.size
    if values.size == rows:
        return values
    if band_codes is not None and values.size == bands:
        return values[band_codes]
    if groups.labels is not None and np.all(groups.counts == values.size):
        return values[groups.position()]
    raise ValueError(
        f"{name} must have one entry per row ({rows}) or one per row of each group "
        f"(every group must then have {values.size} rows)"
    )


def _dobson(
    value: FloatArray,
    variance: FloatArray,
    total: FloatArray,
    level: float,
    multiplier: float,
) -> tuple[FloatArray, FloatArray]:
    """Dobson limits: scale Byar's limits for the total count by the DSR's standard error."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.sqrt(variance / total) * multiplier
        lower = value + scale * (byars_lower(total, level) - total)
        upper = value + scale * (byars_upper(total, level) - total)
    return lower, upper


# --------------------------------------------------------------------------------------------
# Directly standardised rates
# --------------------------------------------------------------------------------------------


def dsr(
    x: ArrayLike,
    n: ArrayLike,
    standard_population: ArrayLike,
    *,
    confidence: float = 0.95,
    multiplier: float = 100000,
    event_frequency: ArrayLike | None = None,
    age_band: ArrayLike | None = None,
    group: ArrayLike | None = None,
) -> DSRResult:
    """Directly standardised rate per ``multiplier`` with Dobson limits (``calculate_dsr``).

    ``x`` and ``n`` are events and populations per age band (missing events count as 0). The
    DSR is sum(x·w/n) / sum(w) * multiplier for standard weights w; its variance
    sum(x·(w/n)²) / sum(w)² scales Byar's limits for the total count (Dobson et al. 1991).
    Below 10 events the value and limits are NaN.

    Repeat (non-independent) events: give ``event_frequency`` (how many events each person had)
    and ``age_band``; rows are then age band by frequency and ``x`` counts the people with that
    many events. Events are frequency * people, and the variance becomes the sum over
    frequencies of frequency² * that frequency's variance, widening the limits.

    A zero population in any row of a group leaves that group's DSR undefined (NaN).
    """
    level = _validate.confidence_level(confidence)
    xa = _validate.as_float_array(x, name="x")
    na = _validate.as_float_array(n, name="n")
    wa = _validate.as_float_array(standard_population, name="standard_population")
    _validate.same_length(x=xa, n=na)
    _validate.non_negative(xa, name="x")
    _validate.non_negative(na, name="n")
    _validate.non_negative(wa, name="standard_population")
    if np.any(np.isnan(wa)):
        raise ValueError("standard_population must not have missing values")
    multiplier = float(multiplier)
    if not multiplier > 0:
        raise ValueError(f"multiplier must be greater than 0, got {multiplier!r}")
    groups = _Groups(group, xa.size)

    band_codes: npt.NDArray[np.intp] | None = None
    bands = 0
    if age_band is not None:
        band_codes, band_labels = group_codes(age_band, name="age_band")
        _validate.same_length(x=xa, age_band=band_codes)
        bands = int(band_labels.size)
    elif event_frequency is not None:
        raise ValueError("age_band is required with event_frequency (rows are band by frequency)")
    w = _per_row(wa, groups, "standard_population", band_codes=band_codes, bands=bands)

    x0 = np.where(np.isnan(xa), 0.0, xa)
    with np.errstate(divide="ignore", invalid="ignore"):
        w_over_n = w / na
    broken = groups.sum(((na == 0) | np.isnan(na)).astype(np.float64)) > 0

    if event_frequency is None:
        events = x0
        sum_w = groups.sum(w)
        total_pop = groups.sum(na)
        with np.errstate(divide="ignore", invalid="ignore"):
            variance = groups.sum(x0 * w_over_n * w_over_n) / (sum_w * sum_w)
    else:
        assert band_codes is not None
        freq = _validate.as_float_array(event_frequency, name="event_frequency")
        _validate.same_length(x=xa, event_frequency=freq)
        if np.any(np.isnan(freq)):
            raise ValueError("event_frequency must not have missing values")
        _validate.non_negative(freq, name="event_frequency")
        events = freq * x0
        sum_w, total_pop = _band_totals(groups, band_codes, bands, w, na)
        variance = _repeat_event_variance(groups, freq, x0, w, w_over_n)

    total_count = groups.sum(events)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = groups.sum(events * w_over_n) / sum_w * multiplier
    lower, upper = _dobson(value, variance, total_count, level, multiplier)
    suppress = (total_count < MIN_DSR_EVENTS) | broken
    value, lower, upper = (np.where(suppress, np.nan, v) for v in (value, lower, upper))
    return DSRResult(
        value=groups.out(value),
        lower=groups.out(lower),
        upper=groups.out(upper),
        total_count=groups.out(total_count),
        total_population=groups.out(total_pop),
        group=groups.labels,
    )


def _band_totals(
    groups: _Groups,
    band_codes: npt.NDArray[np.intp],
    bands: int,
    w: FloatArray,
    n: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Sum the standard and actual populations once per age band within each group.

    With repeat events an age band has a row per frequency, all carrying the same populations;
    differing populations within a band are a data error.
    """
    key = groups.codes.astype(np.int64) * bands + band_codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    same_n = (n == n[first][inverse]) | (np.isnan(n) & np.isnan(n[first][inverse]))
    if not np.all(same_n & (w == w[first][inverse])):
        raise ValueError(
            "rows with the same group and age_band must have the same n and standard_population"
        )
    owner = groups.codes[first]
    sum_w = group_sum(w[first], owner, groups.size)
    total_pop = group_sum(n[first], owner, groups.size)
    return sum_w, total_pop


def _repeat_event_variance(
    groups: _Groups,
    freq: FloatArray,
    x0: FloatArray,
    w: FloatArray,
    w_over_n: FloatArray,
) -> FloatArray:
    """DSR variance for repeat events: sum over frequencies f of f² * var(DSR of people with f).

    Each frequency's variance uses the standard population of that frequency's own rows, as in
    the reference.
    """
    freq_codes, freq_values = group_codes(freq, name="event_frequency")
    nf = int(freq_values.size)
    key = groups.codes.astype(np.int64) * nf + freq_codes
    cells = groups.size * nf
    sum_w = np.bincount(key, weights=w, minlength=cells)
    sum_sq = np.bincount(key, weights=x0 * w_over_n * w_over_n, minlength=cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(sum_w > 0, sum_sq / (sum_w * sum_w), 0.0)
    f2 = np.tile(np.asarray(freq_values, dtype=np.float64) ** 2, groups.size)
    out: FloatArray = (var * f2).reshape(groups.size, nf).sum(axis=1)
    return out


# --------------------------------------------------------------------------------------------
# Indirect standardisation
# --------------------------------------------------------------------------------------------


def _indirect(
    x: ArrayLike | None,
    n: ArrayLike,
    x_ref: ArrayLike,
    n_ref: ArrayLike,
    confidence: float,
    observed_total: ArrayLike | float | None,
    group: ArrayLike | None,
) -> tuple[_Groups, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Observed and expected events, the limits for the observed count and the reference totals."""
    level = _validate.confidence_level(confidence)
    na = _validate.as_float_array(n, name="n")
    _validate.non_negative(na, name="n")
    groups = _Groups(group, na.size)
    if groups.labels is not None and np.unique(groups.counts).size != 1:
        raise ValueError("every group must have the same number of rows (one per age band)")
    xr = _per_row(_validate.as_float_array(x_ref, name="x_ref"), groups, "x_ref")
    nr = _per_row(_validate.as_float_array(n_ref, name="n_ref"), groups, "n_ref")
    _validate.non_negative(xr, name="x_ref")
    _validate.non_negative(nr, name="n_ref")

    if observed_total is not None:
        observed = _validate.as_float_array(observed_total, name="observed_total")
        if observed.size != groups.size:
            raise ValueError(
                f"observed_total must have one entry per group ({groups.size}), got {observed.size}"
            )
        _validate.non_negative(observed, name="observed_total")
    elif x is None:
        raise ValueError("x is required unless observed_total is given")
    else:
        xa = _validate.as_float_array(x, name="x")
        _validate.same_length(x=xa, n=na)
        _validate.non_negative(xa, name="x")
        observed = groups.sum(np.where(np.isnan(xa), 0.0, xa))

    xr0 = np.where(np.isnan(xr), 0.0, xr)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = groups.sum(xr0 / nr * np.where(np.isnan(na), 0.0, na))
    lower, upper = poisson_limits(observed, level)
    return groups, observed, expected, lower, upper, groups.sum(xr0), groups.sum(nr)


def indirect_ratio(
    x: ArrayLike | None,
    n: ArrayLike,
    x_ref: ArrayLike,
    n_ref: ArrayLike,
    *,
    confidence: float = 0.95,
    ref_value: float = 1,
    observed_total: ArrayLike | float | None = None,
    group: ArrayLike | None = None,
) -> IndirectResult:
    """Indirectly standardised ratio, observed / expected * ``ref_value`` (``calculate_ISRatio``).

    Expected events apply the reference rates x_ref/n_ref to the local populations ``n``. The
    limits are those of the observed count (exact below 10 events, Byar's from 10) divided by
    the expected. ``observed_total`` (one per group) replaces summing ``x`` when observed events
    are only known in total, not by age band. ``ref_value=100`` gives the SMR on its usual scale.
    """
    groups, observed, expected, lo, hi, _, _ = _indirect(
        x, n, x_ref, n_ref, confidence, observed_total, group
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        value = observed / expected * ref_value
        lower = lo / expected * ref_value
        upper = hi / expected * ref_value
    return IndirectResult(
        observed=groups.out(observed),
        expected=groups.out(expected),
        value=groups.out(value),
        lower=groups.out(lower),
        upper=groups.out(upper),
        group=groups.labels,
    )


def indirect_rate(
    x: ArrayLike | None,
    n: ArrayLike,
    x_ref: ArrayLike,
    n_ref: ArrayLike,
    *,
    confidence: float = 0.95,
    multiplier: float = 100000,
    observed_total: ArrayLike | float | None = None,
    group: ArrayLike | None = None,
) -> IndirectResult:
    """Indirectly standardised rate per ``multiplier`` (``calculate_ISRate``).

    The standardised ratio observed / expected scaled by the crude reference rate
    sum(x_ref) / sum(n_ref) * multiplier, with the ratio's limits scaled the same way.
    """
    groups, observed, expected, lo, hi, xref_total, nref_total = _indirect(
        x, n, x_ref, n_ref, confidence, observed_total, group
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ref_rate = xref_total / nref_total * multiplier
        value = observed / expected * ref_rate
        lower = lo / expected * ref_rate
        upper = hi / expected * ref_rate
    return IndirectResult(
        observed=groups.out(observed),
        expected=groups.out(expected),
        value=groups.out(value),
        lower=groups.out(lower),
        upper=groups.out(upper),
        ref_rate=groups.out(ref_rate),
        group=groups.labels,
    )
