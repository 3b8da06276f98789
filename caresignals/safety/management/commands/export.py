"""caresignals export events --format jsonl|csv|fhir [--org CODE] [--since DATE] [--out FILE]"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.core import spreadsheets
from caresignals.organisations.models import Organisation


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--since: got {value!r}, expected a date as YYYY-MM-DD", returncode=2
        ) from None


class Command(BaseCommand):
    help = (
        "Write every event with its derived fields, as JSON Lines or CSV, or as LFPSE-style "
        "FHIR AdverseEvents (one JSON per line), to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["events"])
        parser.add_argument("--format", choices=["jsonl", "csv", "fhir"], default="jsonl")
        parser.add_argument(
            "--org", metavar="CODE", help="only this organisation and those under it"
        )
        parser.add_argument(
            "--since", metavar="DATE", help="only events reported on or after this date"
        )
        parser.add_argument("--out", metavar="FILE", help="write here instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        from caresignals.safety.events.exports import EXPORT_FIELDS, event_queryset, records

        org = options["org"]
        if org and not Organisation.objects.filter(code=org).exists():
            raise CommandError(f"--org: no organisation has the code {org!r}", returncode=1)
        since = _date(options["since"]) if options["since"] else None
        rows = records(event_queryset(org_code=org, since=since))
        out: TextIO
        if options["out"]:
            out = open(options["out"], "w", encoding="utf-8", newline="")  # noqa: SIM115
        else:
            out = cast(TextIO, self.stdout._out)  # raw stream: rows carry their own endings
        try:
            if options["format"] == "csv":
                writer = spreadsheets.dict_writer(out, fieldnames=EXPORT_FIELDS)
                writer.writeheader()
                for r in rows:
                    writer.writerow({k: "" if v is None else _cell(v) for k, v in r.items()})
            elif options["format"] == "fhir":
                from caresignals.safety.events.fhir import event_to_adverse_event

                for r in rows:
                    out.write(json.dumps(event_to_adverse_event(r), ensure_ascii=False) + "\n")
            else:
                for r in rows:
                    out.write(json.dumps(r, ensure_ascii=False) + "\n")
        finally:
            if options["out"]:
                out.close()


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)  # referrals: several in one cell
    return value
