"""The board quality report: what a trust (or place, or ICS) board reads in ten minutes.

One report, two renderings (the web page and the PDF), built here so both say the same
thing. It is computed *as at* a month: values after that month are left out, so the report
for October reads the same in December as it did in November (apart from late corrections).

Every figure comes from `caresignals.stats` through the same series and summaries the
measures pages use; this module only restricts the data to the month, decides what needs the
board's attention, and chooses the words. The report is a list of sections (`SECTIONS`): to
add one (the inequality lens is next), write a builder and append it there.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from markupsafe import Markup

from caresignals.core import clock
from caresignals.core.cache import cached
from caresignals.core.dbfunctions import MonthStart
from caresignals.core.periods import Month
from caresignals.measures import charts
from caresignals.measures.models import Indicator, MeasureValue, Unit
from caresignals.measures.presenters import (
    ChartRow,
    IndicatorSummary,
    chart_rows,
    summary_row,
    unit_label,
)
from caresignals.measures.series import Series, bounds_for, rebases_for, spc_for, value_of
from caresignals.organisations.models import Organisation
from caresignals.organisations.queries import memberships_of, organisation_for, visible_ancestors
from caresignals.organisations.roles import Capability, Role, user_can
from caresignals.organisations.scoping import Scope
from caresignals.publishing.brief import Brief, BriefInputs, build_brief, headline
from caresignals.safety.candour.queries import overdue_candour_count, overdue_candour_count_in
from caresignals.safety.models import PatientSafetyEvent
from caresignals.safety.vocabulary import MODERATE_OR_WORSE, MaxHarm, NeverEventType, RecordType
from caresignals.signals.governance import queries as governance
from caresignals.signals.models import QualityRisk
from caresignals.signals.watchlist import compute as watchlist_module
from caresignals.speakup.quarters import Quarter
from caresignals.speakup.queries import summary as speakup_summary
from caresignals.speakup.queries import summary_in as speakup_summary_in
from caresignals.stats import spc

EXPERIENCE_INDICATORS = ("fft_positive", "fft_negative", "complaints")
"""Indicators that carry people's experience of care, shown in their own section."""

DATA_TABLE_MONTHS = 12


class NoReportData(Exception):
    """Nothing is recorded for this organisation up to the month asked for."""


