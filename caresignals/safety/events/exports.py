"""Events as plain records: the import's columns plus the reference and derived fields.

One definition serves the CSV and JSON Lines exports (and later the API), so a field means
the same thing wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db.models import QuerySet

from caresignals.safety.candour.exports import (
    HandDecisions,
    hand_decisions,
    with_hand_referrals,
)
from caresignals.safety.events import rules
from caresignals.safety.events.formats import DERIVED_COLUMNS, EVENT_CSV_COLUMNS
from caresignals.safety.models import PatientSafetyEvent, RecordedEvent
from caresignals.safety.responses import psirf
from caresignals.safety.responses import queries as response_queries

RECORD_FIELDS = ["reference", *EVENT_CSV_COLUMNS, *DERIVED_COLUMNS]
# Worked out by the rules in safety/events/rules.py when exported (docs/command-line.md, export).
RULE_FIELDS = [
    "candour_notifiable",
    "candour_due",
    "national_requirement",
    "referrals",
    "psirf_response",
]
EXPORT_FIELDS = [*RECORD_FIELDS, *RULE_FIELDS]

_BLANK_IS_NULL = {
    "physical_harm",
    "psychological_harm",
    "never_event_type",
    "strength_of_association",
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
    def value(name: str) -> Any:
        if name == "org_code":
            return event.organisation.code
        if name == "service_code":
            return event.service.code if event.service_id and event.service else ""
        return getattr(event, name)

    return _record(value)


def _record(value: Callable[[str], Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        v = value(name)
        if isinstance(v, dt.date):
            v = v.isoformat()
        if name in _BLANK_IS_NULL and v == "":
            v = None
        record[name] = v
    return record


def records(
    queryset: QuerySet[PatientSafetyEvent], *, chunk: int = 5000
) -> Iterator[dict[str, Any]]:
    """Each event as a record, with the rule-based fields worked out a chunk at a time."""
    events: list[PatientSafetyEvent] = []
    plans: dict[int, Any] = {}  # each provider's response plan, read once per export
    for event in queryset.iterator(chunk_size=chunk):
        events.append(event)
        if len(events) == chunk:
            yield from _with_rules(events, plans)
            events = []
    if events:
        yield from _with_rules(events, plans)


def new_record(event: RecordedEvent) -> dict[str, Any]:
    """The record of an event just recorded, as `records` gives it: built from what was
    stored, with the scalar twins of the rules, and without looking for decisions nobody
    can have made yet (tests hold the two paths together)."""
    stored = event.stored

    def value(name: str) -> Any:
        if name == "org_code":
            return event.org_code
        if name == "service_code":
            return event.service_code
        return stored[name]  # (the reference included)

    record = _record(value)
    notifiable = rules.candour_notifiable(
        event.provider_type, stored["physical_harm"], stored["psychological_harm"]
    )
    due = rules.candour_due(stored["reported_on"], notifiable)
    requirement = rules.national_requirement(
        stored["never_event_type"],
        stored["patient_died"],
        stored["death_in_care_more_likely_than_not"],
        stored["detained_mha"],
    )
    by_plan, _ = psirf.plan_response(
        event.plan,
        category=stored["category"],
        max_harm=stored["max_harm"],
        service_area=stored["service_area"],
        service_id=stored["service"],
    )
    record["candour_notifiable"] = rules.candour_notifiable_export(notifiable)
    record["candour_due"] = due.isoformat() if due else None
    record["national_requirement"] = requirement
    record["referrals"] = rules.referrals(
        patient_died=stored["patient_died"],
        learning_disability=stored["learning_disability"],
        autism=stored["autism"],
        patient_age_years=stored["patient_age_years"],
        service_area=stored["service_area"],
        service_type=event.service_type,
        max_harm=stored["max_harm"],
        category=stored["category"],
    )
    record["psirf_response"] = rules.psirf_response(requirement, by_plan)
    return record


def _with_rules(
    events: list[PatientSafetyEvent], plans: dict[int, Any], *, decided: bool = True
) -> Iterator[dict[str, Any]]:
    def col(name: str) -> list[Any]:
        return [getattr(e, name) for e in events]

    notifiable = rules.candour_notifiable_many(
        [e.organisation.type for e in events], col("physical_harm"), col("psychological_harm")
    )
    # A person's decisions (hand flags, referrals no stored field shows): one query per
    # chunk, never one per event.
    hand = hand_decisions([e.pk for e in events]) if decided else HandDecisions()
    notifiable = pc.or_kleene(notifiable, pa.array([e.pk in hand.flagged for e in events]))
    due = rules.candour_due_many(col("reported_on"), notifiable).to_pylist()
    requirement = rules.national_requirement_many(
        col("never_event_type"),
        col("patient_died"),
        col("death_in_care_more_likely_than_not"),
        col("detained_mha"),
    )
    referrals = rules.referrals_many(
        patient_died=col("patient_died"),
        learning_disability=col("learning_disability"),
        autism=col("autism"),
        patient_age_years=col("patient_age_years"),
        service_area=col("service_area"),
        service_type=[e.service.type if e.service_id and e.service else None for e in events],
        max_harm=col("max_harm"),
        category=col("category"),
    ).to_pylist()
    # Triage's decision, else the provider's plan; a national requirement overrides both.
    chosen = response_queries.decided_responses(events, plans, triaged=decided)
    response = rules.psirf_response_many(requirement, chosen).to_pylist()
    exported = rules.candour_notifiable_export_many(notifiable).to_pylist()
    requirements = requirement.to_pylist()
    for i, event in enumerate(events):
        record = to_record(event)
        record["candour_notifiable"] = exported[i]
        record["candour_due"] = due[i].isoformat() if due[i] else None
        record["national_requirement"] = requirements[i]
        extra = hand.referrals.get(event.pk)
        record["referrals"] = with_hand_referrals(referrals[i], extra) if extra else referrals[i]
        record["psirf_response"] = response[i]
        yield record
