"""The experience indicators counted from the feedback records held (ADR 17).

`fft_positive`, `fft_negative` and `complaints` are counted from the feedback a provider holds
(the public forms, the API, `import feedback`), as the event indicators are from events, and
kept as ordinary `MeasureValue` rows marked `Origin.DERIVED`, so every page, chart and
watchlist rule reads them like any other value. What each counts is declared once in its
definition file's ``[numerator_rule]`` (source "feedback"); the Parquet path counts from the
same declaration (analytics/parquet.py).

One precedence, so a response is never counted twice: where an organisation submits an
aggregate for an indicator and month through the measures import, that value stands and
nothing is derived for it (imported beats derived). A provider's own value is derived only
when neither it nor any of its services submitted one that month, because a provider total
counted from records alone would leave out what a service submitted.

Months are recounted incrementally: an import or a form names the provider-months it
touched, and each provider is recounted from the first to the last of its months named. From
the month an organisation's first feedback record was received, a month with records but no
complaint counts 0 complaints; an FFT share needs at least one FFT answer that month.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Min, Q

from caresignals.core.cache import bump
from caresignals.core.dbfunctions import MonthStart
from caresignals.core.periods import Month
from caresignals.core.writes import serial_write, when_free
from caresignals.measures import numerators
from caresignals.measures.models import Indicator, MeasureValue, Origin
from caresignals.organisations.models import Organisation
from caresignals.voice.models import Feedback

log = logging.getLogger(__name__)

SOURCE = numerators.SOURCES["feedback"].indicator_source
RULES = numerators.rules("feedback")
"""The indicators counted from feedback records, by code, as their definition files declare."""

# indicator code -> (numerator filter, denominator filter or None for a count)
COUNTS: dict[str, tuple[Q, Q | None]] = {
    code: (rule.q(), rule.out_of_q()) for code, rule in RULES.items()
}

OrgMonth = tuple[int, dt.date]  # (provider id, first day of month)


@dataclass
class RefreshReport:
    provider_months: int
    values_written: int


def _spans(provider_months: Iterable[OrgMonth]) -> set[OrgMonth]:
    """Every month from each provider's first named month to its last."""
    by_provider: dict[int, list[Month]] = defaultdict(list)
    for provider, month in provider_months:
        by_provider[provider].append(Month.of(month))
    wanted = set()
    for provider, months in by_provider.items():
        step, last = min(months), max(months)
        while step <= last:
            wanted.add((provider, step.first_day))
            step = step.next
    return wanted


