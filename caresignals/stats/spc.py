"""Statistical process control charts in the NHS "Making Data Count" style.

The XmR chart and its rules follow NHSRplotthedots 0.2.2 (``ptd_spc``), the R package NHS
analysts already trust, so that a chart drawn by Care Signals reads the same as one drawn in R:

* Limits: mean +/- 2.66 x mean moving range, per rebase segment, from the first
  ``fix_after_n_points`` rows of the segment (all rows when ``None``). Moving ranges of
  3.267 x their mean or more are screened out before the limits are set (``screen_outliers``).
* Special cause, in order of precedence: a point outside the limits ("Above UCL"), part of a
  run of ``run_length`` points strictly rising or falling ("7 Point Trend (Increasing)"), part
  of 2 out of 3 points beyond two thirds of the way to a limit with all three on one side of
  the mean ("2 in 3 Above CL"), part of ``run_length`` points on one side of the mean
  ("7 Points Above CL"). Points exactly on the mean break a run. The rules run within each
  rebase segment.
* Assurance compares the target with the last segment's limits; there is none for a neutral
  direction or without a target.

Missing values (NaN or None) are kept in place so results stay aligned with the input. They
are treated as R treats NA: left out of the mean, no moving range is taken across them, they
break runs and they never signal (R itself stops with an error on some series with NA in a
trend window; here every series gets a chart). A warning says how many there were.

The Laney p'/u', c and run charts reuse the same rule engine with their own centre line and
limits. Everything is vectorised: :func:`xmr_many` charts thousands of series in one call.

Example::

    >>> from caresignals.stats import spc
    >>> r = spc.xmr([5, 6] * 8 + [12], improvement="decrease")
    >>> r.point_type[-1], r.special_cause_type[-1]
    ('special_cause_concern', 'Above UCL')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, cast

import numpy as np
import numpy.typing as npt

from ._validate import ArrayLike, FloatArray, as_float_array, non_negative, same_length

__all__ = [
    "IMPROVEMENTS",
    "POINT_TYPES",
    "SHORT_GROUP_WARNING",
    "SPCManyResult",
    "SPCResult",
    "c_chart",
    "p_prime",
    "run_chart",
    "summary",
    "u_prime",
    "variation_icon",
    "xmr",
    "xmr_many",
]

Improvement: TypeAlias = Literal["increase", "decrease", "neutral"]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
IntArray: TypeAlias = npt.NDArray[np.intp]
ObjArray: TypeAlias = npt.NDArray[np.object_]
DateArray: TypeAlias = npt.NDArray[np.datetime64]
PeriodsLike: TypeAlias = Sequence[dt.date | str | np.datetime64] | DateArray
ValuesLike: TypeAlias = ArrayLike | Sequence[float | None]
"""Numbers in time order; None or NaN marks a missing value."""

IMPROVEMENTS: tuple[str, ...] = ("increase", "decrease", "neutral")
POINT_TYPES: tuple[str, ...] = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)

# Constants as NHSRplotthedots writes them (same floating-point operations, same values).
_LIMIT = 2.66  # 3 / d2 with d2 = 1.128, rounded as in Making Data Count
_NEAR = 2 * (_LIMIT / 3)  # two thirds of the way to a limit
_SCREEN = 3.267  # upper range limit for moving ranges (D4 for n = 2)
_D2 = 1.128  # bias correction of the mean moving range (Laney sigma_z)
_SHORT_GROUP = 13  # R warns when a segment has n() < 13 rows
SHORT_GROUP_WARNING = (
    "Some groups have 'n < 12' observations. These have trial limits, which will be revised "
    "with each additional observation until 'n = fix_after_n_points' has been reached."
)
"""NHSRplotthedots' own warning, kept verbatim so reports match the R output."""

_ASSURANCE_TEXT = {
    "consistent_pass": "the target will consistently be met",
    "consistent_fail": "the target will consistently be missed",
    "inconsistent": "the target will be hit and miss",
}
_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class SPCResult:
    """One SPC chart: per-point arrays aligned with the input, plus the chart's verdicts.

    ``mean`` is the centre line (the median for a run chart); ``lpl``/``upl`` the process
    limits (NaN where undefined, e.g. a one-point segment or a run chart). ``variation`` is the
    point type of the latest non-missing point; ``assurance`` is ``consistent_pass``,
    ``consistent_fail``, ``inconsistent`` or ``None``.
    """

    values: FloatArray
    mean: FloatArray
    lpl: FloatArray
    upl: FloatArray
    point_type: ObjArray
    special_cause_type: ObjArray
    assurance: str | None
    variation: str
    warnings: list[str]
    periods: DateArray | None
    rebase_group: IntArray
    improvement: str
    target: float | None
    chart: str = "xmr"
    run_length: int = 7

    def __len__(self) -> int:
        return int(self.values.size)

    @property
    def special_cause(self) -> BoolArray:
        """True where a point shows special cause variation."""
        return np.asarray(self.point_type != "common_cause", dtype=np.bool_)

    def to_records(self) -> list[dict[str, Any]]:
        """Rows as plain dicts (NaN as None), ready for JSON or a template."""
        cols: dict[str, list[Any]] = {
            "value": _nan_to_none(self.values),
            "mean": _nan_to_none(self.mean),
            "lpl": _nan_to_none(self.lpl),
            "upl": _nan_to_none(self.upl),
            "point_type": self.point_type.tolist(),
            "special_cause_type": self.special_cause_type.tolist(),
            "rebase_group": self.rebase_group.tolist(),
        }
        if self.periods is not None:
            cols["period"] = self.periods.astype("datetime64[D]").astype(dt.date).tolist()
        names = list(cols)
        return [dict(zip(names, row, strict=True)) for row in zip(*cols.values(), strict=True)]


