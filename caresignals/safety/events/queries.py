"""Reads of patient-safety events, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from caresignals.organisations.models import Organisation
from caresignals.safety.models import PatientSafetyEvent


def events_for(user: Any, organisation: Organisation) -> QuerySet[PatientSafetyEvent]:
    """Events the user may see, at this organisation or anywhere beneath it."""
    field = "service__path" if organisation.kind == "service" else "organisation__path"
    return PatientSafetyEvent.objects.visible_to(user).filter(
        **{f"{field}__startswith": organisation.path}
    )
