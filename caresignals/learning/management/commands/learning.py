"""caresignals learning search "WORDS" [--category C] [--service-type T] [--factor F]
[--outcome O] [--limit N] [--json]

Searches the shared learning library as a member of the ICB would see it: approved
summaries from every provider, best matches first, with the matched words between ** marks
(or, with --json, a list of objects with the reference, organisation, title, snippet with
<mark> elements, rank and URL path).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from caresignals.core.vocabulary import Category
from caresignals.learning.queries import START, STOP, SYSTEM_READER, Filters, search
from caresignals.learning.vocabulary import Outcome
from caresignals.organisations.models import ProviderType
from caresignals.safety.responses.psirf import SeipsFactor


def _plain(text: str) -> str:
    """The engine's match marks as ** for a terminal."""
    return text.replace(START, "**").replace(STOP, "**")


class Command(BaseCommand):
    help = "Search the shared learning library."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("search", help="search approved learning summaries")
        s.add_argument("words", help="words to find (every one must appear)")
        s.add_argument("--category", choices=Category.values, default="")
        s.add_argument("--service-type", choices=ProviderType.values, default="")
        s.add_argument("--factor", choices=SeipsFactor.values, default="")
        s.add_argument("--outcome", choices=Outcome.values, default="")
        s.add_argument("--limit", type=int, default=20)
        s.add_argument("--json", action="store_true", help="write JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1 or options["limit"] > 1000:
            raise CommandError("--limit must be between 1 and 1000", returncode=2)
        results = search(
            SYSTEM_READER,
            options["words"],
            Filters(
                category=options["category"],
                service_type=options["service_type"],
                factor=options["factor"],
                outcome=options["outcome"],
            ),
            limit=options["limit"],
        )
        if options["json"]:
            rows = [
                {
                    "reference": h.summary.reference,
                    "organisation": h.summary.organisation.code,
                    "title": str(h.title),
                    "snippet": str(h.snippet),
                    "rank": round(h.rank, 6),
                    "url": reverse("learning:summary", kwargs={"reference": h.summary.reference}),
                }
                for h in results.hits
            ]
            self.stdout.write(json.dumps({"total": results.total, "results": rows}, indent=2))
            return
        if not results.hits:
            self.stdout.write("No approved summaries match.")
            return
        self.stdout.write(f"{results.total} found; the best {len(results.hits)}:")
        for h in results.hits:
            self.stdout.write("")
            self.stdout.write(
                f"{h.summary.reference}  {h.summary.organisation.name}: {_plain(h.raw_title)}"
            )
            self.stdout.write(f"    {_plain(h.raw_snippet)}")
