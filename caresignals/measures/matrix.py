"""The system matrix: every organisation × every indicator, as Making Data Count icons.

One screen for the System Quality Group. All series are charted in one vectorised call per
indicator (`spc.xmr_many`), with missing months kept as gaps exactly as on each chart page, so
a cell always agrees with the chart it links to.

Rows sort by name or by concern (:func:`sort_rows`): most latest months showing special cause
concern first, then most targets consistently missed. The page carries a key (:data:`KEY`)
saying in words what every icon and colour means.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

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
#: How rows may be sorted (the ``sort`` GET parameter); the first is the default.
SORTS = ("name", "concern")


@dataclass(frozen=True)
class KeyEntry:
    icon: str  # a VARIATION_ICONS or ASSURANCE_ICONS name, or "" for none drawn
    name: str
    meaning: str

    @property
    def svg(self) -> Markup:
        if self.icon in charts.VARIATION_ICONS:
            return Markup(charts.variation_icon_svg(self.icon, size=24, use=True))  # noqa: S704
        if self.icon in charts.ASSURANCE_ICONS:
            return Markup(charts.assurance_icon_svg(self.icon, size=24, use=True))  # noqa: S704
        return Markup("")


#: What each icon says, in words (Making Data Count). Variation first, then assurance.
KEY: tuple[KeyEntry, ...] = (
    KeyEntry(
        "common_cause",
        "Common cause variation (grey, a level line)",
        "The latest month is within what this process usually does: no signal to act on.",
    ),
    KeyEntry(
        "special_cause_concern_high",
        "Special cause concern, higher (orange, H and an arrow up)",
        "Unusually high where lower is better: look into it.",
    ),
    KeyEntry(
        "special_cause_concern_low",
        "Special cause concern, lower (orange, L and an arrow down)",
        "Unusually low where higher is better: look into it.",
    ),
    KeyEntry(
        "special_cause_improvement_high",
        "Special cause improvement, higher (blue, H and an arrow up)",
        "Unusually high where higher is better: find out what went well.",
    ),
    KeyEntry(
        "special_cause_improvement_low",
        "Special cause improvement, lower (blue, L and an arrow down)",
        "Unusually low where lower is better: find out what went well.",
    ),
    KeyEntry(
        "special_cause_neutral_high",
        "Special cause variation, higher (purple, H and an arrow up)",
        "Unusually high, for an indicator where neither direction is better.",
    ),
    KeyEntry(
        "special_cause_neutral_low",
        "Special cause variation, lower (purple, L and an arrow down)",
        "Unusually low, for an indicator where neither direction is better.",
    ),
    KeyEntry(
        "consistent_pass",
        "Assurance: passing (blue, P)",
        "Both process limits are on the right side of the target: it will be met month "
        "after month unless the process changes.",
    ),
    KeyEntry(
        "consistent_fail",
        "Assurance: failing (orange, F)",
        "Both process limits are on the wrong side of the target: it will be missed month "
        "after month unless the process changes.",
    ),
    KeyEntry(
        "inconsistent",
        "Assurance: hit and miss (grey, ?)",
        "The target lies between the process limits: it will sometimes be met and sometimes "
        "missed, by chance alone.",
    ),
    KeyEntry(
        "",
        "No second icon",
        "The indicator has no target, or its target of zero is the aim rather than something "
        "the process can be expected to reach.",
    ),
    KeyEntry("", "A dash (–)", "The indicator is not measured there."),
)


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

    @property
    def concerns(self) -> int:
        """Indicators whose latest month shows special cause concern."""
        return sum(1 for c in self.cells if c and c.icon.startswith("special_cause_concern"))

    @property
    def failing(self) -> int:
        """Indicators whose target will consistently be missed (assurance: failing)."""
        return sum(1 for c in self.cells if c and c.assurance == "consistent_fail")


def sort_rows(rows: list[Row], by: str) -> list[Row]:
    """Rows by organisation name (A to Z), or with ``by="concern"`` most concerning first:
    most indicators showing special cause concern, then most failing assurance, then name."""
    if by not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, got {by!r}")

    def name(r: Row) -> tuple[str, str]:
        return (r.organisation.name.casefold(), r.organisation.code)

    if by == "concern":
        return sorted(rows, key=lambda r: (-r.concerns, -r.failing, *name(r)))
    return sorted(rows, key=name)


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
    sort: str = "name"
    key: tuple[KeyEntry, ...] = KEY

    def query(self, **changes: str) -> str:
        """This view's GET parameters with ``changes``: links keep the filters chosen."""
        params = {"level": self.level, "place": self.place, "type": self.type, "sort": self.sort}
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v})

    @property
    def icon_symbols(self) -> Markup:
        return Markup(charts.icon_symbols())  # noqa: S704 - drawn by charts.py


def system_matrix(
    user: Any, *, level: str = "providers", place: str = "", type_: str = "", sort: str = "name"
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
    rows = sort_rows(
        [
            Row(
                o,
                place_names.get(o.ancestor_codes()[1] if len(o.ancestor_codes()) > 1 else "", ""),
                [cells.get((o.pk, ind.pk)) for ind in indicators],
            )
            for o in org_list
            if any((o.pk, ind.pk) in cells for ind in indicators)
        ],
        sort,
    )
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
        sort=sort,
    )
