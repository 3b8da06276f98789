"""caresignals report board --org CODE --period YYYY-MM --out FILE.pdf [--as-organisation CODE]
caresignals report sqg --period YYYY-MM --out FILE.pdf"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.core.periods import Month
from caresignals.organisations.models import Organisation
from caresignals.publishing.board import NoReportData, OutsideScope, system_board_report
from caresignals.publishing.pdf import board_pdf
from caresignals.signals.governance.pack import pack_pdf, system_pack


class Command(BaseCommand):
    help = (
        "Write a report as a PDF. `report board`: the board quality report for one month; "
        "`report sqg`: the System Quality Group pack for one month."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        board = sub.add_parser("board", help="the board quality report (PDF)")
        board.add_argument("--org", required=True, metavar="CODE", help="organisation code")
        board.add_argument(
            "--period",
            required=True,
            metavar="YYYY-MM",
            help="the report's month: data up to and including it",
        )
        board.add_argument("--out", required=True, metavar="FILE.pdf", type=Path)
        board.add_argument(
            "--as-organisation",
            metavar="CODE",
            help="read as this organisation: candour and speak-up are counted in everything "
            "beneath it, as for a reader there (default: the whole ICS)",
        )
        sqg = sub.add_parser("sqg", help="the System Quality Group pack (PDF)")
        sqg.add_argument("--period", required=True, metavar="YYYY-MM", help="the pack's month")
        sqg.add_argument("--out", required=True, metavar="FILE.pdf", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Month.parse(options["period"]).first_day
        except ValueError as exc:
            raise CommandError(f"--period: {exc}", returncode=1) from None
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(
                f"--out: the folder {str(out.parent)!r} does not exist", returncode=1
            )
        start = time.perf_counter()
        if options["kind"] == "sqg":
            pack = system_pack(period)
            out.write_bytes(pack_pdf(pack))
            self.stdout.write(
                f"Wrote the System Quality Group pack for {pack.period_label} to {out} "
                f"({time.perf_counter() - start:.1f} s)."
            )
            return
        # The command line is no person: it reads as an organisation, the whole ICS unless
        # --as-organisation says which, and counts candour and speak-up in that scope.
        reader = options.get("as_organisation")
        if reader and not Organisation.objects.filter(code=reader).exists():
            raise CommandError(
                f"--as-organisation: no organisation has the code {reader!r}", returncode=1
            )
        try:
            report = system_board_report(options["org"], period, as_organisation=reader)
        except Organisation.DoesNotExist:
            raise CommandError(
                f"--org: no organisation has the code {options['org']!r}", returncode=1
            ) from None
        except OutsideScope as exc:
            raise CommandError(f"--as-organisation: {exc}", returncode=1) from None
        except NoReportData as exc:
            raise CommandError(f"--period: {exc}", returncode=1) from None
        out.write_bytes(board_pdf(report))
        self.stdout.write(
            f"Wrote the board quality report for {report.organisation.name}, "
            f"{report.period_label}, to {out} ({time.perf_counter() - start:.1f} s)."
        )
