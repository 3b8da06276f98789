"""What safety tells the layers above it, without importing them (ADR 16).

Aggregates of events (analytics) sit above safety, so safety sends these signals and
analytics connects to them in its AppConfig.ready(). Receivers run synchronously, in the
sender's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.dispatch import Signal

# One event was recorded (the form, the API, a complaint): sent inside the write transaction
# with `provider_months`, the (provider id, month) pairs whose aggregates it changes.
event_recorded = Signal()

# An import stored or changed events: sent after the rows are written, with
# `provider_months` (None when every month must be recomputed).
events_imported = Signal()

# One event was recorded one at a time (the form, the API, a complaint): sent inside the write
# transaction with `event` (a RecordedEvent); a receiver with work to do defers it to the
# commit. Imports do not send it.
event_stored = Signal()

# Counts of events by month, kept by analytics (its MonthlyEventCount) and filled in here from
# its AppConfig.ready(): called with (user, capability, first month, last month), it answers
# (organisation id, record type, worst harm, service area, count) rows for the events the user
# may see that occurred in those months, so the cross-provider view never scans the events.
# None until analytics is ready (then the view counts the events themselves).
MonthlyCounts = Callable[[Any, Any, Any, Any], Iterable[tuple[int, str, str, str, int]]]
monthly_counts: MonthlyCounts | None = None
# Similar learning from elsewhere for the forms that start a learning response or a safety
# action: each function takes (user, words, provider) and returns up to a handful of
# results (objects with `title`, `url`, `organisation` and `snippet`, already escaped Markup);
# filled in by the learning library when it is ready.
similar_learning: list[Callable[[Any, str, Any], list[Any]]] = []


def similar_learning_for(user: Any, words: str, provider: Any) -> list[Any]:
    found: list[Any] = []
    for find in similar_learning:
        found.extend(find(user, words, provider))
    return found


# Links a completed learning response's page offers beyond safety's own (the learning
# library's "write the summary"): each function takes (user, response) and returns
# (text, url) pairs.
response_links: list[Callable[[Any, Any], list[tuple[str, str]]]] = []


def response_links_for(user: Any, response: Any) -> list[tuple[str, str]]:
    return [link for find in response_links for link in find(user, response)]
