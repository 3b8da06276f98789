"""Confidence intervals for proportions, crude rates, means and rate ratios.

These follow PHEindicatormethods 2.1.0 (``phe_proportion``, ``phe_rate``, ``phe_mean``), the
methods behind Fingertips, so a figure published by Care Signals matches one an analyst would
get from the R package:

* proportions: Wilson score interval (well behaved at 0 and 1, unlike the Wald interval);
* rates: exact Poisson limits (chi-squared) below 10 events, Byar's approximation from 10;
* means: Student's t.

Every function is vectorised: pass arrays (or lists) and get arrays back, one entry per row, or
pass ``group`` labels to aggregate first (numerators and denominators are summed within each
group, as ``dplyr::group_by`` does before the R functions), giving one entry per group in order
of first appearance. Scalars in give floats out. ``confidence`` is one level per call: a level
in (0, 1] or a percentage up to 100 (95 -> 0.95; 1 means 100 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from caresignals.stats import _validate
from caresignals.stats._validate import ArrayLike, FloatArray

__all__ = [
    "Interval",
    "MeanResult",
    "mean",
    "proportion",
    "rate",
    "rate_ratio",
]

#: A float for a single estimate, an array for many.
Values = Any


@dataclass(frozen=True, eq=False)
class Interval:
    """An estimate with its confidence limits (floats, or arrays with one entry per row/group).

    ``group`` holds the group labels (in order of first appearance) when ``group`` was given.
    """

    value: Values
    lower: Values
    upper: Values
    group: npt.NDArray[Any] | None = None


@dataclass(frozen=True, eq=False)
class MeanResult:
    """A mean with its Student's t confidence limits, standard deviation and count."""

    value: Values
    lower: Values
    upper: Values
    sd: Values
    count: Values
    group: npt.NDArray[Any] | None = None


# --------------------------------------------------------------------------------------------
# Building blocks shared with standardise.py and inequality.py
# --------------------------------------------------------------------------------------------


def two_sided_z(level: float) -> float:
    """The normal quantile for a two-sided interval, computed as R does: qnorm(c + (1 - c)/2)."""
    return float(special.ndtri(level + (1.0 - level) / 2.0))


def byars_lower(x: FloatArray, level: float) -> FloatArray:
    """Byar's lower limit for a Poisson count; NaN where the approximation goes negative."""
    z = two_sided_z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * (1.0 - 1.0 / (9.0 * x) - z / (3.0 * np.sqrt(x))) ** 3
    return np.where(out < 0, np.nan, out)


def byars_upper(x: FloatArray, level: float) -> FloatArray:
    """Byar's upper limit for a Poisson count."""
    z = two_sided_z(level)
    x1 = x + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * np.sqrt(x1))) ** 3
    return out


def exact_poisson_lower(x: FloatArray, level: float) -> FloatArray:
    """Exact lower limit for a Poisson count: qchisq((1 - c)/2, 2x) / 2 (0 when x is 0)."""
    p = (1.0 - level) / 2.0
    with np.errstate(invalid="ignore"):
        out = special.gammaincinv(np.where(x > 0, x, 1.0), p)
    return np.where(x == 0, 0.0, np.where(np.isnan(x), np.nan, out))


def exact_poisson_upper(x: FloatArray, level: float) -> FloatArray:
    """Exact upper limit for a Poisson count: qchisq(c + (1 - c)/2, 2x + 2) / 2."""
    p = level + (1.0 - level) / 2.0
    with np.errstate(invalid="ignore"):
        out: FloatArray = special.gammaincinv(x + 1.0, p)
    return out


