"""caresignals measures spc --org CODE --indicator CODE [--json]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.measures.models import Indicator, MeasureValue
from caresignals.measures.series import monthly_series, spc_for, spc_json
from caresignals.organisations.models import Organisation
from caresignals.stats import spc


class Command(BaseCommand):
    help = "Statistical process control (Making Data Count) of one indicator for one organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        chart = sub.add_parser("spc", help="the XmR chart of one series")
        chart.add_argument("--org", required=True, metavar="CODE")
        chart.add_argument("--indicator", required=True, metavar="CODE")
        chart.add_argument(
            "--json", action="store_true", help="print JSON (the shape in docs/command-line.md)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = Organisation.objects.get(code=options["org"])
        except Organisation.DoesNotExist:
            raise CommandError(
                f"--org: no organisation has the code {options['org']!r}", returncode=1
            ) from None
        try:
            indicator = Indicator.objects.get(code=options["indicator"])
        except Indicator.DoesNotExist:
            raise CommandError(
                f"--indicator: no indicator has the code {options['indicator']!r}", returncode=1
            ) from None
        # The command line acts for the whole ICS: no person's scope applies.
        series = monthly_series(MeasureValue.objects.all(), org, indicator)
        if series.is_empty:
            raise CommandError(
                f"{org.code} has no values of {indicator.code} (whole population) to chart",
                returncode=1,
            )
        result = spc_for(series)
        if options["json"]:
            self.stdout.write(json.dumps(spc_json(series, result)))
            return
        _, sentence = spc.summary(result)
        self.stdout.write(f"{indicator.name} – {org.name}")
        self.stdout.write(sentence)
        for point in spc_json(series, result)["points"]:
            value = "" if point["value"] is None else f"{point['value']:.2f}"
            self.stdout.write(f"  {point['period']}  {value:>10}  {point['special_cause_type']}")
