"""caresignals evaluate [--size small|full] [--regions N] [--seed N] [--svg PATH] [--markdown]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.signals.evaluation import plot, run


class Command(BaseCommand):
    help = (
        "Judge the watchlist on simulated regions against three baselines calibrated to the "
        "same false-alarm rate, and print the table (reads no data)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size", choices=sorted(run.SIZES), default="small", help="how many regions"
        )
        parser.add_argument("--regions", type=int, help="the number of regions (overrides --size)")
        parser.add_argument("--seed", type=int, default=2026, help="the random seed")
        parser.add_argument("--svg", metavar="PATH", help="also write the headline curve as SVG")
        parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")

    def handle(self, *args: Any, **options: Any) -> None:
        size = run.SIZES[options["size"]]
        if options["regions"] is not None:
            if options["regions"] < 1:
                raise CommandError("--regions: at least 1", returncode=2)
            size = run.Size(options["regions"], size.services)
        outcome = run.evaluate(size, seed=options["seed"])
        self.stdout.write(run.markdown(outcome) if options["markdown"] else run.table(outcome))
        aim = run.headline(outcome)
        self.stdout.write("")
        self.stdout.write(
            f"{size.regions} regions, {outcome.services} services, {len(outcome.draws)} changes "
            f"injected, {outcome.seconds:.0f} s. Watchlist false entries: "
            f"{aim['false_rate']:.1f} per 100 services a year (aim: under 5)."
        )
        self.stdout.write(
            "Headline (40 % reporting fall, harm share doubled) listed within 3 months: "
            + "; ".join(f"{m} {100 * aim[f'within_3:{m}']:.0f} %" for m in run.METHODS)
            + f" (of {aim['draws']:.0f} draws; aim: at least 90 %, earlier than every baseline)."
        )
        strict = run.at_false_rate(outcome, run.AIM_FALSE_RATE)
        aim5 = run.headline(strict)
        self.stdout.write(
            f"Listing at a score of {strict.thresholds[run.WATCHLIST]:.2f} instead would make "
            f"{aim5['false_rate']:.1f} false entries per 100 services a year; at that rate the "
            "headline within 3 months: "
            + "; ".join(f"{m} {100 * aim5[f'within_3:{m}']:.0f} %" for m in run.METHODS)
            + "."
        )
        self.stdout.write(
            "Watchlist false entries by rule, per 100 services a year (as the strongest signal; "
            "in any entry):"
        )
        for kind, leading, present in run.false_by_rule(outcome) or [("none", 0.0, 0.0)]:
            self.stdout.write(f"  {kind:<28} {leading:5.1f}  {present:5.1f}")
        if options["svg"]:
            Path(options["svg"]).write_text(plot.svg(outcome), encoding="utf-8")
            self.stdout.write(f"Wrote {options['svg']}.")
