"""The inequality lens: health inequalities in one organisation, seen through patient safety.

The quality strategy asks us to see inequalities "through the lens of patient safety". This
presenter gathers, for one organisation and a window of months, two views:

1. **Stratified indicators** held for the organisation (sepsis deaths by deprivation quintile,
   Mental Health Act detentions by ethnic group, …): each group's value with its confidence
   interval, the ratio between the most and least advantaged groups, the slope and relative
   indices of inequality across deprivation, and a Making Data Count chart of the gap by month.
2. **Patient-safety events by group**: who the events happened to, by deprivation, ethnic
   group, learning disability, age and sex, with rates by deprivation against the right
   denominator (:func:`rate_basis`): residents for an ICS or a place, the organisation's own
   activity for a provider or a service.

Every number comes from :mod:`caresignals.stats`; this module chooses the inputs, the
comparisons and the words. Counts on the page pass through disclosure control (:func:`disclose`),
because this is an aggregate view that people beyond the patient-safety team read and copy;
the ICB's staff who read the records across providers see them exactly
(:func:`caresignals.organisations.scoping.sees_exact_counts` decides, once).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count as CountOf
from django.db.models import Max
from django.urls import reverse
from markupsafe import Markup

from caresignals.core import clock
from caresignals.core.cache import cached
from caresignals.core.formatting import number
from caresignals.core.periods import Month, MonthError
from caresignals.measures import charts
from caresignals.measures.lens_chart import ChartRow, interval_chart_svg
from caresignals.measures.models import Indicator, Polarity, StratumType, Unit
from caresignals.measures.queries import visible_measures
from caresignals.measures.series import IMPROVEMENT
from caresignals.organisations.models import Organisation
from caresignals.organisations.presenters import QUINTILE_LABELS, population_profile
from caresignals.organisations.queries import organisation_for, visible_ancestors
from caresignals.organisations.scoping import sees_exact_counts
from caresignals.safety.events.queries import events_for
from caresignals.safety.vocabulary import EthnicGroup, PatientSex, TriState
from caresignals.stats import disclosure, inequality, intervals, spc

__all__ = [
    "MONTH_CHOICES",
    "SII_SEED",
    "LensPage",
    "LensParams",
    "disclose",
    "lens_breadcrumbs",
    "lens_page",
    "parse_params",
]

#: The windows offered on the page; a year is the default because it evens out the seasons.
MONTH_CHOICES = (3, 6, 12, 24, 36)
#: The SII's limits come from simulation: a fixed seed gives the same page every time.
SII_SEED = 20260101
#: Months of history for the gap's SPC chart (Making Data Count asks for 15 to 20 points at least).
GAP_MONTHS = 36
LENS_STRATA = (StratumType.IMD_QUINTILE, StratumType.ETHNIC_GROUP)
CONFIDENCE = 0.95

ETHNIC_ORDER = [g.value for g in EthnicGroup]
ETHNIC_PEOPLE = {
    "white": "White people",
    "mixed": "people of mixed or multiple ethnic groups",
    "asian": "Asian or Asian British people",
    "black": "Black or Black British people",
    "other": "people from other ethnic groups",
    "not_known": "people whose ethnic group was not recorded",
}
QUINTILE_PLACES = {
    "1": "the most deprived fifth of areas",
    "2": "the second most deprived fifth of areas",
    "3": "the middle fifth of areas",
    "4": "the second least deprived fifth of areas",
    "5": "the least deprived fifth of areas",
}
# How to say "X is n times as … for group A as for group B" for the indicators we know.
SUBJECTS: dict[str, tuple[str, str]] = {
    "sepsis_30d_mortality": ("Sepsis deaths within 30 days are", "likely"),
    "mha_detention_rate": ("Detention under the Mental Health Act is", "common"),
}
AGE_BANDS: list[tuple[str, str, int, int]] = [
    ("0-17", "0 to 17", 0, 17),
    ("18-39", "18 to 39", 18, 39),
    ("40-64", "40 to 64", 40, 64),
    ("65-79", "65 to 79", 65, 79),
    ("80+", "80 and over", 80, 200),
]
NOT_KNOWN = "not_known"
#: Activity a provider's or service's events are divided by, in order of preference: the first
#: the organisation records in the window is used (docs/statistics.md, "Rates in the lens").
ACTIVITY_MEASURES = ("occupied_bed_days", "admissions", "births", "ed_attendances")
ACTIVITY_NOUNS = {
    "occupied_bed_days": "occupied bed days",
    "admissions": "admissions",
    "births": "births",
    "ed_attendances": "emergency department attendances",
}


# --------------------------------------------------------------------------- small values


def _num(x: Any) -> float | None:
    """A float for the page, or None where the statistic is undefined (NaN)."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


@dataclass(frozen=True)
class Estimate:
    """An estimate with its 95 % confidence limits; None where undefined."""

    value: float | None
    lower: float | None
    upper: float | None

    @property
    def includes_one(self) -> bool:
        return self.lower is not None and self.upper is not None and self.lower <= 1 <= self.upper

    @property
    def defined(self) -> bool:
        return self.value is not None and math.isfinite(self.value)

    def value_text(self, places: int = 1) -> str:
        if self.value is None:
            return "–"
        return "no events to compare" if math.isinf(self.value) else number(self.value, places)

    def interval_text(self, places: int = 1) -> str:
        """'24.0 to 30.5'; an infinite upper limit (no events in the comparison group) reads
        'at least …' rather than 'inf'."""
        if self.lower is None or self.upper is None:
            return "–"
        if math.isinf(self.upper):
            return f"at least {number(self.lower, places)}"
        return f"{number(self.lower, places)} to {number(self.upper, places)}"


