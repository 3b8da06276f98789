"""caresignals deidentify [--names NAME ...] < text > text

Reads text on standard input and writes it de-identified by exactly the rules the learning
library applies (caresignals/safety/deidentify.py). `--removed` lists on standard error what
was taken out, one line each.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caresignals.safety.deidentify import deidentify_with_removals


class Command(BaseCommand):
    help = "De-identify text from standard input by the learning library's rules."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--names",
            nargs="*",
            default=[],
            metavar="NAME",
            help="names known from the record, taken out wherever they appear",
        )
        parser.add_argument(
            "--removed", action="store_true", help="list what was taken out on standard error"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = sys.stdin.read()
        out, removed = deidentify_with_removals(text, options["names"])
        self.stdout.write(out, ending="")
        if options["removed"]:
            for r in removed:
                self.stderr.write(f"[{r.label}]\t{r.text}")
