"""The synthetic region's generator: the import formats, determinism, and realistic shapes.

No database: the generator is pure. Plants are proven in test_plants.py.
"""

from __future__ import annotations

import csv
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from caresignals.demo import generator
from caresignals.demo.generator import RegionData, generate_region, iter_event_batches, write_csvs
from caresignals.measures.numerators import FEEDBACK_INDICATOR_SOURCE as FEEDBACK_SOURCE

DEFINITIONS = Path(generator.__file__).resolve().parent.parent / "measures" / "definitions"
REQUIRED_KEYS = {
    "code",
    "name",
    "why_it_matters",
    "numerator",
    "denominator",
    "unit",
    "multiplier",
    "polarity",
    "chart",
    "source",
    "checked_by",
    "checked_on",
}
DERIVED = {"moderate_harm_rate", "incident_reporting_rate", "restraint_events"}


@cache
def region(plants: bool = False, seed: int = 2026) -> RegionData:
    return generate_region(seed=seed, plants=plants)


def column(table: pa.Table, name: str) -> np.ndarray:
    return np.array(table[name].to_pylist(), dtype=object)


def share(values: np.ndarray, value: str) -> float:
    return float(np.mean(values == value))


# --------------------------------------------------------------------------- formats


def test_tables_have_the_import_columns_all_strings() -> None:
    d = region(True)
    assert d.events.column_names == list(generator.EVENT_COLUMNS)
    assert d.measures.column_names == list(generator.MEASURE_COLUMNS)
    assert d.indicators.column_names == list(generator.INDICATOR_COLUMNS)
    for table in (d.events, d.measures, d.indicators):
        assert all(f.type == pa.string() for f in table.schema)
        assert all(c.null_count == 0 for c in table.columns)
    assert (d.first_period, d.last_period) == ("2023-11", "2026-10")


def test_small_scale_volume() -> None:
    n = region(True).events.num_rows
    assert 60_000 <= n <= 100_000


def test_event_values_are_in_the_contract_vocabularies() -> None:
    ev = region(True).events
    allowed = {
        "record_type": {"incident", "outcome", "risk", "good_care"},
        "physical_harm": {"", "none", "low", "moderate", "severe", "fatal"},
        "psychological_harm": {"", "none", "low", "moderate", "severe"},
        "never_event_type": {"", *generator.NEVER_EVENT_TYPES},
        "death_in_care_more_likely_than_not": {"true", "false"},
        "patient_died": {"true", "false"},
        "patient_sex": {"female", "male", "unknown"},
        "patient_ethnicity": set("ABCDEFGHJKLMNPRSZ"),
        "learning_disability": {"true", "false", "unknown"},
        "autism": {"true", "false", "unknown"},
        "detained_mha": {"true", "false", "unknown"},
        "reporter_type": {"staff", "patient", "family_carer", "other"},
        "anonymous": {"true", "false"},
        "category": set(generator.CATEGORIES),
    }
    for name, values in allowed.items():
        assert set(pc.unique(ev[name]).to_pylist()) <= values, name
    ages = [int(a) for a in pc.unique(ev["patient_age_years"]).to_pylist() if a]
    assert min(ages) >= 0 and max(ages) <= 120
    deciles = {x for x in pc.unique(ev["patient_imd_decile"]).to_pylist() if x}
    assert deciles <= {str(i) for i in range(1, 11)}


def test_events_belong_to_their_providers_services_and_areas() -> None:
    d = region(True)
    ev = d.events
    orgs = {o.code: o for o in d.organisations}
    pairs = ev.group_by(["org_code", "service_code"]).aggregate([]).to_pylist()
    for p in pairs:
        assert orgs[p["org_code"]].kind == "provider"
        if p["service_code"]:
            assert orgs[p["service_code"]].parent_code == p["org_code"]
    lsoas = {a.lsoa_code for a in d.areas}
    used = {x for x in pc.unique(ev["patient_lsoa"]).to_pylist() if x}
    assert used <= lsoas
    assert all(re.fullmatch(r"E0199\d{4}", x) for x in used)
    # an LSOA or else a decile, never both
    both = pc.and_(pc.not_equal(ev["patient_lsoa"], ""), pc.not_equal(ev["patient_imd_decile"], ""))
    assert not pc.any(both).as_py()


def test_patients_live_in_the_places_their_provider_serves() -> None:
    d = region(True)
    place_of = {a.lsoa_code: a.place_code for a in d.areas}
    rows = d.events.filter(pc.equal(d.events["org_code"], "RX2")).select(["patient_lsoa"])
    places = {place_of[x] for x in rows["patient_lsoa"].to_pylist() if x}
    assert places == {"PL02"}


def test_source_ids_unique_per_organisation() -> None:
    ev = region(True).events
    keys = pc.binary_join_element_wise(ev["org_code"], ev["source_id"], "|")
    assert pc.count_distinct(keys).as_py() == ev.num_rows


