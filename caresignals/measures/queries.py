"""Reads of measures, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from caresignals.measures.models import MeasureValue
from caresignals.organisations.models import Organisation


def visible_measures(user: Any) -> QuerySet[MeasureValue]:
    return MeasureValue.objects.visible_to(user)


def measures_for(user: Any, organisation: Organisation) -> QuerySet[MeasureValue]:
    """Measures recorded for exactly this organisation, if the user may see it."""
    return visible_measures(user).filter(organisation=organisation)
