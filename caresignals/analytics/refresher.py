"""Keeping event aggregates current when events arrive one at a time (ADR 9).

An import refreshes the months it touched once, at its end. A single event recorded through
a form or the API would otherwise recompute its provider-month inside its own transaction,
holding the database's write lock (SQLite) or the data-version row (PostgreSQL) while it
does, so twenty people recording at once would queue behind each other's recomputations.
Instead the event's transaction writes a `PendingRefresh` mark, and after it commits:

- by default the marks are drained there and then (the same result as before, a moment
  later): tests, the command line and the development server see aggregates at once;
- in a served process (`caresignals serve` starts it) one background thread per process
  drains, coalescing the marks of up to a second into one recomputation, so a request
  returns as soon as its event is stored and aggregates follow within a moment.

Drains are serialised (a PostgreSQL advisory lock; SQLite has one writer anyway), and each
deletes only the marks it read, so no event is ever left uncounted.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable

from django.db import close_old_connections, connection, transaction

from caresignals.analytics.models import PendingRefresh
from caresignals.core.writes import serial_write, when_free

log = logging.getLogger(__name__)

_DRAIN_LOCK_KEY = 0x43534147  # any fixed number; names this lock among advisory locks
# How long a served process lets events gather before recomputing: the most the aggregates lag.
COALESCE_SECONDS = 1.0


def mark(provider_months: Iterable[tuple[int, dt.date]]) -> None:
    """Note provider-months to recompute (inside the writing transaction), and drain after
    the transaction commits."""
    marks = [PendingRefresh(provider_id=p, month=m) for p, m in set(provider_months)]
    if not marks:
        return
    PendingRefresh.objects.bulk_create(marks)
    transaction.on_commit(_after_commit)


def drain() -> int:
    """Recompute every waiting provider-month; return how many marks were drained."""
    from caresignals.analytics import event_indicators

    with serial_write(), transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_DRAIN_LOCK_KEY])
        waiting = list(PendingRefresh.objects.values_list("id", "provider_id", "month"))
        if not waiting:
            return 0
        event_indicators.refresh({(p, m) for _, p, m in waiting})
        PendingRefresh.objects.filter(id__in=[i for i, _, _ in waiting]).delete()
    return len(waiting)


class _Background:
    """One daemon thread per process that drains whenever it is woken."""

    def __init__(self) -> None:
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="event-aggregates", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while True:
            self.wake.wait()
            # Let a burst of events gather, so one recomputation serves them all.
            time.sleep(COALESCE_SECONDS)
            self.wake.clear()
            try:
                close_old_connections()
                drain()
            except Exception:  # a failed drain leaves its marks for the next one
                log.exception("Refreshing event aggregates failed; will retry on the next event")


_background = _Background()


def start_background() -> None:
    """Drain in a background thread from now on (called in each served worker process)."""
    _background.start()
    _background.wake.set()  # pick up marks left by a previous process


def _after_commit() -> None:
    if _background.thread is not None and _background.thread.is_alive():
        _background.wake.set()
    else:
        when_free(drain)  # (the commit may happen inside the writer's lock)