NO_ESTIMATE = Estimate(None, None, None)


@dataclass(frozen=True)
class Count:
    """A count as shown: exact (``exact``), or after disclosure control: rounded to 5, or
    suppressed (``shown`` None)."""

    shown: int | None
    suppressed: bool
    exact: bool = False

    @property
    def text(self) -> str:
        return "suppressed" if self.suppressed else f"{self.shown:,}"


def disclose(count: float, *, below: int | None = None, exact: bool = False) -> Count:
    """A count through :func:`caresignals.stats.disclosure.control_count` (suppress 1 to
    ``below - 1``, round the rest to 5), with the page's threshold
    ``settings.CARESIGNALS_SUPPRESS_BELOW`` (8, as NHS England's small-number rules use).
    With ``exact`` (the reader may see exact counts: scoping.sees_exact_counts) the count is
    shown as it is."""
    if exact:
        return Count(round(float(count)), False, exact=True)
    threshold = settings.CARESIGNALS_SUPPRESS_BELOW if below is None else below
    shown = disclosure.control_count(count, threshold=threshold)
    return Count(shown, shown is None)


def _ratio_text(x: float) -> str:
    return f"{x:.1f}" if x >= 0.995 else f"{x:.2f}"


def ratio_parts(est: Estimate) -> tuple[str, str]:
    """('1.8', '95% confidence interval 1.5 to 2.2'), for sentences and tables alike."""
    assert est.value is not None
    if est.upper is not None and math.isinf(est.upper):
        limits = f"at least {_ratio_text(est.lower or 0)}"
    elif est.lower is None or est.upper is None:
        limits = "not available"
    else:
        limits = f"{_ratio_text(est.lower)} to {_ratio_text(est.upper)}"
    return _ratio_text(est.value), f"95% confidence interval {limits}"


def ratio_phrase(est: Estimate) -> str:
    """'1.8 (95% confidence interval 1.5 to 2.2)'."""
    value, ci = ratio_parts(est)
    return f"{value} ({ci})"


def _chance(est: Estimate) -> str:
    if est.includes_one:
        return " The interval includes 1, so a difference this size could be down to chance."
    return ""


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class LensParams:
    """The window a person asked for, or what was wrong with their request."""

    months: int
    period_end: dt.date | None
    errors: list[dict[str, str]]
    months_error: str = ""
    period_error: str = ""
    period_text: str = ""


def parse_params(query: Mapping[str, str]) -> LensParams:
    """Validate ``months`` (one of :data:`MONTH_CHOICES`) and ``period`` ("YYYY-MM").

    Errors are worded for the NHS.UK error summary, each linked to its field.
    """
    errors: list[dict[str, str]] = []
    months, months_error = 12, ""
    raw_months = (query.get("months") or "").strip()
    if raw_months:
        if raw_months.isdigit() and int(raw_months) in MONTH_CHOICES:
            months = int(raw_months)
        else:
            months_error = "Select how many months to include: 3, 6, 12, 24 or 36"
            errors.append({"text": months_error, "href": "#months"})
    period_end, period_error = None, ""
    raw_period = (query.get("period") or "").strip()
    if raw_period:
        try:
            month: Month | None = Month.parse(raw_period)
        except MonthError:
            month = None
        if month is not None and 2000 <= month.year <= 2100:
            period_end = month.first_day
        else:
            period_error = "Enter the last month as a year and month, for example 2026-09"
            errors.append({"text": period_error, "href": "#period"})
    return LensParams(months, period_end, errors, months_error, period_error, raw_period[:20])


# --------------------------------------------------------------------------- section 1


@dataclass(frozen=True)
class StratumRow:
    key: str
    label: str
    numerator: Count
    denominator: float
    denominator_text: str
    estimate: Estimate
    ratio: Estimate | None
    is_reference: bool

    @property
    def suppressed(self) -> bool:
        return self.numerator.suppressed


@dataclass(frozen=True)
class SIIFigures:
    """Slope and relative index of inequality, oriented most deprived minus least deprived."""

    sii: Estimate
    rii: Estimate
    sentence: str


@dataclass(frozen=True)
class GapRow:
    period: dt.date
    focus: float | None
    reference: float | None
    gap: float | None
    mean: float | None
    lower: float | None
    upper: float | None
    reason: str
    special: bool


@dataclass(frozen=True)
class GapChart:
    """The monthly gap between two groups as a Making Data Count XmR chart."""

    heading: str
    unit_label: str
    sentence: str
    chart_svg: Markup
    variation_svg: Markup
    rows: list[GapRow]
    focus_label: str
    reference_label: str


@dataclass(frozen=True)
class StratifiedMeasure:
    indicator: Indicator
    stratum_type: str
    heading: str
    group_heading: str
    unit_label: str
    value_heading: str
    ratio_name: str
    rows: list[StratumRow]
    summary: str
    chart_svg: Markup
    sii: SIIFigures | None
    sii_note: str
    gap: GapChart | None
    sources: list[str]
    months_with_data: int

    @property
    def is_proportion(self) -> bool:
        return self.indicator.unit == Unit.PROPORTION


