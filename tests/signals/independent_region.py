"""A region the watchlist has never seen: written as import files, loaded through the commands.

The acceptance tests on the demo (regions.py) read data from the generator the rules were tuned
on. This module draws a region of its own, with nothing from caresignals.demo: a few dozen
services of several types and sizes over 36 months, counts with overdispersed (gamma-Poisson)
noise and a winter season, written as CSV files in the documented formats
(docs/import-formats.md) and loaded with `caresignals import` as an ICB analyst would.

Two variants: **quiet** (nothing wrong anywhere) and **planted** (the same region with four
problems, each starting at ONSET and lasting PLANT_MONTHS months):

* a maternity unit whose incident reporting falls by 45 % while the share of its incidents
  with moderate-or-worse harm quadruples, and its complaints and negative FFT answers rise;
* a busy adult ward whose moderate-or-worse harm triples (reporting unchanged);
* an emergency department whose complaints triple and whose negative FFT share triples;
* a care home with the closed-culture pattern: agency staff up, supervision and visits down,
  complaints falling silent.

Every provider's Duty of Candour is "tracked from" the day after the history, so the imported
history (which holds no candour steps) is "not known", never overdue.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MONTHS = 36
ONSET = 24  # month index (0-based) of each plant's first month
PLANT_MONTHS = 8


# Every column of events.csv but the two candour ones (which may be left out).
EVENT_COLUMNS = [
    "source_id",
    "record_type",
    "org_code",
    "service_code",
    "occurred_on",
    "reported_on",
    "service_area",
    "category",
    "physical_harm",
    "psychological_harm",
    "never_event_type",
    "death_in_care_more_likely_than_not",
    "patient_died",
    "patient_age_years",
    "patient_sex",
    "patient_ethnicity",
    "patient_lsoa",
    "patient_imd_decile",
    "learning_disability",
    "autism",
    "detained_mha",
    "description",
    "reporter_type",
    "anonymous",
]
CATEGORIES = ("falls", "medication", "treatment", "communication_consent", "deterioration")


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    type: str  # service type (docs/import-formats.md)
    provider: str
    area: str  # the events' service_area
    incidents: float  # incidents a month
    harm_share: float  # share of incidents with moderate-or-worse harm
    bed_days: float = 0.0  # occupied bed days a month (0: none)
    complaints: float = 0.0
    fft_responses: float = 0.0
    fft_negative: float = 0.04  # share of FFT answers poor or very poor
    births: float = 0.0
    attendances: float = 0.0
    closed_culture_measures: bool = False


@dataclass(frozen=True)
class Provider:
    code: str
    name: str
    type: str
    place: str


@dataclass
class Plant:
    id: str
    code: str  # the service it is in
    onset: str  # its first month, YYYY-MM
    months: list[str] = field(default_factory=list)  # every month it lasts


@dataclass
class Written:
    paths: dict[str, Path]
    months: list[str]
    plants: list[Plant]
    services: list[Service]


def _period(first: dt.date, i: int) -> str:
    m = first.month - 1 + i
    return f"{first.year + m // 12:04d}-{m % 12 + 1:02d}"


def _region(rng: np.random.Generator) -> tuple[list[Provider], list[Service]]:
    """Three acute trusts of different sizes, a mental-health trust, a learning-disability
    provider, a community trust, eight care homes and four GP practices."""
    providers: list[Provider] = []
    services: list[Service] = []
    for i, size in enumerate((1.0, 0.7, 1.4)):
        code = f"QA{i + 1}"
        place = "PL-N" if i < 2 else "PL-S"
        providers.append(Provider(code, f"Acute Trust {i + 1}", "acute_trust", place))
        services.append(
            Service(
                f"{code}-MAT", f"Maternity {i + 1}", "maternity", code, "maternity",
                incidents=60 * size, harm_share=0.05, bed_days=900 * size,
                complaints=3 * size, fft_responses=120 * size, births=330 * size,
            )
        )  # fmt: skip
        services.append(
            Service(
                f"{code}-ED", f"Emergency department {i + 1}", "emergency_department", code,
                "acute", incidents=45 * size, harm_share=0.03, complaints=6 * size,
                fft_responses=400 * size, fft_negative=0.08, attendances=9000 * size,
            )
        )  # fmt: skip
        for w in range(3):
            scale = size * (1.6 if w == 0 else float(rng.uniform(0.6, 1.3)))  # W1: a busy ward
            services.append(
                Service(
                    f"{code}-W{w + 1}", f"Ward {w + 1}, trust {i + 1}", "adult_inpatient", code,
                    "acute", incidents=18 * scale, harm_share=0.06, bed_days=850 * scale,
                    complaints=1.5 * scale, fft_responses=60 * scale,
                )
            )  # fmt: skip
    providers.append(Provider("QM1", "Mental Health Trust", "mental_health_trust", "PL-N"))
    for w in range(3):
        services.append(
            Service(
                f"QM1-W{w + 1}", f"Mental health ward {w + 1}", "mental_health_inpatient", "QM1",
                "mental_health", incidents=22.0, harm_share=0.07, bed_days=650.0,
                complaints=1.5, fft_responses=25.0, fft_negative=0.08,
                closed_culture_measures=True,
            )
        )  # fmt: skip
    providers.append(Provider("QL1", "Learning Disability Services", "ld_autism_inpatient", "PL-S"))
    services.append(
        Service(
            "QL1-W1", "Assessment and treatment unit", "ld_autism_inpatient", "QL1", "ld_autism",
            incidents=14.0, harm_share=0.06, bed_days=300.0, complaints=0.5,
            closed_culture_measures=True,
        )
    )  # fmt: skip
    providers.append(Provider("QC1", "Community Health Trust", "community_trust", "PL-S"))
    for w in range(2):
        services.append(
            Service(
                f"QC1-N{w + 1}", f"District nursing {w + 1}", "community_nursing", "QC1",
                "community_nursing", incidents=12.0, harm_share=0.1, complaints=1.0,
            )
        )  # fmt: skip
    for h in range(8):
        code = f"CH{h + 1:02d}"
        beds = float(rng.uniform(25, 70))
        providers.append(
            Provider(code, f"Care home {h + 1}", "care_home", "PL-N" if h % 2 else "PL-S")
        )
        services.append(
            Service(
                f"{code}-R", f"Care home {h + 1} residential", "care_home", code, "care_home",
                incidents=beds / 12, harm_share=0.05, bed_days=beds * 30.4 * 0.92,
                complaints=0.8, closed_culture_measures=True,
            )
        )  # fmt: skip
    for g in range(4):
        code = f"GP{g + 1}"
        providers.append(
            Provider(code, f"Surgery {g + 1}", "gp_practice", "PL-N" if g % 2 else "PL-S")
        )
        services.append(
            Service(
                f"{code}-PC", f"Surgery {g + 1} practice", "primary_care", code, "gp",
                incidents=float(rng.uniform(2, 6)), harm_share=0.04, complaints=1.0,
            )
        )  # fmt: skip
    return providers, services


def _noisy(rng: np.random.Generator, mean: np.ndarray, dispersion: float) -> np.ndarray:
    """Gamma-Poisson counts: variance mean + dispersion × mean² (dispersion 0: Poisson)."""
    mean = np.maximum(mean, 0.0)
    if dispersion > 0:
        mean = rng.gamma(1 / dispersion, mean * dispersion)
    return rng.poisson(mean).astype(float)


HARMFUL = np.array(["moderate", "moderate", "moderate", "severe"])
HARMLESS = np.array(["none", "low", "low"])


def _write_events(
    out: csv.DictWriter[str],
    rng: np.random.Generator,
    s: Service,
    months: list[str],
    incidents: np.ndarray,
    harmful: np.ndarray,
    lsoas: list[str],
    after: dt.date,
    serial: int,
) -> int:
    """One service's incidents, month by month (the first `harmful` of a month harmful);
    returns the last serial number used."""
    last_day = after - dt.timedelta(days=1)
    for i, period in enumerate(months):
        n = int(incidents[i])
        if n == 0:
            continue
        first = dt.date(int(period[:4]), int(period[5:7]), 1)
        days = rng.integers(0, 28, n)
        delays = rng.integers(0, 3, n)
        harm = np.where(np.arange(n) < harmful[i], rng.choice(HARMFUL, n), rng.choice(HARMLESS, n))
        categories = rng.choice(np.array(CATEGORIES), n)
        places = rng.choice(np.array(lsoas), n)
        for j in range(n):
            serial += 1
            occurred = first + dt.timedelta(days=int(days[j]))
            reported = min(occurred + dt.timedelta(days=int(delays[j])), last_day)
            out.writerow(
                {
                    "source_id": f"IND-{serial:07d}",
                    "record_type": "incident",
                    "org_code": s.provider,
                    "service_code": s.code,
                    "occurred_on": occurred.isoformat(),
                    "reported_on": reported.isoformat(),
                    "service_area": s.area,
                    "category": str(categories[j]),
                    "physical_harm": str(harm[j]),
                    "patient_died": "false",
                    "patient_lsoa": str(places[j]),
                    "reporter_type": "staff",
                    "anonymous": "false",
                }
            )
    return serial


def write_region(directory: Path, *, last_period: str, planted: bool, seed: int) -> Written:
    """The region's import files under `directory`, ending with `last_period` (YYYY-MM)."""
    rng = np.random.default_rng(seed)
    year, month = int(last_period[:4]), int(last_period[5:7])
    m0 = year * 12 + month - 1 - (MONTHS - 1)
    first = dt.date(m0 // 12, m0 % 12 + 1, 1)
    months = [_period(first, i) for i in range(MONTHS)]
    after = dt.date(year + month // 12, month % 12 + 1, 1)  # candour tracked from here
    providers, services = _region(rng)
    season = 1 + 0.08 * np.cos(2 * np.pi * (np.arange(MONTHS) + first.month - 1) / 12)

    plants: list[Plant] = []
    lasting = np.zeros(MONTHS, dtype=bool)
    lasting[ONSET : ONSET + PLANT_MONTHS] = True
    if planted:
        for pid, code in (
            ("maternity_reporting_fall_harm_share", "QA1-MAT"),
            ("ward_harm_rise", "QA3-W1"),
            ("ed_experience_worsening", "QA3-ED"),
            ("care_home_closed_culture", "CH03-R"),
        ):
            plants.append(Plant(pid, code, months[ONSET], months[ONSET : ONSET + PLANT_MONTHS]))
    planted_at = {p.code: p.id for p in plants}

    paths = {k: directory / f"{k}.csv" for k in ("organisations", "areas", "measures", "events")}
    with paths["organisations"].open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["code", "name", "kind", "type", "parent_code", "candour_tracked_from"])
        out.writerow(["QIN", "Independent Integrated Care System", "ics", "", "", ""])
        out.writerow(["PL-N", "North place", "place", "", "QIN", ""])
        out.writerow(["PL-S", "South place", "place", "", "QIN", ""])
        for p in providers:
            out.writerow([p.code, p.name, "provider", p.type, p.place, after.isoformat()])
        for s in services:
            out.writerow([s.code, s.name, "service", s.type, s.provider, ""])
    lsoas = {
        "PL-N": [f"E0190{i:04d}" for i in range(6)],
        "PL-S": [f"E0191{i:04d}" for i in range(6)],
    }
    with paths["areas"].open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["lsoa_code", "place_code", "imd_decile", "population"])
        for place, codes in lsoas.items():
            for i, code in enumerate(codes):
                out.writerow([code, place, 1 + (i * 2) % 10, 1500 + 37 * i])

    place_of = {p.code: p.place for p in providers}
    measures = paths["measures"].open("w", newline="")
    events = paths["events"].open("w", newline="")
    with measures, events:
        mw = csv.writer(measures)
        mw.writerow(["org_code", "indicator_code", "period", "numerator", "denominator"])
        ew = csv.DictWriter(events, EVENT_COLUMNS, restval="")
        ew.writeheader()
        serial = 0
        for s in services:
            plant = planted_at.get(s.code)
            on = lasting if plant else np.zeros(MONTHS, dtype=bool)
            level = float(rng.uniform(0.9, 1.1))  # each service's own level
            incidents = s.incidents * level * season
            harm_share = np.full(MONTHS, s.harm_share)
            complaints = s.complaints * season
            fft_negative = np.full(MONTHS, s.fft_negative)
            if plant == "maternity_reporting_fall_harm_share":
                incidents = np.where(on, incidents * 0.55, incidents)
                harm_share = np.where(on, harm_share * 4, harm_share)
                complaints = np.where(on, complaints * 4, complaints)
                fft_negative = np.where(on, fft_negative * 4, fft_negative)
            elif plant == "ward_harm_rise":
                harm_share = np.where(on, harm_share * 3, harm_share)
            elif plant == "care_home_closed_culture":
                complaints = np.where(on, complaints * 0.1, complaints)
            elif plant == "ed_experience_worsening":
                complaints = np.where(on, complaints * 3, complaints)
                fft_negative = np.where(on, fft_negative * 3, fft_negative)
            n_incidents = _noisy(rng, incidents, 0.03)
            n_harmful = rng.binomial(n_incidents.astype(int), np.minimum(harm_share, 1.0))
            serial = _write_events(
                ew, rng, s, months, n_incidents, n_harmful, lsoas[place_of[s.provider]], after,
                serial,
            )  # fmt: skip
            rows: list[tuple[str, np.ndarray, np.ndarray | None]] = []
            if s.bed_days:
                rows.append(("occupied_bed_days", _noisy(rng, s.bed_days * season, 0.001), None))
            if s.births:
                rows.append(("births", _noisy(rng, np.full(MONTHS, s.births), 0.002), None))
            if s.attendances:
                rows.append(("ed_attendances", _noisy(rng, s.attendances * season, 0.002), None))
            if s.complaints:
                rows.append(("complaints", _noisy(rng, complaints * level, 0.05), None))
            if s.fft_responses:
                responses = np.maximum(_noisy(rng, np.full(MONTHS, s.fft_responses), 0.05), 1)
                negative = rng.binomial(responses.astype(int), np.minimum(fft_negative, 1.0))
                positive = rng.binomial((responses - negative).astype(int), np.full(MONTHS, 0.93))
                rows.append(("fft_negative", negative.astype(float), responses))
                rows.append(("fft_positive", positive.astype(float), responses))
            if s.closed_culture_measures:
                cc = plant == "care_home_closed_culture"
                hours = np.full(MONTHS, s.bed_days * 4.0)
                agency_share = np.where(on & cc, 0.26, 0.08 * level)
                rows.append(
                    ("agency_staff_share", rng.binomial(hours.astype(int), agency_share).astype(float), hours)
                )  # fmt: skip
                staff = np.full(MONTHS, 40.0)
                supervised = np.where(on & cc, 0.62, 0.9)
                rows.append(
                    ("supervision_compliance", rng.binomial(40, supervised).astype(float), staff)
                )  # fmt: skip
                beds = np.full(MONTHS, s.bed_days)
                visits = np.where(on & cc, 0.45, 1.0) * beds * 0.2
                rows.append(("inpatient_visits_rate", _noisy(rng, visits, 0.01), beds))
            for code, numerator, denominator in rows:
                for i, period in enumerate(months):
                    den = "" if denominator is None else f"{denominator[i]:.0f}"
                    mw.writerow([s.code, code, period, f"{numerator[i]:.0f}", den])
    return Written(paths, months, plants, services)