def test_record_types_and_blank_harm() -> None:
    ev = region(True).events
    record = column(ev, "record_type")
    assert 0.95 < share(record, "incident") < 0.97
    harm = column(ev, "physical_harm")
    no_patient = np.isin(record, ["risk", "good_care"])
    assert (harm[no_patient] == "").all() and (harm[~no_patient] != "").all()
    never = column(ev, "never_event_type")
    assert (record[never != ""] == "incident").all()


def test_harm_mix_is_mostly_none_or_low() -> None:
    ev = region(True).events
    harm = column(ev, "physical_harm")[column(ev, "record_type") == "incident"]
    expected = {"none": 0.70, "low": 0.25, "moderate": 0.035, "severe": 0.008, "fatal": 0.003}
    for level, target in expected.items():
        assert share(harm, level) == pytest.approx(target, rel=0.4), level


def test_harm_varies_by_category() -> None:
    ev = region(False).events
    harm = column(ev, "physical_harm")
    category = column(ev, "category")
    worse = np.isin(harm, ["moderate", "severe", "fatal"])
    assert (
        worse[category == "pressure_ulcer"].mean() > 2 * worse[category == "documentation"].mean()
    )
    assert worse[category == "deterioration"].mean() > worse[category == "medication"].mean()


def test_categories_fit_the_service() -> None:
    ev = region(False).events
    service = column(ev, "service_code")
    category = column(ev, "category")

    def top(suffix: str) -> str:
        mask = np.char.endswith(service.astype(str), suffix)
        values, counts = np.unique(category[mask], return_counts=True)
        return str(values[counts.argmax()])

    assert top("-MAT") == "maternity"
    assert top("-R") == "falls"
    assert top("-DN") == "pressure_ulcer"
    assert top("-AIP") in {"violence_aggression", "self_harm"}
    assert top("IL1-W1") == "restrictive_practice"


def test_ages_and_flags_are_plausible_per_service() -> None:
    ev = region(False).events
    service = column(ev, "service_code").astype(str)
    age = column(ev, "patient_age_years")
    known = age != ""
    ages = np.where(known, age, "-1").astype(int)
    mat = np.char.endswith(service, "-MAT") & known
    assert set(np.unique(ages[mat])) <= {0, *range(16, 46)}
    paed = np.char.endswith(service, "-PAED") & known
    assert ages[paed].max() <= 17
    home = np.char.endswith(service, "-R") & known
    assert np.median(ages[home]) >= 80
    detained = column(ev, "detained_mha") == "true"
    assert set(np.unique(service[detained])) <= {"RM1-AIP", "RM2-AIP", "IL1-W1"}
    ld = column(ev, "learning_disability") == "true"
    w1 = service == "IL1-W1"
    assert ld[w1].mean() > 0.7 and ld[~w1].mean() < 0.05


def test_ethnicity_and_deprivation_look_like_the_north_east() -> None:
    ev = region(False).events
    ethnicity = column(ev, "patient_ethnicity")
    stated = ethnicity[ethnicity != "Z"]
    assert 0.88 < share(stated, "A") < 0.95
    assert 0.05 < share(ethnicity, "Z") < 0.2
    with_patient = ~np.isin(column(ev, "record_type"), ["risk", "good_care"])
    lsoa = column(ev, "patient_lsoa")[with_patient] != ""
    decile = column(ev, "patient_imd_decile")[with_patient] != ""
    assert 0.65 < lsoa.mean() < 0.75 and 0.08 < decile.mean() < 0.16
    assert 0.12 < (~lsoa & ~decile).mean() < 0.25


def test_reporting_delay_is_skewed_with_a_median_of_about_two_days() -> None:
    ev = region(False).events
    occurred = np.array(ev["occurred_on"].to_pylist(), dtype="datetime64[D]")
    reported = np.array(ev["reported_on"].to_pylist(), dtype="datetime64[D]")
    delay = (reported - occurred).astype(int)
    assert delay.min() >= 0
    assert 1 <= np.median(delay) <= 3
    assert np.mean(delay <= 30) > 0.97
    assert delay.mean() > np.median(delay)  # skewed
    assert reported.max() <= np.datetime64("2026-10-31")


def test_reporters_mostly_staff_sometimes_anonymous() -> None:
    ev = region(False).events
    assert 0.9 < share(column(ev, "reporter_type"), "staff") < 0.96
    assert 0.01 < share(column(ev, "anonymous"), "true") < 0.1


def test_descriptions_are_synthetic_sentences_without_numbers() -> None:
    ev = region(True).events
    descriptions = pc.unique(ev["description"]).to_pylist()
    assert all(d and d.endswith(".") for d in descriptions)
    assert not any(re.search(r"\d", d) for d in descriptions)