def _unit_label(indicator: Indicator) -> str:
    if indicator.unit == Unit.PROPORTION:
        return "%" if indicator.multiplier == 100 else ""
    return f"per {indicator.multiplier:,.0f}"


def _gap_unit(indicator: Indicator) -> str:
    if indicator.unit == Unit.PROPORTION:
        return "percentage points" if indicator.multiplier == 100 else ""
    return f"per {indicator.multiplier:,.0f}"


def _stratum_order(stratum_type: str, present: set[str]) -> list[str]:
    base = [str(q) for q in range(1, 6)] if stratum_type == "imd_quintile" else ETHNIC_ORDER
    return [s for s in base if s in present] + sorted(present - set(base))


def _stratum_label(stratum_type: str, key: str) -> str:
    if stratum_type == "imd_quintile":
        return QUINTILE_LABELS.get(int(key), key) if key.isdigit() else key
    return dict(EthnicGroup.choices).get(key, key)


def _group_phrase(stratum_type: str, key: str) -> str:
    if stratum_type == "imd_quintile":
        return "in " + QUINTILE_PLACES.get(key, f"quintile {key}")
    return "for " + ETHNIC_PEOPLE.get(key, key)


def _subject(indicator: Indicator) -> tuple[str, str]:
    return SUBJECTS.get(indicator.code, (f"The value of ‘{indicator.name}’ is", "high"))


def _measure_rows(
    user: Any, organisation: Organisation, first: dt.date, end: dt.date
) -> dict[tuple[int, str], tuple[list[tuple[dt.date, str, float, float | None]], list[str]]]:
    """Stratified values under the organisation, summed across organisations by month.

    For each indicator and stratum type only the organisations nearest the top of the tree
    are used (a place adds up its trusts; a trust uses its own figures, not its services' as
    well), so nothing is counted twice.
    """
    rows = (
        visible_measures(user)
        .filter(
            organisation__path__startswith=organisation.path,
            stratum_type__in=LENS_STRATA,
            period__gte=first,
            period__lte=end,
        )
        .order_by()
        .values_list(
            "indicator_id",
            "stratum_type",
            "organisation__path",
            "organisation__name",
            "period",
            "stratum",
            "numerator",
            "denominator",
        )
    )
    found: dict[tuple[int, str], list[tuple[str, str, dt.date, str, float, float | None]]]
    found = defaultdict(list)
    for ind, st, path, name, period, stratum, num, den in rows:
        found[(ind, st)].append((path, name, period, stratum, num, den))
    out = {}
    for key, items in found.items():
        depth = min(p.count("/") for p, *_ in items)
        kept = [i for i in items if i[0].count("/") == depth]
        sums: dict[tuple[dt.date, str], list[float | None]] = {}
        for _p, _n, period, stratum, num, den in kept:
            acc = sums.setdefault((period, stratum), [0.0, 0.0])
            acc[0] = (acc[0] or 0.0) + num
            acc[1] = None if den is None or acc[1] is None else acc[1] + den
        summed = [(p, s, v[0] or 0.0, v[1]) for (p, s), v in sorted(sums.items())]
        names = sorted({n for _p, n, *_ in kept})
        out[key] = (summed, names)
    return out


def _sii(
    indicator: Indicator, keys: list[str], x: np.ndarray, n: np.ndarray
) -> tuple[SIIFigures | None, str]:
    """SII and RII across the five quintiles, or the reason they cannot be given.

    Weighted by each quintile's denominator; a linear fit (the reference's default) so the SII
    reads in the indicator's own units; the multiplier is negated so that a positive SII and an
    RII above 1 mean the more deprived fare worse, matching the ratio shown beside it.
    """
    if keys != [str(q) for q in range(1, 6)]:
        return None, "The slope index needs figures for all five deprivation quintiles."
    if np.any(n <= 0) or np.any(x <= 0):
        return None, (
            "The slope index is not given because at least one quintile had no events in the "
            "window, which leaves its uncertainty undefined."
        )
    if indicator.unit == Unit.PROPORTION:
        ci = intervals.proportion(x, n, confidence=CONFIDENCE)
        value, value_type, multiplier = x / n, "proportion", -indicator.multiplier
    else:
        ci = intervals.rate(x, n, confidence=CONFIDENCE, multiplier=indicator.multiplier)
        value, value_type, multiplier = ci.value, "rate", -1.0
    res = inequality.sii(
        np.arange(1, 6),
        n,
        value,
        value_type=value_type,  # type: ignore[arg-type]
        lower=ci.lower,
        upper=ci.upper,
        multiplier=multiplier,
        confidence=CONFIDENCE,
        seed=SII_SEED,
    )
    sii = Estimate(_num(res.sii), _num(res.sii_lower), _num(res.sii_upper))
    rii = Estimate(_num(res.rii), _num(res.rii_lower), _num(res.rii_upper))
    if sii.value is None or rii.value is None:
        return None, "The slope index could not be estimated from these figures."
    unit = _gap_unit(indicator)
    rii_value, rii_ci = ratio_parts(rii)
    sentence = (
        f"Taking all five fifths into account, the fitted value at the most deprived end of the "
        f"scale is {rii_value} times that at the least deprived end (relative index of "
        f"inequality; {rii_ci}), a gap of {sii.value_text(1)}{' ' + unit if unit else ''} "
        f"(slope index of inequality; 95% confidence interval {sii.interval_text(1)})."
    )
    return SIIFigures(sii, rii, sentence), ""