@dataclass(frozen=True, eq=False)
class SPCManyResult:
    """Many XmR charts in one long table: per-row arrays aligned with the input rows.

    ``assurance`` and ``variation`` are dicts keyed by series label, in order of appearance.
    """

    series: npt.NDArray[Any]
    values: FloatArray
    mean: FloatArray
    lpl: FloatArray
    upl: FloatArray
    point_type: ObjArray
    special_cause_type: ObjArray
    assurance: dict[Hashable, str | None]
    variation: dict[Hashable, str]
    warnings: list[str]

    def __len__(self) -> int:
        return int(self.values.size)


def _nan_to_none(arr: FloatArray) -> list[float | None]:
    return [None if v != v else v for v in arr.tolist()]


# --------------------------------------------------------------------------- validation


def _improvement(improvement: str) -> int:
    if improvement not in IMPROVEMENTS:
        raise ValueError(
            f"improvement must be 'increase', 'decrease' or 'neutral', got {improvement!r}"
        )
    return {"increase": 1, "decrease": -1, "neutral": 0}[improvement]


def _run_length(run_length: int) -> int:
    if isinstance(run_length, bool) or not isinstance(run_length, int | np.integer):
        raise ValueError(f"run_length must be a whole number of at least 2, got {run_length!r}")
    if run_length < 2:
        raise ValueError(f"run_length must be a whole number of at least 2, got {run_length!r}")
    return int(run_length)


def _target(target: float | None) -> float | None:
    if target is None:
        return None
    try:
        value = float(target)
    except (TypeError, ValueError):
        raise ValueError(f"target must be a number or None, got {target!r}") from None
    if not np.isfinite(value):
        raise ValueError(f"target must be a finite number, got {target!r}")
    return value


def _fix_after(fix_after_n_points: float | None) -> float:
    """R requires at least 12 points; rows beyond it are kept out of the limits."""
    if fix_after_n_points is None:
        return np.inf
    if isinstance(fix_after_n_points, bool):
        raise ValueError("fix_after_n_points must be a number of at least 12 or None")
    try:
        value = float(fix_after_n_points)
    except (TypeError, ValueError):
        raise ValueError(
            f"fix_after_n_points must be a number of at least 12 or None, "
            f"got {fix_after_n_points!r}"
        ) from None
    if not value >= 12:
        raise ValueError(
            "fix_after_n_points must be a number of at least 12 or None, "
            f"got {fix_after_n_points!r}"
        )
    return value


def _values(values: ValuesLike, name: str) -> FloatArray:
    arr = as_float_array(cast(ArrayLike, values), name=name)
    if np.isinf(arr).any():
        raise ValueError(f"{name} must not contain infinite numbers")
    return arr


def _segment_starts(n: int, rebase_at: int | Sequence[int] | npt.NDArray[np.integer]) -> IntArray:
    """Start index of each rebase segment (0 always included; duplicates collapse, as in R)."""
    if isinstance(rebase_at, int | np.integer) and not isinstance(rebase_at, bool):
        items: list[Any] = [rebase_at]
    else:
        try:
            items = list(rebase_at)  # type: ignore[arg-type]
        except TypeError:
            raise ValueError(
                f"rebase_at must be a sequence of point indices, got {rebase_at!r}"
            ) from None
    idx: list[int] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | np.integer):
            if isinstance(item, float | np.floating) and float(item).is_integer():
                item = int(item)
            else:
                raise ValueError(f"rebase_at must hold whole point indices, got {item!r}")
        if not 0 <= item < n:
            raise ValueError(f"rebase_at index {item} is out of range for {n} points")
        idx.append(int(item))
    return np.unique(np.asarray([0, *idx], dtype=np.intp))


def _group_ids(n: int, starts: IntArray) -> IntArray:
    marks = np.zeros(n, dtype=np.intp)
    marks[starts[1:]] = 1
    return np.cumsum(marks)


# --------------------------------------------------------------------------- periods


