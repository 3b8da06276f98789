"""When `caresignals worker` enqueues the scheduled runs (ADR 21): the daily reminders on
weekdays from 07:00 and the weekly digest from 07:30 on Monday, both in the ICS's time zone.

A run missed while no worker was running is enqueued when one next checks (the digest later in
the same week, the reminders later the same day); a fixed time of day also means the daily email
of a speak-up reply says nothing about when the reporter wrote (H37).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from caresignals.core import clock
from caresignals.notifications import tasks
from caresignals.notifications.models import ScheduledRun

DAILY_FROM = dt.time(7, 0)
WEEKLY_FROM = dt.time(7, 30)
RUNS = {"daily": tasks.daily, "weekly": tasks.weekly}


def due(today: dt.date, time_of_day: dt.time) -> list[tuple[str, dt.date]]:
    """Each run due by now, with the period it is for."""
    runs = []
    if today.weekday() < 5 and time_of_day >= DAILY_FROM:
        runs.append(("daily", today))
    monday = today - dt.timedelta(days=today.weekday())
    if today > monday or time_of_day >= WEEKLY_FROM:
        runs.append(("weekly", monday))
    return runs


def enqueue_due() -> list[str]:
    """Enqueue each run due now that no worker has enqueued for its period yet; returns them."""
    enqueued = []
    for run, period in due(clock.today(), timezone.localtime().time()):
        if ScheduledRun.objects.filter(run=run, period=period).exists():
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(run=run, period=period)
                RUNS[run].enqueue()
        except IntegrityError:
            continue  # another worker enqueued it first
        enqueued.append(run)
    return enqueued