def _clean(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def _last_valid(values: Any) -> int | None:
    for i in range(len(values) - 1, -1, -1):
        if not math.isnan(values[i]):
            return i
    return None


# --------------------------------------------------------------------------- the parts


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator at one organisation, as at the report's month, with its SPC result."""

    organisation: Organisation
    indicator: Indicator
    series: Series
    result: spc.SPCResult
    summary: IndicatorSummary

    @property
    def latest_type(self) -> str:
        last = _last_valid(self.result.values)
        return "" if last is None else str(self.result.point_type[last])

    @property
    def concern(self) -> bool:
        return self.latest_type == "special_cause_concern"

    @property
    def failing(self) -> bool:
        return self.result.assurance == "consistent_fail"

    @property
    def needs_attention(self) -> bool:
        """Making Data Count's two reasons to look closer: the latest point is special cause
        concern, or the process cannot meet its target without changing."""
        return self.concern or self.failing


@dataclass(frozen=True)
class SummaryGroup:
    """The Making Data Count summary rows of one organisation in the report."""

    organisation: Organisation
    rows: list[IndicatorSummary]


@dataclass(frozen=True)
class AttentionChart:
    """A full chart the board should look at, why, and the last year's numbers."""

    organisation: Organisation
    indicator: Indicator
    reasons: list[str]
    sentence: str
    assurance: str
    chart_svg: Markup
    variation_svg: Markup
    assurance_svg: Markup
    rows: list[ChartRow]

    @property
    def is_count(self) -> bool:
        return self.indicator.unit == Unit.COUNT


@dataclass(frozen=True)
class CountRow:
    label: str
    month: int
    year: int


@dataclass(frozen=True)
class MonthRow:
    period: dt.date
    events: int
    moderate_or_worse: int


@dataclass(frozen=True)
class NeverEventRow:
    occurred_on: dt.date
    kind: str
    where: str


@dataclass(frozen=True)
class SafetyHighlights:
    """Patient-safety events in the month and the 12 months to it, by the date they happened."""

    month_total: int
    year_total: int
    by_harm: list[CountRow]
    by_type: list[CountRow]
    moderate_or_worse: CountRow
    never_events: CountRow
    deaths_due_to_care: CountRow
    monthly: list[MonthRow]
    never_event_list: list[NeverEventRow]

    @property
    def is_empty(self) -> bool:
        return self.year_total == 0


@dataclass(frozen=True)
class PooledRow:
    """One experience indicator added up across the organisations reporting it."""

    name: str
    value: float | None
    unit: str
    detail: str


@dataclass(frozen=True)
class ExperienceHighlights:
    pooled: list[PooledRow]
    rows: list[tuple[Organisation, IndicatorSummary]]

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class ReportSection:
    """One section of the report: a heading, the partial that draws it, and its data.

    `template` is a path under publishing/sections/ rendered with `section` in scope; the
    same partial serves the web page and the PDF, so the two cannot drift apart.
    """

    key: str
    heading: str
    template: str
    data: Any


@dataclass(frozen=True)
class ReportInputs:
    """What every section builder gets: the organisation, the month and scoped data."""

    organisation: Organisation
    period: dt.date
    measures: QuerySet[MeasureValue]
    events: QuerySet[PatientSafetyEvent]
    lines: list[IndicatorLine]


@dataclass(frozen=True)
class BoardReport:
    organisation: Organisation
    period: dt.date
    sections: list[ReportSection]
    lines: list[IndicatorLine] = field(repr=False)
    safety: SafetyHighlights
    # As at the month before, for "what changed" (brief.py).
    previous_lines: list[IndicatorLine] = field(default_factory=list, repr=False)
    brief: Brief | None = None

    @property
    def complete(self) -> bool:
        """Whether the month has ended with its submission lag passed (core/clock.py)."""
        return clock.is_complete(Month.of(self.period))

    @property
    def period_label(self) -> str:
        return f"{self.period:%B %Y}" + ("" if self.complete else " (incomplete)")

    @property
    def year_start(self) -> dt.date:
        return (Month.of(self.period) - (DATA_TABLE_MONTHS - 1)).first_day

    @property
    def attention_count(self) -> int:
        return sum(1 for line in self.lines if line.needs_attention)

    @property
    def has_data(self) -> bool:
        return bool(self.lines) or not self.safety.is_empty

    def section(self, key: str) -> ReportSection | None:
        return next((s for s in self.sections if s.key == key), None)


# --------------------------------------------------------------------------- indicators


def _series_as_at(
    measures: QuerySet[MeasureValue], period: dt.date
) -> tuple[list[IndicatorLine], set[tuple[int, int]]]:
    """Every whole-population series in `measures`, cut off after `period`, in one query.

    The measures pages build one series per query (series.monthly_series); a board report
    covers a provider and all its services, so it reads them all at once and builds the same
    `Series` objects: every month from the first to the last, gaps as NaN.
    """
    rows = list(
        measures.filter(stratum_type="", period__lte=period)
        .order_by()
        .values_list("organisation_id", "indicator_id", "period", "numerator", "denominator")
    )
    stratified = set(
        measures.filter(period__lte=period)
        .exclude(stratum_type="")
        .order_by()
        .values_list("organisation_id", "indicator_id")
        .distinct()
    )
    grouped: dict[tuple[int, int], dict[dt.date, tuple[float, float | None]]] = defaultdict(dict)
    for org_id, ind_id, month, numerator, denominator in rows:
        grouped[(org_id, ind_id)][month] = (numerator, denominator)
    orgs = Organisation.objects.in_bulk({k[0] for k in grouped})
    indicators = Indicator.objects.in_bulk({k[1] for k in grouped})
    rebases = rebases_for(orgs, indicators)
    lines: list[IndicatorLine] = []
    for (org_id, ind_id), by_month in grouped.items():
        org, indicator = orgs[org_id], indicators[ind_id]
        first, last = Month.of(min(by_month)), Month.of(max(by_month))
        periods = [m.first_day for m in Month.range(first, last)]
        numerators = [by_month[p][0] if p in by_month else None for p in periods]
        denominators = [by_month[p][1] if p in by_month else None for p in periods]
        values = [
            value_of(indicator, n, d) if n is not None else math.nan
            for n, d in zip(numerators, denominators, strict=True)
        ]
        series = Series(
            org,
            indicator,
            periods,
            values,
            numerators,
            denominators,
            rebases.get((org_id, ind_id), ()),
        )
        if series.is_empty:
            continue
        result = spc_for(series)
        summary = summary_row(series, result, stratified=(org_id, ind_id) in stratified)
        lines.append(IndicatorLine(org, indicator, series, result, summary))
    lines.sort(key=lambda line: (line.organisation.path, line.indicator.name))
    return lines, stratified


def _attention(line: IndicatorLine) -> AttentionChart:
    series, result, indicator = line.series, line.result, line.indicator
    reasons = []
    if line.concern:
        reasons.append("The latest month shows special cause variation of concern.")
    if line.failing:
        reasons.append(
            "The target will not be met without a change to the process: "
            "it lies outside the process limits, on the wrong side."
        )
    rows = chart_rows(series, result, last=DATA_TABLE_MONTHS)
    return AttentionChart(
        organisation=line.organisation,
        indicator=indicator,
        reasons=reasons,
        sentence=line.summary.sentence,
        assurance=line.summary.assurance,
        chart_svg=Markup(  # noqa: S704 - built by charts.py, which escapes every text
            charts.spc_chart_svg(
                result,
                title=f"{indicator.name}, {line.organisation.name}",
                summary=line.summary.sentence,
                unit_label=unit_label(indicator),
                bounds=bounds_for(indicator),
            )
        ),
        variation_svg=line.summary.variation_svg,
        assurance_svg=line.summary.assurance_svg,
        rows=rows,
    )


def _attention_order(line: IndicatorLine) -> tuple[int, str, str]:
    both = line.concern and line.failing
    return (0 if both else 1 if line.concern else 2, line.organisation.path, line.indicator.name)


# --------------------------------------------------------------------------- safety


def _subtree(events: QuerySet[PatientSafetyEvent], org: Organisation) -> QuerySet[Any]:
    """Events at the organisation or beneath it (a service's events are found by service)."""
    field_name = "service__path" if org.kind == "service" else "organisation__path"
    return events.filter(**{f"{field_name}__startswith": org.path})


def safety_highlights(events: QuerySet[PatientSafetyEvent], period: dt.date) -> SafetyHighlights:
    """Counts by worst harm and record type for the month and the 12 months to it, the
    monthly trend, and every Never Event in the year, each named (a board must see them)."""
    start = (Month.of(period) - (DATA_TABLE_MONTHS - 1)).first_day
    end = Month.of(period).next.first_day
    window = events.filter(occurred_on__gte=start, occurred_on__lt=end)
    cells: dict[tuple[dt.date, str, str], int] = {}
    for r in (
        window.annotate(month=MonthStart("occurred_on"))
        .values("month", "record_type", "max_harm")
        .annotate(n=Count("id"))
        .order_by()
    ):
        month = r["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        cells[(month, r["record_type"], r["max_harm"])] = r["n"]

    def count(label: str, part: int, values: Collection[str]) -> CountRow:
        """Events whose record type (part 1) or worst harm (part 2) is one of `values`."""
        chosen = [(k[0], n) for k, n in cells.items() if k[part] in values]
        return CountRow(label, sum(n for m, n in chosen if m == period), sum(n for _, n in chosen))

    harms = [(h.value, h.label) for h in MaxHarm] + [("", "Not known, or a risk or good care")]
    by_harm = [count(label, 2, (v,)) for v, label in harms]
    by_type = [count(t.label, 1, (t.value,)) for t in RecordType]
    moderate = count("Moderate harm or worse", 2, MODERATE_OR_WORSE)
    monthly = [
        MonthRow(
            m,
            sum(n for k, n in cells.items() if k[0] == m),
            sum(n for k, n in cells.items() if k[0] == m and k[2] in MODERATE_OR_WORSE),
        )
        for m in (month.first_day for month in Month.range(Month.of(start), Month.of(period)))
    ]
    never = list(
        window.exclude(never_event_type="")
        .order_by("occurred_on", "id")
        .values_list("occurred_on", "never_event_type", "organisation__name", "service__name")
    )
    labels = dict(NeverEventType.choices)
    never_list = [
        NeverEventRow(day, labels.get(kind, kind), service or org)
        for day, kind, org, service in never
    ]
    never_row = CountRow(
        "Never Events",
        sum(1 for r in never_list if r.occurred_on in Month.of(period)),
        len(never_list),
    )
    deaths = window.filter(death_in_care_more_likely_than_not=True).aggregate(
        year=Count("id"), month=Count("id", filter=Q(occurred_on__gte=period))
    )
    return SafetyHighlights(
        month_total=sum(n for k, n in cells.items() if k[0] == period),
        year_total=sum(cells.values()),
        by_harm=[r for r in by_harm if r.year or r.label in ("No harm", "Low harm")],
        by_type=by_type,
        moderate_or_worse=moderate,
        never_events=never_row,
        deaths_due_to_care=CountRow(
            "Deaths thought more likely than not due to problems in care",
            deaths["month"],
            deaths["year"],
        ),
        monthly=monthly,
        never_event_list=never_list,
    )


# --------------------------------------------------------------------------- experience


def _most_detailed(orgs: list[Organisation]) -> set[int]:
    """Organisations with no descendant in the list: adding up only these never counts a
    provider's own total and its services' figures twice."""
    return {o.pk for o in orgs if not any(p.pk != o.pk and p.path.startswith(o.path) for p in orgs)}


def experience_highlights(inputs: ReportInputs) -> ExperienceHighlights:
    """FFT and complaints rows, and each added up across the report for its month."""
    lines = [ln for ln in inputs.lines if ln.indicator.code in EXPERIENCE_INDICATORS]
    pooled: list[PooledRow] = []
    for code in EXPERIENCE_INDICATORS:
        these = [ln for ln in lines if ln.indicator.code == code]
        if not these:
            continue
        indicator = these[0].indicator
        keep = _most_detailed([ln.organisation for ln in these])
        numerator = denominator = 0.0
        reporting = 0
        for ln in these:
            if ln.organisation.pk not in keep or inputs.period not in ln.series.periods:
                continue
            i = ln.series.periods.index(inputs.period)
            n, d = ln.series.numerators[i], ln.series.denominators[i]
            if n is None:
                continue
            reporting += 1
            numerator += n
            denominator += d or 0
        where = f"{reporting} part{'s' if reporting != 1 else ''} of the organisation reporting"
        if indicator.unit == Unit.COUNT:
            value = numerator * indicator.multiplier if reporting else None
            detail = f"{where} in {inputs.period:%B %Y}"
        else:
            value = numerator / denominator * indicator.multiplier if denominator else None
            detail = f"{numerator:,.0f} of {denominator:,.0f}; {where} in {inputs.period:%B %Y}"
        pooled.append(PooledRow(indicator.name, value, indicator.unit, detail))
    return ExperienceHighlights(pooled, [(ln.organisation, ln.summary) for ln in lines])


# --------------------------------------------------------------------------- sections


def summary_section(inputs: ReportInputs) -> ReportSection:
    groups: dict[int, SummaryGroup] = {}
    for line in inputs.lines:
        group = groups.setdefault(line.organisation.pk, SummaryGroup(line.organisation, []))
        group.rows.append(line.summary)
    return ReportSection(
        "summary",
        "Making Data Count summary",
        "publishing/sections/summary.jinja",
        list(groups.values()),
    )


def attention_section(inputs: ReportInputs) -> ReportSection:
    chosen = sorted((ln for ln in inputs.lines if ln.needs_attention), key=_attention_order)
    return ReportSection(
        "attention",
        "Charts that need attention",
        "publishing/sections/attention.jinja",
        [_attention(line) for line in chosen],
    )


def safety_section(inputs: ReportInputs) -> ReportSection:
    return ReportSection(
        "safety",
        "Patient safety",
        "publishing/sections/safety.jinja",
        safety_highlights(inputs.events, inputs.period),
    )


def experience_section(inputs: ReportInputs) -> ReportSection | None:
    highlights = experience_highlights(inputs)
    if highlights.is_empty:
        return None
    return ReportSection(
        "experience",
        "People's experience of care",
        "publishing/sections/experience.jinja",
        highlights,
    )


SectionBuilder = Callable[[ReportInputs], "ReportSection | None"]

SECTIONS: list[SectionBuilder] = [
    attention_section,
    safety_section,
    experience_section,
    summary_section,
    # The inequality lens goes here: a builder taking ReportInputs and returning a
    # ReportSection (or None to leave it out), with its partial under publishing/sections/.
]
"""The report's sections, in reading order. Each builder returns a section or None."""


# --------------------------------------------------------------------------- the report


def latest_period(measures: QuerySet[MeasureValue], events: QuerySet[Any]) -> dt.date | None:
    """The report's default month: the last complete month (core/clock.py's submission lag),
    or the latest month with any measure value or event if that is earlier."""
    last_measure = measures.aggregate(last=Max("period"))["last"]
    last_event = events.aggregate(last=Max("occurred_on"))["last"]
    found = [Month.of(d) for d in (last_measure, last_event) if d is not None]
    chosen = clock.default_month(max(found) if found else None)
    return chosen.first_day if chosen else None


def build_report(
    organisation: Organisation,
    period: dt.date | None,
    measures: QuerySet[MeasureValue],
    events: QuerySet[PatientSafetyEvent],
) -> BoardReport:
    """The report from data already scoped to a reader (or to the whole ICS).

    `measures` and `events` are narrowed here to the organisation and everything beneath it.
    Raises NoReportData when nothing at all is recorded up to the month.
    """
    measures = measures.filter(organisation__path__startswith=organisation.path)
    events = _subtree(events, organisation)
    if period is None:
        period = latest_period(measures, events)
        if period is None:
            raise NoReportData(f"nothing has been recorded for {organisation.name} yet")
    period = Month.of(period).first_day
    lines, _ = _series_as_at(measures, period)
    previous_lines, _ = _series_as_at(measures, (Month.of(period) - 1).first_day)
    inputs = ReportInputs(organisation, period, measures, events, lines)
    sections = [s for s in (build(inputs) for build in SECTIONS) if s is not None]
    safety = next(
        (s.data for s in sections if isinstance(s.data, SafetyHighlights)),
        safety_highlights(events, period),
    )
    report = BoardReport(organisation, period, sections, lines, safety, previous_lines)
    if not report.has_data:
        raise NoReportData(f"nothing is recorded for {organisation.name} up to {period:%B %Y}")
    return report


def _with_brief(report: BoardReport, inputs: BriefInputs) -> BoardReport:
    return replace(report, brief=build_brief(report, inputs))


def board_report(user: Any, org_code: str, period: dt.date | None) -> BoardReport:
    """The report as `user` may see it: 404 for an organisation outside their scope, and
    only the measures and events their memberships reach. The summary's decisions each
    appear only for a reader who holds the capability to see where they lead."""
    organisation = organisation_for(user, org_code)
    measures = MeasureValue.objects.visible_to(user)
    events = PatientSafetyEvent.objects.visible_to(user)
    if period is None:  # scans the events' dates: kept per scope, day and data version
        period = cached(
            user,
            "publishing.board-month",
            (org_code, clock.today()),
            lambda: latest_period(
                measures.filter(organisation__path__startswith=organisation.path),
                _subtree(events, organisation),
            ),
        )
        if period is None:
            return build_report(organisation, None, measures, events)  # says why there is none
    first_day = Month.of(period).first_day
    # Built once per reader's scope, day and version of the data up to the month: an event
    # in a later month leaves it cached (core/cache.py, ADR 25). The summary is added after,
    # from the reader's own watchlist, risks, candour and speak-up as they stand today.
    report = cached(
        user,
        "publishing.board",
        (org_code, first_day, clock.today()),
        lambda: build_report(organisation, first_day, measures, events),
        through=first_day,
    )
    month = Month.of(report.period)
    can_watch = user_can(user, Capability.VIEW_WATCHLIST)
    inputs = BriefInputs(
        previous_lines=report.previous_lines,
        watchlist=governance.watchlist(user, str(month), Capability.VIEW_WATCHLIST)
        if can_watch
        else None,
        watchlist_before=governance.watchlist(user, str(month - 1), Capability.VIEW_WATCHLIST)
        if can_watch
        else [],
        risks=governance.visible_risks(user, Capability.VIEW_QUALITY_GOVERNANCE)
        if user_can(user, Capability.VIEW_QUALITY_GOVERNANCE)
        else None,
        overdue_candour=overdue_candour_count(user, organisation, clock.today())
        if user_can(user, Capability.VIEW_SAFETY_SYSTEM)
        or user_can(user, Capability.MANAGE_CANDOUR)
        else None,
        speakup=speakup_summary(user, Quarter.of(report.period))
        if user_can(user, Capability.VIEW_SPEAKUP_SUMMARY)
        else None,
        today=clock.today(),
    )
    return _with_brief(report, inputs)


class OutsideScope(Exception):
    """The report's organisation is not within the organisation the command reads as."""


def system_board_report(
    org_code: str, period: dt.date | None, *, as_organisation: str | None = None
) -> BoardReport:
    """The report for the command line, which is no person: it reads as one organisation
    (`as_organisation`, a code; the whole ICS when not given), seeing everything beneath
    it, as a reader holding every role there would. Its summary has the watchlist, the risks,
    and the candour and speak-up lines counted in that scope, as the web report counts them
    in a reader's scope (speak-up under the same disclosure control).

    Raises Organisation.DoesNotExist for an unknown code, and OutsideScope when the report's
    organisation is not within the one it reads as."""
    organisation = Organisation.objects.get(code=org_code)
    reader = (
        Organisation.objects.get(code=as_organisation)
        if as_organisation
        else Organisation.objects.filter(kind="ics").order_by("path").first()
    )
    scope = Scope(paths=(reader.path,) if reader is not None else ())
    if not scope.covers(organisation.path):
        raise OutsideScope(
            f"{organisation.name} is not within {reader.name if reader else 'the system'}"
        )
    report = build_report(
        organisation, period, MeasureValue.objects.all(), PatientSafetyEvent.objects.all()
    )
    month = Month.of(report.period)
    today = clock.today()
    inputs = BriefInputs(
        previous_lines=report.previous_lines,
        # A trust's board report: soft intelligence is the ICB's unless it shares it (ADR 31).
        watchlist=watchlist_module.withhold_intelligence(
            None, watchlist_module.compute_watchlist(str(month))
        ),
        watchlist_before=watchlist_module.withhold_intelligence(
            None, watchlist_module.compute_watchlist(str(month - 1))
        ),
        risks=QualityRisk.objects.filter(scope.q("organisation__path")),
        overdue_candour=overdue_candour_count_in(scope, organisation, today),
        speakup=speakup_summary_in(scope, Quarter.of(report.period)),
        today=today,
    )
    return _with_brief(report, inputs)


# --------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class BoardPage:
    """What the web page shows: the report, or why there is none (a bad month, no data)."""

    organisation: Organisation
    period_text: str
    report: BoardReport | None
    error: str = ""
    message: str = ""
    breadcrumbs: list[dict[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.report is None:
            return f"Board quality report – {self.organisation.name}"
        return f"Board quality report, {self.report.period_label} – {self.organisation.name}"


def board_page(user: Any, code: str, period_text: str | None) -> BoardPage:
    """The report for `?period=` (default: the last complete month). A malformed month is
    the reader's error to correct (page.error); a month with nothing recorded is a message.
    An organisation the user may not see is 404 before anything else is looked at."""
    organisation = organisation_for(user, code)
    crumbs = [{"text": "Organisations", "href": reverse("organisations:index")}] + [
        {"text": o.name, "href": reverse("organisations:detail", args=[o.code])}
        for o in [*visible_ancestors(user, organisation), organisation]
    ]
    text = (period_text or "").strip()
    period = None
    if text:
        try:
            period = Month.parse(text).first_day
        except ValueError:
            return BoardPage(
                organisation,
                text,
                None,
                error="Enter the month as a year and month, for example 2026-10",
                breadcrumbs=crumbs,
            )
    try:
        report = board_report(user, code, period)
    except NoReportData as exc:
        return BoardPage(
            organisation, text, None, message=f"There is no report: {exc}.", breadcrumbs=crumbs
        )
    return BoardPage(organisation, str(Month.of(report.period)), report, breadcrumbs=crumbs)


def template_context(report: BoardReport) -> dict[str, Any]:
    """Values the report partials need whichever page includes them."""
    return {"report": report, "months": DATA_TABLE_MONTHS}


def pdf_filename(report: BoardReport) -> str:
    """A file name that says whose report and which month; safe in a header and on disk."""
    code = re.sub(r"[^A-Za-z0-9_-]", "_", report.organisation.code)
    return f"board-quality-report-{code}-{Month.of(report.period)}.pdf"


@dataclass(frozen=True)
class BoardHeadline:
    """The board member's home page: this month's report for each board they sit on."""

    name: str
    code: str
    period_label: str
    period_code: str
    line: str


def board_headlines(user: Any) -> list[BoardHeadline]:
    """For each organisation where `user` is a board member, the latest report's month and
    one line of what changed; cached for the reader's scope until the data change."""
    found = []
    for m in memberships_of(user):
        if m.role != Role.BOARD_MEMBER:
            continue
        org = m.organisation

        def build(org: Organisation = org) -> BoardHeadline:
            try:
                report = build_report(
                    org,
                    None,
                    MeasureValue.objects.visible_to(user),
                    PatientSafetyEvent.objects.visible_to(user),
                )
            except NoReportData:
                return BoardHeadline(org.name, org.code, "", "", "Nothing is recorded yet.")
            return BoardHeadline(
                org.name,
                org.code,
                report.period_label,
                str(Month.of(report.period)),
                headline(report),
            )

        found.append(cached(user, "publishing.board_headline", (org.code,), build))
    return found
