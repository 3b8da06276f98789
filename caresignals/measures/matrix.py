"""The system matrix: every organisation × every indicator, as Making Data Count icons.

One screen for the System Quality Group. All series are charted in one vectorised call per
indicator (`spc.xmr_many`), with missing months kept as gaps exactly as on each chart page, so
a cell always agrees with the chart it links to.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.urls import reverse
from markupsafe import Markup

from caresignals.core.periods import Month
from caresignals.measures import charts
from caresignals.measures.models import Indicator, MeasureValue, Polarity
from caresignals.measures.series import IMPROVEMENT, rebases_for, value_of, zero_aim
from caresignals.organisations.models import Organisation, ProviderType, ServiceType
from caresignals.organisations.queries import visible_organisations
from caresignals.stats import spc

LEVELS = {"providers": "provider", "services": "service"}


@dataclass(frozen=True)
class Cell:
    icon: str
    assurance: str | None
    latest: float | None
    href: str
    label: str  # what a screen reader hears
    variation_svg: Markup
    assurance_svg: Markup


@dataclass(frozen=True)
class Row:
    organisation: Organisation
    place: str
    cells: list[Cell | None]


@dataclass(frozen=True)
class Choice:
    value: str
    text: str


@dataclass(frozen=True)
class Matrix:
    indicators: list[Indicator]
    rows: list[Row]
    places: list[Choice]
    types: list[Choice]
    level: str
    place: str
    type: str
    concerns: int

    @property
    def icon_symbols(self) -> Markup:
        return Markup(charts.icon_symbols())  # noqa: S704 - drawn by charts.py


def system_matrix(
    user: Any, *, level: str = "providers", place: str = "", type_: str = ""
) -> Matrix:
    kind = LEVELS.get(level, "provider")
    orgs = visible_organisations(user).filter(kind=kind)
    if place:
        orgs = orgs.filter(path__contains=f"/{place}/")
    if type_:
        orgs = orgs.filter(type=type_)
    org_list = list(orgs.order_by("path"))
    by_id = {o.pk: o for o in org_list}
    org_ids = set(by_id)
    places = list(visible_organisations(user).filter(kind="place").order_by("name"))
    type_labels = dict(ProviderType.choices if kind == "provider" else ServiceType.choices)
    present_types = sorted({o.type for o in visible_organisations(user).filter(kind=kind)})

    values = (
        MeasureValue.objects.visible_to(user)
        .filter(organisation_id__in=org_ids, stratum_type="")
        .values_list("organisation_id", "indicator_id", "period", "numerator", "denominator")
        .order_by("indicator_id", "organisation_id", "period")
    )
    by_indicator: dict[int, dict[int, list[tuple[dt.date, float, float | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for org_id, ind_id, period, num, den in values.iterator(chunk_size=20_000):
        by_indicator[ind_id][org_id].append((period, num, den))
    indicators = list(Indicator.objects.filter(pk__in=by_indicator).order_by("name"))

    cells: dict[tuple[int, int], Cell] = {}
    concerns = 0
    rebases = rebases_for(org_ids, [i.pk for i in indicators])
    for indicator in indicators:
        labels: list[int] = []
        ys: list[float] = []
        last_index: dict[int, int] = {}
        # Series with recorded rebases are charted one by one (xmr_many has no rebases).
        own: dict[int, tuple[spc.SPCResult, int]] = {}
        spans: dict[int, tuple[int, int]] = {}
        for org_id, points in by_indicator[indicator.pk].items():
            first = Month.index_of(points[0][0])
            dense = [math.nan] * (Month.index_of(points[-1][0]) - first + 1)
            for period, num, den in points:
                dense[Month.index_of(period) - first] = value_of(indicator, num, den)
            if all(math.isnan(v) for v in dense):
                continue
            last = max(i for i, v in enumerate(dense) if not math.isnan(v))
            if (org_id, indicator.pk) in rebases:
                starts = [
                    Month.index_of(p) - first
                    for p in rebases[(org_id, indicator.pk)]
                    if 0 < Month.index_of(p) - first < len(dense)
                ]
                result_one = spc.xmr(
                    dense,
                    improvement=IMPROVEMENT[Polarity(indicator.polarity)],
                    target=indicator.target,
                    rebase_at=starts,
                )
                own[org_id] = (result_one, last)
                continue
            start = len(ys)
            spans[org_id] = (start, start + len(dense))
            labels.extend([org_id] * len(dense))
            ys.extend(dense)
            last_index[org_id] = start + last
        latest: dict[int, tuple[str, str | None, float]] = {}
        if labels:
            many = spc.xmr_many(
                np.array(labels),
                np.array(ys),
                improvement=IMPROVEMENT[Polarity(indicator.polarity)],
                target=indicator.target,
            )
            for org_id, i in last_index.items():
                icon = spc.variation_icon(str(many.point_type[i]), str(many.special_cause_type[i]))
                a, b = spans[org_id]
                assurance = many.assurance.get(org_id)
                if zero_aim(indicator, many.values[a:b], float(many.lpl[b - 1])):
                    assurance = None  # zero is the aim, as on the chart page (ADR 22)
                latest[org_id] = (icon, assurance, float(many.values[i]))
        for org_id, (one, i) in own.items():
            icon = spc.variation_icon(str(one.point_type[i]), str(one.special_cause_type[i]))
            segment = int(np.flatnonzero(one.rebase_group == one.rebase_group[-1])[0])
            assurance = one.assurance
            if zero_aim(indicator, one.values, float(one.lpl[-1]), segment):
                assurance = None
            latest[org_id] = (icon, assurance, float(one.values[i]))
        for org_id, (icon, assurance, value) in latest.items():
            concerns += icon.startswith("special_cause_concern")
            org = by_id[org_id]
            words = charts.VARIATION_ICONS.get(icon, icon)
            if assurance:
                words += "; " + charts.ASSURANCE_ICONS.get(assurance, assurance)
            cells[(org_id, indicator.pk)] = Cell(
                icon=icon,
                assurance=assurance,
                latest=None if math.isnan(value) else value,
                href=reverse("measures:chart", args=[org.code, indicator.code]),
                label=f"{indicator.name}, {org.name}: {words}",
                variation_svg=Markup(charts.variation_icon_svg(icon, size=24, use=True)),  # noqa: S704
                assurance_svg=Markup(  # noqa: S704
                    charts.assurance_icon_svg(assurance, size=24, use=True)
                ),
            )

    place_names = {p.code: p.name for p in places}
    rows = [
        Row(
            o,
            place_names.get(o.ancestor_codes()[1] if len(o.ancestor_codes()) > 1 else "", ""),
            [cells.get((o.pk, ind.pk)) for ind in indicators],
        )
        for o in org_list
        if any((o.pk, ind.pk) in cells for ind in indicators)
    ]
    return Matrix(
        indicators=indicators,
        rows=rows,
        places=[Choice("", "All places")] + [Choice(p.code, p.name) for p in places],
        types=[Choice("", "All types")]
        + [Choice(t, type_labels.get(t, t)) for t in present_types if t],
        level="services" if kind == "service" else "providers",
        place=place,
        type=type_,
        concerns=concerns,
    )
