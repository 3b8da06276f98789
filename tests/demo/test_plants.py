"""Each planted problem is in the generated data, detectable by ordinary SPC from its stated
month, and absent when the region is built without plants.

The SPC here is deliberately plain (Making Data Count XmR): limits from the months before the
plant (mean ± 2.66 × mean moving range), a signal when a point falls beyond a limit in the
concerning direction or seven points in a row sit on the concerning side of the mean.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from caresignals.demo.generator import Plant, RegionData, generate_region

SEED = 2026
MONTHS = 36


@cache
def region(plants: bool, seed: int = SEED) -> RegionData:
    return generate_region(seed=seed, plants=plants)


def periods(data: RegionData) -> list[str]:
    first = np.datetime64(data.first_period, "M")
    return [str(first + i) for i in range(MONTHS)]


def onset(data: RegionData, plant_id: str) -> int:
    plant = next(p for p in region(True).plants if p.id == plant_id)
    return periods(data).index(plant.detectable_from)


def event_counts(data: RegionData, service: str, mask: pa.ChunkedArray | None = None) -> np.ndarray:
    """Events per month occurred in a service (optionally only those where `mask` holds)."""
    ev = data.events
    keep = pc.equal(ev["service_code"], service)
    if mask is not None:
        keep = pc.and_(keep, mask)
    months = pc.utf8_slice_codeunits(ev.filter(keep)["occurred_on"], 0, 7).to_pylist()
    index = {p: i for i, p in enumerate(periods(data))}
    return np.bincount([index[m] for m in months], minlength=MONTHS).astype(float)


def incidents(data: RegionData) -> pa.ChunkedArray:
    return pc.equal(data.events["record_type"], "incident")


def moderate_or_worse(data: RegionData) -> pa.ChunkedArray:
    ev = data.events
    physical = pc.is_in(ev["physical_harm"], pa.array(["moderate", "severe", "fatal"]))
    psych = pc.is_in(ev["psychological_harm"], pa.array(["moderate", "severe"]))
    return pc.and_(incidents(data), pc.or_(physical, psych))


def measure(data: RegionData, org: str, indicator: str) -> tuple[np.ndarray, np.ndarray]:
    m = data.measures
    keep = pc.and_(
        pc.and_(pc.equal(m["org_code"], org), pc.equal(m["indicator_code"], indicator)),
        pc.equal(m["stratum_type"], ""),
    )
    rows = m.filter(keep).sort_by("period")
    assert rows["period"].to_pylist() == periods(data)
    num = np.array(rows["numerator"].to_pylist(), dtype=float)
    den = np.array([float(x or 1) for x in rows["denominator"].to_pylist()])
    return num, den


def value(data: RegionData, org: str, indicator: str) -> np.ndarray:
    num, den = measure(data, org, indicator)
    return num / den


def first_signal(values: np.ndarray, start: int, direction: int) -> int | None:
    """First month from `start` where an XmR signal in `direction` (+1 up, -1 down) fires."""
    base = values[:start]
    mean = base.mean()
    mr = np.abs(np.diff(base)).mean()
    run = 0
    for i in range(len(values)):
        beyond = direction * (values[i] - mean) > 2.66 * mr
        run = run + 1 if direction * (values[i] - mean) > 0 else 0
        if i >= start and (beyond or run >= 7):
            return i
    return None


def shifted(values: np.ndarray, start: int, direction: int, k: float = 3.0) -> bool:
    """Is the mean after `start` more than k standard errors beyond the baseline mean?"""
    base, after = values[:start], values[start:]
    sigma = np.abs(np.diff(base)).mean() / 1.128
    se = sigma * np.sqrt(1 / len(base) + 1 / len(after))
    return bool(direction * (after.mean() - base.mean()) > k * se)


def assert_planted(
    plant_id: str, series: Callable[[RegionData], np.ndarray], direction: int, within: int = 6
) -> None:
    """A signal fires within `within` months of the stated month, and not without plants."""
    on = onset(region(True), plant_id)
    planted = series(region(True))
    hit = first_signal(planted, on, direction)
    assert hit is not None and hit <= on + within, (plant_id, on, hit, planted.round(3))
    assert shifted(planted, on, direction)
    assert not shifted(series(region(False)), on, direction), plant_id


def per_1000_bed_days(data: RegionData, service: str, mask: pa.ChunkedArray) -> np.ndarray:
    obd, _ = measure(data, service, "occupied_bed_days")
    return event_counts(data, service, mask) / obd * 1000


def test_every_plant_is_listed_with_a_stated_month() -> None:
    plants = {p.id: p for p in region(True).plants}
    assert set(plants) == {
        "maternity_harm_up_reporting_down",
        "ld_closed_culture",
        "care_home_falls_cluster",
        "ed_reporting_stops",
        "ward_fft_negative_climbs",
    }
    orgs = {o.code: o for o in region(True).organisations}
    for p in plants.values():
        assert p.org_code in orgs and p.service_code in orgs
        assert orgs[p.service_code].parent_code == p.org_code
        assert region(True).first_period < p.detectable_from <= region(True).last_period
        # at least a year of ordinary baseline before every plant
        assert periods(region(True)).index(p.detectable_from) >= 12
    assert region(False).plants == []


def test_maternity_reporting_falls() -> None:
    assert_planted(
        "maternity_harm_up_reporting_down",
        lambda d: per_1000_bed_days(d, "RX1-MAT", incidents(d)),
        -1,
    )


def test_maternity_harm_rises() -> None:
    assert_planted(
        "maternity_harm_up_reporting_down",
        lambda d: per_1000_bed_days(d, "RX1-MAT", moderate_or_worse(d)),
        +1,
    )


def test_maternity_harm_share_climbs_while_volume_falls() -> None:
    d = region(True)
    on = onset(d, "maternity_harm_up_reporting_down")
    harm = event_counts(d, "RX1-MAT", moderate_or_worse(d))
    total = event_counts(d, "RX1-MAT", incidents(d))
    assert harm[on:].mean() > 2.5 * harm[:on].mean()
    assert total[on:].mean() < 0.75 * total[:on].mean()


@pytest.mark.parametrize(
    ("indicator", "direction"),
    [
        ("restraint_rate", +1),
        ("seclusion_rate", +1),
        ("agency_staff_share", +1),
        ("supervision_compliance", -1),
        ("inpatient_visits_rate", -1),
    ],
)
def test_closed_culture_measures(indicator: str, direction: int) -> None:
    assert_planted("ld_closed_culture", lambda d: value(d, "IL1-W1", indicator), direction)


def test_closed_culture_staff_stop_reporting() -> None:
    def staff_reported(d: RegionData) -> np.ndarray:
        by_staff = pc.equal(d.events["reporter_type"], "staff")
        return per_1000_bed_days(d, "IL1-W1", pc.and_(incidents(d), by_staff))

    assert_planted("ld_closed_culture", staff_reported, -1)
    d = region(True)
    series = staff_reported(d)
    assert series[-3:].mean() < 0.35 * series[: onset(d, "ld_closed_culture")].mean()


def test_closed_culture_few_complaints_and_rising_vacancies() -> None:
    d = region(True)
    on = onset(d, "ld_closed_culture")
    complaints, _ = measure(d, "IL1-W1", "complaints")
    assert complaints[-6:].sum() <= 2 < complaints[:on].mean() * 6
    assert_planted("ld_closed_culture", lambda d: value(d, "IL1", "staff_vacancy_rate"), +1)
    # high agency use by the end: over a third of hours
    assert value(d, "IL1-W1", "agency_staff_share")[-3:].mean() > 0.35


def test_care_home_falls_with_harm_cluster() -> None:
    def falls_with_harm(d: RegionData) -> np.ndarray:
        falls = pc.equal(d.events["category"], "falls")
        harmed = pc.is_in(
            d.events["physical_harm"], pa.array(["low", "moderate", "severe", "fatal"])
        )
        return event_counts(d, "CH041-R", pc.and_(falls, harmed))

    assert_planted("care_home_falls_cluster", falls_with_harm, +1, within=2)


def test_ed_reporting_stops_while_attendances_continue() -> None:
    d = region(True)
    on = onset(d, "ed_reporting_stops")
    counts = event_counts(d, "RX7-ED")
    assert counts[on:].sum() == 0 and counts[:on].min() > 5
    attendances, _ = measure(d, "RX7-ED", "ed_attendances")
    assert attendances[on:].min() > 0.8 * attendances[:on].mean()
    assert first_signal(counts, on, -1) == on
    assert event_counts(region(False), "RX7-ED")[on:].min() > 5


def test_ward_fft_negative_climbs() -> None:
    assert_planted("ward_fft_negative_climbs", lambda d: value(d, "RX2-MED", "fft_negative"), +1)
    assert_planted("ward_fft_negative_climbs", lambda d: value(d, "RX2-MED", "fft_positive"), -1)
    d = region(True)
    negative = value(d, "RX2-MED", "fft_negative")
    assert negative[-1] > 2.5 * negative[: onset(d, "ward_fft_negative_climbs")].mean()


def test_plants_leave_the_rest_of_the_region_untouched() -> None:
    planted = {p.service_code for p in region(True).plants}
    planted_orgs = {p.org_code for p in region(True).plants}

    def ordinary_events(d: RegionData) -> pa.Table:
        return d.events.filter(pc.invert(pc.is_in(d.events["service_code"], pa.array(planted))))

    def ordinary_measures(d: RegionData) -> pa.Table:
        codes = pa.array(planted | planted_orgs)
        return d.measures.filter(pc.invert(pc.is_in(d.measures["org_code"], codes)))

    assert ordinary_events(region(True)).equals(ordinary_events(region(False)))
    assert ordinary_measures(region(True)).equals(ordinary_measures(region(False)))


@pytest.mark.parametrize("seed", [7, 2027])
def test_plants_hold_at_other_seeds(seed: int) -> None:
    d = region(True, seed)
    on = onset(d, "maternity_harm_up_reporting_down")
    reporting = per_1000_bed_days(d, "RX1-MAT", incidents(d))
    harm = per_1000_bed_days(d, "RX1-MAT", moderate_or_worse(d))
    assert shifted(reporting, on, -1) and shifted(harm, on, +1)
    on = onset(d, "ld_closed_culture")
    assert shifted(value(d, "IL1-W1", "restraint_rate"), on, +1)
    on = onset(d, "ward_fft_negative_climbs")
    assert shifted(value(d, "RX2-MED", "fft_negative"), on, +1)


def test_plant_services_are_ordinary_until_the_stated_month() -> None:
    """Every draw is in month order from its own stream: a plant leaves its own past alone."""
    for plant in region(True).plants:

        def before(d: RegionData, plant: object = plant) -> tuple[list[tuple[str, ...]], pa.Table]:
            assert isinstance(plant, Plant)
            ev = d.events
            keep = pc.and_(
                pc.equal(ev["service_code"], plant.service_code),
                pc.less(pc.utf8_slice_codeunits(ev["occurred_on"], 0, 7), plant.detectable_from),
            )
            rows = ev.filter(keep).drop_columns(["source_id"]).to_pylist()
            m = d.measures
            in_org = pc.is_in(m["org_code"], pa.array([plant.org_code, plant.service_code]))
            early = pc.less(m["period"], plant.detectable_from)
            return sorted(tuple(r.values()) for r in rows), m.filter(pc.and_(in_org, early))

        planted_events, planted_measures = before(region(True))
        plain_events, plain_measures = before(region(False))
        assert planted_events == plain_events, plant.id
        assert planted_measures.equals(plain_measures), plant.id
