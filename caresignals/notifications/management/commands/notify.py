"""`caresignals notify daily|weekly`: enqueue the daily reminders or the weekly digest by hand.

`caresignals worker` enqueues both on schedule (notifications/schedule.py) and runs them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caresignals.notifications import tasks


class Command(BaseCommand):
    help = "Enqueue the daily reminders (daily) or the weekly digest (weekly)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", choices=["daily", "weekly"])

    def handle(self, *args: Any, **options: Any) -> None:
        task = tasks.daily if options["run"] == "daily" else tasks.weekly
        result = task.enqueue()
        self.stdout.write(f"{options['run']}: {result.status}")