@transaction.atomic
def refresh(provider_months: Iterable[OrgMonth] | None = None) -> RefreshReport:
    """Recount the experience indicators of these provider-months (None: every month of every
    provider with feedback or a value). A provider-month covers the provider and its services."""
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=COUNTS, source=SOURCE)}
    if not indicators:
        return RefreshReport(0, 0)
    service_provider: dict[int, int] = dict(
        Organisation.objects.filter(kind="service").values_list("id", "parent_id")
    )
    if provider_months is None:
        held = Feedback.objects.annotate(month=MonthStart("received_on")).values_list(
            "organisation_id", "month"
        )
        stored = MeasureValue.objects.filter(
            indicator__in=indicators.values(), origin=Origin.DERIVED
        ).values_list("organisation_id", "period")
        wanted = _spans(
            {(o, _as_date(m)) for o, m in held.distinct()}
            | {(service_provider.get(o, o), p) for o, p in stored.distinct()}
        )
    else:
        wanted = _spans(provider_months)
    if not wanted:
        return RefreshReport(0, 0)
    providers = {p for p, _ in wanted}
    months = sorted({m for _, m in wanted})
    orgs_of = {p: {p} for p in providers}
    for service, provider in service_provider.items():
        if provider in orgs_of:
            orgs_of[provider].add(service)
    affected = set().union(*orgs_of.values())

    # (org id, month) -> code -> [numerator, denominator]; services and providers both.
    counted: dict[OrgMonth, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    aggregates: dict[str, Any] = {}
    for code, (q, out_of) in COUNTS.items():
        aggregates[code] = Count("id", filter=q)
        if out_of is not None:
            aggregates[f"{code}__out_of"] = Count("id", filter=out_of)
    rows = (
        Feedback.objects.filter(
            organisation_id__in=providers,
            received_on__gte=months[0],
            received_on__lt=Month.of(months[-1]).next.first_day,
        )
        .annotate(month=MonthStart("received_on"))
        .values("organisation_id", "service_id", "month")
        .annotate(**aggregates)
        .order_by()
    )
    for row in cast(Iterable[dict[str, Any]], rows):
        month = _as_date(row["month"])
        if (row["organisation_id"], month) not in wanted:
            continue
        for org in (row["organisation_id"], row["service_id"]):
            if org is None:
                continue
            for code, (_, out_of) in COUNTS.items():
                entry = counted[(org, month)][code]
                entry[0] += row[code]
                if out_of is not None:
                    entry[1] += row[f"{code}__out_of"]

    # From its first record on, an organisation's month without a complaint counts 0.
    first: dict[int, dt.date] = {}
    for field in ("organisation_id", "service_id"):
        for org, earliest in (
            Feedback.objects.filter(organisation_id__in=providers)
            .exclude(**{f"{field}__isnull": True})
            .values_list(field)
            .annotate(earliest=Min("received_on"))
            .order_by()
        ):
            first[org] = Month.of(earliest).first_day

    imported: set[tuple[int, int, dt.date]] = set(
        MeasureValue.objects.filter(
            indicator__in=indicators.values(),
            origin=Origin.IMPORTED,
            stratum_type="",
            organisation_id__in=affected,
            period__gte=months[0],
            period__lte=months[-1],
        ).values_list("organisation_id", "indicator_id", "period")
    )
    # A provider whose service submitted an aggregate has no total counted from records.
    submitted_below = {(service_provider[o], i, p) for o, i, p in imported if o in service_provider}

    values: list[MeasureValue] = []
    for provider, month in wanted:
        for org in orgs_of[provider]:
            if org not in first or first[org] > month:
                continue  # no feedback records held for it yet: no data, not zero
            counts = counted.get((org, month), {})
            for code, indicator in indicators.items():
                key = (org, indicator.pk, month)
                if key in imported or key in submitted_below:
                    continue  # imported beats derived (ADR 17)
                numerator, denominator = counts.get(code, (0, 0))
                shared = COUNTS[code][1] is not None
                if shared and not denominator:
                    continue  # no answers to share out: no value, rather than a false 0 %
                values.append(
                    MeasureValue(
                        organisation_id=org,
                        indicator=indicator,
                        period=month,
                        numerator=float(numerator),
                        denominator=float(denominator) if shared else None,
                        origin=Origin.DERIVED,
                    )
                )

    MeasureValue.objects.filter(
        indicator__in=indicators.values(),
        origin=Origin.DERIVED,
        organisation_id__in=affected,
        period__in=months,
    ).delete()
    MeasureValue.objects.bulk_create(values, batch_size=5000)
    bump()
    return RefreshReport(len(wanted), len(values))


def recount_after_commit(provider_months: Iterable[OrgMonth]) -> None:
    """Recount once the writing transaction has committed, so one piece of feedback never
    holds the write lock for a recount (as events do, ADR 9)."""
    wanted = set(provider_months)

    def recount() -> None:
        # The feedback is stored whatever happens here: a failed recount must not turn the
        # person's confirmation into an error. The next touch of the month, or
        # `caresignals analytics refresh`, counts it.
        try:
            with serial_write():
                refresh(wanted)
        except Exception:
            log.exception("Recounting the experience indicators failed for %s", sorted(wanted))

    transaction.on_commit(lambda: when_free(recount))


def monthly_counts_table() -> list[tuple[str, str, dt.date, dict[str, int]]]:
    """The operational path's monthly feedback counts (numerator, and ``<code>__out_of`` for
    a share), by organisation code, service code (blank for none) and month: what the
    Parquet path must reproduce."""
    codes = dict(Organisation.objects.values_list("id", "code"))
    aggregates: dict[str, Any] = {}
    for code, (q, out_of) in COUNTS.items():
        aggregates[code] = Count("id", filter=q)
        if out_of is not None:
            aggregates[f"{code}__out_of"] = Count("id", filter=out_of)
    counted = (
        Feedback.objects.annotate(month=MonthStart("received_on"))
        .values("organisation_id", "service_id", "month")
        .annotate(**aggregates)
        .order_by()
    )
    return sorted(
        (
            codes[r["organisation_id"]],
            codes[r["service_id"]] if r["service_id"] else "",
            _as_date(r["month"]),
            {name: r[name] for name in aggregates},
        )
        for r in cast(Iterable[dict[str, Any]], counted)
    )


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