def _gap_chart(
    indicator: Indicator,
    stratum_type: str,
    summed: Sequence[tuple[dt.date, str, float, float | None]],
    focus: str,
    reference: str,
    end: dt.date,
) -> GapChart | None:
    """Focus group's monthly value minus the comparison group's, on an XmR chart.

    A difference, not a ratio: monthly counts in the least deprived fifth are often 0 or 1,
    which makes a monthly ratio undefined or wildly skewed, whereas the difference is defined
    whenever both groups had a denominator and behaves like the measurements XmR charts expect.
    """
    by = {(p, s): (x, d) for p, s, x, d in summed if s in (focus, reference)}
    periods = sorted({p for p, s in by})
    if len(periods) < 2:
        return None
    months = [m.first_day for m in Month.range(Month.of(periods[0]), Month.of(end))]

    def value(p: dt.date, s: str) -> float:
        x, d = by.get((p, s), (math.nan, None))
        return x / d * indicator.multiplier if d else math.nan

    fv = np.array([value(p, focus) for p in months])
    rv = np.array([value(p, reference) for p in months])
    gap = fv - rv
    if np.isnan(gap).all():
        return None
    result = spc.xmr(gap, improvement=IMPROVEMENT[Polarity(indicator.polarity)], periods=months)
    icon, sentence = spc.summary(result)
    focus_label = _stratum_label(stratum_type, focus)
    ref_label = _stratum_label(stratum_type, reference)
    if stratum_type == "imd_quintile":
        heading = "The gap between the most and least deprived fifths, month by month"
        short = "most deprived minus least deprived"
    else:
        heading = f"The gap between {focus_label} and {ref_label}, month by month"
        short = f"{focus_label} minus {ref_label}"
    unit = _gap_unit(indicator)
    svg = charts.spc_chart_svg(
        result,
        title=f"{indicator.name}: {short}, by month",
        unit_label=unit,
        summary=sentence,
    )
    rows = [
        GapRow(
            period=p,
            focus=_num(fv[i]),
            reference=_num(rv[i]),
            gap=_num(gap[i]),
            mean=_num(result.mean[i]),
            lower=_num(result.lpl[i]),
            upper=_num(result.upl[i]),
            reason=str(result.special_cause_type[i]),
            special=str(result.point_type[i]) != "common_cause",
        )
        for i, p in enumerate(months)
    ]
    return GapChart(
        heading=heading,
        unit_label=unit,
        sentence=sentence,
        chart_svg=Markup(svg),  # noqa: S704 - built by charts.py, which escapes every text
        variation_svg=Markup(charts.variation_icon_svg(icon)),  # noqa: S704
        rows=rows,
        focus_label=focus_label,
        reference_label=ref_label,
    )