def test_never_events_are_rare() -> None:
    ev = region(False).events
    never = ev.filter(pc.not_equal(ev["never_event_type"], ""))
    per_year = never.num_rows / 3
    assert 2 <= per_year <= 12


def test_winter_pressure_and_proportional_volumes() -> None:
    d = region(False)
    ev = d.events.filter(pc.equal(d.events["service_code"], "RX4-MED"))
    month = np.array([m[5:7] for m in ev["occurred_on"].to_pylist()])
    winter = np.isin(month, ["12", "01", "02"]).sum()
    summer = np.isin(month, ["06", "07", "08"]).sum()
    assert winter > 1.04 * summer
    # bigger catchments, more bed days, more events
    counts = pc.value_counts(d.events["service_code"]).to_pylist()
    by_service = {c["values"]: c["counts"] for c in counts}
    assert by_service["RX4-MED"] > by_service["RX2-MED"]


# --------------------------------------------------------------------------- measures


def test_measures_are_whole_numbers_with_valid_strata() -> None:
    m = region(True).measures
    numerator = np.array(m["numerator"].to_pylist(), dtype=int)
    assert numerator.min() >= 0
    denominators = [x for x in m["denominator"].to_pylist() if x]
    assert min(int(x) for x in denominators) > 0
    strata = m.group_by(["stratum_type", "stratum"]).aggregate([]).to_pylist()
    pairs = {(s["stratum_type"], s["stratum"]) for s in strata}
    allowed = {("", "")}
    allowed |= {("imd_quintile", str(q)) for q in range(1, 6)}
    allowed |= {("ethnic_group", g) for g in ("white", "mixed", "asian", "black", "other")}
    assert pairs == allowed
    keys = pc.binary_join_element_wise(
        m["org_code"], m["indicator_code"], m["period"], m["stratum_type"], m["stratum"], "|"
    )
    assert pc.count_distinct(keys).as_py() == m.num_rows


def test_count_measures_leave_the_denominator_blank() -> None:
    d = region(True)
    units = {r["code"]: r["unit"] for r in d.indicators.to_pylist()}
    for row in (
        d.measures.group_by(["indicator_code"]).aggregate([("denominator", "min")]).to_pylist()
    ):
        blank = row["denominator_min"] == ""
        assert blank == (units[row["indicator_code"]] == "count"), row


def ratio(d: RegionData, indicator: str, stratum_type: str, top: str, bottom: str) -> float:
    m = d.measures.filter(pc.equal(d.measures["stratum_type"], stratum_type))
    m = m.filter(pc.equal(m["indicator_code"], indicator))

    def rate(stratum: str) -> float:
        rows = m.filter(pc.equal(m["stratum"], stratum))
        num = np.array(rows["numerator"].to_pylist(), dtype=float).sum()
        den = np.array(rows["denominator"].to_pylist(), dtype=float).sum()
        return num / den

    return rate(top) / rate(bottom)


@pytest.mark.parametrize("plants", [False, True])
def test_sepsis_mortality_gradient_by_deprivation(plants: bool) -> None:
    assert ratio(region(plants), "sepsis_30d_mortality", "imd_quintile", "1", "5") == (
        pytest.approx(1.8, abs=0.2)
    )


@pytest.mark.parametrize("plants", [False, True])
def test_mha_detention_four_times_higher_for_black_people(plants: bool) -> None:
    assert ratio(region(plants), "mha_detention_rate", "ethnic_group", "black", "white") == (
        pytest.approx(4.0, abs=0.5)
    )


def series_values(d: RegionData) -> dict[tuple[str, str], np.ndarray]:
    """Every whole-population ratio series (not counts), by (org, indicator), in period order."""
    m = d.measures.filter(pc.equal(d.measures["stratum_type"], ""))
    m = m.filter(pc.not_equal(m["denominator"], "")).sort_by(
        [("org_code", "ascending"), ("indicator_code", "ascending"), ("period", "ascending")]
    )
    num = np.array(m["numerator"].to_pylist(), dtype=float)
    den = np.array(m["denominator"].to_pylist(), dtype=float)
    keys = list(zip(m["org_code"].to_pylist(), m["indicator_code"].to_pylist(), strict=True))
    out: dict[tuple[str, str], list[float]] = {}
    for key, v in zip(keys, num / den, strict=True):
        out.setdefault(key, []).append(v)
    return {k: np.array(v) for k, v in out.items()}


def test_the_ordinary_region_is_quiet() -> None:
    """Without plants no ratio series moves away from its own first two years for its last year."""
    for key, values in series_values(region(False)).items():
        base, last = values[:24], values[24:]
        sigma = np.abs(np.diff(base)).mean() / 1.128
        if sigma == 0:
            continue
        z = (last.mean() - base.mean()) / (sigma * np.sqrt(1 / 24 + 1 / 12))
        assert abs(z) < 4, (key, round(float(z), 2))


