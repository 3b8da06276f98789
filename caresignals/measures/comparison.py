"""Fair comparison of organisations of one type: the Spiegelhalter funnel plot page.

Every number comes from :func:`caresignals.stats.funnels.spiegelhalter`; this module only
chooses which organisations are compared, sums their months, picks the funnel for the
indicator's unit and puts the result into words.

Choices, each explained on the page too:

* **Who is compared**: organisations of one ``type`` (all maternity services, all acute
  trusts…) that the user may see. The centre line and limits are worked out from those
  organisations alone, so a trust member never learns anything about trusts outside their
  scope; with fewer than :data:`MIN_UNITS` of them there is no funnel, and the page says a
  comparison needs the wider view the ICB quality team has.
* **Proportions** use FunnelPlotR's "PR" funnel (arcsine square-root scale, centre = the
  pooled proportion). Its overdispersion estimate Winsorises the z-scores at 10 % (and at
  least one organisation) at each end.
* **Rates** use the "SR" funnel by indirect standardisation: expected events = the
  organisation's denominator × the pooled rate of all compared organisations, so the ratio
  observed / expected, multiplied by the pooled rate, is the organisation's own crude rate
  and the centre line is the pooled rate. Of the two SR methods we use SHMI's (log scale,
  10 % of organisations, at least one, set aside at each end when measuring
  overdispersion), because
  FunnelPlotR's CQC variant draws its limits on the square-root scale without converting
  them back, which would make the limits about half as wide as they should be. SHMI's
  rounding of expected counts is switched off: it reproduces one national publication and
  would make the plotted curve and the per-organisation limits disagree slightly.
  An organisation with no events has no log ratio: it takes no part in the estimate and is
  judged against the limits drawn at its expected count (``limits_at``).
* **Counts and means** are refused: without a denominator, a bigger organisation simply has
  more events, so a funnel would compare size, not quality.
* Overdispersion is always on: with real organisations, case mix and recording differ more
  than chance alone allows, and unadjusted limits would flag most of them.
* Outliers are judged at 99.8 % (about 1 in 500 by chance); the 95 % limits are drawn and
  units between them are called "worth watching".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Max, Min, Sum
from django.http import Http404
from django.urls import reverse
from markupsafe import Markup

from caresignals.core.cache import cached
from caresignals.core.periods import Month
from caresignals.measures.models import Indicator, Polarity, Unit
from caresignals.measures.queries import visible_measures
from caresignals.organisations.models import (
    Organisation,
    OrganisationKind,
    ProviderType,
    ServiceType,
)
from caresignals.organisations.queries import top_organisations, visible_organisations
from caresignals.stats import funnels

__all__ = ["MIN_UNITS", "FunnelPage", "FunnelUnit", "funnel_page"]

MIN_UNITS = 5
"""Fewer organisations than this give no stable estimate of the spread between them."""

TRIM = 0.1
"""Share of organisations at each end set aside (rates) or pulled in (proportions), with at
least one at each end (see :func:`caresignals.stats.funnels.trim_for_few_units`)."""

_LABELS: dict[str, dict[str, str]] = {
    OrganisationKind.PROVIDER: dict(ProviderType.choices),
    OrganisationKind.SERVICE: dict(ServiceType.choices),
}


@dataclass(frozen=True)
class FunnelUnit:
    """One organisation on the funnel, with the numbers the page and chart show."""

    code: str
    name: str
    parent_name: str
    href: str
    months: int
    numerator: float
    denominator: float
    expected: float | None  # rates only: denominator × pooled rate
    value: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    z: float | None
    z_adjusted: float | None
    outlier: str  # "high" | "low" | "" at 99.8 %
    outlier95: str  # the same at 95 %
    verdict: str  # "concern" | "better" | "higher" | "lower" | ""
    verdict_text: str
    value_text: str

    @property
    def marker(self) -> str:
        """The chart's marker kind: the verdict, and whether it passed 99.8 % or only 95 %."""
        if not self.verdict:
            return "common"
        return f"{self.verdict}{'' if self.outlier else '_95'}"

    @property
    def tip(self) -> str:
        return (
            f"{self.name}: {self.value_text} ({_num(self.numerator)} of "
            f"{_num(self.denominator)}). {self.verdict_text}."
        )