def _parse_periods(periods: PeriodsLike | None, n: int) -> DateArray | None:
    """Dates as datetime64[D]; "YYYY-MM" means the first of the month."""
    if periods is None:
        return None
    if isinstance(periods, np.ndarray) and np.issubdtype(periods.dtype, np.datetime64):
        arr = periods.astype("datetime64[D]")
    else:
        try:
            items = list(periods)
        except TypeError:
            raise ValueError("periods must be a sequence of dates") from None
        out: list[np.datetime64] = []
        for p in items:
            try:
                if isinstance(p, dt.datetime):
                    out.append(np.datetime64(p.date(), "D"))
                elif isinstance(p, dt.date):
                    out.append(np.datetime64(p, "D"))
                elif isinstance(p, np.datetime64):
                    out.append(p.astype("datetime64[D]"))
                elif isinstance(p, str):
                    out.append(np.datetime64(p).astype("datetime64[D]"))
                else:
                    raise TypeError
            except (TypeError, ValueError):
                raise ValueError(
                    f"periods must be dates, 'YYYY-MM' strings or numpy datetime64, got {p!r}"
                ) from None
        arr = np.asarray(out, dtype="datetime64[D]")
    if arr.ndim != 1 or arr.size != n:
        raise ValueError(f"periods must have one entry per value: got {arr.size} for {n} values")
    if np.isnat(arr).any():
        raise ValueError("periods must not contain missing dates")
    if n > 1 and not (arr[1:] > arr[:-1]).all():
        raise ValueError("periods must be strictly increasing (values in time order)")
    return arr


def _is_monthly(periods: DateArray) -> bool:
    return bool((periods.astype("datetime64[D]") == periods.astype("datetime64[M]")).all())


def _format_period(periods: DateArray | None, i: int) -> str:
    if periods is None:
        return f"point {i + 1}"
    d = periods[i].astype("datetime64[D]").astype(dt.date)
    month_year = f"{_MONTHS[d.month - 1]} {d.year}"
    return month_year if _is_monthly(periods) else f"{d.day} {month_year}"


def _gap_warning(periods: DateArray) -> str | None:
    """Points are charted as consecutive; say so when the dates skip a period."""
    if periods.size < 3:
        return None
    if _is_monthly(periods):
        steps = np.diff(periods.astype("datetime64[M]").astype(np.int64))
        gaps = np.flatnonzero(steps > np.median(steps))
    else:
        steps = np.diff(periods.astype(np.int64))
        gaps = np.flatnonzero(steps > 1.5 * np.median(steps))
    if gaps.size == 0:
        return None
    shown = ", ".join(
        f"{_format_period(periods, int(g))} to {_format_period(periods, int(g) + 1)}"
        for g in gaps[:3]
    )
    more = f" and {gaps.size - 3} more" if gaps.size > 3 else ""
    return (
        f"periods have {gaps.size} gap(s) ({shown}{more}); "
        "the chart treats the points either side as consecutive"
    )


# --------------------------------------------------------------------------- rule engine

# special_cause_type codes, in the order of the label table built by _labels().
_COMMON, _ABOVE_UCL, _BELOW_LCL, _TREND_UP, _TREND_DOWN = 0, 1, 2, 3, 4
_TWO_IN_THREE_ABOVE, _TWO_IN_THREE_BELOW, _SHIFT_ABOVE, _SHIFT_BELOW = 5, 6, 7, 8
_CODE_SIDE = np.array([0, 1, -1, 1, -1, 1, -1, 1, -1], dtype=np.int8)
_POINT_TYPE_LABELS = np.array(POINT_TYPES, dtype=object)


def _labels(run_length: int) -> ObjArray:
    k = run_length
    return np.array(
        [
            "Common Cause",
            "Above UCL",
            "Below LCL",
            f"{k} Point Trend (Increasing)",
            f"{k} Point Trend (Decreasing)",
            "2 in 3 Above CL",
            "2 in 3 Below CL",
            f"{k} Points Above CL",
            f"{k} Points Below CL",
        ],
        dtype=object,
    )


def _window_all(mask: BoolArray, gid: IntArray, k: int) -> BoolArray:
    """True at i when ``mask`` holds at all k rows ending at i, all in i's group."""
    n = mask.size
    out = np.zeros(n, dtype=np.bool_)
    if k > n:
        return out
    csum = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
    out[k - 1 :] = ((csum[k:] - csum[:-k]) == k) & (gid[k - 1 :] == gid[: n - k + 1])
    return out


def _covered(ends: BoolArray, k: int) -> BoolArray:
    """True at i when a flagged window of k rows (ending at i .. i+k-1) contains i."""
    n = ends.size
    csum = np.concatenate(([0], np.cumsum(ends, dtype=np.int64)))
    idx = np.arange(n)
    return np.asarray(csum[np.minimum(idx + k, n)] - csum[idx] > 0)


