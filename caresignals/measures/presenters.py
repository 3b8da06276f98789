"""What the pages show about indicators: the Making Data Count summary and full charts.

Every figure comes from `caresignals.stats` through series.py; these classes only choose what
a person reads, in which order, and with which words.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from markupsafe import Markup

from caresignals.measures import charts
from caresignals.measures.models import ChartAnnotation, Indicator, Origin, Unit
from caresignals.measures.numerators import FEEDBACK_INDICATOR_SOURCE
from caresignals.measures.queries import measures_for, visible_measures
from caresignals.measures.series import Series, monthly_series, spc_for
from caresignals.organisations.models import Organisation
from caresignals.organisations.queries import organisation_for
from caresignals.stats import spc

ASSURANCE_WORDS = {
    "consistent_pass": "Consistently passing the target",
    "consistent_fail": "Consistently failing the target",
    "inconsistent": "Hit and miss: the target lies within the process limits",
    None: "No target",
}


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


@dataclass(frozen=True)
class IndicatorSummary:
    """One row of the Making Data Count summary table."""

    code: str
    name: str
    href: str
    unit: str
    latest_period: dt.date
    latest_value: float | None
    target: float | None
    mean: float | None
    lower: float | None
    upper: float | None
    icon: str
    sentence: str
    assurance: str
    months: int
    stratified: bool
    variation_svg: Markup
    assurance_svg: Markup
    sparkline_svg: Markup


def _last_valid(values: Any) -> int | None:
    for i in range(len(values) - 1, -1, -1):
        if not math.isnan(values[i]):
            return i
    return None


def summary_row(series: Series, result: spc.SPCResult, *, stratified: bool) -> IndicatorSummary:
    """One row of the Making Data Count summary for a charted series."""
    org, indicator = series.organisation, series.indicator
    last = _last_valid(result.values)
    assert last is not None
    icon, sentence = spc.summary(result)
    return IndicatorSummary(
        code=indicator.code,
        name=indicator.name,
        href=reverse("measures:chart", args=[org.code, indicator.code]),
        unit=indicator.get_unit_display(),
        latest_period=series.periods[last],
        latest_value=_clean(result.values[last]),
        target=indicator.target,
        mean=_clean(result.mean[last]),
        lower=_clean(result.lpl[last]),
        upper=_clean(result.upl[last]),
        icon=icon,
        sentence=sentence,
        assurance=ASSURANCE_WORDS.get(result.assurance, "No target"),
        months=sum(1 for v in series.values if not math.isnan(v)),
        stratified=stratified,
        variation_svg=Markup(charts.variation_icon_svg(icon)),  # noqa: S704 - built by charts.py
        assurance_svg=Markup(charts.assurance_icon_svg(result.assurance)),  # noqa: S704
        sparkline_svg=Markup(  # noqa: S704
            charts.spc_chart_svg(
                result,
                title=f"{indicator.name}, {org.name}: to {series.periods[-1]:%B %Y}",
                small=True,
            )
        ),
    )


def indicator_summaries(user: Any, organisation: Organisation) -> list[IndicatorSummary]:
    values = measures_for(user, organisation)
    indicator_ids = values.values_list("indicator", flat=True).distinct()
    stratified = set(values.exclude(stratum_type="").values_list("indicator", flat=True).distinct())
    rows: list[IndicatorSummary] = []
    for indicator in Indicator.objects.filter(pk__in=indicator_ids).order_by("name"):
        series = monthly_series(values, organisation, indicator)
        if series.is_empty:
            continue
        rows.append(summary_row(series, spc_for(series), stratified=indicator.pk in stratified))
    return rows


@dataclass(frozen=True)
class ChartRow:
    period: dt.date
    numerator: float | None
    denominator: float | None
    value: float | None
    mean: float | None
    lower: float | None
    upper: float | None
    reason: str
    special: bool


def chart_rows(series: Series, result: spc.SPCResult, *, last: int | None = None) -> list[ChartRow]:
    """The data table under a chart: every month (or the `last` few) with its limits."""
    first = 0 if last is None else max(0, len(series.periods) - last)
    return [
        ChartRow(
            period=series.periods[i],
            numerator=series.numerators[i],
            denominator=series.denominators[i],
            value=_clean(result.values[i]),
            mean=_clean(result.mean[i]),
            lower=_clean(result.lpl[i]),
            upper=_clean(result.upl[i]),
            reason=str(result.special_cause_type[i]),
            special=str(result.point_type[i]) != "common_cause",
        )
        for i in range(first, len(series.periods))
    ]


@dataclass(frozen=True)
class ChartPage:
    organisation: Organisation
    indicator: Indicator
    icon: str
    sentence: str
    assurance: str
    warnings: list[str]
    chart_svg: Markup
    variation_svg: Markup
    assurance_svg: Markup
    rows: list[ChartRow]
    special_causes: list[ChartRow]
    breadcrumbs: list[dict[str, str]]
    annotations: list[ChartAnnotation]
    periods: list[dt.date]
    routes: str = ""
    """For an indicator that may be imported or counted from records: which route each month
    came by (ADR 17); blank otherwise."""
    mixed_routes: bool = False

    @property
    def is_count(self) -> bool:
        return self.indicator.unit == Unit.COUNT


def chart_page(user: Any, code: str, indicator_code: str) -> ChartPage:
    from django.http import Http404

    organisation = organisation_for(user, code)
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        raise Http404("Not found")
    series: Series = monthly_series(visible_measures(user), organisation, indicator)
    if series.is_empty:
        raise Http404("Not found")
    result = spc_for(series)
    icon, sentence = spc.summary(result)
    rows = chart_rows(series, result)
    routes, mixed = value_routes(visible_measures(user), organisation, indicator)
    return ChartPage(
        organisation=organisation,
        indicator=indicator,
        icon=icon,
        sentence=sentence,
        assurance=ASSURANCE_WORDS.get(result.assurance, "No target"),
        warnings=list(result.warnings),
        chart_svg=Markup(  # noqa: S704 - built by charts.py, which escapes every text
            charts.spc_chart_svg(
                result, title=f"{indicator.name}, {organisation.name}", summary=sentence
            )
        ),
        variation_svg=Markup(charts.variation_icon_svg(icon)),  # noqa: S704
        assurance_svg=Markup(charts.assurance_icon_svg(result.assurance)),  # noqa: S704
        rows=rows,
        special_causes=[r for r in rows if r.special],
        annotations=list(
            ChartAnnotation.objects.visible_to(user).filter(
                organisation=organisation, indicator=indicator
            )
        ),
        periods=list(series.periods),
        routes=routes,
        mixed_routes=mixed,
        breadcrumbs=[
            {"text": "Organisations", "href": reverse("organisations:index")},
            {"text": organisation.name, "href": reverse("organisations:detail", args=[code])},
        ],
    )


def value_routes(
    measures: Any, organisation: Organisation, indicator: Indicator
) -> tuple[str, bool]:
    """Which months of an experience indicator were submitted through the measures import and
    which were counted from the feedback records held, in words, and whether the series mixes
    the two (a change of route can look like a change in care). Blank for other indicators."""
    if indicator.source != FEEDBACK_INDICATOR_SOURCE:
        return "", False
    by_origin: dict[str, list[dt.date]] = {Origin.IMPORTED: [], Origin.DERIVED: []}
    for period, origin in (
        measures.filter(organisation=organisation, indicator=indicator, stratum_type="")
        .order_by("period")
        .values_list("period", "origin")
    ):
        by_origin[origin].append(period)
    parts = []
    for origin, words in (
        (Origin.IMPORTED, "submitted through the measures import"),
        (Origin.DERIVED, "counted from the feedback records held"),
    ):
        months = by_origin[origin]
        if months:
            parts.append(f"{_months(len(months))} {words} ({_span(months)})")
    return "Where the values come from: " + "; ".join(parts) + ".", all(by_origin.values())


def _months(n: int) -> str:
    return f"{n} month" + ("" if n == 1 else "s")


def _span(months: list[dt.date]) -> str:
    first, last = months[0], months[-1]
    return f"{first:%B %Y}" if first == last else f"{first:%B %Y} to {last:%B %Y}"
