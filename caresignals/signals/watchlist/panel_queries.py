"""Reads for the signal engine: the whole region's series as one Panel, in a few queries.

The watchlist is computed for the whole region once per data version and cut down to what a
reader may see afterwards (views and the API filter entries by scope), so these reads are
deliberately unscoped; nothing here is shown to a person without that filter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.db.models import Max, Min, Sum

from caresignals.analytics.event_indicators import DERIVED_SOURCE
from caresignals.analytics.models import MonthlyEventCount
from caresignals.core.periods import Month
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.models import Area, Organisation
from caresignals.safety.models import PatientSafetyEvent
from caresignals.safety.vocabulary import MODERATE_OR_WORSE
from caresignals.signals.watchlist.panel import IndicatorInfo, Panel, Unit, month_range


def _ym(d: dt.date) -> str:
    return str(Month.of(d))


def latest_period() -> str | None:
    """The latest month with any measure or event count, "YYYY-MM"; None with no data."""
    found = [
        MeasureValue.objects.aggregate(m=Max("period"))["m"],
        MonthlyEventCount.objects.aggregate(m=Max("month"))["m"],
    ]
    months = [d for d in found if d is not None]
    return _ym(max(months)) if months else None


def first_period() -> str | None:
    found = [
        MeasureValue.objects.aggregate(m=Min("period"))["m"],
        MonthlyEventCount.objects.aggregate(m=Min("month"))["m"],
    ]
    months = [d for d in found if d is not None]
    return _ym(min(months)) if months else None


def load_panel(first: str, last: str) -> Panel:
    """Every service and provider with its whole-population measures and event counts
    for the months first..last."""
    months = month_range(first, last)
    col = {m: i for i, m in enumerate(months)}
    orgs = list(
        Organisation.objects.filter(kind__in=("service", "provider"))
        .order_by("path")
        .values("id", "code", "name", "kind", "type", "parent_id", "path")
    )
    by_id = {o["id"]: o for o in orgs}
    units: list[Unit] = []
    row: dict[int, int] = {}
    for o in orgs:
        provider = o if o["kind"] == "provider" else by_id.get(o["parent_id"], o)
        row[o["id"]] = len(units)
        units.append(
            Unit(
                code=o["code"],
                name=o["name"],
                kind=o["kind"],
                type=o["type"],
                provider_code=provider["code"],
                provider_name=provider["name"],
                path=o["path"],
            )
        )
    shape = (len(units), len(months))
    start = dt.date(int(first[:4]), int(first[5:7]), 1)
    end = dt.date(int(last[:4]), int(last[5:7]), 1)

    indicators = {
        i.code: IndicatorInfo(
            i.code, i.name, i.unit, i.multiplier, derived=i.source == DERIVED_SOURCE
        )
        for i in Indicator.objects.all()
    }
    code_of = dict(Indicator.objects.values_list("id", "code"))
    numerators: dict[str, np.ndarray] = {}
    denominators: dict[str, np.ndarray] = {}
    values: Any = MeasureValue.objects.filter(
        stratum_type="", period__gte=start, period__lte=end
    ).values_list("organisation_id", "indicator_id", "period", "numerator", "denominator")
    for org_id, ind_id, period, num, den in values.iterator(chunk_size=20000):
        r = row.get(org_id)
        if r is None:
            continue
        code = code_of[ind_id]
        if code not in numerators:
            numerators[code] = np.full(shape, np.nan)
            denominators[code] = np.full(shape, np.nan)
        c = col[_ym(period)]
        numerators[code][r, c] = num
        if den is not None:
            denominators[code][r, c] = den

    incidents = np.zeros(shape)
    harmful = np.zeros(shape)
    events = np.zeros(shape)
    counts = (
        MonthlyEventCount.objects.filter(month__gte=start, month__lte=end)
        .values_list("organisation_id", "service_id", "month", "record_type", "max_harm")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for org_id, service_id, month, record_type, max_harm, n in counts:
        c = col[_ym(month)]
        targets = [row[i] for i in (org_id, service_id) if i is not None and i in row]
        for r in targets:
            events[r, c] += n
            if record_type == "incident":
                incidents[r, c] += n
                if max_harm in MODERATE_OR_WORSE:
                    harmful[r, c] += n
    return Panel(
        far_from_home=_far_from_home(orgs, by_id, end),
        months=months,
        units=tuple(units),
        indicators=indicators,
        numerators=numerators,
        denominators=denominators,
        incidents=incidents,
        harmful=harmful,
        events=events,
    )


def _far_from_home(orgs: Any, by_id: Any, end: dt.date) -> dict[str, tuple[float, int]]:
    """For services where closed cultures arise: the share of the patients in their events
    (the last 12 months to `end`) whose home area lies outside the service's place."""
    from caresignals.signals.watchlist.config import default

    types = set(default().closed_culture["service_types"])
    services = {o["id"]: o for o in orgs if o["kind"] == "service" and o["type"] in types}
    if not services:
        return {}
    start = dt.date(end.year - 1, end.month, 1)
    place_of_service = {}
    for sid, o in services.items():
        provider = by_id.get(o["parent_id"])
        if provider is not None:
            place_of_service[sid] = provider["parent_id"]
    lsoas = (
        PatientSafetyEvent.objects.filter(service_id__in=list(services), occurred_on__gte=start)
        .exclude(patient_lsoa="")
        .values_list("service_id", "patient_lsoa")
    )
    rows = list(lsoas)
    area_place = dict(
        Area.objects.filter(lsoa_code__in={lsoa for _, lsoa in rows}).values_list(
            "lsoa_code", "place_id"
        )
    )
    known: dict[int, int] = {}
    away: dict[int, int] = {}
    for sid, lsoa in rows:
        place = area_place.get(lsoa)
        if place is None:
            continue
        known[sid] = known.get(sid, 0) + 1
        if place != place_of_service.get(sid):
            away[sid] = away.get(sid, 0) + 1
    return {services[sid]["code"]: (away.get(sid, 0) / n, n) for sid, n in known.items() if n > 0}