def poisson_limits(x: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Limits for a Poisson count the PHE way: exact below 10 events, Byar's from 10."""
    small = x < 10
    lower = np.where(small, exact_poisson_lower(x, level), byars_lower(x, level))
    upper = np.where(small, exact_poisson_upper(x, level), byars_upper(x, level))
    return lower, upper


def group_codes(group: ArrayLike, *, name: str = "group") -> tuple[npt.NDArray[np.intp], Any]:
    """Integer codes 0..G-1 for group labels, numbered in order of first appearance.

    Returns ``(codes, labels)``. Rows of a group are usually contiguous (one area after
    another); that case is recognised in linear time, so large inputs avoid a sort.
    """
    labels = np.asarray(group)
    if labels.ndim == 0:
        labels = labels.reshape(1)
    if labels.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {labels.shape}")
    if labels.size == 0:
        raise ValueError(f"{name} must not be empty")
    starts = np.empty(labels.size, dtype=bool)
    starts[0] = True
    starts[1:] = labels[1:] != labels[:-1]
    run_labels = labels[starts]
    if len(set(run_labels.tolist())) == run_labels.size:
        return np.cumsum(starts) - 1, run_labels
    uniq, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[inverse.ravel()], uniq[order]


def group_sum(values: FloatArray, codes: npt.NDArray[np.intp], size: int) -> FloatArray:
    """Sum within groups; a NaN anywhere in a group makes its sum NaN (as R's sum does)."""
    return np.bincount(codes, weights=values, minlength=size).astype(np.float64, copy=False)


def _is_scalar(*values: object) -> bool:
    return all(np.ndim(v) == 0 for v in values)  # type: ignore[arg-type]


def _out(arr: FloatArray, scalar: bool) -> Values:
    return float(arr[0]) if scalar else arr


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def proportion(
    x: ArrayLike,
    n: ArrayLike,
    *,
    confidence: float = 0.95,
    multiplier: float = 1,
    group: ArrayLike | None = None,
) -> Interval:
    """Proportions x / n with Wilson score limits (``phe_proportion``).

    ``multiplier=100`` gives percentages. A zero denominator gives NaN; ``confidence=1`` gives
    limits 0 and 1 (times the multiplier), as the reference does.
    """
    level = _validate.confidence_level(confidence)
    xa = _validate.as_float_array(x, name="x")
    na = _validate.as_float_array(n, name="n")
    _validate.same_length(x=xa, n=na)
    _validate.non_negative(xa, name="x")
    _validate.non_negative(na, name="n")
    with np.errstate(invalid="ignore"):
        if np.any(xa > na):
            raise ValueError("x must not be greater than n for a proportion")
    scalar = group is None and _is_scalar(x, n)
    labels = None
    if group is not None:
        codes, labels = group_codes(group)
        _validate.same_length(x=xa, n=na, group=codes)
        xa = group_sum(xa, codes, labels.size)
        na = group_sum(na, codes, labels.size)

    with np.errstate(divide="ignore", invalid="ignore"):
        value = xa / na
        if level == 1:
            defined = ~np.isnan(value)
            lower = np.where(defined, 0.0, np.nan)
            upper = np.where(defined, 1.0, np.nan)
        else:
            z = two_sided_z(level)
            root = z * np.sqrt(z**2 + 4 * xa * (1 - (xa / na)))
            lower = (2 * xa + z**2 - root) / 2 / (na + z**2)
            upper = (2 * xa + z**2 + root) / 2 / (na + z**2)
            undefined = na == 0
            lower = np.where(undefined, np.nan, lower)
            upper = np.where(undefined, np.nan, upper)
    return Interval(
        value=_out(value * multiplier, scalar),
        lower=_out(lower * multiplier, scalar),
        upper=_out(upper * multiplier, scalar),
        group=labels,
    )


def rate(
    x: ArrayLike,
    n: ArrayLike,
    *,
    confidence: float = 0.95,
    multiplier: float = 100000,
    group: ArrayLike | None = None,
) -> Interval:
    """Crude rates x / n * multiplier (``phe_rate``).

    Limits are exact Poisson (chi-squared) below 10 events, where Byar's approximation is poor,
    and Byar's from 10. A zero denominator gives NaN.
    """
    level = _validate.confidence_level(confidence)
    xa = _validate.as_float_array(x, name="x")
    na = _validate.as_float_array(n, name="n")
    _validate.same_length(x=xa, n=na)
    _validate.non_negative(xa, name="x")
    _validate.non_negative(na, name="n")
    scalar = group is None and _is_scalar(x, n)
    labels = None
    if group is not None:
        codes, labels = group_codes(group)
        _validate.same_length(x=xa, n=na, group=codes)
        xa = group_sum(xa, codes, labels.size)
        na = group_sum(na, codes, labels.size)

    lower_count, upper_count = poisson_limits(xa, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(na > 0, multiplier / na, np.nan)
        value = xa / na * multiplier
        value = np.where(na > 0, value, np.nan)
        lower = lower_count * per
        upper = upper_count * per
    return Interval(
        value=_out(value, scalar),
        lower=_out(lower, scalar),
        upper=_out(upper, scalar),
        group=labels,
    )


def mean(
    values: ArrayLike,
    *,
    confidence: float = 0.95,
    group: ArrayLike | None = None,
) -> MeanResult:
    """The mean of ``values`` with Student's t limits (``phe_mean``).

    Without ``group`` all values form one sample (floats out); with ``group`` one mean per
    group. A missing value makes its group's mean NaN, as in R; a single value has no sd and so
    no limits.
    """
    level = _validate.confidence_level(confidence)
    xa = _validate.as_float_array(values, name="values")
    if group is None:
        codes = np.zeros(xa.size, dtype=np.intp)
        labels = None
        size = 1
    else:
        codes, labels = group_codes(group)
        _validate.same_length(values=xa, group=codes)
        size = labels.size

    count = np.bincount(codes, minlength=size).astype(np.float64)
    total = group_sum(xa, codes, size)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = total / count
        deviations = xa - value[codes]
        ss = group_sum(deviations * deviations, codes, size)
        sd = np.sqrt(ss / (count - 1))
        sd = np.where(count > 1, sd, np.nan)
        t = np.abs(special.stdtrit(count - 1, (1.0 - level) / 2.0))
        half = t * sd / np.sqrt(count)
        lower = value - half
        upper = value + half
    scalar = group is None
    return MeanResult(
        value=_out(value, scalar),
        lower=_out(lower, scalar),
        upper=_out(upper, scalar),
        sd=_out(sd, scalar),
        count=int(count[0]) if scalar else count.astype(np.int64),
        group=labels,
    )


def rate_ratio(
    x1: ArrayLike,
    n1: ArrayLike,
    x2: ArrayLike,
    n2: ArrayLike,
    *,
    confidence: float = 0.95,
) -> Interval:
    """The ratio of two crude rates, (x1/n1) / (x2/n2), with an exact conditional interval.

    Given the total x1 + x2, x1 is binomial with p = RR·n1 / (RR·n1 + n2). The Clopper-Pearson
    interval for p, mapped back through RR = p/(1 - p) · n2/n1, is exact (never below nominal
    coverage), stays valid for the small counts common in local NHS data (where the log-normal
    approximation fails outright at zero events), and is the method of R's ``poisson.test``
    for comparing two rates. With x1 = 0 the lower limit is 0; with x2 = 0 the ratio and upper
    limit are infinite; with no events at all (or a zero denominator) everything is NaN.
    """
    level = _validate.confidence_level(confidence)
    a = _validate.as_float_array(x1, name="x1")
    na = _validate.as_float_array(n1, name="n1")
    b = _validate.as_float_array(x2, name="x2")
    nb = _validate.as_float_array(n2, name="n2")
    _validate.same_length(x1=a, n1=na, x2=b, n2=nb)
    for arr, arg in ((a, "x1"), (na, "n1"), (b, "x2"), (nb, "n2")):
        _validate.non_negative(arr, name=arg)
    scalar = _is_scalar(x1, n1, x2, n2)
    alpha = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = nb / na
        p_lower = np.where(
            a > 0, special.betaincinv(np.where(a > 0, a, 1.0), b + 1.0, alpha / 2), 0.0
        )
        p_upper = np.where(
            b > 0, special.betaincinv(a + 1.0, np.where(b > 0, b, 1.0), 1 - alpha / 2), 1.0
        )
        value = (a / na) / (b / nb)
        lower = p_lower / (1.0 - p_lower) * scale
        upper = p_upper / (1.0 - p_upper) * scale
        undefined = (a + b == 0) | (na == 0) | (nb == 0) | np.isnan(a + b + na + nb)
        value = np.where(undefined, np.nan, value)
        lower = np.where(undefined, np.nan, lower)
        upper = np.where(undefined, np.nan, upper)
    return Interval(value=_out(value, scalar), lower=_out(lower, scalar), upper=_out(upper, scalar))
