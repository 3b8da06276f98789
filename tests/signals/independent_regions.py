"""The independent regions (independent_region.py), imported once per session.

Each variant is written as CSV files, loaded with `caresignals import` into the test database,
read into a Panel, and the database flushed again, so the other tests start from an empty one.
The watchlists of every month with a full baseline are then computed from the Panel alone.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from caresignals.signals.watchlist import config, engine, sources
from caresignals.signals.watchlist import panel_queries as queries
from caresignals.signals.watchlist.links import Links
from caresignals.signals.watchlist.panel import Panel
from caresignals.signals.watchlist.types import WatchlistEntry
from tests.clock import suite_today
from tests.signals.independent_region import ONSET, Plant, write_region

DEFINITIONS = Path(__file__).resolve().parents[2] / "caresignals" / "measures" / "definitions"


@dataclass
class ImportedRegion:
    panel: Panel
    plants: list[Plant]
    months: list[str]  # every month of the history
    watchlists: dict[str, list[WatchlistEntry]]  # quiet: every month with a full baseline
    services: int

    def entry(self, code: str, period: str) -> WatchlistEntry | None:
        return next((e for e in self.watchlists[period] if e.code == code), None)


def _last_complete_month() -> str:
    today = suite_today()
    m = today.year * 12 + today.month - 2
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def _load(directory: Path, *, planted: bool) -> tuple[list[Plant], list[str], int]:
    written = write_region(directory, last_period=_last_complete_month(), planted=planted, seed=151)
    order = [
        ("organisations", written.paths["organisations"]),
        ("areas", written.paths["areas"]),
        ("indicators", DEFINITIONS),
        ("measures", written.paths["measures"]),
        ("events", written.paths["events"]),
    ]
    for kind, path in order:
        call_command("import", kind, str(path), "--no-progress", stdout=StringIO())
    return written.plants, written.months, len(written.services)


@pytest.fixture(scope="session")
def independent_regions(django_db_setup, django_db_blocker) -> dict[str, ImportedRegion]:
    built: dict[str, ImportedRegion] = {}
    cfg = config.default()
    with django_db_blocker.unblock():
        for name, planted in (("quiet", False), ("planted", True)):
            call_command("flush", "--no-input", verbosity=0)
            with tempfile.TemporaryDirectory(prefix="caresignals-independent-") as tmp:
                plants, months, services = _load(Path(tmp), planted=planted)
            panel = queries.load_panel(months[0], months[-1])
            panel.speakup = sources.speakup_counts(panel)
            first = int(cfg.spc["min_baseline_months"]) + int(cfg.spc["recent_months"]) - 1
            if planted:  # the months around the plants are enough (and keep the build quick)
                first = ONSET - 1
            lists = {}
            for m in months[first:]:
                panel.candour_overdue = sources.candour_overdue(panel, m)
                lists[m] = engine.compute(panel, m, cfg, Links())
            built[name] = ImportedRegion(panel, plants, months, lists, services)
        call_command("flush", "--no-input", verbosity=0)
    return built
