"""Monthly series of an indicator for an organisation, and their SPC (Making Data Count).

Every number comes from `caresignals.stats`: this module only assembles the series (one value
per month, missing months kept as gaps so the rules see them) and chooses the chart's options
from the indicator's definition.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from caresignals.core.periods import Month
from caresignals.measures.models import ChartAnnotation, Indicator, Polarity, Unit
from caresignals.measures.numerators import rules
from caresignals.organisations.models import Organisation
from caresignals.stats import rare, spc

IMPROVEMENT = {
    Polarity.HIGHER_IS_BETTER: "increase",
    Polarity.LOWER_IS_BETTER: "decrease",
    Polarity.NEUTRAL: "neutral",
}


def value_of(indicator: Indicator, numerator: float, denominator: float | None) -> float:
    """numerator / denominator × multiplier (docs/import-formats.md); a count is its
    numerator × multiplier. NaN when a denominator is needed and is missing or zero."""
    if denominator is None:
        return numerator * indicator.multiplier if indicator.unit == Unit.COUNT else math.nan
    if denominator == 0:
        return math.nan
    return numerator / denominator * indicator.multiplier


@dataclass(frozen=True)
class Series:
    organisation: Organisation
    indicator: Indicator
    periods: list[dt.date]
    values: list[float]
    numerators: list[float | None]
    denominators: list[float | None]
    # Months from which a person recorded that the process changed (ChartAnnotation).
    rebases: tuple[dt.date, ...] = ()

    @property
    def rebase_at(self) -> list[int]:
        """Positions of the rebases within the series (those inside its span)."""
        index = {p: i for i, p in enumerate(self.periods)}
        return sorted(index[p] for p in self.rebases if p in index and index[p] > 0)

    @property
    def is_empty(self) -> bool:
        return not any(not math.isnan(v) for v in self.values)


def monthly_series(values: Any, organisation: Organisation, indicator: Indicator) -> Series:
    """The whole-population series from `values` (a MeasureValue queryset already scoped to
    the user), every month from the first to the last, gaps as NaN."""
    rows = list(
        values.filter(organisation=organisation, indicator=indicator, stratum_type="")
        .order_by("period")
        .values_list("period", "numerator", "denominator")
    )
    if not rows:
        return Series(organisation, indicator, [], [], [], [])
    by_month = {p: (n, d) for p, n, d in rows}
    periods = [m.first_day for m in Month.range(Month.of(rows[0][0]), Month.of(rows[-1][0]))]
    numerators = [by_month.get(p, (None, None))[0] for p in periods]
    denominators = [by_month.get(p, (None, None))[1] for p in periods]
    series_values = [
        value_of(indicator, n, d) if n is not None else math.nan
        for n, d in zip(numerators, denominators, strict=True)
    ]
    rebases = tuple(
        ChartAnnotation.objects.filter(organisation=organisation, indicator=indicator)
        .order_by("period")
        .values_list("period", flat=True)
    )
    return Series(
        organisation, indicator, periods, series_values, numerators, denominators, rebases
    )


def rebases_for(
    organisation_ids: Any, indicator_ids: Any
) -> dict[tuple[int, int], tuple[dt.date, ...]]:
    """Recorded rebases of many series at once, keyed by (organisation id, indicator id)."""
    found: dict[tuple[int, int], list[dt.date]] = {}
    rows = ChartAnnotation.objects.filter(
        organisation_id__in=organisation_ids, indicator_id__in=indicator_ids
    ).values_list("organisation_id", "indicator_id", "period")
    for org_id, ind_id, period in rows.order_by("period"):
        found.setdefault((org_id, ind_id), []).append(period)
    return {k: tuple(v) for k, v in found.items()}


def spc_for(series: Series) -> spc.SPCResult:
    """The XmR chart of a series, with the indicator's direction and target, its assurance
    judged as :func:`judge_assurance` says."""
    result = spc.xmr(
        series.values,
        rebase_at=series.rebase_at,
        improvement=IMPROVEMENT[Polarity(series.indicator.polarity)],
        target=series.indicator.target,
        periods=series.periods,
    )
    return judge_assurance(series, result)


def bounds_for(indicator: Indicator) -> tuple[float | None, float | None]:
    """What the measure can possibly be: counts and rates are never below 0, proportions
    never above the whole (100 % with a multiplier of 100). A mean may be anything."""
    if indicator.unit == Unit.PROPORTION:
        return 0.0, float(indicator.multiplier)
    if indicator.unit in (Unit.COUNT, Unit.RATE):
        return 0.0, None
    return None, None


def aims_for_zero(indicator: Indicator) -> bool:
    """A target of 0 for something fewer of is better and that cannot go below 0."""
    return (
        indicator.target == 0
        and bounds_for(indicator)[0] == 0
        and indicator.polarity == Polarity.LOWER_IS_BETTER
    )


def zero_is_the_aim(indicator: Indicator, result: spc.SPCResult) -> bool:
    """A target of 0 for something that cannot go below 0, where the process already touches
    0: every value is 0, or the lower limit reaches it. Then the target says "none is the aim"
    (each one is looked into), not something a process's limits can be judged against."""
    if not aims_for_zero(indicator) or len(result) == 0:
        return False
    values = result.values[~np.isnan(result.values)]
    lower = float(result.lpl[-1])
    return bool(values.size and (values == 0).all()) or not lower > 0


