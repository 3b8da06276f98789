"""Indicators derived from stored events, kept as monthly measure values.

Writing them as ordinary `MeasureValue` rows (indicator source "derived from events") means
every page, chart, funnel and signal treats them exactly like imported measures. They are
refreshed incrementally: an import names the organisation-months it touched, and only those
are recomputed, so a new event does not recompute the world.

What each counts is declared once, in the ``[numerator_rule]`` of the indicator's reviewed
definition file (measures/definitions/*.toml); :mod:`caresignals.measures.numerators` turns it
into the filter used here and into the DuckDB expression of the Parquet path (parquet.py).
Each is computed for every service (its own events and bed days) and every provider (all of
its events; bed days summed over its services and itself), by month occurred.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, Q, Sum

from caresignals.analytics.models import MonthlyEventCount
from caresignals.core.cache import bump
from caresignals.core.dbfunctions import MonthStart
from caresignals.core.periods import Month
from caresignals.measures import numerators
from caresignals.measures.models import Indicator, MeasureValue, Origin
from caresignals.organisations.models import Organisation
from caresignals.safety.models import PatientSafetyEvent

DERIVED_SOURCE = numerators.SOURCES["events"].indicator_source
BED_DAYS = "occupied_bed_days"

RULES = numerators.rules("events")
"""The derived indicators counted from events, by code, as their definition files declare."""
if any(r.denominator not in (None, BED_DAYS) for r in RULES.values()):
    raise ImproperlyConfigured(f"derived indicators can only be divided by {BED_DAYS}")

# indicator code -> (numerator filter, needs bed days as denominator)
COUNTS: dict[str, tuple[Q, bool]] = {
    code: (rule.q(), rule.denominator is not None) for code, rule in RULES.items()
}

OrgMonth = tuple[int, dt.date]  # (provider id, first day of month)


@dataclass
class RefreshReport:
    provider_months: int
    values_written: int


@transaction.atomic
def refresh(provider_months: Iterable[OrgMonth] | None = None) -> RefreshReport:
    """Recompute the monthly event counts and derived values of these provider-months
    (None: everything). A provider-month covers the provider and all its services."""
    wanted = (
        None
        if provider_months is None
        else {(p, Month.of(m).first_day) for p, m in provider_months}
    )
    if wanted is not None and not wanted:
        return RefreshReport(0, 0)
    events = PatientSafetyEvent.objects.all()
    if wanted is not None:
        months = sorted({m for _, m in wanted})
        providers = sorted({p for p, _ in wanted})
        events = events.filter(
            organisation_id__in=providers,
            occurred_on__gte=months[0],
            occurred_on__lt=Month.of(months[-1]).next.first_day,
        )
    _refresh_event_counts(events, wanted)
    report = _refresh_indicators(events, wanted)

    # Last, so the data-version row is locked only for the moment before commit: events
    # being recorded meanwhile bump it too, and would otherwise wait for this whole refresh.
    # Only the months recomputed changed: what is cached for earlier months stays (ADR 25).
    bump(None if wanted is None else {m for _, m in wanted})
    return report


def _refresh_indicators(events: Any, wanted: set[OrgMonth] | None) -> RefreshReport:
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in=COUNTS, source=DERIVED_SOURCE)
    }
    if not indicators:
        return RefreshReport(len(wanted) if wanted is not None else 0, 0)
    months = sorted({m for _, m in wanted}) if wanted is not None else []
    counted = (
        events.annotate(month=MonthStart("occurred_on"))
        .values("organisation_id", "service_id", "month")
        .annotate(**{code: Count("id", filter=q) for code, (q, _) in COUNTS.items()})
        .order_by()
    )
    # (org id, month) -> {indicator code: count}; services and providers both.
    numerators: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in cast(Iterable[dict[str, Any]], counted):
        month = _as_date(row["month"])
        if wanted is not None and (row["organisation_id"], month) not in wanted:
            continue
        for code in COUNTS:
            numerators[(row["organisation_id"], month)][code] += row[code]
            if row["service_id"] is not None:
                numerators[(row["service_id"], month)][code] += row[code]

    service_provider = dict(
        Organisation.objects.filter(kind="service").values_list("id", "parent_id")
    )
    bed_days: dict[tuple[int, dt.date], float] = defaultdict(float)
    beds = MeasureValue.objects.filter(indicator__code=BED_DAYS, stratum_type="")
    if wanted is not None:
        beds = beds.filter(period__gte=months[0], period__lte=months[-1])
    for org_id, period, total in (
        beds.values_list("organisation_id", "period").annotate(total=Sum("numerator")).order_by()
    ):
        provider = service_provider.get(org_id, org_id)
        if wanted is not None and (provider, period) not in wanted:
            continue
        bed_days[(org_id, period)] += total
        if org_id in service_provider:
            bed_days[(provider, period)] += total

    keys = set(numerators) | set(bed_days)
    rows: list[MeasureValue] = []
    for org_id, month in keys:
        counts = numerators.get((org_id, month), {})
        beds_here = bed_days.get((org_id, month))
        for code, indicator in indicators.items():
            needs_beds = COUNTS[code][1]
            if needs_beds and not beds_here:
                continue  # no activity to count against: no rate, rather than a false zero
            rows.append(
                MeasureValue(
                    organisation_id=org_id,
                    indicator=indicator,
                    period=month,
                    numerator=float(counts.get(code, 0)),
                    denominator=beds_here if needs_beds else None,
                    origin=Origin.DERIVED,
                )
            )

    stale = MeasureValue.objects.filter(indicator__in=indicators.values())
    if wanted is not None:
        affected = {org for org, _ in keys} | {p for p, _ in wanted}
        affected |= {s for s, p in service_provider.items() if p in {p for p, _ in wanted}}
        stale = stale.filter(organisation_id__in=affected, period__in={m for _, m in wanted})
        rows = [
            r for r in rows if _provider_of(r.organisation_id, service_provider, r.period, wanted)
        ]
    stale.delete()
    MeasureValue.objects.bulk_create(rows, batch_size=5000)
    return RefreshReport(len(wanted) if wanted is not None else len(keys), len(rows))


def _refresh_event_counts(events: Any, wanted: set[OrgMonth] | None) -> None:
    """Rebuild the monthly counts by record type, worst harm and service area for these
    provider-months."""
    grouped = (
        events.annotate(month=MonthStart("occurred_on"))
        .values("organisation_id", "service_id", "month", "record_type", "max_harm", "service_area")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [
        MonthlyEventCount(
            organisation_id=r["organisation_id"],
            service_id=r["service_id"],
            month=_as_date(r["month"]),
            record_type=r["record_type"],
            max_harm=r["max_harm"],
            service_area=r["service_area"],
            count=r["n"],
        )
        for r in grouped
        if wanted is None or (r["organisation_id"], _as_date(r["month"])) in wanted
    ]
    stale = MonthlyEventCount.objects.all()
    if wanted is not None:
        stale = stale.filter(
            organisation_id__in={p for p, _ in wanted}, month__in={m for _, m in wanted}
        )
        rows_keep = {(p, m) for p, m in wanted}
        stale_ids = [
            pk
            for pk, org, month in stale.values_list("id", "organisation_id", "month")
            if (org, month) in rows_keep
        ]
        MonthlyEventCount.objects.filter(pk__in=stale_ids).delete()
    else:
        stale.delete()
    MonthlyEventCount.objects.bulk_create(rows, batch_size=5000)


def _provider_of(
    org_id: int, service_provider: dict[int, int], month: dt.date, wanted: set[OrgMonth]
) -> bool:
    return (service_provider.get(org_id, org_id), month) in wanted


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def monthly_counts_table() -> list[tuple[str, str, dt.date, dict[str, int]]]:
    """The operational path's monthly numerators, by organisation code, service code (blank
    for none) and month: what the Parquet path must reproduce."""
    codes = dict(Organisation.objects.values_list("id", "code"))
    counted = (
        PatientSafetyEvent.objects.annotate(month=MonthStart("occurred_on"))
        .values("organisation_id", "service_id", "month")
        .annotate(**{code: Count("id", filter=q) for code, (q, _) in COUNTS.items()})
        .order_by()
    )
    return sorted(
        (
            codes[r["organisation_id"]],
            codes[r["service_id"]] if r["service_id"] else "",
            _as_date(r["month"]),
            {code: r[code] for code in COUNTS},
        )
        for r in cast(Iterable[dict[str, Any]], counted)
    )


def monthly_counts(
    user: Any, capability: Any, first: dt.date, last: dt.date
) -> list[tuple[int, str, str, str, int]]:
    """(organisation id, record type, worst harm, service area, count) of the events `user`
    may see (where they hold `capability`) that occurred from the month of `first` to the
    month of `last`: safety's cross-provider view reads these (safety/hooks.py)."""
    return list(
        MonthlyEventCount.objects.visible_to(user, capability)
        .filter(month__gte=Month.of(first).first_day, month__lte=Month.of(last).first_day)
        .values_list("organisation_id", "record_type", "max_harm", "service_area")
        .annotate(n=Sum("count"))
        .order_by()
    )
