"""How good the watchlist must be, on generated regions (PLANTS.md).

* Seed 2026, small scale: each planted problem is in the top five of the watchlist from the
  month it becomes detectable, and listed every month after.
* Another seed (7): the same, loosened to "listed within a month, top five within two".
* The same region without plants: the false-alarm rate (entries per 100 services and
  providers per year, over the months the engine can fire) stays under 5.
"""

from __future__ import annotations

import pytest

from caresignals.signals.watchlist import config

# PLANTS.md states each plant's detectable month by its own SPC rule on its own series; the
# care-home falls plant is checked there within two months of it (its extra falls are few),
# and at seed 2026 its first month of extra falls carries none with harm, so the data only
# show it a month later. One month's grace for that plant alone.
GRACE = {"care_home_falls_cluster": 1}

pytestmark = pytest.mark.django_db


def _later(period: str, months: int) -> str:
    y, m = int(period[:4]), int(period[5:7]) + months
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return f"{y:04d}-{m:02d}"


def _code(plant) -> str:
    return plant.service_code or plant.org_code


def test_each_plant_is_in_the_top_five_from_its_month_and_stays_listed(regions):
    region = regions["plants"]
    assert len(region.plants) == 5
    report = {}
    for plant in region.plants:
        start = _later(plant.detectable_from, GRACE.get(plant.id, 0))
        months = [m for m in region.watchlists if m >= start]
        ranks = [region.rank(_code(plant), m) for m in months]
        report[plant.id] = ranks
        assert ranks[0] is not None and ranks[0] <= 5, (plant.id, start, ranks)
        assert all(r is not None for r in ranks), (plant.id, ranks)
    print("\nplant ranks from the detectable month, seed 2026:", report)


def test_each_plant_explains_itself(regions):
    region = regions["plants"]
    last = region.watchlists[max(region.watchlists)]
    by_code = {e.code: e for e in last}
    mat = {s.kind for s in by_code["RX1-MAT"].signals}
    assert "reporting_fall_with_harm" in mat and "harm_special_cause" in mat
    ld = by_code["IL1-W1"]
    assert ld.level == "high"
    assert {"closed_culture", "restrictive_practice_rising", "restrictive_divergence"} <= {
        s.kind for s in ld.signals
    }
    assert sum(f.present for f in ld.closed_culture) >= 5 and ld.visit_questions
    far = next(f for f in ld.closed_culture if f.name == "People far from home")
    assert far.present and "live outside the service's place" in far.detail
    assert {s.kind for s in by_code["RX7-ED"].signals} >= {"missing_events"}
    assert {s.kind for s in by_code["RX2-MED"].signals} >= {"experience_worsening"}
    assert {s.kind for s in by_code["CH041-R"].signals} >= {"harm_rare_cluster"}
    for entry in last:
        assert entry.signals and all(s.detail and s.evidence for s in entry.signals)


def test_plants_hold_loosely_at_another_seed(regions):
    region = regions["seed7"]
    report = {}
    for plant in region.plants:
        listed = _later(plant.detectable_from, 1)
        top = _later(plant.detectable_from, 2)
        months = [m for m in region.watchlists if m >= listed]
        ranks = [region.rank(_code(plant), m) for m in months]
        report[plant.id] = ranks
        assert all(r is not None for r in ranks), (plant.id, ranks)
        assert all(r <= 5 for m, r in zip(months, ranks, strict=True) if m >= top), (
            plant.id,
            ranks,
        )
    print("\nplant ranks, seed 7:", report)


def test_false_alarm_rate_without_plants_is_under_five(regions):
    region = regions["quiet"]
    units = len(region.panel.units)
    months = len(region.watchlists)
    entries = sum(len(es) for es in region.watchlists.values())
    per_100_per_year = entries / units * 100 / (months / 12)
    per_100_services = entries / region.services * 100 / (months / 12)
    over_24 = entries / units * 100 / 2  # the last 24 months, the first five of them silent
    print(
        f"\nno plants: {entries} entries in {months} months for {units} services and providers: "
        f"{per_100_per_year:.2f} per 100 per year ({per_100_services:.2f} per 100 services); "
        f"{over_24:.2f} per 100 per year over the last 24 months"
    )
    assert months >= 18
    assert per_100_per_year < 5
    # Nothing reaches the high level on noise.
    assert not [e for es in region.watchlists.values() for e in es if e.level == "high"]


def test_the_engine_fires_once_a_baseline_and_the_recent_months_exist(regions):
    cfg = config.default()
    panel = regions["quiet"].panel
    first = panel.months[int(cfg.spc["min_baseline_months"]) + int(cfg.spc["recent_months"]) - 1]
    assert min(regions["quiet"].watchlists) == first
