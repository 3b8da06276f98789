"""Recording one patient-safety event, through exactly the rules imports use.

The web forms and the API record events one at a time; a monthly extract brings thousands.
Both go through `EventImporter`'s column rules, cross-field checks, derived fields and bulk
write, so an event means the same thing however it arrived.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from django.db import transaction

from caresignals.analytics import refresher
from caresignals.analytics.cache import bump
from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.core.writes import serial_write
from caresignals.interop.importing import ImportReport, build_batch
from caresignals.safety.formats import EVENT_CSV_COLUMNS
from caresignals.safety.importers import EventImporter
from caresignals.safety.models import PatientSafetyEvent


@dataclass
class EventInvalid(Exception):
    """The event was not stored; `errors` maps each field to what was expected."""

    errors: dict[str, list[str]]


def _row(fields: Mapping[str, object]) -> dict[str, str]:
    unknown = sorted(set(fields) - set(EVENT_CSV_COLUMNS))
    if unknown:
        raise EventInvalid({name: ["Not a field of a patient-safety event"] for name in unknown})

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return {c: text(fields.get(c)) for c in EVENT_CSV_COLUMNS}


def record_event(fields: Mapping[str, object], *, actor: Actor) -> PatientSafetyEvent:
    """Validate and store one new event; raise EventInvalid (nothing stored) otherwise.

    `fields` are the events.csv columns (values as text, booleans or numbers). Without a
    `source_id` one is made up, since the event was recorded here. An event whose key
    (organisation, source_id) is already stored is refused: a change is a revision.
    """
    row = _row(fields)
    if not row["source_id"]:
        row["source_id"] = f"cs-{uuid.uuid4().hex[:16]}"
    importer = EventImporter(actor, one_event=True)
    importer.report = ImportReport(kind="events", path="(one event)")
    header = list(EVENT_CSV_COLUMNS)
    batch = build_batch(
        importer, header, {c: c for c in header}, 2, {c: pa.array([row[c]]) for c in header}
    )
    importer.check_batch(batch)
    errors: dict[str, list[str]] = {}
    for error in importer.report.errors:
        errors.setdefault(error.column or "non_field_errors", []).append(
            f"Expected {error.expected}"
        )
    if errors:
        raise EventInvalid(errors)
    prepared = importer.prepare(batch, np.array([0]))
    # Only the writes hold the transaction (and, on SQLite, the one write lock): validation
    # and the derived fields above read reference data alone; the aggregates follow after
    # commit (analytics/refresher.py).
    with serial_write(), transaction.atomic():
        existing = PatientSafetyEvent.objects.filter(
            organisation__code=row["org_code"], source_id=row["source_id"]
        )
        if existing.exists():
            raise EventInvalid({"source_id": ["An event with this source_id is already recorded"]})
        importer.write(prepared)
        refresher.mark(importer.touched_provider_months())
        event = PatientSafetyEvent.objects.select_related("organisation", "service").get(
            organisation__code=row["org_code"], source_id=row["source_id"]
        )
        record(
            actor,
            Change(AuditAction.EVENT_CREATED, "event", event.reference, event.organisation.path),
        )
        importer.referral_tasks.audit(actor, event.reference)
        bump()
    return event
