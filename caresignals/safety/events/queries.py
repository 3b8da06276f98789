"""Reads of patient-safety events, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from caresignals.organisations.models import Organisation
from caresignals.safety.models import OF_NOTE_HARMS, PatientSafetyEvent


def events_for(user: Any, organisation: Organisation) -> QuerySet[PatientSafetyEvent]:
    """Events the user may see, at this organisation or anywhere beneath it."""
    field = "service__path" if organisation.kind == "service" else "organisation__path"
    return PatientSafetyEvent.objects.visible_to(user).filter(
        **{f"{field}__startswith": organisation.path}
    )


# models.OF_NOTE in SQL, as the partial index "event_of_note" states it: SQLite reads a partial
# index only for a condition that matches its own, literal values and all, not parameters.
_HARMS_SQL = ", ".join(f"'{h}'" for h in OF_NOTE_HARMS)
_OF_NOTE_SQL = f'("max_harm" IN ({_HARMS_SQL}) OR NOT ("never_event_type" = \'\'))'
_TABLE = PatientSafetyEvent._meta.db_table
_OF_NOTE_OUTER_SQL = (
    f'("{_TABLE}"."max_harm" IN ({_HARMS_SQL}) OR NOT ("{_TABLE}"."never_event_type" = \'\'))'
)


def of_note() -> RawSQL:
    """A filter for the events table itself (not a subquery) to events of note, which reads
    the partial index: `PatientSafetyEvent.objects.filter(of_note())`."""
    return RawSQL(_OF_NOTE_OUTER_SQL, [], output_field=BooleanField())  # noqa: S611 - constants


def of_note_ids() -> QuerySet[PatientSafetyEvent, Any]:
    """The ids of events of note (moderate harm or worse, or a Never Event), read through the
    partial index: a few per cent of the table. Filter with `id__in=of_note_ids()` before a
    narrower condition (the candour rules, serious events) so a query reads those alone."""
    condition = RawSQL(_OF_NOTE_SQL, [], output_field=BooleanField())  # noqa: S611 - constants
    return PatientSafetyEvent.objects.filter(condition).order_by().values("id")
