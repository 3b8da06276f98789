"""Slope and relative indices of inequality (SII, RII) across deprivation quantiles.

Follows ``phe_sii`` in PHEindicatormethods 2.1.0 (Low & Low 2004). Each quantile (e.g. IMD
decile, ordered from most to least deprived) gets a relative rank: the midpoint of its share of
the cumulative population. A population-weighted regression of the indicator on that rank gives

* the SII, the fitted difference between the two ends of the deprivation scale (rank 1 minus
  rank 0), in the indicator's units (times ``multiplier``);
* the RII, the ratio of the fitted values at the two ends;
* the intercept, the fitted value at rank 0.

Rates and proportions can be log/logit transformed before fitting (``transform=True``), which
the reference recommends because such indicators are rarely linear in rank; results are
transformed back to the indicator's units. Confidence limits come from simulation: each
quantile's value is redrawn from a normal distribution with its standard error (on the log/logit
scale for rates/proportions) and the regression refitted ``repetitions`` times; the limits are
order statistics of the simulated SIIs and RIIs, picked at the positions R uses. The draws come
from a numpy Generator, so a ``seed`` makes the limits reproducible; they will not equal R's
(R's random numbers differ), but the point estimates agree with R exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from caresignals.stats import _validate
from caresignals.stats._validate import ArrayLike, FloatArray
from caresignals.stats.intervals import Values, group_codes

__all__ = ["SIIResult", "sii"]

ValueType = Literal["normal", "rate", "proportion"]
_VALUE_TYPES: dict[object, ValueType] = {
    "normal": "normal",
    "rate": "rate",
    "proportion": "proportion",
    0: "normal",
    1: "rate",
    2: "proportion",
}
#: The reference derives standard errors from 95 % limits whatever ``confidence`` is.
_Z95 = float(special.ndtri(0.975))
#: Simulated values are processed in blocks of about this many numbers to bound memory.
_BLOCK = 1 << 20


@dataclass(frozen=True, eq=False)
class SIIResult:
    """SII, RII and intercept with simulated confidence limits for the SII and RII."""

    sii: Values
    rii: Values
    intercept: Values
    sii_lower: Values
    sii_upper: Values
    rii_lower: Values
    rii_upper: Values
    group: npt.NDArray[Any] | None = None


def _logit(p: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.log(p / (1 - p))
    return out


def _expit(t: FloatArray) -> FloatArray:
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(t)
        out: FloatArray = e / (1 + e)
    return out


def _log(v: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.log(v)
    return out


def _exp(t: FloatArray) -> FloatArray:
    with np.errstate(over="ignore"):
        out: FloatArray = np.exp(t)
    return out


def _identity(v: FloatArray) -> FloatArray:
    return v


_Scale = tuple[Callable[[FloatArray], FloatArray], Callable[[FloatArray], FloatArray]]
_SCALES: dict[ValueType, _Scale] = {
    "normal": (_identity, _identity),
    "rate": (_log, _exp),
    "proportion": (_logit, _expit),
}


def sii(
    quantile: ArrayLike,
    population: ArrayLike,
    value: ArrayLike | None = None,
    *,
    value_type: ValueType | int = "normal",
    se: ArrayLike | None = None,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    x: ArrayLike | None = None,
    multiplier: float = 1,
    transform: bool = False,
    confidence: float = 0.95,
    repetitions: int = 100000,
    seed: int | np.random.Generator | None = None,
    group: ArrayLike | None = None,
) -> SIIResult:
    """Slope and relative index of inequality for one area (or one per ``group``).

    One row per quantile: its label (ranked low to high, e.g. decile 1 = most deprived),
    population and indicator ``value``. Uncertainty comes from ``se`` or, failing that, from
    95 % limits ``lower``/``upper`` (se = (upper - lower) / (2 * 1.96), taken on the log scale
    for rates and logit scale for proportions, as the reference does; a supplied ``se`` is used
    on that scale too). For proportions, ``x`` (counts) may replace ``value`` (x / population).

    ``value_type`` is "normal", "rate" or "proportion" (or R's 0, 1, 2). ``transform=True``
    fits rates on the log scale and proportions on the logit scale (limits required, not se).
    ``multiplier`` scales the SII (e.g. 100 for percentages); a negative one reverses the
    polarity, inverting the RII. ``repetitions=0`` skips the simulation (NaN limits).

    With ``group``, results are arrays with one entry per group (order of first appearance);
    a group missing any quantile that other groups have gets NaN, as R drops such areas.
    """
    kind = _VALUE_TYPES.get(value_type if isinstance(value_type, str | int) else None)
    if kind is None:
        raise ValueError(
            f"value_type must be 'normal', 'rate' or 'proportion' (or 0, 1, 2), got {value_type!r}"
        )
    level = _validate.confidence_level(confidence)
    if isinstance(repetitions, bool) or int(repetitions) != repetitions or repetitions < 0:
        raise ValueError(f"repetitions must be a non-negative whole number, got {repetitions!r}")
    repetitions = int(repetitions)
    if transform and kind == "normal":
        raise ValueError("transform needs value_type 'rate' or 'proportion'")
    if transform and se is not None:
        raise ValueError("transform needs lower and upper limits, not se")

    q = _validate.as_float_array(quantile, name="quantile")
    pop = _validate.as_float_array(population, name="population")
    _validate.same_length(quantile=q, population=pop)
    if np.any(np.isnan(q)):
        raise ValueError("quantile must not have missing values")
    if np.any(~(pop > 0)):
        raise ValueError("population must be greater than zero for every quantile")

    # indicator values
    if value is not None:
        val = _validate.as_float_array(value, name="value")
        _validate.same_length(quantile=q, value=val)
    elif x is not None and kind == "proportion":
        xa = _validate.as_float_array(x, name="x")
        _validate.same_length(quantile=q, x=xa)
        if np.any(~(xa > 0)):
            raise ValueError("x must be greater than zero for every quantile")
        if np.any(xa > pop):
            raise ValueError("x must not be greater than population")
        val = xa / pop
    else:
        raise ValueError("value is required (or x with value_type='proportion')")
    if np.any(np.isnan(val)):
        raise ValueError("value must not have missing values")
    if kind == "proportion" and np.any((val < 0) | (val > 1)):
        raise ValueError("value must be a proportion between 0 and 1")
    if kind == "rate" and np.any(val < 0):
        raise ValueError("value must not be negative for a rate")

    # standard errors on the fitting scale
    to_scale, from_scale = _SCALES[kind]
    if se is not None:
        se_t = _validate.as_float_array(se, name="se")
        _validate.same_length(quantile=q, se=se_t)
        if np.any(~(se_t >= 0)):
            raise ValueError("se must be zero or more, with no missing values")
    elif lower is not None and upper is not None:
        lo = _validate.as_float_array(lower, name="lower")
        hi = _validate.as_float_array(upper, name="upper")
        _validate.same_length(quantile=q, lower=lo, upper=hi)
        if np.any(np.isnan(lo) | np.isnan(hi)):
            raise ValueError("lower and upper must not have missing values")
        if kind == "proportion" and np.any((lo < 0) | (lo > 1) | (hi < 0) | (hi > 1)):
            raise ValueError("lower and upper must be proportions between 0 and 1")
        se_t = (to_scale(hi) - to_scale(lo)) / _Z95 / 2
    else:
        raise ValueError("sii needs se, or both lower and upper")

    if group is None:
        codes = np.zeros(q.size, dtype=np.intp)
        labels = None
        size = 1
    else:
        codes, labels = group_codes(group)
        _validate.same_length(quantile=q, group=codes)
        size = int(labels.size)

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    all_quantiles = np.unique(q)
    out = np.full((7, size), np.nan)
    for g in range(size):
        rows = np.flatnonzero(codes == g)
        rows = rows[np.argsort(q[rows], kind="stable")]
        if np.unique(q[rows]).size != rows.size:
            raise ValueError("each quantile must appear once (per group)")
        if rows.size < 2:
            raise ValueError("sii needs at least two quantiles")
        if group is not None and rows.size != all_quantiles.size:
            continue  # incomplete area: undefined, as R drops it
        out[:, g] = _one_area(
            pop[rows],
            to_scale(val[rows]),
            se_t[rows],
            from_scale,
            transform=transform,
            multiplier=float(multiplier),
            level=level,
            repetitions=repetitions,
            rng=rng,
        )

    def pick(i: int) -> Values:
        return float(out[i, 0]) if labels is None else out[i]

    return SIIResult(
        sii=pick(0),
        rii=pick(1),
        intercept=pick(2),
        sii_lower=pick(3),
        sii_upper=pick(4),
        rii_lower=pick(5),
        rii_upper=pick(6),
        group=labels,
    )


def _ranks(pop: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Population shares and relative ranks (midpoints of the cumulative shares)."""
    share = pop / pop.sum()
    cum = np.cumsum(share)
    rank = share / 2
    rank[1:] += cum[:-1]
    return share, rank


def _one_area(
    pop: FloatArray,
    t: FloatArray,
    se: FloatArray,
    from_scale: Callable[[FloatArray], FloatArray],
    *,
    transform: bool,
    multiplier: float,
    level: float,
    repetitions: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Point estimates and limits for one area; ``t`` is on the log/logit scale if any."""
    share, rank = _ranks(pop)
    sqrt_a = np.sqrt(share)
    design = np.column_stack((sqrt_a, rank * sqrt_a))
    # (X'X)^-1 X': maps population-weighted values to (intercept, slope)
    solver = np.linalg.solve(design.T @ design, design.T)
    y = t if transform else from_scale(t)
    intercept, slope = np.linalg.lstsq(design, sqrt_a * y, rcond=None)[0]

    res = np.full(7, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if transform:
            y0, y1 = from_scale(np.array([intercept, intercept + slope]))
            res[0] = (y1 - y0) * multiplier
            res[1] = y0 / y1 if multiplier < 0 else y1 / y0
            res[2] = y0 * abs(multiplier)
        else:
            res[0] = multiplier * slope
            rii = (intercept + slope) / intercept
            res[1] = 1 / rii if multiplier < 0 else rii
            res[2] = intercept

    if repetitions == 0:
        return res
    slopes, intercepts = _simulate(t, se, sqrt_a, solver, from_scale, transform, repetitions, rng)
    centre = 1 - (1 - level) / 2
    pos = np.array([round(repetitions * (1 - centre)), round(repetitions * centre)])
    pos = np.clip(pos, 1, repetitions) - 1  # R's 1-based order statistics

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if not transform:
            sims = np.sort(slopes * multiplier)
            res[3], res[4] = sims[pos]
            rii_sims = (slopes + intercepts) / intercepts
            if multiplier < 0:
                rii_sims = 1 / rii_sims
            rii_sims.sort()
            res[5], res[6] = rii_sims[pos]
        else:
            lo, hi = np.sort(slopes)[pos]
            mid = intercept + slope / 2  # the fitted value at rank 1/2
            ends = from_scale(np.array([mid - lo / 2, mid + lo / 2, mid - hi / 2, mid + hi / 2]))
            sii_lo = (ends[1] - ends[0]) * multiplier
            sii_hi = (ends[3] - ends[2]) * multiplier
            rii_lo = ends[1] / ends[0]
            rii_hi = ends[3] / ends[2]
            if multiplier < 0:
                sii_lo, sii_hi = sii_hi, sii_lo
                rii_lo, rii_hi = 1 / rii_hi, 1 / rii_lo
            res[3], res[4], res[5], res[6] = sii_lo, sii_hi, rii_lo, rii_hi
    return res


def _simulate(
    t: FloatArray,
    se: FloatArray,
    sqrt_a: FloatArray,
    solver: FloatArray,
    from_scale: Callable[[FloatArray], FloatArray],
    transform: bool,
    repetitions: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray]:
    """Refit the regression to ``repetitions`` redraws of the values; (slopes, intercepts).

    Draws are made in row blocks; a Generator fills arrays in order, so the result does not
    depend on the block size.
    """
    k = t.size
    weights = (solver * sqrt_a).T  # (k, 2)
    slopes = np.empty(repetitions)
    intercepts = np.empty(repetitions)
    step = max(1, _BLOCK // k)
    for start in range(0, repetitions, step):
        stop = min(start + step, repetitions)
        draws = rng.standard_normal((stop - start, k)) * se + t
        if not transform:
            draws = from_scale(draws)
        params = draws @ weights
        intercepts[start:stop] = params[:, 0]
        slopes[start:stop] = params[:, 1]
    return slopes, intercepts
