"""Charts for rare events: the g chart (events between) and the t chart (time between).

When events are rare (Never Events, a ward's falls with severe harm, a mean below about 1.5 a
month) an XmR chart of monthly counts degenerates: most months are 0, the mean moving range is
tiny, and the first event after a quiet spell is "above the upper limit" whatever the process.
Charting the gaps between events instead keeps the information the counts lose.

* :func:`g_chart` (Benneyan, "Number-between g-type statistical quality control charts for
  monitoring adverse events", Health Care Management Science 4, 305–318, 2001): the number of
  opportunities between consecutive events follows a geometric distribution, so with mean
  g_bar the limits are g_bar +/- 3 sqrt(g_bar (g_bar + 1)), the lower clipped at 0. Only a point
  beyond a limit signals: the geometric distribution is so skewed (about 60 % of gaps fall
  below the mean) that runs about the mean would alarm on a stable process.
* :func:`gaps_from_counts` turns monthly counts into the g chart's input with the month as the
  opportunity: the number of whole months without an event before each event.
* :func:`t_chart` (Provost and Murray, The Health Care Data Guide, 2011, chapter 7; Nelson's
  transformation, Journal of Quality Technology 26, 1994): times between events are
  transformed by y = t ** (1 / 3.6), which makes exponential times nearly symmetric, charted as
  an XmR (mean +/- 2.66 x mean moving range, no screening) with the usual run rules, and the
  centre and limits transformed back (the lower limit clipped at 0 first).

No reference case from an R package exists for these, so the tests check hand-worked values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from . import spc
from ._validate import FloatArray, non_negative

__all__ = ["NELSON_POWER", "Gaps", "g_chart", "gaps_from_counts", "t_chart"]

RebaseLike: TypeAlias = int | Sequence[int] | npt.NDArray[np.integer]

NELSON_POWER = 3.6
"""t ** (1 / 3.6) makes exponential (and Weibull) times between events nearly normal."""


@dataclass(frozen=True)
class Gaps:
    """Months without an event before each event, from monthly counts.

    ``gaps[j]`` belongs to event ``j``; ``month_of[j]`` is the position of the month it happened
    in. ``since_last`` is the open stretch: months since the month of the latest event (or since
    the series began, without any event), which is not a point on the chart because it has
    not ended yet.
    """

    gaps: FloatArray
    month_of: np.ndarray
    since_last: int


def gaps_from_counts(counts: spc.ValuesLike) -> Gaps:
    """Each event's gap: the whole months with no event between it and the event before.

    The first event's gap counts the months from the start of the series. Several events in
    one month: the first takes the gap, the others 0. Counts must be whole numbers, at least
    0, with no month missing (a missing month is not the same as a month without events).
    """
    c = spc._values(counts, "counts")
    if np.isnan(c).any():
        raise ValueError("counts must not have missing months: say 0 for a month without events")
    non_negative(c, name="counts")
    if not np.all(c == np.round(c)):
        raise ValueError("counts must be whole numbers")
    gaps: list[float] = []
    month_of: list[int] = []
    quiet = 0
    for i, k in enumerate(c.astype(np.int64).tolist()):
        if k == 0:
            quiet += 1
            continue
        gaps.extend([float(quiet)] + [0.0] * (k - 1))
        month_of.extend([i] * k)
        quiet = 0
    return Gaps(np.asarray(gaps, dtype=float), np.asarray(month_of, dtype=np.intp), quiet)


def g_chart(
    gaps: spc.ValuesLike,
    *,
    improvement: spc.Improvement | str = "increase",
    rebase_at: RebaseLike = (),
) -> spc.SPCResult:
    """g chart of the opportunities between events (Benneyan 2001).

    ``improvement`` is about the gaps: "increase" when the events are harm (a longer gap is
    better). Limits per rebase segment: g_bar +/- 3 sqrt(g_bar (g_bar + 1)), the lower clipped
    at 0; a point beyond a limit is the only special cause. No assurance: a target for the gap
    between events is not something Making Data Count asks for.
    """
    y = spc._values(gaps, "gaps")
    non_negative(y, name="gaps")
    direction = spc._improvement(improvement)
    starts = spc._segment_starts(y.size, rebase_at)
    gid = spc._group_ids(y.size, starts)
    base = ~np.isnan(y)
    gbar = spc._group_mean(y, base, starts)
    sd = np.sqrt(gbar * (gbar + 1))
    nan = np.full(y.size, np.nan)
    limits = spc._Limits(
        centre=gbar[gid],
        lower=np.maximum(gbar - 3 * sd, 0.0)[gid],
        upper=(gbar + 3 * sd)[gid],
        near_lower=nan,
        near_upper=nan,
    )
    result = spc._build(
        "g_chart",
        y,
        limits,
        gid,
        starts,
        direction=direction,
        improvement=str(improvement),
        target=None,
        run_length=2,
        periods=None,
        with_assurance=False,
    )
    # Limits only: clear what the run and trend rules found (see the module's docstring).
    outside = np.isin(result.special_cause_type, ("Above UCL", "Below LCL"))
    point_type = np.where(outside, result.point_type, "common_cause").astype(object)
    reasons = np.where(outside, result.special_cause_type, "Common Cause").astype(object)
    present = np.flatnonzero(~np.isnan(y))
    latest = int(present[-1]) if present.size else y.size - 1
    return spc.SPCResult(
        values=result.values,
        mean=result.mean,
        lpl=result.lpl,
        upl=result.upl,
        point_type=point_type,
        special_cause_type=reasons,
        assurance=None,
        variation=str(point_type[latest]) if y.size else "common_cause",
        warnings=[w for w in result.warnings if w != spc.SHORT_GROUP_WARNING],
        periods=None,
        rebase_group=result.rebase_group,
        improvement=result.improvement,
        target=None,
        chart="g_chart",
        run_length=result.run_length,
    )


def t_chart(
    times: spc.ValuesLike,
    *,
    improvement: spc.Improvement | str = "increase",
    rebase_at: RebaseLike = (),
    run_length: int = 7,
) -> spc.SPCResult:
    """t chart of the times between events (Provost and Murray 2011, Nelson 1994).

    XmR rules on y = t ** (1 / 3.6), without screening moving ranges; values are the times
    as given, centre and limits transformed back (the lower limit clipped at 0 first). The
    transformation is monotone, so a point is beyond a limit, or part of a run, on both
    scales alike.
    """
    t = spc._values(times, "times")
    non_negative(t, name="times")
    direction = spc._improvement(improvement)
    k = spc._run_length(run_length)
    starts = spc._segment_starts(t.size, rebase_at)
    gid = spc._group_ids(t.size, starts)
    y = t ** (1 / NELSON_POWER)
    lim = spc._xmr_limits(y, gid, starts, np.inf, False)
    result = spc._build(
        "t_chart",
        y,
        lim,
        gid,
        starts,
        direction=direction,
        improvement=str(improvement),
        target=None,
        run_length=k,
        periods=None,
        with_assurance=False,
    )
    back = NELSON_POWER
    return spc.SPCResult(
        values=t,
        mean=lim.centre**back,
        lpl=np.maximum(lim.lower, 0.0) ** back,
        upl=lim.upper**back,
        point_type=result.point_type,
        special_cause_type=result.special_cause_type,
        assurance=None,
        variation=result.variation,
        warnings=result.warnings,
        periods=None,
        rebase_group=result.rebase_group,
        improvement=result.improvement,
        target=None,
        chart="t_chart",
        run_length=k,
    )