def _special_cause_codes(
    y: FloatArray,
    centre: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    near_lower: FloatArray,
    near_upper: FloatArray,
    gid: IntArray,
    run_length: int,
) -> npt.NDArray[np.int8]:
    """Classify every point by the Making Data Count rules, vectorised over all groups.

    Comparisons with NaN are false, which reproduces R's handling of NA (a missing value or
    an undefined limit never signals and breaks any run it falls in).
    """
    n = y.size
    k = run_length
    present = ~np.isnan(y)
    with np.errstate(invalid="ignore"):
        rtm = np.nan_to_num(np.sign(y - centre), nan=0.0)
        outside = present & ((y > upper) | (y < lower))
        close = present & ~outside & ((y < near_lower) | (y > near_upper))
        step = np.zeros(n)
        if n > 1:
            step[1:] = np.sign(y[1:] - y[:-1])
    step = np.nan_to_num(step, nan=0.0)
    if n > 1:
        step[1:][gid[1:] != gid[:-1]] = 0.0  # no trend across a segment boundary

    above, below = rtm == 1, rtm == -1

    # k points strictly rising or falling: k - 1 consecutive steps of one sign.
    trend_ends = _window_all(step == 1, gid, k - 1) | _window_all(step == -1, gid, k - 1)
    in_trend = _covered(trend_ends, k)
    # A point inside a trend takes the direction of the step after it, the last point of a
    # trend the step before it (R's rule, which settles a peak shared by two trends).
    next_in_trend = np.zeros(n, dtype=np.bool_)
    next_step = np.zeros(n)
    if n > 1:
        next_in_trend[:-1] = in_trend[1:] & (gid[1:] == gid[:-1])
        next_step[:-1] = step[1:]
    trend_dir = np.where(in_trend & next_in_trend, next_step, step)

    # 2 of 3 consecutive points close to a limit, all three on one side of the mean.
    two_ends = np.zeros(n, dtype=np.bool_)
    if n >= 3:
        csum = np.concatenate(([0], np.cumsum(close, dtype=np.int64)))
        two_ends[2:] = (csum[3:] - csum[:-3]) >= 2
    two_ends &= _window_all(above, gid, 3) | _window_all(below, gid, 3)
    in_two = _covered(two_ends, 3) & close

    shift_ends = _window_all(above, gid, k) | _window_all(below, gid, k)
    in_shift = _covered(shift_ends, k)

    codes = np.select(
        [outside, in_trend, in_two, in_shift],
        [
            np.where(rtm == 1, _ABOVE_UCL, _BELOW_LCL),
            np.where(trend_dir == 1, _TREND_UP, _TREND_DOWN),
            np.where(rtm > 0, _TWO_IN_THREE_ABOVE, _TWO_IN_THREE_BELOW),
            np.where(rtm > 0, _SHIFT_ABOVE, _SHIFT_BELOW),
        ],
        _COMMON,
    )
    return codes.astype(np.int8)


def _point_type_codes(codes: npt.NDArray[np.int8], direction: int) -> npt.NDArray[np.int8]:
    side = _CODE_SIDE[codes]
    if direction == 0:
        return np.select([side > 0, side < 0], [3, 4], 0).astype(np.int8)
    oriented = side * direction
    return np.select([oriented > 0, oriented < 0], [1, 2], 0).astype(np.int8)


def _assurance(direction: int, target: float | None, lpl: float, upl: float) -> str | None:
    """R's rule on the last point's limits; NaN limits give "inconsistent", as in R."""
    if target is None or direction == 0:
        return None
    if target > upl:
        return "consistent_fail" if direction > 0 else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if direction > 0 else "consistent_fail"
    return "inconsistent"


# --------------------------------------------------------------------------- limits


def _baseline(y: FloatArray, gid: IntArray, starts: IntArray, fix_after: float) -> BoolArray:
    """Rows that set the limits: present, and within the first ``fix_after`` of the segment."""
    base = ~np.isnan(y)
    if np.isfinite(fix_after):
        base &= (np.arange(y.size) - starts[gid] + 1) <= fix_after  # R: row_number() <= n
    return base


def _group_sum(x: FloatArray, use: BoolArray, starts: IntArray) -> FloatArray:
    """Sum of ``x[use]`` per group (NaN for a group with nothing to sum).

    Sums run over the used values only, packed together: padding with zeros would make the
    rounding depend on rows outside the baseline, so limits could move in the last bit when
    a point is added after ``fix_after_n_points``.
    """
    counts = np.add.reduceat(use.astype(np.int64), starts)
    out = np.full(starts.size, np.nan)
    used = x[use]
    if used.size:
        nonempty = counts > 0
        packed_starts = (np.cumsum(counts) - counts)[nonempty]
        out[nonempty] = np.add.reduceat(used, packed_starts)
    return out


def _group_mean(x: FloatArray, use: BoolArray, starts: IntArray) -> FloatArray:
    """Mean of ``x[use]`` per group, computed as R's ``mean()`` does (NaN for an empty group).

    R sums in long double, divides, then adds the mean of the residuals. Doing the same keeps
    a value that lies exactly on the mean in decimal (0.1-grid data often does) on the mean
    here too, so it breaks a run in both implementations rather than in one only.
    """
    counts = np.add.reduceat(use.astype(np.int64), starts)
    out = np.full(starts.size, np.nan)
    used = x[use].astype(np.longdouble)
    if used.size:
        nonempty = counts > 0
        n = counts[nonempty]
        packed_starts = (np.cumsum(counts) - counts)[nonempty]
        mean = np.add.reduceat(used, packed_starts) / n
        residual = np.add.reduceat(used - np.repeat(mean, n), packed_starts)
        out[nonempty] = (mean + residual / n).astype(np.float64)
    return out


