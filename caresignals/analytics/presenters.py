"""What the organisation page shows about patient-safety events.

Counts come from the monthly event counts the imports keep up to date
(analytics.MonthlyEventCount), so a page never scans the events table however large it grows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min, Sum

from caresignals.analytics.models import MonthlyEventCount
from caresignals.organisations.models import Organisation
from caresignals.safety.vocabulary import MaxHarm, RecordType


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int
    share: float | None


@dataclass(frozen=True)
class HarmRow:
    label: str
    counts: list[int]  # one per record type in EventSummary.record_types


@dataclass(frozen=True)
class EventSummary:
    total: int
    first: dt.date | None
    last: dt.date | None
    by_type: list[CountRow]
    record_types: list[str]
    by_harm: list[HarmRow]

    @property
    def is_empty(self) -> bool:
        return self.total == 0


def event_counts_for(user: Any, organisation: Organisation) -> Any:
    """Monthly counts the user may see, at this organisation or anywhere beneath it."""
    counts = MonthlyEventCount.objects.visible_to(user)
    if organisation.kind == "service":
        return counts.filter(service=organisation)
    return counts.filter(organisation__path__startswith=organisation.path)


def event_summary(user: Any, organisation: Organisation) -> EventSummary:
    counts = event_counts_for(user, organisation)
    span = counts.aggregate(first=Min("month"), last=Max("month"))
    cells = {
        (r["record_type"], r["max_harm"]): r["n"]
        for r in counts.values("record_type", "max_harm").annotate(n=Sum("count")).order_by()
    }
    total = sum(cells.values())
    types = list(RecordType)
    by_type = []
    for t in types:
        n = sum(v for (rt, _), v in cells.items() if rt == t.value)
        by_type.append(CountRow(t.label, n, n / total if total else None))
    harms = [(h.value, h.label) for h in MaxHarm] + [("", "Not known, or a risk or good care")]
    by_harm = [
        HarmRow(label, [cells.get((t.value, h), 0) for t in types])
        for h, label in harms
        if any(cells.get((t.value, h), 0) for t in types)
    ]
    return EventSummary(
        total, span["first"], span["last"], by_type, [t.label for t in types], by_harm
    )