@dataclass(frozen=True)
class FunnelPage:
    """Everything the comparison page shows; ``errors`` or ``refusal`` stop the chart."""

    indicator: Indicator
    org_type: str | None
    type_label: str  # plural: "maternity services"
    type_options: list[dict[str, Any]]
    period_end: dt.date | None
    period_start: dt.date | None
    period_options: list[dict[str, Any]]
    months: int
    whole_system: bool
    errors: list[dict[str, str]] = field(default_factory=list)
    refusal: str = ""
    units: list[FunnelUnit] = field(default_factory=list)
    excluded: list[tuple[str, str]] = field(default_factory=list)
    data_type: str = ""
    centre: float = math.nan
    phi: float = math.nan
    tau2: float = math.nan
    adjusted: bool = False
    trimmed: int = 0
    summary: str = ""
    outlier_sentences: list[str] = field(default_factory=list)
    chart_svg: Markup = field(default_factory=Markup)
    value_label: str = ""
    denominator_label: str = ""
    breadcrumbs: list[dict[str, str]] = field(default_factory=list)
    _funnel: funnels.Funnel | None = field(default=None, repr=False)
    _scale: float = field(default=1.0, repr=False)

    @property
    def comparable_unit(self) -> bool:
        """Only proportions and rates have the denominator a funnel needs."""
        return self.indicator.unit in (Unit.PROPORTION, Unit.RATE)

    @property
    def is_rate(self) -> bool:
        return self.data_type == "SR"

    @property
    def has_chart(self) -> bool:
        return bool(self.units) and not self.errors and not self.refusal

    @property
    def centre_text(self) -> str:
        return self.format_value(self.centre)

    @property
    def outliers(self) -> list[FunnelUnit]:
        return [u for u in self.units if u.outlier]

    @property
    def watching(self) -> list[FunnelUnit]:
        return [u for u in self.units if u.outlier95 and not u.outlier]

    def limits_at(self, denominators: Sequence[float]) -> funnels.FunnelLimits:
        """The limits in use along the page's own denominators (bed days, responses…).

        For rates the funnel's denominator is the expected count, a fixed multiple of the
        page's denominator, so the curve is the library's curve at denominator × pooled rate.
        """
        assert self._funnel is not None
        scaled = np.asarray(denominators, dtype=float) * self._scale
        limits = self._funnel.limits_at(scaled)
        return funnels.FunnelLimits(
            np.asarray(denominators, dtype=float),
            limits.lower95,
            limits.upper95,
            limits.lower998,
            limits.upper998,
        )

    def format_value(self, value: float) -> str:
        return _format_value(self.indicator, value)


# --------------------------------------------------------------------------- helpers


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def _format_value(indicator: Indicator, value: float) -> str:
    """ "83.4%" for a percentage, "4.21 per 1,000" for a rate."""
    if value is None or math.isnan(value):
        return "–"
    a = abs(value)
    places = 0 if a >= 1000 else 1 if a >= 10 else 2 if a >= 0.1 or a == 0 else 4
    text = f"{value:,.{places}f}"
    if indicator.unit == Unit.PROPORTION and indicator.multiplier == 100:
        return f"{text}%"
    if indicator.unit == Unit.RATE:
        return f"{text} per {indicator.multiplier:,.0f}"
    return text


def _value_label(indicator: Indicator) -> str:
    if indicator.unit == Unit.PROPORTION and indicator.multiplier == 100:
        return "%"
    if indicator.unit == Unit.RATE:
        return f"per {indicator.multiplier:,.0f}"
    return ""


def _plural(kind: str, org_type: str) -> str:
    """ "maternity services", "acute trusts", "GP practices"."""
    label = _LABELS.get(kind, {}).get(org_type, org_type.replace("_", " "))
    if not (len(label) > 1 and label[1].isupper()):
        label = label[:1].lower() + label[1:]
    return f"{label} services" if kind == OrganisationKind.SERVICE else f"{label}s"


def _verdict(direction: str, polarity: str) -> str:
    """Whether a high or low outlier is good or bad news, from the indicator's polarity."""
    if not direction:
        return ""
    if polarity == Polarity.NEUTRAL:
        return "higher" if direction == "high" else "lower"
    bad = "high" if polarity == Polarity.LOWER_IS_BETTER else "low"
    return "concern" if direction == bad else "better"


_VERDICT_WORDS = {
    "concern": ("Concern", "Worth watching"),
    "better": ("Better than expected", "Possibly better than expected"),
    "higher": ("Higher than expected", "Possibly higher than expected"),
    "lower": ("Lower than expected", "Possibly lower than expected"),
}