def _stratified_measure(
    indicator: Indicator,
    stratum_type: str,
    summed: list[tuple[dt.date, str, float, float | None]],
    sources: list[str],
    start: dt.date,
    end: dt.date,
    exact: bool = False,
) -> StratifiedMeasure | None:
    window: dict[str, list[float]] = {}
    months_seen: set[dt.date] = set()
    for period, stratum, num, den in summed:
        if start <= period <= end and den is not None:
            acc = window.setdefault(stratum, [0.0, 0.0])
            acc[0] += num
            acc[1] += den
            months_seen.add(period)
    keys = [k for k in _stratum_order(stratum_type, set(window)) if window[k][1] > 0]
    if not keys:
        return None
    x = np.array([window[k][0] for k in keys])
    n = np.array([window[k][1] for k in keys])
    mult = indicator.multiplier
    if indicator.unit == Unit.PROPORTION:
        ci = intervals.proportion(x, n, confidence=CONFIDENCE, multiplier=mult)
        ratio_name = "risk ratio"
    else:
        ci = intervals.rate(x, n, confidence=CONFIDENCE, multiplier=mult)
        ratio_name = "rate ratio"
    imd = stratum_type == "imd_quintile"
    reference = "5" if imd else "white"
    counts = [disclose(v, exact=exact) for v in x]
    ratios: list[Estimate | None] = [None] * len(keys)
    if reference in keys:
        r = keys.index(reference)
        rr = intervals.rate_ratio(
            x, n, np.full(len(keys), x[r]), np.full(len(keys), n[r]), confidence=CONFIDENCE
        )
        for i, k in enumerate(keys):
            if k in (reference, NOT_KNOWN) or counts[i].suppressed or counts[r].suppressed:
                continue
            ratios[i] = Estimate(_num(rr.value[i]), _num(rr.lower[i]), _num(rr.upper[i]))

    rows = []
    for i, k in enumerate(keys):
        est = (
            NO_ESTIMATE
            if counts[i].suppressed
            else Estimate(_num(ci.value[i]), _num(ci.lower[i]), _num(ci.upper[i]))
        )
        den_text = (
            disclose(n[i], exact=exact).text
            if indicator.unit == Unit.PROPORTION
            else f"{n[i]:,.0f}"
        )
        rows.append(
            StratumRow(
                key=k,
                label=_stratum_label(stratum_type, k),
                numerator=counts[i],
                denominator=float(n[i]),
                denominator_text=den_text,
                estimate=est,
                ratio=ratios[i],
                is_reference=k == reference,
            )
        )

    # The headline comparison: most vs least deprived, or the ethnic group furthest from White.
    candidates = [
        i for i, e in enumerate(ratios) if e is not None and e.defined and e.value and e.value > 0
    ]
    focus: str | None = None
    if imd:
        q1 = ratios[keys.index("1")] if "1" in keys else None
        focus = "1" if q1 is not None and q1.defined else None
    elif candidates:
        best = max(candidates, key=lambda i: abs(math.log(ratios[i].value)))  # type: ignore[union-attr, arg-type]
        focus = keys[best]
    subject, adjective = _subject(indicator)
    if focus is not None:
        headline = ratios[keys.index(focus)]
        assert headline is not None and headline.value is not None
        ref_phrase = "in the least deprived" if imd else _group_phrase(stratum_type, reference)
        times, limits = ratio_parts(headline)
        group = _group_phrase(stratum_type, focus)
        summary = f"{subject} {times} times as {adjective} {group} as {ref_phrase} ({limits})."
        summary += _chance(headline)
    else:
        who = "the most and least deprived fifths" if imd else "each group and White people"
        summary = (
            f"A comparison between {who} cannot be shown for this window: a group has too few "
            "events to publish, or none at all."
        )

    sii, sii_note = (None, "")
    if imd:
        sii, sii_note = _sii(indicator, keys, x, n)
    gap = (
        _gap_chart(indicator, stratum_type, summed, focus, reference, end)
        if focus is not None
        else None
    )
    unit_label = _unit_label(indicator)
    chart_rows = [
        ChartRow(
            label=r.label + (" (comparison)" if r.is_reference else ""),
            value=r.estimate.value,
            lower=r.estimate.lower,
            upper=r.estimate.upper,
            note=f"suppressed: fewer than {settings.CARESIGNALS_SUPPRESS_BELOW} events"
            if r.suppressed
            else "",
            reference=r.is_reference,
        )
        for r in rows
    ]
    group_word = "deprivation quintile" if imd else "ethnic group"
    chart_svg = interval_chart_svg(
        chart_rows,
        title=f"{indicator.name} by {group_word}, {start:%B %Y} to {end:%B %Y}",
        desc=summary,
        unit_label=unit_label,
    )
    return StratifiedMeasure(
        indicator=indicator,
        stratum_type=stratum_type,
        heading=f"{indicator.name}, by {group_word}",
        group_heading="Deprivation quintile" if imd else "Ethnic group",
        unit_label=unit_label,
        value_heading=f"Value ({unit_label})" if unit_label else "Value",
        ratio_name=ratio_name,
        rows=rows,
        summary=summary,
        chart_svg=Markup(chart_svg),  # noqa: S704 - built by lens_chart.py, which escapes text
        sii=sii,
        sii_note=sii_note,
        gap=gap,
        sources=sources,
        months_with_data=len(months_seen),
    )


# --------------------------------------------------------------------------- section 2


@dataclass(frozen=True)
class RateBasis:
    """What events by deprivation are divided by, and how the page says so.

    ``kind``: "residents" (an ICS or place: person-years of the people living there),
    "activity" (a provider or service: its own activity in the window) or "none" (a provider
    or service that records no activity: shares only, never a rate against the place).
    """

    kind: str
    exposure: np.ndarray
    multiplier: int
    per: str
    """'per 100,000 residents a year', 'per 1,000 occupied bed days'."""
    exposure_heading: str
    note: str
    estimated: bool = False


