"""Reads behind the API, always through the caller's scope (organisations/scoping.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from caresignals.core.references import normalise_reference
from caresignals.organisations.models import Organisation
from caresignals.safety.events.exports import records
from caresignals.safety.events.queries import events_for
from caresignals.safety.models import PatientSafetyEvent


def visible_organisation(user: Any, code: str) -> Organisation | None:
    """The organisation with this code if the user may see it; None if unknown or out of scope."""
    if not code:
        return None
    return Organisation.objects.visible_to(user).filter(code=code).first()


def _with_relations(qs: QuerySet[PatientSafetyEvent]) -> QuerySet[PatientSafetyEvent]:
    return qs.select_related("organisation", "service")


def event_record(user: Any, reference: str) -> dict[str, Any] | None:
    """One event as the exports give it (with derived and rule fields), or None."""
    qs = _with_relations(
        PatientSafetyEvent.objects.visible_to(user).filter(reference=normalise_reference(reference))
    )
    return next(records(qs), None)


def event_records(
    user: Any, organisation: Organisation | None, *, limit: int, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    """A page of the events the user may see (at and beneath `organisation` if given),
    newest reported first, then by reference; with the total count."""
    qs: QuerySet[PatientSafetyEvent]
    if organisation is None:
        qs = PatientSafetyEvent.objects.visible_to(user)
    else:
        qs = events_for(user, organisation)
    total = qs.count()
    page = _with_relations(qs.order_by("-reported_on", "reference"))[offset : offset + limit]
    return total, list(records(page))
