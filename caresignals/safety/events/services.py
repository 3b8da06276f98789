"""Recording one patient-safety event, through exactly the rules imports use.

The web forms and the API record events one at a time; a monthly extract brings thousands.
Both go through `EventImporter`'s column rules (for one row, their scalar twins), cross-field
checks and derived fields, so an event means the same thing however it arrived. One event is
written with a single insert that refuses a stored key, and is answered from what was written.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.core.anonymity import day_only
from caresignals.core.writes import serial_write
from caresignals.interop.importing import ImportReport, build_row
from caresignals.organisations.scoping import Scope
from caresignals.safety import hooks
from caresignals.safety.events.formats import CANDOUR_CSV_COLUMNS, EVENT_CSV_COLUMNS
from caresignals.safety.events.importers import EventImporter
from caresignals.safety.models import EventReporter, RecordedEvent


@dataclass
class EventInvalid(Exception):
    """The event was not stored; `errors` maps each field to what was expected."""

    errors: dict[str, list[str]]


def _row(fields: Mapping[str, object], *, public: bool = False) -> dict[str, str]:
    """The fields as an events.csv row; the candour steps only from staff (a public report
    has no candour record to give)."""
    allowed = EVENT_CSV_COLUMNS if public else (*EVENT_CSV_COLUMNS, *CANDOUR_CSV_COLUMNS)
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise EventInvalid({name: ["Not a field of a patient-safety event"] for name in unknown})

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return {c: text(fields.get(c)) for c in allowed}


def _truthy(value: object) -> bool:
    return value is True or str(value).strip().lower() in {"true", "yes", "1"}


class OutOfScope(Exception):
    """The event's organisation is unknown or outside the caller's scope (answer: not found)."""


def record_event(
    fields: Mapping[str, object],
    *,
    actor: Actor,
    scope: Scope | None = None,
    public: bool = False,
    recorded_by: Any = None,
) -> RecordedEvent:
    """Validate and store one new event; raise EventInvalid (nothing stored) otherwise.

    `fields` are the events.csv columns (values as text, booleans or numbers), with the
    optional candour columns from staff (stored on the event's candour record). Without a
    `source_id` one is made up, since the event was recorded here. An event whose key
    (organisation, source_id) is already stored is refused: a change is a revision. With
    `scope`, an `org_code` the caller may not see raises OutOfScope before anything else
    is said about the event (the API's 404). A `public` report (a patient, family or carer,
    without signing in) keeps only the day it was made, on the event, its referral tasks and
    their audit entries: an exact time could tie it to a person (ADR 13, hazard H17).
    `recorded_by`, the signed-in person recording through the staff form, is linked so they can
    follow the event ("My events"); never for an anonymous or public report (hazard H68).
    """
    if recorded_by is not None and (public or _truthy(fields.get("anonymous"))):
        raise ValueError("An anonymous or public report is never linked to its reporter")
    importer = EventImporter(actor, one_event=True)
    importer.public_report = public
    stamp = day_only() if public else None
    importer.stamp = stamp
    reference = importer.reference
    code = fields.get("org_code")
    if scope is not None and code not in (None, ""):
        path = reference.path_of.get(str(code))
        if path is None or not scope.covers(path):
            raise OutOfScope(str(code))
    row = _row(fields, public=public)
    if not row["source_id"]:
        row["source_id"] = f"cs-{uuid.uuid4().hex[:16]}"
    importer.report = ImportReport(kind="events", path="(one event)")
    batch = build_row(importer, row)
    importer.check_batch(batch)
    errors: dict[str, list[str]] = {}
    for error in importer.report.errors:
        errors.setdefault(error.column or "non_field_errors", []).append(
            f"Expected {error.expected}"
        )
    if errors:
        raise EventInvalid(errors)
    prepared = importer.prepare(batch, np.array([0]))
    assert prepared is not None
    stored = prepared[0].to_pylist()[0]
    # Only the writes hold the transaction (and, on SQLite, the one write lock): validation
    # and the derived fields above read reference data alone; the aggregates, and the data
    # version cached pages are keyed on, follow after commit
    # (hooks.event_recorded, which analytics/refresher.py answers).
    with serial_write(), transaction.atomic():
        pk = importer.write_new(prepared)
        if pk is None:
            raise EventInvalid({"source_id": ["An event with this source_id is already recorded"]})
        hooks.event_recorded.send(
            sender=RecordedEvent, provider_months=importer.touched_provider_months()
        )
        organisation_id = stored["organisation"]
        service_id = stored["service"]
        event = RecordedEvent(
            pk=pk,
            reference=stored["reference"],
            organisation_id=organisation_id,
            org_code=reference.code_of[organisation_id],
            organisation_path=reference.path_of[reference.code_of[organisation_id]],
            provider_type=reference.type_of[organisation_id],
            service_code=reference.code_of[service_id] if service_id is not None else "",
            service_type=reference.type_of[service_id] if service_id is not None else None,
            stored=stored,
            plan=tuple(reference.plans.get(organisation_id, ())),
        )
        if recorded_by is not None:
            EventReporter.objects.create(event_id=pk, user=recorded_by)
        record(
            actor,
            Change(AuditAction.EVENT_CREATED, "event", event.reference, event.organisation_path),
            at=stamp,
        )
        importer.referral_tasks.audit(actor, event.reference)
        steps = importer.write_candour_steps().get(pk)
        if steps:
            record(
                actor,
                Change(
                    AuditAction.CANDOUR_STEPS_RECORDED,
                    "event",
                    event.reference,
                    event.organisation_path,
                    details={"changed": steps},
                ),
                at=stamp,
            )
        hooks.event_stored.send(sender=RecordedEvent, event=event)
        # No data-version bump here: the cached pages show aggregates, which change when
        # the mark above is drained, and the drain bumps. Bumping here too would make every
        # recording transaction on PostgreSQL queue for that one row until it commits.
    return event