def _mean_moving_range(
    x: FloatArray, base: BoolArray, gid: IntArray, starts: IntArray, screen: bool
) -> FloatArray:
    """Mean moving range per group, optionally screening ranges >= 3.267 x their mean.

    A range is taken only between two adjacent baseline rows of one group, as R's
    ``abs(diff(fix_y))`` does.
    """
    n = x.size
    mr = np.full(n, np.nan)
    if n > 1:
        ok = base[1:] & base[:-1] & (gid[1:] == gid[:-1])
        mr[1:] = np.where(ok, np.abs(x[1:] - x[:-1]), np.nan)
    valid = ~np.isnan(mr)
    amr = _group_mean(mr, valid, starts)
    if screen:
        with np.errstate(invalid="ignore"):
            valid &= mr < _SCREEN * amr[gid]
        amr = _group_mean(mr, valid, starts)
    return amr


@dataclass(frozen=True)
class _Limits:
    centre: FloatArray
    lower: FloatArray
    upper: FloatArray
    near_lower: FloatArray
    near_upper: FloatArray


def _xmr_limits(
    y: FloatArray, gid: IntArray, starts: IntArray, fix_after: float, screen: bool
) -> _Limits:
    base = _baseline(y, gid, starts, fix_after)
    mean = _group_mean(y, base, starts)
    amr = _mean_moving_range(y, base, gid, starts, screen)
    return _Limits(
        centre=mean[gid],
        lower=(mean - _LIMIT * amr)[gid],
        upper=(mean + _LIMIT * amr)[gid],
        near_lower=(mean - _NEAR * amr)[gid],
        near_upper=(mean + _NEAR * amr)[gid],
    )


# --------------------------------------------------------------------------- assembly


def _build(
    chart: str,
    y: FloatArray,
    limits: _Limits,
    gid: IntArray,
    starts: IntArray,
    *,
    direction: int,
    improvement: str,
    target: float | None,
    run_length: int,
    periods: DateArray | None,
    extra_warnings: Sequence[str] = (),
    with_assurance: bool = True,
) -> SPCResult:
    codes = _special_cause_codes(
        y,
        limits.centre,
        limits.lower,
        limits.upper,
        limits.near_lower,
        limits.near_upper,
        gid,
        run_length,
    )
    pt = _point_type_codes(codes, direction)
    point_type = _POINT_TYPE_LABELS[pt]
    present = np.flatnonzero(~np.isnan(y))
    latest = int(present[-1]) if present.size else y.size - 1

    warnings: list[str] = []
    sizes = np.diff(np.append(starts, y.size))
    if (sizes < _SHORT_GROUP).any():
        warnings.append(SHORT_GROUP_WARNING)
    missing = y.size - present.size
    if missing:
        where = ", ".join(str(i) for i in np.flatnonzero(np.isnan(y))[:10])
        warnings.append(
            f"{missing} missing value(s) skipped (positions {where}"
            f"{', ...' if missing > 10 else ''}): left out of the limits and breaking runs"
        )
    if periods is not None:
        gap = _gap_warning(periods)
        if gap:
            warnings.append(gap)
    warnings.extend(extra_warnings)

    assurance = (
        _assurance(direction, target, float(limits.lower[-1]), float(limits.upper[-1]))
        if with_assurance
        else None
    )
    return SPCResult(
        values=y,
        mean=limits.centre,
        lpl=limits.lower,
        upl=limits.upper,
        point_type=point_type,
        special_cause_type=_labels(run_length)[codes],
        assurance=assurance,
        variation=str(point_type[latest]),
        warnings=warnings,
        periods=periods,
        rebase_group=gid,
        improvement=improvement,
        target=target,
        chart=chart,
        run_length=run_length,
    )


# --------------------------------------------------------------------------- public charts


def xmr(
    values: ValuesLike,
    *,
    improvement: Improvement | str = "increase",
    target: float | None = None,
    rebase_at: int | Sequence[int] | npt.NDArray[np.integer] = (),
    fix_after_n_points: float | None = None,
    screen_outliers: bool = True,
    periods: PeriodsLike | None = None,
    run_length: int = 7,
) -> SPCResult:
    """XmR (individuals) chart, as NHSRplotthedots ``ptd_spc`` draws it.

    ``values`` must be in time order. ``rebase_at`` holds the 0-based index of the first point
    of each new segment (each gets its own limits and its own runs). ``fix_after_n_points``
    (at least 12, as R requires) freezes the limits on the first n points of each segment.
    ``periods`` (dates, "YYYY-MM" strings or datetime64) only feed gap warnings and
    :func:`summary`. ``run_length=6`` uses 6-point trends and shifts instead of 7.
    """
    y = _values(values, "values")
    direction = _improvement(improvement)
    tgt = _target(target)
    fix_after = _fix_after(fix_after_n_points)
    k = _run_length(run_length)
    per = _parse_periods(periods, y.size)
    starts = _segment_starts(y.size, rebase_at)
    gid = _group_ids(y.size, starts)
    limits = _xmr_limits(y, gid, starts, fix_after, bool(screen_outliers))
    return _build(
        "xmr",
        y,
        limits,
        gid,
        starts,
        direction=direction,
        improvement=str(improvement),
        target=tgt,
        run_length=k,
        periods=per,
    )


