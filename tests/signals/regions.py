"""Generated regions for the acceptance tests, each built once per session.

A region is built through the real importers (demo/build.py) into the test database, read
into a Panel, and the database flushed again, so the other tests start from an empty one.
The watchlists of every month are then computed from the Panel alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.management import call_command

from caresignals.demo.build import build_region
from caresignals.demo.generator import Plant
from caresignals.signals.watchlist import config, engine, sources
from caresignals.signals.watchlist import panel_queries as queries
from caresignals.signals.watchlist.links import Links
from caresignals.signals.watchlist.panel import Panel
from caresignals.signals.watchlist.types import WatchlistEntry


@dataclass
class Region:
    panel: Panel
    plants: list[Plant]
    watchlists: dict[str, list[WatchlistEntry]]  # every month with a full baseline

    def rank(self, code: str, period: str) -> int | None:
        codes = [e.code for e in self.watchlists[period]]
        return codes.index(code) + 1 if code in codes else None

    @property
    def services(self) -> int:
        return sum(u.kind == "service" for u in self.panel.units)


REGIONS = {"plants": (2026, True), "quiet": (2026, False), "seed7": (7, True)}


@pytest.fixture(scope="session")
def regions(django_db_setup, django_db_blocker) -> dict[str, Region]:
    built: dict[str, Region] = {}
    cfg = config.default()
    with django_db_blocker.unblock():
        for name, (seed, plants) in REGIONS.items():
            call_command("flush", "--no-input", verbosity=0)
            report = build_region(seed=seed, plants=plants, progress=False)
            first, last = queries.first_period(), queries.latest_period()
            assert first and last
            panel = queries.load_panel(first, last)
            months = panel.months[12 + int(cfg.spc["recent_months"]) - 1 :]
            # As compute_watchlist does: speak-up cases and overdue candour join the panel.
            panel.speakup = sources.speakup_counts(panel)
            lists = {}
            for m in months:
                panel.candour_overdue = sources.candour_overdue(panel, m)
                lists[m] = engine.compute(panel, m, cfg, Links())
            built[name] = Region(panel, report.plants, lists)
        call_command("flush", "--no-input", verbosity=0)
    return built
