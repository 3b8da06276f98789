"""`caresignals worker [--once]`: run the task queue, and enqueue the scheduled daily
reminders and weekly digest when they fall due (notifications/schedule.py).

The queue is django-tasks-db's (its `db_worker` does the claiming and running); this command
adds the schedule between batches, checked once a minute. `caresignals serve` starts it as a
child process unless `--no-worker`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from caresignals.notifications import schedule

SCHEDULE_EVERY = 60.0  # seconds between checks of the schedule

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the background task queue (emails, reminders, the weekly digest) and enqueue the "
        "daily reminders and weekly digest on schedule."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="check the schedule, run every task waiting, then exit (for cron or a check)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="seconds to wait when the queue is empty (default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=options["interval"],
            batch=True,  # each run() empties the queue and returns, so the schedule is checked
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if options["once"]:
            self._enqueue_due()
            worker.run()
            return
        worker.configure_signals()  # SIGTERM/Ctrl+C: finish the task in hand, then stop
        self.stdout.write("The Care Signals worker is running (press Ctrl+C to stop)")
        checked = float("-inf")
        while worker.running:
            if time.monotonic() - checked >= SCHEDULE_EVERY:
                self._enqueue_due()
                checked = time.monotonic()
            worker.run()
            if worker.running:
                time.sleep(options["interval"])

    def _enqueue_due(self) -> None:
        for run in schedule.enqueue_due():
            self.stdout.write(f"Enqueued the {run} run")