def xmr_many(
    series: ArrayLike,
    values: ValuesLike,
    *,
    improvement: Improvement | str = "increase",
    target: float | Mapping[Any, float | None] | None = None,
    fix_after_n_points: float | None = None,
    screen_outliers: bool = True,
    run_length: int = 7,
) -> SPCManyResult:
    """XmR charts for many series at once, identical to calling :func:`xmr` on each.

    ``series`` labels each row; the rows of a series must be contiguous and in time order.
    ``target`` is one number for every series or a mapping from label to target. The work is
    one pass of array operations over the whole table, whatever the number of series.
    """
    y = _values(values, "values")
    labels = np.asarray(series)
    if labels.ndim != 1:
        raise ValueError(f"series must be one-dimensional, got shape {labels.shape}")
    same_length(series=labels, values=y)
    direction = _improvement(improvement)
    fix_after = _fix_after(fix_after_n_points)
    k = _run_length(run_length)
    n = y.size

    change = np.ones(n, dtype=np.bool_)
    change[1:] = np.asarray(labels[1:] != labels[:-1], dtype=np.bool_)
    starts = np.flatnonzero(change).astype(np.intp)
    keys: list[Hashable] = labels[starts].tolist()
    if len(set(keys)) != len(keys):
        raise ValueError("series: the rows of each series must be contiguous")
    gid = _group_ids(n, starts)
    ends = np.append(starts[1:], n) - 1

    limits = _xmr_limits(y, gid, starts, fix_after, bool(screen_outliers))
    codes = _special_cause_codes(
        y,
        limits.centre,
        limits.lower,
        limits.upper,
        limits.near_lower,
        limits.near_upper,
        gid,
        k,
    )
    pt = _point_type_codes(codes, direction)
    point_type = _POINT_TYPE_LABELS[pt]

    # Latest non-missing row of each series (the last row when a series is all missing).
    rows = np.where(np.isnan(y), -1, np.arange(n))
    latest = np.maximum.reduceat(rows, starts)
    latest = np.where(latest < 0, ends, latest)
    variation = dict(zip(keys, point_type[latest].tolist(), strict=True))

    if isinstance(target, Mapping):
        targets = [_target(target.get(key)) for key in keys]
    else:
        targets = [_target(target)] * len(keys)
    if direction == 0 or all(t is None for t in targets):
        assurance: dict[Hashable, str | None] = dict.fromkeys(keys)
    else:
        tgt = np.array([np.nan if t is None else t for t in targets])
        lo, hi = limits.lower[ends], limits.upper[ends]
        fail, pass_ = "consistent_fail", "consistent_pass"
        verdict = np.select(
            [tgt > hi, tgt < lo],
            [fail if direction > 0 else pass_, pass_ if direction > 0 else fail],
            "inconsistent",
        ).astype(object)
        verdict[np.isnan(tgt)] = None
        assurance = dict(zip(keys, verdict.tolist(), strict=True))

    warnings: list[str] = []
    short = int((np.diff(np.append(starts, n)) < _SHORT_GROUP).sum())
    if short:
        warnings.append(f"{short} series: {SHORT_GROUP_WARNING}")
    missing = int(np.isnan(y).sum())
    if missing:
        warnings.append(
            f"{missing} missing value(s) skipped: left out of the limits and breaking runs"
        )
    return SPCManyResult(
        series=labels,
        values=y,
        mean=limits.centre,
        lpl=limits.lower,
        upl=limits.upper,
        point_type=point_type,
        special_cause_type=_labels(k)[codes],
        assurance=assurance,
        variation=variation,
        warnings=warnings,
    )


def _laney(
    chart: str,
    numerators: ValuesLike,
    denominators: ValuesLike,
    *,
    improvement: str,
    target: float | None,
    rebase_at: int | Sequence[int] | npt.NDArray[np.integer],
    fix_after_n_points: float | None,
    screen_outliers: bool,
    periods: PeriodsLike | None,
    run_length: int,
    multiplier: float,
) -> SPCResult:
    x = _values(numerators, "numerators")
    d = _values(denominators, "denominators")
    same_length(numerators=x, denominators=d)
    non_negative(x, name="numerators")
    non_negative(d, name="denominators")
    if chart == "p_prime" and np.any(x > d):
        raise ValueError("numerators must not exceed denominators for proportions")
    direction = _improvement(improvement)
    tgt = _target(target)
    fix_after = _fix_after(fix_after_n_points)
    k = _run_length(run_length)
    mult = float(multiplier)
    if not (np.isfinite(mult) and mult > 0):
        raise ValueError(f"multiplier must be a positive number, got {multiplier!r}")
    per = _parse_periods(periods, x.size)
    starts = _segment_starts(x.size, rebase_at)
    gid = _group_ids(x.size, starts)

    extra: list[str] = []
    zero = d == 0
    if zero.any():
        extra.append(f"{int(zero.sum())} point(s) with a zero denominator treated as missing")
    usable = ~(np.isnan(x) | np.isnan(d) | zero)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(usable, x / d, np.nan)
        base = _baseline(p, gid, starts, fix_after)
        bar = (_group_sum(x, base, starts) / _group_sum(d, base, starts))[gid]
        var = bar * (1 - bar) if chart == "p_prime" else bar
        sigma = np.sqrt(var / np.where(usable, d, np.nan))
        # Where the binomial/Poisson sigma is zero (p_bar of 0 or 1) every point sits on the
        # centre line: z is 0 and the limits collapse onto p_bar.
        z = np.where(sigma > 0, (p - bar) / sigma, np.where(usable, 0.0, np.nan))
        sigma_z = _mean_moving_range(z, base, gid, starts, bool(screen_outliers))[gid] / _D2
        half = 3 * sigma * sigma_z
        near = 2 * sigma * sigma_z
    upper_cap = 1.0 if chart == "p_prime" else np.inf
    limits = _Limits(
        centre=bar * mult,
        lower=np.maximum(bar - half, 0.0) * mult,
        upper=np.minimum(bar + half, upper_cap) * mult,
        near_lower=(bar - near) * mult,
        near_upper=(bar + near) * mult,
    )
    return _build(
        chart,
        p * mult,
        limits,
        gid,
        starts,
        direction=direction,
        improvement=str(improvement),
        target=tgt,
        run_length=k,
        periods=per,
        extra_warnings=extra,
    )


