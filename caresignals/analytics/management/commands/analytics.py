"""caresignals analytics refresh | snapshot DIR

`refresh` rebuilds the monthly event counts and event-derived indicators from every stored
event (imports keep them current; this is for after a restore or a change of rules).
It also recounts the experience indicators from every feedback record held (ADR 17).
`snapshot` writes the events' analytic columns to DIR/events.parquet for DuckDB, and the
feedback records' to DIR/feedback.parquet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caresignals.analytics import event_indicators, parquet, refresher
from caresignals.measures import feedback_indicators


class Command(BaseCommand):
    help = "Rebuild the event aggregates, or write a Parquet snapshot of the events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("refresh", help="rebuild monthly counts and event-derived indicators")
        snap = sub.add_parser("snapshot", help="write DIR/events.parquet and DIR/feedback.parquet")
        snap.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "refresh":
            refresher.drain()  # marks waiting from recorded events, then everything
            report = event_indicators.refresh()
            from_feedback = feedback_indicators.refresh()
            self.stdout.write(
                f"{report.values_written} derived values written; "
                f"{from_feedback.values_written} counted from feedback records."
            )
        else:
            path = parquet.write_snapshot(options["directory"])
            self.stdout.write(f"Events written to {path}")
            path = parquet.write_feedback_snapshot(options["directory"])
            self.stdout.write(f"Feedback written to {path}")