def rate_basis(
    user: Any,
    organisation: Organisation,
    profile: Any,
    start: dt.date,
    end: dt.date,
    months: int,
) -> RateBasis:
    """The denominator for events by deprivation quintile (ADR 22).

    An ICS or a place serves the people who live there: person-years of its residents. A
    provider or service does not: the place's population says nothing about how much care it
    gave, so two services in one place would otherwise get rates in proportion to their
    sizes. Its own activity is used instead, the first of :data:`ACTIVITY_MEASURES` it records
    in the window: by quintile where the activity is recorded by quintile, otherwise the
    total shared out in proportion to the place's residents in each fifth (an estimate the
    page names). Without activity there is no rate.
    """
    pop = {r.quintile: r.population for r in profile.rows}
    residents = np.array([pop.get(q, 0) for q in range(1, 6)], dtype=float)
    if organisation.kind in ("ics", "place"):
        return RateBasis(
            "residents",
            residents * months / 12,
            100_000,
            "per 100,000 residents a year",
            "Residents",
            "Rates are per head of the people living here, counted as person-years over the "
            "window.",
        )
    held = (
        visible_measures(user)
        .filter(
            organisation__path__startswith=organisation.path,
            indicator__code__in=ACTIVITY_MEASURES,
            period__gte=start,
            period__lte=end,
        )
        .order_by()
    )
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for code, stratum_type, stratum, n, mult in held.values_list(
        "indicator__code", "stratum_type", "stratum", "numerator", "indicator__multiplier"
    ):
        totals[(code, stratum_type, stratum)] += n * mult
    for code in ACTIVITY_MEASURES:
        by_q = np.array([totals.get((code, "imd_quintile", str(q)), 0.0) for q in range(1, 6)])
        total = totals.get((code, "", ""), 0.0)
        noun = ACTIVITY_NOUNS[code]
        per = f"per 1,000 {noun}"
        heading = noun[:1].upper() + noun[1:]
        if by_q.sum() > 0:
            return RateBasis(
                "activity",
                by_q,
                1000,
                per,
                heading,
                f"Rates are per 1,000 {noun} at this organisation in the window, for patients "
                "from each fifth, as recorded: not per head of the place's population, which "
                "says nothing about how much care this organisation gave.",
            )
        if total > 0 and residents.sum() > 0:
            return RateBasis(
                "activity",
                total * residents / residents.sum(),
                1000,
                per,
                f"{heading} (estimated)",
                f"Rates are per 1,000 {noun} at this organisation in the window, not per head "
                f"of the place's population. Its {noun} are recorded only in total, so they "
                "are shared out in proportion to the people living in each fifth of the "
                "place: an estimate, which assumes the organisation's patients come from "
                "each fifth as the place's residents do. Recording them by deprivation "
                "quintile would replace the estimate.",
                estimated=True,
            )
    return RateBasis(
        "none",
        np.zeros(5),
        1000,
        "",
        "",
        "No rates: this organisation records no activity (bed days, admissions, births or "
        "attendances) for the window, and the place's population is not the right "
        "denominator for one organisation's events. The shares of events are shown instead.",
    )


@dataclass(frozen=True)
class GroupRow:
    key: str
    label: str
    count: Count
    share: float | None
    population: int | None = None
    rate: Estimate | None = None
    ratio: Estimate | None = None

    @property
    def share_text(self) -> str:
        return share_text(self.share)


@dataclass(frozen=True)
class Breakdown:
    key: str
    heading: str
    group_heading: str
    rows: list[GroupRow]
    summary: str
    chart_svg: Markup
    has_rates: bool = False
    ratio: Estimate | None = None
    basis: RateBasis | None = None


@dataclass(frozen=True)
class EventsSection:
    total: Count
    breakdowns: list[Breakdown]
    population_described_as: str
    population: int
    unknown_deprivation: Count

    @property
    def is_empty(self) -> bool:
        return self.total.shown == 0

    @property
    def too_few(self) -> bool:
        return self.total.suppressed


def _grouped(qs: Any, field_name: str) -> dict[Any, int]:
    return {k: n for k, n in qs.order_by().values_list(field_name).annotate(n=CountOf("id"))}


def _share(c: Count, total: Count) -> float | None:
    if c.suppressed or not total.shown:
        return None
    return (c.shown or 0) / total.shown


def share_text(share: float | None) -> str:
    """'83%', or 'less than 1%' rather than a misleading '0%'."""
    if share is None:
        return "suppressed"
    pct = share * 100
    return "less than 1%" if 0 < pct < 0.5 else f"{pct:.0f}%"


def _breakdown_summary(noun: str, rows: list[GroupRow], phrase: Any) -> str:
    """'The largest group was … (83% of events); ethnic group was not recorded for 12% …'."""
    known = [r for r in rows if r.key != NOT_KNOWN and r.share is not None]
    unknown = next((r for r in rows if r.key == NOT_KNOWN), None)
    parts = []
    if known:
        top = max(known, key=lambda r: r.share or 0)
        parts.append(f"The largest group was {phrase(top)} ({share_text(top.share)} of events)")
    if unknown is not None and unknown.count.shown != 0:
        share = (
            f"{share_text(unknown.share)} of events"
            if unknown.share is not None
            else "a small number of events (suppressed)"
        )
        parts.append(f"{noun if not parts else noun.lower()} was not recorded for {share}")
    return ("; ".join(parts) + ".") if parts else "No events in this window."


def _bar_chart(title: str, summary: str, rows: list[GroupRow]) -> Markup:
    svg = interval_chart_svg(
        [
            ChartRow(
                r.label,
                None if r.share is None else r.share * 100,
                note="suppressed" if r.count.suppressed else "",
            )
            for r in rows
        ],
        title=title,
        desc=summary,
        unit_label="% of events",
        style="bar",
        value_format=lambda v: f"{v:.0f}%" if v >= 0.5 or v == 0 else "less than 1%",
    )
    return Markup(svg)  # noqa: S704 - built by lens_chart.py, which escapes every text