def p_prime(
    numerators: ValuesLike,
    denominators: ValuesLike,
    *,
    improvement: Improvement | str = "increase",
    target: float | None = None,
    rebase_at: int | Sequence[int] | npt.NDArray[np.integer] = (),
    fix_after_n_points: float | None = None,
    screen_outliers: bool = False,
    periods: PeriodsLike | None = None,
    run_length: int = 7,
    multiplier: float = 1.0,
) -> SPCResult:
    """Laney p' chart for proportions with large, varying denominators.

    p_bar = sum(x) / sum(n) over the baseline; sigma_i = sqrt(p_bar (1 - p_bar) / n_i);
    z_i = (p_i - p_bar) / sigma_i; sigma_z = mean moving range of z / 1.128; limits
    p_bar +/- 3 sigma_i sigma_z, clipped to [0, 1]. sigma_z corrects the binomial
    limits for overdispersion, which otherwise flag nearly every point once denominators are
    in the thousands. Moving ranges are not screened by default (Laney's method);
    ``screen_outliers=True`` applies the XmR screening to the z moving ranges. ``multiplier``
    scales values, centre and limits (100 for percentages); ``target`` is on that scale.
    A zero denominator makes the point missing.
    """
    return _laney(
        "p_prime",
        numerators,
        denominators,
        improvement=improvement,
        target=target,
        rebase_at=rebase_at,
        fix_after_n_points=fix_after_n_points,
        screen_outliers=screen_outliers,
        periods=periods,
        run_length=run_length,
        multiplier=multiplier,
    )


def u_prime(
    numerators: ValuesLike,
    denominators: ValuesLike,
    *,
    improvement: Improvement | str = "increase",
    target: float | None = None,
    rebase_at: int | Sequence[int] | npt.NDArray[np.integer] = (),
    fix_after_n_points: float | None = None,
    screen_outliers: bool = False,
    periods: PeriodsLike | None = None,
    run_length: int = 7,
    multiplier: float = 1.0,
) -> SPCResult:
    """Laney u' chart for rates (events per unit of exposure) with varying exposure.

    As :func:`p_prime` with u_bar = sum(x) / sum(n) and sigma_i = sqrt(u_bar / n_i); the lower
    limit is clipped at 0.
    """
    return _laney(
        "u_prime",
        numerators,
        denominators,
        improvement=improvement,
        target=target,
        rebase_at=rebase_at,
        fix_after_n_points=fix_after_n_points,
        screen_outliers=screen_outliers,
        periods=periods,
        run_length=run_length,
        multiplier=multiplier,
    )


def c_chart(
    counts: ValuesLike,
    *,
    improvement: Improvement | str = "increase",
    target: float | None = None,
    rebase_at: int | Sequence[int] | npt.NDArray[np.integer] = (),
    fix_after_n_points: float | None = None,
    periods: PeriodsLike | None = None,
    run_length: int = 7,
) -> SPCResult:
    """c chart for counts of events in equal areas of opportunity (e.g. falls per month).

    Limits c_bar +/- 3 sqrt(c_bar) (Poisson), the lower clipped at 0; "close to a limit" is
    beyond c_bar +/- 2 sqrt(c_bar).
    Prefer :func:`xmr` when counts are overdispersed, which the c chart does not allow for.
    """
    y = _values(counts, "counts")
    non_negative(y, name="counts")
    direction = _improvement(improvement)
    tgt = _target(target)
    fix_after = _fix_after(fix_after_n_points)
    k = _run_length(run_length)
    per = _parse_periods(periods, y.size)
    starts = _segment_starts(y.size, rebase_at)
    gid = _group_ids(y.size, starts)
    base = _baseline(y, gid, starts, fix_after)
    cbar = _group_mean(y, base, starts)
    sd = np.sqrt(cbar)
    limits = _Limits(
        centre=cbar[gid],
        lower=np.maximum(cbar - 3 * sd, 0.0)[gid],
        upper=(cbar + 3 * sd)[gid],
        near_lower=(cbar - 2 * sd)[gid],
        near_upper=(cbar + 2 * sd)[gid],
    )
    return _build(
        "c_chart",
        y,
        limits,
        gid,
        starts,
        direction=direction,
        improvement=str(improvement),
        target=tgt,
        run_length=k,
        periods=per,
    )


