"""Building the synthetic region into the database, through the same importers people use.

The generator (generator.py) makes the data; this module loads it: organisations and areas
through the organisation services, indicator definitions from the reviewed files, and
measures and events as CSV files through `caresignals import`, so the demo exercises every
validation rule on every row. The `national` scale writes its events to Parquet instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings

from caresignals.audit.services import Actor
from caresignals.core import clock
from caresignals.core.periods import Month
from caresignals.demo import generator, governance, learning_library, safety_responses, starter
from caresignals.demo import intelligence as intelligence_demo
from caresignals.demo import speakup as speakup_demo
from caresignals.demo.open_data import publish_release
from caresignals.demo.voice import build_voice
from caresignals.demo.work import build_work
from caresignals.interop.importing import ImportFailed, ImportReport, run_import
from caresignals.measures import feedback_indicators
from caresignals.measures import services as measure_services
from caresignals.measures.importers import MeasureImporter
from caresignals.organisations import services as org_services
from caresignals.organisations.models import Organisation
from caresignals.safety.events.importers import EventImporter

ACTOR = Actor(label="synthetic region generator")
# The month the generated data end in (generator.generate_region's default).
LAST_PERIOD = "2026-10"
# How many days after the submission lag has passed the demo's "today" falls.
DAYS_PAST_LAG = 5


def demo_today(last_period: str = LAST_PERIOD) -> dt.date:
    """The day the demo is told as of: in the month after the data's last month, a few days
    past the submission lag, so that month is the last complete one and every monthly view
    opens on it (16 November 2026 for data ending in October 2026 with the 10-day lag)."""
    month = Month.parse(last_period)
    day = (month + 1).first_day + dt.timedelta(days=clock.submission_lag_days() + DAYS_PAST_LAG)
    return day


@dataclass
class BuildReport:
    scale: str
    seed: int
    plants: list[generator.Plant]
    imports: list[ImportReport]
    parquet: Path | None
    seconds: float


def build_region(
    *,
    seed: int = 2026,
    scale: str = "small",
    plants: bool = True,
    progress: bool | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> BuildReport:
    """Build the whole region into an empty database (the caller flushes it first)."""
    start = time.perf_counter()
    say(f"Generating the synthetic region (seed {seed}, scale {scale}) …")
    if scale == "national":
        data = generator.generate_region(seed=seed, scale="small", plants=plants)
    else:
        data = generator.generate_region(seed=seed, scale=scale, plants=plants)
    org_services.upsert_organisations(data.organisations, ACTOR)
    org_services.upsert_areas(data.areas, ACTOR)
    people = starter.DEMO_USERS + starter.TRUST_GUARDIANS
    members = {
        o.code: o for o in Organisation.objects.filter(code__in={u.organisation for u in people})
    }
    for u in people:
        org_services.create_user(
            u.username,
            password=starter.DEMO_PASSWORD,
            first_name=u.first_name,
            last_name=u.last_name,
            memberships=[(members[u.organisation], u.role)],
            actor=ACTOR,
        )
    measure_services.sync_definitions(ACTOR)

    if scale != "national":
        # Before the events: a provider's events file carries candour data from its date.
        from caresignals.demo.candour import set_tracked_from, with_candour_data

        say("Setting each provider's candour tracked from date …")
        tracked_from = set_tracked_from(seed=seed, last_period=data.last_period, actor=ACTOR)
        data = dataclasses.replace(data, events=with_candour_data(data.events, tracked_from))

    reports: list[ImportReport] = []
    with tempfile.TemporaryDirectory(prefix="caresignals-demo-") as tmp:
        paths = generator.write_csvs(data, Path(tmp))
        for kind, importer_class in (("measures", MeasureImporter), ("events", EventImporter)):
            if kind == "events" and scale == "national":
                continue
            say(f"Importing {kind} …")
            try:
                reports.append(run_import(importer_class(ACTOR), paths[kind], progress=progress))
            except ImportFailed as failed:  # the generator and the importer disagree: a bug
                details = "\n".join(e.message() for e in failed.report.errors[:20])
                raise RuntimeError(f"the generated {kind} did not import:\n{details}") from None

    if scale != "national":
        # Before the governance records: a risk keeps the watchlist's candour signal as its
        # linked signal, which must count what the candour list shows.
        from caresignals.demo.candour import build_candour

        say("Recording Duty of Candour steps and referral progress …")
        build_candour(seed=seed, actor=ACTOR, until=Month.parse(data.last_period).last_day)
    say("Recording escalation decisions and quality risks …")
    governance.build_governance(last_period=data.last_period, plants=plants, seed=seed)
    say("Logging soft intelligence, safety alerts and a System Quality Group meeting …")
    intelligence_demo.build_intelligence(last_period=data.last_period, plants=plants)
    say("Triaging events and adding learning responses …")
    safety_responses.build(seed=seed, actor=ACTOR)
    if scale != "national":
        from caresignals.demo import mortality as mortality_demo

        say("Screening deaths and completing Structured Judgement Reviews …")
        mortality_demo.build(seed=seed, actor=ACTOR, until=Month.parse(data.last_period).last_day)
    say("Sharing learning summaries in the learning library …")
    learning_library.build(actor=ACTOR)
    say("Adding Freedom to Speak Up cases …")
    speakup_demo.build_speakup(
        seed=seed, plants=plants, periods=(data.first_period, data.last_period)
    )

    build_voice(seed=seed, say=say)
    # The demo submits every service's experience aggregates through the measures import, so
    # imported beats derived and only what they leave uncovered is counted from its records.
    say("Counting experience indicators from feedback records where none was submitted …")
    feedback_indicators.refresh()
    say("Naming the owners of work and the reporters of a few events …")
    build_work()
    if scale != "national":
        say(f"Publishing the open data of {data.last_period} …")
        publish_release(data.last_period, ACTOR)
    parquet = None
    if scale == "national":
        parquet = write_national_parquet(seed=seed, plants=plants, say=say)
    return BuildReport(scale, seed, data.plants, reports, parquet, time.perf_counter() - start)


def write_national_parquet(*, seed: int, plants: bool, say: Callable[[str], None]) -> Path:
    """About 10 M events as Parquet files (one per batch) under var/national/events/."""
    directory = Path(settings.VAR_DIR) / "national" / "events"
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.parquet"):
        old.unlink()
    total = 0
    for i, batch in enumerate(
        generator.iter_event_batches(seed=seed, scale="national", plants=plants)
    ):
        pq.write_table(batch, directory / f"part-{i:04d}.parquet")
        total += batch.num_rows
        say(f"  {total:,} events written")
    return directory
