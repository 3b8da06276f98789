"""Events as plain records: the import's columns plus the reference and derived fields.

One definition serves the CSV and JSON Lines exports (and later the API), so a field means
the same thing wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from caresignals.safety.formats import DERIVED_COLUMNS, EVENT_CSV_COLUMNS
from caresignals.safety.models import PatientSafetyEvent

RECORD_FIELDS = ["reference", *EVENT_CSV_COLUMNS, *DERIVED_COLUMNS]

_BLANK_IS_NULL = {
    "physical_harm",
    "psychological_harm",
    "never_event_type",
    "patient_sex",
    "patient_ethnicity",
    "patient_lsoa",
    "max_harm",
    "service_code",
}


def event_queryset(
    *, org_code: str | None = None, since: dt.date | None = None
) -> QuerySet[PatientSafetyEvent]:
    """Every event (the command line is not scoped to a person), optionally one subtree."""
    qs = PatientSafetyEvent.objects.select_related("organisation", "service").order_by("id")
    if org_code:
        qs = qs.filter(organisation__path__contains=f"/{org_code}/")
    if since:
        qs = qs.filter(reported_on__gte=since)
    return qs


def to_record(event: PatientSafetyEvent) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        if name == "org_code":
            value: Any = event.organisation.code
        elif name == "service_code":
            value = event.service.code if event.service_id and event.service else ""
        else:
            value = getattr(event, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        if name in _BLANK_IS_NULL and value == "":
            value = None
        record[name] = value
    return record


def records(queryset: QuerySet[PatientSafetyEvent]) -> Iterator[dict[str, Any]]:
    for event in queryset.iterator(chunk_size=5000):
        yield to_record(event)