# --------------------------------------------------------------------------- indicators


def definitions() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(DEFINITIONS.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        assert data["code"] == path.stem
        out[path.stem] = data
    return out


def test_every_definition_file_is_complete() -> None:
    defs = definitions()
    assert len(defs) >= 15
    for code, d in defs.items():
        assert set(d) >= REQUIRED_KEYS, (code, REQUIRED_KEYS - set(d))
        assert d["unit"] in {"proportion", "rate", "count", "mean"}
        assert d["polarity"] in {"higher_is_better", "lower_is_better", "neutral"}
        assert d["chart"] == "xmr"
        assert d["source"] in {"measures import", "derived from events", FEEDBACK_SOURCE}
        assert isinstance(d["multiplier"], int | float) and d["multiplier"] > 0
        assert "target" not in d or isinstance(d["target"], int | float)
        assert all(s in {"imd_quintile", "ethnic_group"} for s in d.get("strata", []))


def test_every_measure_has_a_definition_and_the_indicators_table_matches() -> None:
    defs = definitions()
    d = region(True)
    used = set(pc.unique(d.measures["indicator_code"]).to_pylist())
    assert used <= set(defs)
    # Measured indicators, or people's experience, which a service may submit (ADR 17).
    assert all(defs[c]["source"] in {"measures import", FEEDBACK_SOURCE} for c in used)
    assert {c for c, v in defs.items() if v["source"] == "derived from events"} >= DERIVED
    rows = {r["code"]: r for r in d.indicators.to_pylist()}
    assert set(rows) == set(defs)
    for code, row in rows.items():
        assert row["unit"] == defs[code]["unit"]
        assert float(row["multiplier"]) == defs[code]["multiplier"]
        assert row["target"] == ("" if "target" not in defs[code] else row["target"])
    strata = {c: set(defs[c].get("strata", [])) for c in used}
    m = d.measures.filter(pc.not_equal(d.measures["stratum_type"], ""))
    for row in m.group_by(["indicator_code", "stratum_type"]).aggregate([]).to_pylist():
        assert row["stratum_type"] in strata[row["indicator_code"]]


# --------------------------------------------------------------------------- determinism, API


def test_same_seed_same_region() -> None:
    a = generate_region(seed=11)
    b = generate_region(seed=11)
    assert a.events.equals(b.events)
    assert a.measures.equals(b.measures)
    assert a.plants == b.plants and a.organisations == b.organisations


def test_different_seed_different_region() -> None:
    a, b = region(True, 2026), generate_region(seed=2027)
    assert not a.events.equals(b.events)
    assert not a.measures.equals(b.measures)


def test_batches_give_the_same_events() -> None:
    batches = list(iter_event_batches(seed=2026, scale="small", plants=True, batch_rows=30_000))
    assert all(b.num_rows <= 30_000 for b in batches[:-1])
    assert [b.num_rows for b in batches[:-1]] == [30_000] * (len(batches) - 1)
    assert pa.concat_tables(batches).equals(region(True).events)


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="scale"):
        generate_region(scale="huge")
    with pytest.raises(ValueError, match="iter_event_batches"):
        generate_region(scale="national")
    with pytest.raises(ValueError, match="months"):
        generate_region(months=12)
    with pytest.raises(ValueError, match="YYYY-MM"):
        generate_region(last_period="October")


def test_other_periods() -> None:
    d = generate_region(last_period="2025-03", months=24, plants=False)
    assert (d.first_period, d.last_period) == ("2023-04", "2025-03")
    periods = set(pc.unique(d.measures["period"]).to_pylist())
    assert len(periods) == 24
    p = generate_region(last_period="2025-03", months=26)
    assert {x.detectable_from for x in p.plants} <= periods | {"2025-03"}


def test_write_csvs(tmp_path: Path) -> None:
    d = region(True)
    paths = write_csvs(d, tmp_path)
    assert set(paths) == {"organisations", "areas", "indicators", "measures", "events"}
    with paths["events"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(generator.EVENT_COLUMNS)
    assert len(rows) == d.events.num_rows
    assert rows[0] == d.events.slice(0, 1).to_pylist()[0]
    with paths["measures"].open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == list(generator.MEASURE_COLUMNS)
    with paths["organisations"].open(encoding="utf-8", newline="") as fh:
        orgs = list(csv.DictReader(fh))
    assert list(orgs[0]) == ["code", "name", "kind", "type", "parent_code"]
    assert len(orgs) == len(d.organisations)
    with paths["areas"].open(encoding="utf-8", newline="") as fh:
        areas = list(csv.DictReader(fh))
    assert list(areas[0]) == ["lsoa_code", "place_code", "imd_decile", "population"]
