"""The public indicator library: what each indicator measures and exactly how."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caresignals.measures.models import Indicator
from caresignals.measures.numerators import rules


def all_indicators() -> QuerySet[Indicator]:
    """Definitions are public (no organisation's data is shown), so nothing is scoped."""
    return Indicator.objects.order_by("name")


def indicator(code: str) -> Indicator:
    found = Indicator.objects.filter(code=code).first()
    if found is None:
        raise Http404("Not found")
    return found


def counting_rule(code: str) -> str:
    """What the system counts for an indicator it derives itself, in words generated from
    the same declaration the counts come from; blank for imported indicators."""
    for source in ("events",):
        rule = rules(source).get(code)
        if rule is not None:
            return rule.describe()
    return ""
