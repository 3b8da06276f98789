"""What the pages show about indicators: the Making Data Count summary and full charts.

Every figure comes from `caresignals.stats` through series.py; these classes only choose what
a person reads, in which order, and with which words.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.urls import reverse
from markupsafe import Markup

from caresignals.measures import charts
from caresignals.measures.models import ChartAnnotation, Indicator, Origin, Unit
from caresignals.measures.numerators import FEEDBACK_INDICATOR_SOURCE
from caresignals.measures.queries import measures_for, visible_measures
from caresignals.measures.series import (
    RareEvents,
    Series,
    bounds_for,
    is_rare,
    monthly_series,
    rare_for,
    spc_for,
    zero_aim_for,
)
from caresignals.organisations.models import Organisation
from caresignals.organisations.queries import organisation_for
from caresignals.stats import spc

ASSURANCE_WORDS = {
    "consistent_pass": "Consistently passing the target",
    "consistent_fail": "Consistently failing the target",
    "inconsistent": "Hit and miss: the target lies within the process limits",
    None: "No target",
}
ZERO_AIM_WORDS = (
    "Zero is the aim: the target of 0 says that every one is looked into, so no assurance "
    "icon judges the process against it"
)
SUSTAINED_RUN = 12
"""Points in a row on one side of the mean after which the page suggests a rebase (ADR 22)."""


def assurance_words(series: Series, result: spc.SPCResult) -> str:
    if result.assurance is None and zero_aim_for(series, result):
        return ZERO_AIM_WORDS
    return ASSURANCE_WORDS.get(result.assurance, "No target")


def unit_label(indicator: Indicator) -> str:
    """The y axis's unit: "%", "per 1,000", or nothing for a count (its name says it)."""
    if indicator.unit == Unit.PROPORTION:
        return "%" if indicator.multiplier == 100 else "proportion"
    if indicator.unit == Unit.RATE:
        return f"per {indicator.multiplier:,.0f}"
    return ""


def axis_title(indicator: Indicator) -> str:
    if indicator.unit == Unit.COUNT:
        return "Number in the month"
    if indicator.unit == Unit.PROPORTION and indicator.multiplier == 100:
        return "Per cent (%)"
    return unit_label(indicator)


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
        assurance=assurance_words(series, result),
        months=sum(1 for v in series.values if not math.isnan(v)),
        stratified=stratified,
        variation_svg=Markup(charts.variation_icon_svg(icon)),  # noqa: S704 - built by charts.py
        assurance_svg=Markup(charts.assurance_icon_svg(result.assurance)),  # noqa: S704
        sparkline_svg=Markup(  # noqa: S704
            charts.spc_chart_svg(
                result,
                title=f"{indicator.name}, {org.name}: to {series.periods[-1]:%B %Y}",
                small=True,
                bounds=bounds_for(indicator),
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
    words: str = ""
    """The reason in plain words (``reason`` is NHSRplotthedots' label, kept for analysts)."""


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
            words=charts.rule_words(str(result.special_cause_type[i]), result.chart),
            special=str(result.point_type[i]) != "common_cause",
        )
        for i in range(first, len(series.periods))
    ]


def rare_rows(events: RareEvents) -> list[ChartRow]:
    """The data table under a g chart: one row per event, its gap and the limits."""
    r = events.result
    return [
        ChartRow(
            period=p,
            numerator=None,
            denominator=None,
            value=_clean(r.values[j]),
            mean=_clean(r.mean[j]),
            lower=_clean(r.lpl[j]),
            upper=_clean(r.upl[j]),
            reason=str(r.special_cause_type[j]),
            words=charts.rule_words(str(r.special_cause_type[j]), r.chart),
            special=str(r.point_type[j]) != "common_cause",
        )
        for j, p in enumerate(events.months)
    ]


def _months(n: int) -> str:
    return f"{n} month{'' if n == 1 else 's'}"


def rare_sentence(indicator: Indicator, events: RareEvents, periods: list[dt.date]) -> str:
    """What a g chart says, in words: how often, how long since the last, anything unusual."""
    n, span = int(events.gaps.gaps.size), len(periods)
    name = indicator.name
    if n == 0:
        return (
            f"No {name} in the {_months(span)} charted, {periods[0]:%B %Y} to {periods[-1]:%B %Y}."
        )
    r = events.result
    mean = float(r.mean[-1])
    text = (
        f"{n} in {_months(span)}: on average {mean:.1f} months without one between them. "
        f"The latest was in {events.last_event:%B %Y}"
        + (f", {_months(events.since_last)} ago." if events.since_last else ", the latest month.")
    )
    special = [j for j in range(n) if str(r.point_type[j]) != "common_cause"]
    if special:
        j = special[-1]
        text += (
            f" The gap before the one in {events.months[j]:%B %Y} ({_months(int(r.values[j]))}) "
            "lies outside the process limits."
        )
    return text


