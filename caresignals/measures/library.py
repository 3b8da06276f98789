"""The public indicator library: what each indicator measures and exactly how."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from caresignals.measures.models import Indicator
from caresignals.measures.numerators import FEEDBACK_INDICATOR_SOURCE, SOURCES, rules


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
    for source in SOURCES:
        rule = rules(source).get(code)
        if rule is not None:
            return rule.describe()
    return ""


def route(found: Indicator) -> str:
    """For an indicator that may be submitted or counted from records, which one a month's
    value is (ADR 17); blank for others."""
    if found.source != FEEDBACK_INDICATOR_SOURCE:
        return ""
    return (
        "Where a service or provider submits this indicator for a month through the measures "
        "import, that value is used and nothing is counted beside it; otherwise it is counted "
        "from the feedback records held (the public forms, the API and the feedback import). "
        "A provider's value is counted from records only when none of its services submitted "
        "one for that month. Each chart says which months came by which route."
    )