def _verdict_text(verdict: str, direction: str, wide: bool) -> str:
    if not verdict:
        return "Within the limits"
    words = _VERDICT_WORDS[verdict][0 if wide else 1]
    side = "above the upper" if direction == "high" else "below the lower"
    level = "99.8%" if wide else "95% limit (inside the 99.8%"
    return f"{words}: {side} {level} limit" + ("" if wide else ")")


def _sentence_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


# --------------------------------------------------------------------------- the page


def _type_groups(values: Any) -> dict[str, tuple[str, int]]:
    """type -> (kind, number of organisations) for providers and services with values.

    Where one type names both providers and services (care homes), the kind with more
    organisations is used, so that a provider is never compared with its own services.
    """
    rows = (
        values.filter(organisation__kind__in=[OrganisationKind.PROVIDER, OrganisationKind.SERVICE])
        .values_list("organisation__kind", "organisation__type")
        .annotate(n=Count("organisation", distinct=True))
    )
    groups: dict[str, tuple[str, int]] = {}
    for kind, org_type, n in rows:
        if not org_type:
            continue
        best = groups.get(org_type)
        if best is None or (n, kind == OrganisationKind.SERVICE) > (
            best[1],
            best[0] == OrganisationKind.SERVICE,
        ):
            groups[org_type] = (kind, n)
    return groups


def funnel_page(
    user: Any,
    indicator_code: str,
    *,
    org_type: str | None,
    period_end: dt.date | None,
    months: int = 12,
) -> FunnelPage:
    """The funnel plot of ``indicator_code`` across the organisations of ``org_type``.

    ``org_type`` None means the type with the most organisations; ``period_end`` None the
    latest month with data. Unknown indicators, and indicators with no values the user may
    see, are 404. Choices the data cannot answer come back as ``errors`` (for the form).
    """
    # Computed once per reader's scope, choice and data version (core/cache.py); a 404 is
    # raised afresh each time, never kept.
    return cached(
        user,
        "measures.funnel",
        (indicator_code, org_type, period_end, months),
        lambda: _funnel_page(
            user, indicator_code, org_type=org_type, period_end=period_end, months=months
        ),
    )


def _funnel_page(
    user: Any,
    indicator_code: str,
    *,
    org_type: str | None,
    period_end: dt.date | None,
    months: int,
) -> FunnelPage:
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        raise Http404("Not found")
    values = visible_measures(user).filter(indicator=indicator, stratum_type="")
    groups = _type_groups(values)
    if not groups:
        raise Http404("Not found")
    whole_system = any(o.kind == OrganisationKind.ICS for o in top_organisations(user))
    breadcrumbs = [{"text": "Organisations", "href": reverse("organisations:index")}]
    errors: list[dict[str, str]] = []

    chosen = org_type
    if chosen is not None and chosen not in groups:
        errors.append({"text": "Choose a type of organisation from the list", "href": "#type"})
        chosen = None
    if chosen is None:
        chosen = min(groups, key=lambda t: (-groups[t][1], t))
    kind = groups[chosen][0]
    names = {t: _plural(k, t) for t, (k, _) in groups.items()}
    type_options = [
        {
            "value": t,
            "text": f"{names[t][:1].upper()}{names[t][1:]} ({groups[t][1]})",
            "selected": t == chosen,
        }
        for t in sorted(groups, key=lambda t: names[t].lower())
    ]
    of_type = values.filter(organisation__kind=kind, organisation__type=chosen)
    bounds = of_type.aggregate(first=Min("period"), last=Max("period"))
    first, last = bounds["first"], bounds["last"]
    end = last
    if period_end is not None:
        wanted = dt.date(period_end.year, period_end.month, 1)
        if first <= wanted <= last:
            end = wanted
        else:
            errors.append(
                {
                    "text": f"Choose a month from {first:%B %Y} to {last:%B %Y}: "
                    "there are no values after or before these",
                    "href": "#period",
                }
            )
    period_options = [
        {"value": str(m), "text": m.label, "selected": m.first_day == end}
        for m in reversed(Month.range(Month.of(first), Month.of(last)))
    ]
    start = (Month.of(end) - (months - 1)).first_day
    base: dict[str, Any] = {
        "indicator": indicator,
        "org_type": chosen,
        "type_label": _plural(kind, chosen),
        "type_options": type_options,
        "period_end": end,
        "period_start": max(start, first),
        "period_options": period_options,
        "months": months,
        "whole_system": whole_system,
        "errors": errors,
        "value_label": _value_label(indicator),
        "denominator_label": f"Denominator, total over {months} months",
        "breadcrumbs": breadcrumbs,
    }
    if indicator.unit not in (Unit.PROPORTION, Unit.RATE):
        what = "a count" if indicator.unit == Unit.COUNT else "an average"
        base["refusal"] = (
            f"{indicator.name} is {what}, with no denominator to say how many people or bed "
            "days each organisation's figure comes from. A bigger organisation simply has "
            "more, so a funnel plot would compare size rather than quality. Compare a rate "
            "or proportion instead, or look at each organisation's own chart over time."
        )
        return FunnelPage(**base)
    if errors:
        return FunnelPage(**base)
    return _compare(user, base, indicator, of_type.filter(period__gte=start, period__lte=end))


