"""caresignals speakup return --org CODE --quarter 2026Q2 --out FILE.csv

The quarterly Freedom to Speak Up return for the National Guardian's Office, the same file
the guardian downloads from /speak-up/return/. Counts only; audited as an export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.core import spreadsheets
from caresignals.speakup import queries
from caresignals.speakup.quarters import Quarter


class Command(BaseCommand):
    help = "Freedom to Speak Up. `speakup return`: the quarterly national return as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        ret = sub.add_parser("return", help="the quarterly national return (CSV)")
        ret.add_argument("--org", required=True, metavar="CODE", help="the provider's code")
        ret.add_argument("--quarter", required=True, metavar="YYYYQn", help="e.g. 2026Q2")
        ret.add_argument("--out", required=True, metavar="FILE.csv", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            quarter = Quarter.parse(options["quarter"])
        except ValueError as exc:
            raise CommandError(f"--quarter: {exc}", returncode=1) from None
        organisation = queries.provider(options["org"])
        if organisation is None:
            raise CommandError(f"--org: no provider has the code {options['org']!r}", returncode=1)
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(
                f"--out: the folder {str(out.parent)!r} does not exist", returncode=1
            )
        row = queries.national_return(organisation, quarter)
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = spreadsheets.dict_writer(
                handle, fieldnames=queries.return_columns(), lineterminator="\n"
            )
            writer.writeheader()
            writer.writerow(row)
        record(
            Actor.command_line("speakup return"),
            Change(
                action=AuditAction.SPEAKUP_RETURN_EXPORTED,
                object_type="organisation",
                object_id=organisation.code,
                organisation_path=organisation.path,
                details={"quarter": quarter.code},
            ),
        )
        self.stdout.write(
            f"Wrote the {quarter.code} speak-up return for {organisation.name} to {out} "
            f"({row['cases_raised']} cases raised)."
        )