def run_chart(
    values: ValuesLike,
    *,
    improvement: Improvement | str = "increase",
    rebase_at: int | Sequence[int] | npt.NDArray[np.integer] = (),
    fix_after_n_points: float | None = None,
    periods: PeriodsLike | None = None,
    run_length: int = 7,
) -> SPCResult:
    """Run chart: median centre line, shift and trend rules only, no limits (NaN).

    For short series or when limits are not trusted yet. Uses the XmR rule engine, so a point
    on the median breaks a shift (as a point on the mean does in R). No assurance: without
    limits there is nothing to compare a target with.
    """
    y = _values(values, "values")
    direction = _improvement(improvement)
    fix_after = _fix_after(fix_after_n_points)
    k = _run_length(run_length)
    per = _parse_periods(periods, y.size)
    starts = _segment_starts(y.size, rebase_at)
    gid = _group_ids(y.size, starts)
    base = _baseline(y, gid, starts, fix_after)
    medians = np.array(
        [
            np.median(seg[ok]) if ok.any() else np.nan
            for seg, ok in zip(np.split(y, starts[1:]), np.split(base, starts[1:]), strict=True)
        ]
    )
    nan = np.full(y.size, np.nan)
    limits = _Limits(medians[gid], nan, nan, nan, nan)
    return _build(
        "run_chart",
        y,
        limits,
        gid,
        starts,
        direction=direction,
        improvement=str(improvement),
        target=None,
        run_length=k,
        periods=per,
        with_assurance=False,
    )


# --------------------------------------------------------------------------- summary


def variation_icon(point_type: str, special_cause_type: str) -> str:
    """The variation icon name of one point: ``common_cause`` or, for a special cause, its
    type and side (``special_cause_concern_high`` …), the side read from the reason."""
    if point_type == "common_cause":
        return "common_cause"
    if point_type.startswith("special_cause_neutral"):
        return point_type
    high = "Above" in special_cause_type or "Increasing" in special_cause_type
    return f"{point_type}_{'high' if high else 'low'}"


def summary(result: SPCResult, periods: PeriodsLike | None = None) -> tuple[str, str]:
    """Variation icon name and one plain-English sentence about the latest point.

    Icons: ``common_cause``, ``special_cause_improvement_high``/``_low``,
    ``special_cause_concern_high``/``_low``, ``special_cause_neutral_high``/``_low``.
    ``periods`` (or the result's own) name the month the signal started, e.g.
    "Special cause concern: 7 points above the mean since March 2026."
    """
    per = _parse_periods(periods, len(result)) if periods is not None else result.periods
    y = result.values
    present = np.flatnonzero(~np.isnan(y))
    if present.size == 0:
        return "common_cause", "No data to chart yet."
    last = int(present[-1])
    variation = str(result.point_type[last])
    label = str(result.special_cause_type[last])
    high = "Above" in label or "Increasing" in label
    centre = "median" if result.chart == "run_chart" else "mean"
    # The stretch a run can lie in: the latest segment, after its last missing value.
    rows = np.flatnonzero(result.rebase_group[: last + 1] == result.rebase_group[last])
    gaps = rows[np.isnan(y[rows])]
    seg = rows[rows > gaps[-1]] if gaps.size else rows

    def since(i: int) -> str:
        return _format_period(per, i) if per is not None else f"point {i + 1}"

    def run_start(ok: BoolArray) -> int:
        """First index of the run of consecutive ``ok`` points that ends at the latest."""
        broken = np.flatnonzero(~ok)
        first = broken[-1] + 1 if broken.size else 0
        return int(first)

    if variation == "common_cause":
        icon = "common_cause"
        text = f"Common cause variation: no significant change in the latest point ({since(last)})"
    else:
        icon = variation_icon(variation, label)
        prefix = {
            "special_cause_improvement": "Special cause improvement",
            "special_cause_concern": "Special cause concern",
        }.get(variation, "Special cause variation")
        if label in ("Above UCL", "Below LCL"):
            limit = "upper" if high else "lower"
            where = "above" if high else "below"
            detail = f"the latest point ({since(last)}) is {where} the {limit} process limit"
        elif "Trend" in label:
            steps = np.sign(np.diff(y[seg]))
            first = run_start(steps == (1 if high else -1))
            count = seg.size - first
            detail = f"{count} points {'rising' if high else 'falling'} since {since(seg[first])}"
        elif label.startswith("2 in 3"):
            limit = "upper" if high else "lower"
            detail = f"2 of the latest 3 points are close to the {limit} process limit"
            detail += f" ({since(last)})"
        else:
            sign = np.sign(y[seg] - result.mean[seg])
            first = run_start(sign == (1 if high else -1))
            count = seg.size - first
            where = "above" if high else "below"
            detail = f"{count} points {where} the {centre} since {since(seg[first])}"
        text = f"{prefix}: {detail}"
    if result.assurance is not None:
        text += f"; {_ASSURANCE_TEXT[result.assurance]} (target {result.target:g})"
    return icon, text + "."