@dataclass(frozen=True)
class SuggestedRebase:
    period: dt.date
    points: int
    side: str
    centre: str


def suggest_rebase(series: Series, result: spc.SPCResult) -> SuggestedRebase | None:
    """A sustained shift in the latest segment: :data:`SUSTAINED_RUN` or more points in a row
    on one side of the mean. The process has probably changed, so the chart may deserve a new
    segment from the run's first month; a person decides (ADR 22). None when no such run, or
    when its month already has a recorded change."""
    if result.chart != "xmr" or len(result) == 0:
        return None
    with np.errstate(invalid="ignore"):
        sides = np.nan_to_num(np.sign(result.values - result.mean), nan=0.0).astype(int)
    rows = np.flatnonzero(result.rebase_group == result.rebase_group[-1]).tolist()
    run: list[int] = []
    for i in rows:
        if sides[i] != 0 and run and sides[i] == sides[run[0]]:
            run.append(i)
            continue
        if len(run) >= SUSTAINED_RUN:
            break
        run = [i] if sides[i] != 0 else []
    if len(run) < SUSTAINED_RUN or run[0] == rows[0]:
        return None
    period = series.periods[run[0]]
    if period in series.rebases:
        return None
    return SuggestedRebase(period, len(run), "above" if sides[run[0]] > 0 else "below", "mean")


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
    kind: str = "xmr"
    """"xmr", or "rare" for a g chart of the months between events."""
    rule_key: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    zero_aim: bool = False
    suggested_rebase: SuggestedRebase | None = None
    monthly_rows: list[ChartRow] = dataclasses.field(default_factory=list)

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
    rows = chart_rows(series, result)
    routes, mixed = value_routes(visible_measures(user), organisation, indicator)
    title = f"{indicator.name}, {organisation.name}"
    kind, monthly_rows, suggested = "xmr", [], suggest_rebase(series, result)
    if is_rare(series):
        kind, events = "rare", rare_for(series)
        chart_result, monthly_rows, rows = events.result, rows, rare_rows(events)
        icon = spc.summary(chart_result)[0] if rows else "common_cause"
        sentence = rare_sentence(indicator, events, series.periods)
        svg = (
            charts.spc_chart_svg(
                chart_result,
                title=title,
                summary=sentence,
                unit_label="months",
                y_title="Months without an event before each",
                bounds=(0.0, None),
                point_names=[f"Event {j + 1} ({p:%B %Y})" for j, p in enumerate(events.months)],
                x_title="Events in the order they happened",
            )
            if rows
            else ""
        )
        zero_aim = zero_aim_for(series, result)
        assurance = ZERO_AIM_WORDS if zero_aim else "No assurance on a g chart"
        assurance_svg, warnings, suggested = "", [], None
    else:
        chart_result = result
        icon, sentence = spc.summary(result)
        svg = charts.spc_chart_svg(
            result,
            title=title,
            summary=sentence,
            unit_label=unit_label(indicator),
            y_title=axis_title(indicator),
            bounds=bounds_for(indicator),
        )
        assurance, zero_aim = assurance_words(series, result), zero_aim_for(series, result)
        assurance_svg, warnings = charts.assurance_icon_svg(result.assurance), list(result.warnings)
    return ChartPage(
        organisation=organisation,
        indicator=indicator,
        icon=icon,
        sentence=sentence,
        assurance=assurance,
        warnings=warnings,
        chart_svg=Markup(svg),  # noqa: S704 - built by charts.py, which escapes every text
        variation_svg=Markup(charts.variation_icon_svg(icon)),  # noqa: S704
        assurance_svg=Markup(assurance_svg),  # noqa: S704 - built by charts.py
        rows=rows,
        kind=kind,
        monthly_rows=monthly_rows,
        rule_key=charts.rule_key(chart_result),
        zero_aim=zero_aim,
        suggested_rebase=suggested,
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


def _span(months: list[dt.date]) -> str:
    first, last = months[0], months[-1]
    return f"{first:%B %Y}" if first == last else f"{first:%B %Y} to {last:%B %Y}"