def _compare(user: Any, base: dict[str, Any], indicator: Indicator, window: Any) -> FunnelPage:
    """Sum each organisation's window, run the funnel and describe what it found."""
    sums = {
        r["organisation"]: r
        for r in window.filter(denominator__isnull=False)
        .values("organisation")
        .annotate(num=Sum("numerator"), den=Sum("denominator"), n=Count("id"))
    }
    orgs = list(
        visible_organisations(user)
        .filter(pk__in=list(sums))
        .select_related("parent")
        .order_by("name")
    )
    is_rate = indicator.unit == Unit.RATE
    kept: list[tuple[Organisation, float, float, int]] = []
    excluded: list[tuple[str, str]] = []
    for org in orgs:
        r = sums[org.pk]
        top, bottom = float(r["num"]), float(r["den"])
        if bottom <= 0:
            excluded.append((org.name, "no denominator in these months"))
        elif not is_rate and top > bottom:
            excluded.append((org.name, "numerator larger than denominator: check the data"))
        else:
            kept.append((org, top, bottom, int(r["n"])))
    base["excluded"] = excluded
    n = len(kept)
    plural = base["type_label"]
    if n < MIN_UNITS:
        wider = (
            ""
            if base["whole_system"]
            else " You can see only your own organisation's part of the system; the ICB "
            "quality team, who can see every organisation, can make the comparison."
        )
        base["refusal"] = (
            f"A fair comparison needs at least {MIN_UNITS} {plural} with values in these "
            f"months, and {n} {'is' if n == 1 else 'are'} available to you.{wider}"
        )
        return FunnelPage(**base)

    num = np.array([k[1] for k in kept])
    den = np.array([k[2] for k in kept])
    if num.sum() == 0 or (not is_rate and num.sum() == den.sum()):
        base["refusal"] = (
            f"Every one of the {n} {plural} has the same value in these months, "
            "so there is nothing to compare."
        )
        return FunnelPage(**base)

    if is_rate:
        pooled = float(num.sum() / den.sum())
        scale = pooled
        expected = den * pooled
        # A log ratio needs at least one event; organisations with none sit out the estimate.
        observed = np.where(num > 0, num, np.nan)
        options: dict[str, Any] = {
            "data_type": "SR",
            "sr_method": "SHMI",
            "shmi_rounding": False,
            "multiplier": pooled * indicator.multiplier,
        }
        x, e = observed, expected
    else:
        scale = 1.0
        expected = None
        options = {"data_type": "PR", "multiplier": indicator.multiplier}
        x, e = num, den
    trim = funnels.trim_for_few_units(int(np.sum(~np.isnan(x))), shmi=is_rate, trim=TRIM)
    wide = funnels.spiegelhalter(x, e, limit=99, trim_by=trim, overdispersion=True, **options)
    narrow = funnels.spiegelhalter(x, e, limit=95, trim_by=trim, overdispersion=True, **options)

    lo95, up95 = wide.lower95.copy(), wide.upper95.copy()
    lo998, up998 = wide.lower998.copy(), wide.upper998.copy()
    out998, out95 = wide.outlier.astype(str).copy(), narrow.outlier.astype(str).copy()
    ratio = wide.ratio.copy()
    zero = np.isnan(x)
    if zero.any():
        at = wide.limits_at(e[zero])
        lo95[zero], up95[zero] = at.lower95, at.upper95
        lo998[zero], up998[zero] = at.lower998, at.upper998
        ratio[zero] = 0.0
        out998[zero] = np.where(at.lower998 > 0, "low", "")
        out95[zero] = np.where(at.lower95 > 0, "low", "")

    polarity = indicator.polarity
    units: list[FunnelUnit] = []
    for i, (org, o, d, months) in enumerate(kept):
        direction = out998[i] or out95[i]
        verdict = _verdict(direction, polarity)
        units.append(
            FunnelUnit(
                code=org.code,
                name=org.name,
                parent_name=_parent_name(org),
                href=reverse("measures:chart", args=[org.code, indicator.code]),
                months=months,
                numerator=o,
                denominator=d,
                expected=float(expected[i]) if expected is not None else None,
                value=float(ratio[i]),
                lower95=float(lo95[i]),
                upper95=float(up95[i]),
                lower998=float(lo998[i]),
                upper998=float(up998[i]),
                z=_finite(wide.z[i]),
                z_adjusted=_finite(wide.z_adjusted[i]),
                outlier=str(out998[i]),
                outlier95=str(out95[i]),
                verdict=verdict,
                verdict_text=_verdict_text(verdict, direction, bool(out998[i])),
                value_text=_format_value(indicator, float(ratio[i])),
            )
        )
    valid_z = ~np.isnan(wide.z)
    if is_rate:
        trimmed = int(np.sum(valid_z & np.isnan(wide.z_trimmed)))
    else:
        trimmed = int(np.sum(valid_z & (wide.z_trimmed != wide.z)))
    base.update(
        units=units,
        data_type=wide.data_type,
        centre=float(wide.target),
        phi=float(wide.phi),
        tau2=float(wide.tau2),
        adjusted=wide.adjusted,
        trimmed=trimmed,
        _funnel=wide,
        _scale=scale,
    )
    page = FunnelPage(**base)
    summary, sentences = _describe(page)
    from caresignals.measures.funnel_chart import funnel_svg

    chart = funnel_svg(
        page,
        title=f"Funnel plot: {indicator.name}, {plural}, {_window_words(page)}",
        summary=summary,
    )
    return FunnelPage(
        **{**base, "summary": summary, "outlier_sentences": sentences},
        chart_svg=Markup(chart),  # noqa: S704 - built by funnel_chart.py, which escapes every text
    )


