"""The public indicator library: what each indicator measures and exactly how."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caresignals.measures.models import Indicator


def all_indicators() -> QuerySet[Indicator]:
    """Definitions are public (no organisation's data is shown), so nothing is scoped."""
    return Indicator.objects.order_by("name")


def indicator(code: str) -> Indicator:
    found = Indicator.objects.filter(code=code).first()
    if found is None:
        raise Http404("Not found")
    return found
