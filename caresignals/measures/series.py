"""Monthly series of an indicator for an organisation, and their SPC (Making Data Count).

Every number comes from `caresignals.stats`: this module only assembles the series (one value
per month, missing months kept as gaps so the rules see them) and chooses the chart's options
from the indicator's definition.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from caresignals.core.periods import Month
from caresignals.measures.models import ChartAnnotation, Indicator, Polarity, Unit
from caresignals.organisations.models import Organisation
from caresignals.stats import spc

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
    """The XmR chart of a series, with the indicator's direction and target."""
    return spc.xmr(
        series.values,
        rebase_at=series.rebase_at,
        improvement=IMPROVEMENT[Polarity(series.indicator.polarity)],
        target=series.indicator.target,
        periods=series.periods,
    )


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
