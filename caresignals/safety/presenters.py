"""What the organisation page shows about patient-safety events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min

from caresignals.organisations.models import Organisation
from caresignals.safety.queries import events_for
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


def event_summary(user: Any, organisation: Organisation) -> EventSummary:
    events = events_for(user, organisation)
    span = events.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
    cells = {
        (r["record_type"], r["max_harm"]): r["n"]
        for r in events.values("record_type", "max_harm").annotate(n=Count("id")).order_by()
    }
    total = sum(cells.values())
    types = list(RecordType)
    by_type = []
    for t in types:
        n = sum(v for (rt, _), v in cells.items() if rt == t.value)
        by_type.append(CountRow(t.label, n, n / total if total else None))
    harms = [(h.value, h.label) for h in MaxHarm] + [("", "Not recorded (risks and good care)")]
    by_harm = [
        HarmRow(label, [cells.get((t.value, h), 0) for t in types])
        for h, label in harms
        if any(cells.get((t.value, h), 0) for t in types)
    ]
    return EventSummary(
        total, span["first"], span["last"], by_type, [t.label for t in types], by_harm
    )
