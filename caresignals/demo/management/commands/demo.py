"""caresignals demo [--seed N] [--scale small|medium|national] [--no-plants] [--no-serve]

The demo is built and served as of `demo_today()` (16 November 2026: the month after the
data's last month, past the submission lag), unless CARESIGNALS_TODAY says otherwise, so the
records it makes and every monthly view agree with the data's last month.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from caresignals.core import clock
from caresignals.core.periods import Month
from caresignals.demo.build import LAST_PERIOD, build_region, demo_today
from caresignals.demo.starter import DEMO_PASSWORD, DEMO_USERS, TRUST_GUARDIANS
from caresignals.notifications import following
from caresignals.notifications import tasks as notification_tasks
from caresignals.organisations.models import Organisation, User


class Command(BaseCommand):
    help = "Build the synthetic integrated care system into the configured database, then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=2026, help="the same seed gives the same region"
        )
        parser.add_argument(
            "--scale",
            choices=["small", "medium", "national"],
            default="small",
            help="small: about 100 000 events; medium: about 1 M; national: about 10 M "
            "events written to Parquet under var/national/ (the database gets the small region)",
        )
        parser.add_argument(
            "--no-plants",
            action="store_true",
            help="the same region with none of the planted problems",
        )
        parser.add_argument("--no-serve", action="store_true", help="build the region and exit")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO and Organisation.objects.exists():
            raise CommandError(
                "This database already holds organisations and CARESIGNALS_DEMO is not set: "
                "the demo replaces everything in the database, so it will only do that to a "
                "demo database. Set CARESIGNALS_DEMO=1 or point DATABASE_URL elsewhere.",
                returncode=1,
            )
        day = settings.CARESIGNALS_TODAY or demo_today()
        with override_settings(CARESIGNALS_TODAY=day):
            self._build_and_serve(day, options)

    def _build_and_serve(self, day: dt.date, options: dict[str, Any]) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("flush", verbosity=0, interactive=False)
        with transaction.atomic():
            report = build_region(
                seed=options["seed"],
                scale=options["scale"],
                plants=not options["no_plants"],
                say=lambda line: self.stdout.write(line),
            )
            made = _first_notifications()
        for r in report.imports:
            self.stdout.write(f"  {r.summary()}")
        self.stdout.write(f"  {made} notification(s) waiting for the demo's people")
        if report.parquet:
            self.stdout.write(f"  National-scale events written to {report.parquet}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Built the synthetic region in {report.seconds:.0f} s "
                f"(seed {report.seed}, scale {report.scale}, "
                f"{len(report.plants)} planted problem(s); see caresignals/demo/PLANTS.md)."
            )
        )
        last = Month.parse(LAST_PERIOD)
        said = f"{day.day} {day:%B %Y}"
        self.stdout.write(
            f"The demo's today is {said}: its data end in {last.first_day:%B %Y}, "
            f"the month every monthly view opens on."
            if clock.last_complete_month(day) == last
            else self.style.WARNING(
                f"CARESIGNALS_TODAY is {said}, but the data end in "
                f"{last.first_day:%B %Y}: monthly views open on "
                f"{clock.last_complete_month(day).first_day:%B %Y}. Unset it to show the demo "
                f"as of {demo_today().isoformat()}."
            )
        )
        self.stdout.write(
            f"Sign in with any of these usernames; the password is {DEMO_PASSWORD!r}:"
        )
        for u in DEMO_USERS:
            self.stdout.write(f"  {u.username:<16} {u.description}")
        self.stdout.write(
            "  and a Freedom to Speak Up guardian at every other trust: "
            + ", ".join(u.username for u in TRUST_GUARDIANS)
        )
        if not options["no_serve"]:
            # The queue worker is a child process: it reads the day from the environment.
            os.environ["CARESIGNALS_TODAY"] = day.isoformat()
            self.stdout.write(
                f"To serve this database again later as of the same day: "
                f"CARESIGNALS_TODAY={day.isoformat()} caresignals serve"
            )
            call_command("serve", port=options["port"])


def _first_notifications() -> int:
    """So the demo opens with notifications to read: the ICB quality lead follows the trusts,
    and the daily run's reminders and followed-provider news are made now (in the app; their
    emails wait for the worker and a mail relay)."""
    lead = User.objects.filter(username="icb.quality").first()
    if lead is not None:
        for provider in Organisation.objects.filter(kind="provider", type="acute_trust"):
            if following.may_follow(lead, provider):
                following.follow(lead, provider)
    today = clock.today()
    return notification_tasks.remind(today) + following.tell_followers(today)
