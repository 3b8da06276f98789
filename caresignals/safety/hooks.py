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
