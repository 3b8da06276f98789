"""caresignals signals [--period YYYY-MM] [--json]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.core.periods import Month, MonthError
from caresignals.signals.watchlist.compute import (
    compute_watchlist,
    default_period,
    has_data,
    is_complete,
)
from caresignals.signals.watchlist.engine import SKIPPED_ON_INCOMPLETE


class Command(BaseCommand):
    help = "The early-warning watchlist for a month, most concerning first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period", metavar="YYYY-MM", help="the month (default: the last complete month)"
        )
        parser.add_argument(
            "--json", action="store_true", help="print JSON (the shape in docs/command-line.md)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        period = options["period"]
        if period is not None:
            try:
                period = str(Month.parse(period))
            except MonthError:
                raise CommandError(
                    f"--period: {period!r} is not a month; use YYYY-MM, for example 2026-10",
                    returncode=2,
                ) from None
        if period is None:
            period = default_period()
            if period is None:
                raise CommandError("there are no measures or events yet", returncode=1)
        # The command line acts for the whole ICS: no person's scope applies.
        if not has_data(period):
            raise CommandError(f"--period: there are no data for {period}", returncode=1)
        entries = compute_watchlist(period)
        if not is_complete(period):
            self.stderr.write(f"{period} is incomplete. {SKIPPED_ON_INCOMPLETE}")
        if options["json"]:
            self.stdout.write(json.dumps([e.as_json() for e in entries]))
            return
        if not entries:
            self.stdout.write(f"No signals in {period}.")
            return
        noun = "entry" if len(entries) == 1 else "entries"
        self.stdout.write(f"Watchlist for {period}: {len(entries)} {noun}")
        for rank, e in enumerate(entries, 1):
            self.stdout.write(f"{rank:>3}. {e.code} {e.name} — {e.level} ({e.score:.2f})")
            for s in e.signals:
                self.stdout.write(f"       {s.kind} since {s.since}: {s.detail}")