def zero_aim(indicator: Indicator, values: Any, lower: float, start: int = 0) -> bool:
    """:func:`zero_is_the_aim` or a rare count (whose XmR limits collapse, so they say nothing
    about reaching 0), from the values and the latest lower limit: for callers that chart many
    series at once (the system matrix)."""
    if not aims_for_zero(indicator):
        return False
    y = np.asarray(values, dtype=float)
    present = y[~np.isnan(y)]
    if not present.size:
        return False
    return bool((present == 0).all()) or not lower > 0 or rare_values(indicator, y, start)


def zero_aim_for(series: Series, result: spc.SPCResult) -> bool:
    """Zero is the aim for this chart (:func:`zero_aim`)."""
    start = series.rebase_at[-1] if series.rebase_at else 0
    lower = float(result.lpl[-1]) if len(result) else math.nan
    return zero_aim(series.indicator, result.values, lower, start)


def judge_assurance(series: Series, result: spc.SPCResult) -> spc.SPCResult:
    """No assurance (neither "consistently failing" nor "hit and miss") when zero is the aim
    (ADR 22): the statistics still compute it as NHSRplotthedots does; this is the reading."""
    if result.assurance is None or not zero_aim_for(series, result):
        return result
    return dataclasses.replace(result, assurance=None)


RARE_MEAN = 1.5
"""A count whose mean since its last rebase is below this a month is charted as rare events."""


def is_rare(series: Series) -> bool:
    """Chart the gaps between events, not the monthly counts: an indicator that counts Never
    Events (its numerator rule says ``never_event = true``), or a count averaging under
    :data:`RARE_MEAN` a month since its last rebase. Only with every month present, since a
    missing month is not a month without events."""
    if series.is_empty:
        return False
    start = series.rebase_at[-1] if series.rebase_at else 0
    return rare_values(series.indicator, series.values, start)


def rare_values(indicator: Indicator, values: Any, start: int = 0) -> bool:
    """:func:`is_rare` on bare values, ``start`` the first of the latest segment."""
    if indicator.unit != Unit.COUNT:
        return False
    y = np.asarray(values, dtype=float)
    if not y.size or np.isnan(y).any() or not np.all(y == np.round(y)) or (y < 0).any():
        return False
    if dict(getattr(rules().get(indicator.code), "where", ())).get("never_event") is True:
        return True
    return bool(y[start:].mean() < RARE_MEAN)


@dataclass(frozen=True)
class RareEvents:
    """A g chart of the months between events, from a series of monthly counts."""

    result: spc.SPCResult
    gaps: rare.Gaps
    months: list[dt.date]
    """The month of each event."""
    since_last: int
    last_event: dt.date | None


def rare_for(series: Series) -> RareEvents:
    """The g chart of a rare count: each event's months without an event before it.

    Higher gaps are better when fewer events are better. A recorded rebase starts a new
    segment at the first event in or after its month.
    """
    gaps = rare.gaps_from_counts(series.values)
    polarity = Polarity(series.indicator.polarity)
    improvement = {"decrease": "increase", "increase": "decrease"}.get(
        IMPROVEMENT[polarity], "neutral"
    )
    starts = sorted(
        {int(np.searchsorted(gaps.month_of, r)) for r in series.rebase_at}
        - {0, int(gaps.month_of.size)}
    )
    result = rare.g_chart(gaps.gaps, improvement=improvement, rebase_at=starts)
    months = [series.periods[int(i)] for i in gaps.month_of.tolist()]
    return RareEvents(result, gaps, months, gaps.since_last, months[-1] if months else None)


def _number(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def spc_json(series: Series, result: spc.SPCResult) -> dict[str, Any]:
    """The shape `caresignals measures spc --json` and the API publish (docs/command-line.md)."""
    return {
        "org_code": series.organisation.code,
        "indicator_code": series.indicator.code,
        "points": [
            {
                "period": str(Month.of(p)),
                "value": _number(result.values[i]),
                "mean": _number(result.mean[i]),
                "lpl": _number(result.lpl[i]),
                "upl": _number(result.upl[i]),
                "point_type": str(result.point_type[i]),
                "special_cause_type": str(result.special_cause_type[i]),
            }
            for i, p in enumerate(series.periods)
        ],
        "variation": result.variation,
        "assurance": result.assurance,
    }