def _events_section(
    user: Any,
    organisation: Organisation,
    start: dt.date,
    end: dt.date,
    months: int,
    exact: bool = False,
) -> EventsSection:
    qs = events_for(user, organisation).filter(
        occurred_on__gte=start, occurred_on__lte=Month.of(end).last_day
    )
    raw_total = qs.count()
    total = disclose(raw_total, exact=exact)
    profile = population_profile(organisation)
    period_words = f"{start:%B %Y} to {end:%B %Y}"
    by_imd = _grouped(qs, "imd_quintile")
    unknown_imd = disclose(by_imd.get(None, 0), exact=exact)
    if raw_total == 0 or total.suppressed:
        return EventsSection(total, [], profile.described_as, profile.population, unknown_imd)

    def rows_for(pairs: list[tuple[str, str, int]]) -> list[GroupRow]:
        out = []
        for key, label, n in pairs:
            c = disclose(n, exact=exact)
            out.append(GroupRow(key, label, c, _share(c, total)))
        return out

    breakdowns: list[Breakdown] = []

    # Deprivation: counts, shares and rates against the organisation's denominator.
    basis = rate_basis(user, organisation, profile, start, end, months)
    keys = [str(q) for q in range(1, 6)]
    x = np.array([by_imd.get(q, 0) for q in range(1, 6)], dtype=float)
    person_years = basis.exposure
    safe = np.where(person_years > 0, person_years, 1.0)  # rows without one show no rate
    rates = intervals.rate(x, safe, confidence=CONFIDENCE, multiplier=basis.multiplier)
    imd_rows = []
    for i, k in enumerate(keys):
        c = disclose(x[i], exact=exact)
        rate = (
            Estimate(_num(rates.value[i]), _num(rates.lower[i]), _num(rates.upper[i]))
            if not c.suppressed and person_years[i] > 0
            else NO_ESTIMATE
        )
        imd_rows.append(
            GroupRow(
                k,
                QUINTILE_LABELS[i + 1],
                c,
                _share(c, total),
                round(float(person_years[i]) * (12 / months if basis.kind == "residents" else 1)),
                rate,
            )
        )
    imd_rows.append(GroupRow(NOT_KNOWN, "Not known", unknown_imd, _share(unknown_imd, total)))
    ratio: Estimate | None = None
    c1, c5 = imd_rows[0].count, imd_rows[4].count
    if not (c1.suppressed or c5.suppressed) and person_years[0] > 0 and person_years[4] > 0:
        rr = intervals.rate_ratio(x[0], person_years[0], x[4], person_years[4])
        ratio = Estimate(_num(rr.value), _num(rr.lower), _num(rr.upper))
    if ratio is not None and ratio.defined:
        times, ci = ratio_parts(ratio)
        lead = (
            "Per head of population"
            if basis.kind == "residents"
            else f"For the same activity ({basis.per.removeprefix('per 1,000 ')})"
        )
        imd_summary = (
            f"{lead}, patient-safety events happened to people from the most "
            f"deprived fifth of areas {times} times as often as to people from the least "
            f"deprived ({ci})." + _chance(ratio)
        )
    elif basis.kind == "none":
        imd_summary = (
            "No rates by deprivation: this organisation records no activity to divide its "
            "events by."
        )
    else:
        imd_summary = (
            "Rates for the most and least deprived fifths cannot be compared for this window: "
            "one has too few events to publish, or no residents on record."
        )
    if unknown_imd.shown != 0:
        share = _share(unknown_imd, total)
        how_many = (
            f"{unknown_imd.text} events ({share * 100:.0f}%)"
            if share is not None
            else "a small number of events (suppressed)"
        )
        imd_summary += (
            f" Deprivation is not known for {how_many}, where neither the patient’s small "
            "area nor a deprivation decile was recorded."
        )
    imd_chart = interval_chart_svg(
        [
            ChartRow(
                r.label,
                r.rate.value if r.rate else None,
                r.rate.lower if r.rate else None,
                r.rate.upper if r.rate else None,
                note="suppressed" if r.count.suppressed else "no residents on record",
            )
            for r in imd_rows[:5]
        ],
        title=f"Patient-safety events {basis.per} by deprivation quintile, {period_words}",
        desc=imd_summary,
        unit_label=basis.per.replace(" residents", ""),
    )
    if basis.kind == "none":
        imd_chart = _bar_chart(
            f"Patient-safety events by deprivation quintile, {period_words}", imd_summary, imd_rows
        )
    breakdowns.append(
        Breakdown(
            "imd_quintile",
            "Deprivation",
            "Deprivation quintile",
            imd_rows,
            imd_summary,
            Markup(imd_chart),  # noqa: S704 - built by lens_chart.py, which escapes text
            has_rates=basis.kind != "none",
            ratio=ratio,
            basis=basis,
        )
    )

    by_eth = _grouped(qs, "ethnic_group")
    eth_rows = rows_for([(g.value, g.label, by_eth.get(g.value, 0)) for g in EthnicGroup])
    ld = _grouped(qs, "learning_disability")
    ld_rows = rows_for(
        [
            ("true", "Learning disability", ld.get(TriState.TRUE, 0)),
            ("false", "No learning disability", ld.get(TriState.FALSE, 0)),
            (NOT_KNOWN, "Not known", ld.get(TriState.UNKNOWN, 0)),
        ]
    )
    ages = _grouped(qs, "patient_age_years")
    age_pairs = [
        (key, label, sum(n for a, n in ages.items() if a is not None and lo <= a <= hi))
        for key, label, lo, hi in AGE_BANDS
    ]
    age_rows = rows_for([*age_pairs, (NOT_KNOWN, "Not known", ages.get(None, 0))])
    sexes = _grouped(qs, "patient_sex")
    sex_rows = rows_for(
        [
            ("female", "Female", sexes.get(PatientSex.FEMALE, 0)),
            ("male", "Male", sexes.get(PatientSex.MALE, 0)),
            (
                NOT_KNOWN,
                "Not known",
                sexes.get(PatientSex.UNKNOWN, 0) + sexes.get("", 0),
            ),
        ]
    )
    for key, heading, group_heading, noun, rows, phrase in (
        ("ethnic_group", "Ethnic group", "Ethnic group", "Ethnic group", eth_rows,
         lambda r: r.label),
        ("learning_disability", "Learning disability", "Learning disability",
         "Whether the person has a learning disability", ld_rows, None),
        ("age_band", "Age", "Age band", "Age", age_rows, lambda r: f"people aged {r.label}"),
        ("sex", "Sex", "Sex", "Sex", sex_rows, lambda r: r.label.lower()),
    ):  # fmt: skip
        if phrase is None:  # learning disability: say how many had one, not the largest group
            yes = rows[0]
            said = (
                f"{share_text(yes.share)} of events involved a person with a learning disability"
                if yes.share is not None
                else "A small number of events (suppressed) involved a person with a learning "
                "disability"
            )
            rest = _breakdown_summary(noun, [r for r in rows if r.key == NOT_KNOWN], str)
            summary = said + ("; " + rest[0].lower() + rest[1:] if rows[-1].count.shown else ".")
        else:
            summary = _breakdown_summary(noun, rows, phrase)
        chart = _bar_chart(
            f"Patient-safety events by {heading.lower()}, {period_words}", summary, rows
        )
        breakdowns.append(Breakdown(key, heading, group_heading, rows, summary, chart))
    return EventsSection(total, breakdowns, profile.described_as, profile.population, unknown_imd)


