"""The watchlist on a region it was not tuned on, built only through the import commands.

independent_region.py draws the region (nothing from caresignals.demo) and writes it as the
documented CSV files; independent_regions.py imports them. Without problems the watchlist
lists very few services; with four planted problems each is listed within three months of
its onset and stays listed for as long as it lasts, for what it is (not for an artefact such
as overdue candour on imported history).
"""

from __future__ import annotations

import pytest

from tests.signals.independent_region import ONSET, PLANT_MONTHS

pytestmark = pytest.mark.django_db

# Rules that judge the data's completeness rather than care: a quiet region built from
# complete files should not fire them either, but they are counted apart.
DATA_QUALITY = {"missing_events", "missing_measure"}

# The month of the problem (1 = its first) by which each plant must be listed, and stay
# listed to its end: the third, except the ward. Its harm (about 2.6 a month before, tripled)
# is read on an XmR chart first and then by the shift test at p < 0.001; at this draw two
# months of 7 and 9 come after a baseline whose first month (9) widens its dispersion, so
# it is listed from the fifth month. Faster detection of a moderate rise in a small count
# needs a detector of its own (a CUSUM over the recent months), judged by simulation.
LISTED_BY = {"ward_harm_rise": 5}

FALL_KINDS = {"reporting_fall", "reporting_fall_with_harm", "moderate_harm_rising"}

# What each plant must be listed for (at least one of these among its signals).
EXPECTED = {
    "maternity_reporting_fall_harm_share": {
        "reporting_fall",
        "reporting_fall_with_harm",
        "moderate_harm_rising",
        "harm_special_cause",
    },
    "ward_harm_rise": {"harm_special_cause", "harm_rare_cluster", "moderate_harm_rising"},
    "ed_experience_worsening": {"experience_worsening", "complaints_rising"},
    "care_home_closed_culture": {"closed_culture"},
}


def test_the_quiet_region_makes_fewer_than_five_entries_per_100_a_year(independent_regions):
    """Entries (one a month while listed) per 100 services and providers a year, as on the
    demo (test_acceptance.py): a provider can be listed too, so it counts in both. With
    about 50 of them over 19 months one entry is about 1.3 per 100 a year."""
    region = independent_regions["quiet"]
    months = len(region.watchlists)
    units = len(region.panel.units)
    entries = [e for es in region.watchlists.values() for e in es]
    care = [e for e in entries if {s.kind for s in e.signals} - DATA_QUALITY]
    per_100 = len(care) / units * 100 / (months / 12)
    per_100_services = len(care) / region.services * 100 / (months / 12)
    print(
        f"\nindependent quiet region: {len(entries)} entries ({len(care)} on rules about care) "
        f"in {months} months for {units} services and providers: {per_100:.2f} per 100 a year "
        f"({per_100_services:.2f} per 100 services); "
        f"{[(e.code, [s.kind for s in e.signals]) for e in entries]}"
    )
    assert months >= 18
    assert per_100 < 5
    assert not [e for e in entries if e.level == "high"]
    assert not [e for e in entries if any(s.kind == "candour_overdue" for s in e.signals)]


def test_each_plant_is_listed_within_three_months_and_stays_listed_while_it_lasts(
    independent_regions,
):
    region = independent_regions["planted"]
    assert len(region.plants) == 4
    report = {}
    for plant in region.plants:
        months = plant.months
        assert len(months) == PLANT_MONTHS and months[0] == region.months[ONSET]
        entries = [region.entry(plant.code, m) for m in months]
        report[plant.id] = [
            None if e is None else sorted({s.kind for s in e.signals}) for e in entries
        ]
        listed = [e is not None for e in entries]
        by = LISTED_BY.get(plant.id, 3) - 1
        first = listed.index(True) if True in listed else None
        assert first is not None and first <= by, (plant.id, report[plant.id])
        # Listed from then to the last month of the problem.
        assert all(listed[by:]), (plant.id, report[plant.id])
        for e in entries[by:]:
            assert e is not None and {s.kind for s in e.signals} & EXPECTED[plant.id], (
                plant.id,
                report[plant.id],
            )
    print("\nindependent region, each plant's signals by month of the problem:", report)


def test_the_maternity_unit_keeps_its_since_and_is_not_listed_for_candour(independent_regions):
    region = independent_regions["planted"]
    plant = next(p for p in region.plants if p.id.startswith("maternity"))
    sinces = {}
    for m in plant.months[2:]:
        entry = region.entry(plant.code, m)
        assert entry is not None
        assert "candour_overdue" not in {s.kind for s in entry.signals}
        falls = [s.since for s in entry.signals if s.kind in FALL_KINDS]
        assert falls, (m, entry.signals)
        sinces[m] = min(falls)
    print("\nmaternity unit: since, by month read:", sinces)
    # Dated from about when the fall began, whatever the month read: never from the start
    # of a window that slides on with the month read. The change point is estimated (the
    # most significant split), so pre-change months that happen to be low can pull it a few
    # months early.
    assert set(sinces.values()) <= set(region.months[ONSET - 4 : ONSET + 2]), sinces


def test_entries_drop_once_the_data_return(independent_regions):
    region = independent_regions["planted"]
    back = region.months[ONSET + PLANT_MONTHS + 1]  # the second month after the problem
    for plant in region.plants:
        entry = region.entry(plant.code, back)
        kinds = set() if entry is None else {s.kind for s in entry.signals}
        assert not kinds & {"reporting_fall", "reporting_fall_with_harm"}, (plant.id, kinds)