def _parent_name(org: Organisation) -> str:
    """The provider of a service, unless the service's own name already says it."""
    if org.kind != OrganisationKind.SERVICE or org.parent is None:
        return ""
    return "" if org.parent.name in org.name else org.parent.name


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _window_words(page: FunnelPage) -> str:
    assert page.period_end is not None and page.period_start is not None
    if page.period_start == page.period_end:
        return f"{page.period_end:%B %Y}"
    return f"{page.period_start:%B %Y} to {page.period_end:%B %Y}"


def _describe(page: FunnelPage) -> tuple[str, list[str]]:
    """The one-sentence summary (also the chart's description) and a sentence per side."""
    n = len(page.units)
    plural = page.type_label
    sentences = []
    for direction, side in (("high", "above the upper"), ("low", "below the lower")):
        found = [u for u in page.units if u.outlier == direction]
        if not found:
            continue
        verdict = found[0].verdict
        words = {
            "concern": "a concern",
            "better": "better than expected",
            "higher": "higher than expected, which is neither better nor worse in itself",
            "lower": "lower than expected, which is neither better nor worse in itself",
        }[verdict]
        names = _sentence_list([f"{u.name} ({u.value_text})" for u in found])
        verb = "is" if len(found) == 1 else "are"
        sentences.append(
            f"{len(found)} of {n} {plural} {verb} {side} 99.8% limit, {words}: {names}."
        )
    if sentences:
        summary = " ".join(sentences)
    else:
        summary = (
            f"None of the {n} {plural} is outside the 99.8% limits: the differences between "
            "them are no bigger than chance and the usual spread between organisations explain."
        )
    return summary, sentences


@dataclass(frozen=True)
class ComparableIndicator:
    indicator: Indicator
    organisations: int  # how many the reader may see with values
    latest: dt.date  # the latest month with a value

    @property
    def better_when(self) -> str:
        return str(Polarity(self.indicator.polarity).label)


def comparable_indicators(user: Any) -> list[ComparableIndicator]:
    """Every indicator a funnel plot can compare (a proportion or a rate: it has the
    denominator a funnel needs) with values the user may see, by name: the way into the
    funnel plots."""
    rows = (
        visible_measures(user)
        .filter(stratum_type="", indicator__unit__in=[Unit.PROPORTION, Unit.RATE])
        .values("indicator_id")
        .annotate(orgs=Count("organisation_id", distinct=True), latest=Max("period"))
    )
    found = {r["indicator_id"]: r for r in rows}
    return [
        ComparableIndicator(i, found[i.pk]["orgs"], found[i.pk]["latest"])
        for i in Indicator.objects.filter(pk__in=found).order_by("name")
    ]
