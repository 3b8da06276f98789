"""What the organisation page shows about the indicators measured there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from caresignals.measures.models import Indicator, Unit
from caresignals.measures.queries import measures_for
from caresignals.organisations.models import Organisation


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    unit: str
    months: int
    latest_period: dt.date
    latest_value: float | None
    stratified: bool


def value_of(indicator: Indicator, numerator: float, denominator: float | None) -> float | None:
    """numerator / denominator × multiplier (CONTRACTS.md); a count is its numerator."""
    if indicator.unit == Unit.COUNT and denominator is None:
        return numerator * indicator.multiplier
    if not denominator:
        return None
    return numerator / denominator * indicator.multiplier


def indicator_lines(user: Any, organisation: Organisation) -> list[IndicatorLine]:
    values = measures_for(user, organisation)
    whole = values.filter(stratum_type="")
    stats = {
        r["indicator"]: r
        for r in values.values("indicator")
        .annotate(months=Count("period", distinct=True), latest=Max("period"))
        .order_by()
    }
    if not stats:
        return []
    stratified = set(values.exclude(stratum_type="").values_list("indicator", flat=True).distinct())
    latest = {
        (m.indicator_id, m.period): m
        for m in whole.filter(period__in={s["latest"] for s in stats.values()})
    }
    lines = []
    for indicator in Indicator.objects.filter(pk__in=stats).order_by("name"):
        s = stats[indicator.pk]
        m = latest.get((indicator.pk, s["latest"]))
        lines.append(
            IndicatorLine(
                indicator.code,
                indicator.name,
                indicator.get_unit_display(),
                s["months"],
                s["latest"],
                value_of(indicator, m.numerator, m.denominator) if m else None,
                indicator.pk in stratified,
            )
        )
    return lines
