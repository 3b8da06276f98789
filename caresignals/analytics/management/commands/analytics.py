"""caresignals analytics refresh | snapshot DIR

`refresh` rebuilds the monthly event counts and event-derived indicators from every stored
event (imports keep them current; this is for after a restore or a change of rules).
`snapshot` writes the events' analytic columns to DIR/events.parquet for DuckDB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caresignals.analytics import event_indicators, parquet, refresher


class Command(BaseCommand):
    help = "Rebuild the event aggregates, or write a Parquet snapshot of the events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("refresh", help="rebuild monthly counts and event-derived indicators")
        snap = sub.add_parser("snapshot", help="write DIR/events.parquet")
        snap.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "refresh":
            refresher.drain()  # marks waiting from recorded events, then everything
            report = event_indicators.refresh()
            self.stdout.write(f"{report.values_written} derived values written.")
        else:
            path = parquet.write_snapshot(options["directory"])
            self.stdout.write(f"Events written to {path}")