# --------------------------------------------------------------------------- the page


@dataclass(frozen=True)
class LensPage:
    organisation: Organisation
    months: int
    period_start: dt.date
    period_end: dt.date
    measures: list[StratifiedMeasure]
    events: EventsSection
    breadcrumbs: list[dict[str, str]]
    suppress_below: int
    exact_counts: bool = False  # scoping.sees_exact_counts: no rounding or suppression
    month_choices: tuple[int, ...] = MONTH_CHOICES
    notes: list[str] = field(default_factory=list)


def lens_breadcrumbs(user: Any, organisation: Organisation) -> list[dict[str, str]]:
    """Organisations, the ancestors the user may see, then the organisation itself."""
    return [{"text": "Organisations", "href": reverse("organisations:index")}] + [
        {"text": o.name, "href": reverse("organisations:detail", args=[o.code])}
        for o in [*visible_ancestors(user, organisation), organisation]
    ]


def _latest_month(user: Any, organisation: Organisation) -> dt.date | None:
    """The latest month with stratified indicators or events: the default end of the window."""
    latest_measure = (
        visible_measures(user)
        .filter(organisation__path__startswith=organisation.path, stratum_type__in=LENS_STRATA)
        .aggregate(m=Max("period"))["m"]
    )
    latest_event = events_for(user, organisation).aggregate(m=Max("occurred_on"))["m"]
    found = [Month.of(d).first_day for d in (latest_measure, latest_event) if d is not None]
    return max(found) if found else None


def lens_page(
    user: Any, code: str, *, months: int = 12, period_end: dt.date | None = None
) -> LensPage:
    """Everything the inequality lens shows for one organisation over ``months`` months
    ending with the month of ``period_end`` (default: the latest month with data).

    Raises Http404 for an organisation the user may not see, as every page does.
    """
    if months not in range(1, 37):
        raise ValueError("months must be between 1 and 36")
    organisation = organisation_for(user, code)
    # The default end scans the events' dates: kept per scope and data version, so warm views
    # do not pay for it (ADR 25).
    found = (
        Month.of(period_end).first_day
        if period_end
        else cached(user, "measures.lens-month", (code,), lambda: _latest_month(user, organisation))
    )
    end: dt.date = found or Month.of(clock.today()).first_day
    exact = sees_exact_counts(user)

    def build() -> LensPage:
        start = (Month.of(end) - (months - 1)).first_day

        gap_start = (Month.of(end) - (GAP_MONTHS - 1)).first_day
        series = _measure_rows(user, organisation, gap_start, end)
        indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={k[0] for k in series})}
        sections = []
        for (ind_id, stratum_type), (summed, names) in sorted(
            series.items(), key=lambda kv: (indicators[kv[0][0]].name, kv[0][1])
        ):
            indicator = indicators[ind_id]
            if indicator.unit not in (Unit.PROPORTION, Unit.RATE):
                continue  # counts and means have no denominator to compare groups on
            section = _stratified_measure(
                indicator, stratum_type, summed, names, start, end, exact=exact
            )
            if section is not None:
                sections.append(section)

        return LensPage(
            organisation=organisation,
            months=months,
            period_start=start,
            period_end=end,
            measures=sections,
            events=_events_section(user, organisation, start, end, months, exact=exact),
            breadcrumbs=lens_breadcrumbs(user, organisation),
            suppress_below=settings.CARESIGNALS_SUPPRESS_BELOW,
            exact_counts=exact,
        )

    # Computed once per reader's scope and version of the data up to the window's end: an
    # event in a later month leaves it cached (core/cache.py, ADR 25).
    return cached(user, "measures.lens", (code, months, end, exact), build, through=end)
