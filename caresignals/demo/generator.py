"""The synthetic region's data: monthly patient-safety events and measures, with planted problems.

Pure and seeded: no database, no network, no real people. Every random stream is keyed by
(seed, component, service code), so a plant changes only the series it is planted in and the
ordinary region is identical with and without plants. Volumes are drawn per service and month
from activity (bed days, births, attendances, list sizes) with winter pressure, a little trend and
extra-Poisson noise; every event attribute is then drawn as a numpy array, never row by row.

Scale multiplies every activity denominator and every event rate by the same factor, so rates,
proportions and plants are the same at every scale and only the noise shrinks. Population-based
measures (Mental Health Act detentions) keep the region's real population.

The planted problems are written down in PLANTS.md beside this file.
"""

from __future__ import annotations

import csv
import tomllib
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from caresignals.demo import starter
from caresignals.organisations import services as org_services
from caresignals.safety.events.formats import EVENT_CSV_COLUMNS

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SCALES: dict[str, float] = {"small": 1.0, "medium": 11.0, "national": 110.0}
DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "measures" / "definitions"

INDICATOR_COLUMNS = ("code", "name", "unit", "multiplier", "polarity", "target", "chart")
MEASURE_COLUMNS = (
    "org_code",
    "indicator_code",
    "period",
    "numerator",
    "denominator",
    "stratum_type",
    "stratum",
)
EVENT_COLUMNS = EVENT_CSV_COLUMNS
EVENTS_SCHEMA = pa.schema([(c, pa.string()) for c in EVENT_COLUMNS])


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class Plant:
    """A problem planted for the product to find; PLANTS.md says what a good watchlist says."""

    id: str
    org_code: str
    service_code: str | None
    detectable_from: str
    description: str


@dataclass(frozen=True)
class RegionData:
    """Everything the demo loads, as the CSV importers expect it (all cells strings)."""

    organisations: list[org_services.OrganisationRow]
    areas: list[org_services.AreaRow]
    indicators: pa.Table
    measures: pa.Table
    events: pa.Table
    plants: list[Plant]
    first_period: str
    last_period: str


# --------------------------------------------------------------------------- vocabularies

RECORD_TYPES = ("incident", "outcome", "risk", "good_care")
RECORD_MIX = (0.96, 0.015, 0.015, 0.01)
CATEGORIES = (
    "medication",
    "device",
    "it_system",
    "falls",
    "pressure_ulcer",
    "self_harm",
    "infection",
    "deterioration",
    "sepsis",
    "diagnosis",
    "treatment",
    "access_transfer_discharge",
    "documentation",
    "communication_consent",
    "staffing",
    "maternity",
    "restrictive_practice",
    "violence_aggression",
    "safeguarding",
    "other",
)
CAT = {c: i for i, c in enumerate(CATEGORIES)}
HARMS = ("none", "low", "moderate", "severe", "fatal")
PSYCH_HARMS = ("none", "low", "moderate", "severe")
NEVER_EVENT_TYPES = (
    "wrong_site_surgery",
    "wrong_implant",
    "retained_foreign_object",
    "strong_potassium",
    "wrong_route_medication",
    "insulin_overdose",
    "methotrexate_overdose",
    "high_strength_midazolam",
    "non_collapsible_rails",
    "unrestricted_window_fall",
    "bed_rail_entrapment",
    "abo_incompatible",
    "misplaced_tube",
    "scalding",
    "oxygen_air_flowmeter",
)
NE = {t: i for i, t in enumerate(NEVER_EVENT_TYPES)}
NEVER_EVENT_CATEGORY = {
    "wrong_site_surgery": "treatment",
    "wrong_implant": "treatment",
    "retained_foreign_object": "treatment",
    "strong_potassium": "medication",
    "wrong_route_medication": "medication",
    "insulin_overdose": "medication",
    "methotrexate_overdose": "medication",
    "high_strength_midazolam": "medication",
    "non_collapsible_rails": "self_harm",
    "unrestricted_window_fall": "falls",
    "bed_rail_entrapment": "falls",
    "abo_incompatible": "treatment",
    "misplaced_tube": "device",
    "scalding": "other",
    "oxygen_air_flowmeter": "device",
}
SEXES = ("female", "male", "unknown")
# NHS Data Dictionary ethnic categories; shares shaped like the North East (about 93 % White
# British among those recorded) with about one record in ten not stated.
ETHNIC_CODES = ("A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z")
ETHNIC_SHARES = np.array(
    [83.0, 0.3, 2.2, 0.3, 0.2, 0.4, 0.3, 0.6, 0.8, 0.4, 0.5, 0.1, 0.6, 0.1, 0.4, 0.6, 10.0]
)
FLAGS = ("false", "true", "unknown")
REPORTERS = ("staff", "patient", "family_carer", "other")
REPORTER_MIX = (0.935, 0.02, 0.035, 0.01)

# Physical harm (none, low, moderate, severe, fatal) by kind of category. Mixed over a service's
# categories these give about 70 / 25 / 3.5 / 0.8 / 0.3 %, as LFPSE's national figures do.
HARM_TABLES: dict[str, tuple[float, ...]] = {
    "admin": (0.88, 0.11, 0.008, 0.0015, 0.0005),
    "standard": (0.72, 0.25, 0.025, 0.006, 0.002),
    "falls": (0.58, 0.37, 0.04, 0.008, 0.002),
    "pressure_ulcer": (0.48, 0.45, 0.065, 0.004, 0.001),
    "self_harm": (0.52, 0.41, 0.05, 0.012, 0.004),
    "deterioration": (0.55, 0.34, 0.07, 0.025, 0.015),
    "maternity": (0.68, 0.28, 0.033, 0.006, 0.001),
    "restrictive": (0.80, 0.185, 0.013, 0.0015, 0.0005),
}
CATEGORY_HARM = {
    "medication": "standard",
    "device": "standard",
    "it_system": "admin",
    "falls": "falls",
    "pressure_ulcer": "pressure_ulcer",
    "self_harm": "self_harm",
    "infection": "standard",
    "deterioration": "deterioration",
    "sepsis": "deterioration",
    "diagnosis": "standard",
    "treatment": "standard",
    "access_transfer_discharge": "admin",
    "documentation": "admin",
    "communication_consent": "admin",
    "staffing": "admin",
    "maternity": "maternity",
    "restrictive_practice": "restrictive",
    "violence_aggression": "standard",
    "safeguarding": "standard",
    "other": "standard",
}
PSYCH_CATEGORIES = {"self_harm", "restrictive_practice", "violence_aggression", "safeguarding"}
OUTCOME_HARM = (0.10, 0.40, 0.35, 0.10, 0.05)
NEVER_EVENT_HARM = (0.40, 0.35, 0.18, 0.05, 0.02)
RISK_CATEGORIES = {
    "staffing": 0.4,
    "device": 0.15,
    "medication": 0.15,
    "it_system": 0.15,
    "other": 0.15,
}

# An event's description is put together from its recorded fields, so it never contradicts
# them: what happened (by record type and category, in words that fit every kind of service
# the category occurs in), when (a context that fits the service), then one sentence for the
# recorded physical harm, one for psychological harm above none, and one when the person died
# of something else. tests/demo/test_descriptions.py holds the words each harm level may use.
CATEGORY_PHRASES: dict[str, tuple[str, str, str]] = {
    "medication": (
        "A prescribed medicine was given later than planned",
        "A dose of a regular medicine was missed",
        "The wrong dose of a medicine was prescribed",
    ),
    "device": (
        "An infusion pump alarmed and stopped working",
        "A piece of equipment was found faulty in use",
        "A monitoring device was not connected correctly",
    ),
    "it_system": (
        "The electronic record was unavailable for a period",
        "Test results did not reach the electronic record",
        "An electronic referral was lost between systems",
    ),
    "falls": (
        "The person was found on the floor",
        "The person slipped while walking to the bathroom",
        "The person fell while getting up from a chair",
    ),
    "pressure_ulcer": (
        "A pressure ulcer was found on the heel",
        "Skin damage to the sacrum was noted at a check",
        "A pressure ulcer had developed since the last review",
    ),
    "self_harm": (
        "The person harmed themselves with an item they had kept",
        "Staff found that the person had self-harmed",
        "The person disclosed recent self-harm",
    ),
    "infection": (
        "A healthcare-associated infection was confirmed",
        "Isolation was not in place for a person with an infection",
        "A wound infection was suspected and treated",
    ),
    "deterioration": (
        "Early warning scores were not escalated as expected",
        "Observations were not repeated as planned",
        "Signs of deterioration were acted on later than needed",
    ),
    "sepsis": (
        "Antibiotics for suspected sepsis were given late",
        "Sepsis screening was not completed on arrival",
        "Signs of sepsis were recognised late",
    ),
    "diagnosis": (
        "An abnormal result was not acted on promptly",
        "A fracture was missed on first review",
        "The diagnosis was delayed pending a scan",
    ),
    "treatment": (
        "A planned treatment was delayed",
        "Treatment did not follow the agreed care plan",
        "A complication followed treatment",
    ),
    "access_transfer_discharge": (
        "The person waited much longer than expected for care",
        "The person was discharged before the support they needed was in place",
        "A transfer between services was delayed",
    ),
    "documentation": (
        "Records were incomplete when another team took over care",
        "A care plan was not updated after a change",
        "Consent was not recorded in the notes",
    ),
    "communication_consent": (
        "The family were not told about a change in care",
        "Information was not shared between teams",
        "An interpreter was not arranged when needed",
    ),
    "staffing": (
        "Staffing fell below the planned level",
        "No trained staff were available to cover a break",
        "Shifts were covered by staff unfamiliar with the area",
    ),
    "maternity": (
        "Fetal monitoring was not reviewed as expected",
        "A postpartum haemorrhage needed escalation",
        "Escalation to the obstetric team was delayed in labour",
    ),
    "restrictive_practice": (
        "Physical restraint was used to prevent harm",
        "The person was secluded after an incident",
        "Rapid tranquillisation was given after restraint",
    ),
    "violence_aggression": (
        "A member of staff was assaulted",
        "A person was verbally abusive to staff and others",
        "An altercation between two people in care was broken up",
    ),
    "safeguarding": (
        "A safeguarding concern was raised about home circumstances",
        "Unexplained bruising was noted",
        "A concern about neglect was raised by a visitor",
    ),
    "other": (
        "An unexpected event occurred during care",
        "A concern about care was raised",
        "An issue with the care environment was reported",
    ),
}
# A risk record names a hazard, not something that happened (risks are drawn from
# RISK_CATEGORIES only).
RISK_PHRASES: dict[str, tuple[str, str, str]] = {
    "staffing": (
        "Planned staffing has not been met on several shifts this month",
        "Too few staff are trained in the service's emergency equipment",
        "Sickness absence leaves the rota relying on agency staff",
    ),
    "device": (
        "Infusion pumps of two different models are in use side by side",
        "Servicing of patient equipment is overdue",
        "Spare monitoring equipment is often unavailable",
    ),
    "medication": (
        "Similar-looking medicines are stored next to each other",
        "The medicines fridge temperature is not checked every day",
        "Controlled drug checks are not always done when due",
    ),
    "it_system": (
        "The electronic record is slow at the busiest times",
        "Results can be filed without anyone acknowledging them",
        "The paper fallback for system outages is out of date",
    ),
    "other": (
        "A fire door is often propped open",
        "Storage in corridors narrows the escape route",
        "Call bells in two rooms do not always sound",
    ),
}
# Good care, one account for each category the record may carry.
GOOD_CARE_PHRASES: dict[str, str] = {
    "medication": "A pharmacist spotted a prescribing error before any dose was given",
    "device": "Staff noticed a faulty pump at the safety check and replaced it before use",
    "it_system": "The team switched to the paper fallback smoothly when the record went down",
    "falls": "A falls assessment led to changes that helped the person walk safely",
    "pressure_ulcer": "Careful repositioning helped a pressure ulcer heal completely",
    "self_harm": "Staff built trust with the person and helped them keep themselves safe",
    "infection": "Prompt isolation stopped an infection spreading",
    "deterioration": "Staff recognised a deteriorating patient early and escalated promptly",
    "sepsis": "Sepsis was recognised within minutes and treatment started at once",
    "diagnosis": "A subtle abnormal result was noticed and acted on the same day",
    "treatment": "The team adapted the treatment plan with the person and their family",
    "access_transfer_discharge": "Services worked together to arrange a safe discharge",
    "documentation": "Clear records meant nothing was missed between teams",
    "communication_consent": "The team explained every step clearly to the family",
    "staffing": "Colleagues covered a short-staffed shift so that care was not delayed",
    "maternity": "The midwife escalated early and the obstetric team attended at once",
    "restrictive_practice": "Staff calmed a difficult situation without any restraint",
    "violence_aggression": "Staff de-escalated a tense situation and nobody was hurt",
    "safeguarding": "A concern was recognised and a safeguarding referral made the same day",
    "other": "Staff went out of their way to make the person comfortable",
}
NEVER_EVENT_PHRASES = {
    "wrong_site_surgery": "A procedure was performed on the wrong site",
    "wrong_implant": "The wrong implant was used in a procedure",
    "retained_foreign_object": "A swab was retained after a procedure",
    "strong_potassium": "Strong potassium was selected in error",
    "wrong_route_medication": "A medicine was given by the wrong route",
    "insulin_overdose": "An insulin overdose followed an abbreviation error",
    "methotrexate_overdose": "Methotrexate was given daily instead of weekly",
    "high_strength_midazolam": "High-strength midazolam was used for sedation",
    "non_collapsible_rails": "A non-collapsible rail was used as a ligature point",
    "unrestricted_window_fall": "The person fell from a poorly restricted window",
    "bed_rail_entrapment": "The person became trapped in a bed rail",
    "abo_incompatible": "An ABO-incompatible transfusion was given",
    "misplaced_tube": "A misplaced feeding tube was used",
    "scalding": "The person was scalded by bath water",
    "oxygen_air_flowmeter": "Oxygen tubing was connected to an air flowmeter",
}
PREFIXES = ("", "Outcome review: ", "Risk raised: ", "Good care: ", "Never Event: ")
# When it happened, in terms that fit the service (a GP practice has no night shift); every
# setting has the same number, so one drawn index serves all.
CONTEXTS = (
    " during the night.",
    " at handover.",
    " at the weekend.",
    " during a busy shift.",
    " in the morning.",
    " in the early evening.",
)
CONTEXTS_BY_AREA = {
    "gp": (
        " during a morning surgery.",
        " at a routine appointment.",
        " during a busy afternoon surgery.",
        " on a Monday morning.",
        " at a home visit.",
        " during a telephone consultation.",
    ),
}
# One sentence per recorded physical harm level (three wordings each, picked with the
# category phrase); every wording opens with its level's words.
PHYSICAL_HARM_SENTENCES: dict[str, tuple[str, str, str]] = {
    "none": (
        " No physical harm resulted.",
        " No physical harm; the person was checked over.",
        " No physical harm was found at review.",
    ),
    "low": (
        " Minor physical harm; it settled within a few days.",
        " Minor physical harm; extra observations for a day.",
        " Minor physical harm; simple treatment given.",
    ),
    "moderate": (
        " Moderate physical harm; further treatment needed.",
        " Moderate physical harm; extra care needed for some weeks.",
        " Moderate physical harm; referred for further treatment.",
    ),
    "severe": (
        " Severe physical harm; escalated to the senior team.",
        " Severe physical harm with lasting effects; escalated to the senior team.",
        " Severe physical harm; urgent specialist care needed.",
    ),
    "fatal": (
        " Fatal harm: the person died; escalated for review.",
        " Fatal harm: the person died; the care given is being reviewed.",
        " Fatal harm: the person died; the coroner was informed.",
    ),
}
# Psychological harm above none gets its own sentence (none, or not recorded, says nothing).
PSYCH_HARM_SENTENCES: dict[str, str] = {
    "low": " Minor psychological harm; the person was upset and offered support.",
    "moderate": " Moderate psychological harm; psychological support arranged.",
    "severe": " Severe psychological harm; specialist support arranged.",
}
# A death recorded without fatal harm (an outcome review of someone who later died).
LATER_DIED_SENTENCE = " The person later died; the death is being reviewed."


# --------------------------------------------------------------------------- service profiles


@dataclass(frozen=True)
class Profile:
    """How one kind of service behaves: its activity, its event mix and who its patients are."""

    service_area: str
    categories: Mapping[str, float]
    events_per_unit: float  # events per activity unit per month
    per_100k: float = 0.0  # activity units per 100 000 catchment population per month
    size: tuple[float, float] = (0.0, 0.0)  # else a uniform range of units per month
    season: float = 0.03  # winter amplitude (peak in January)
    trend: float = 0.0  # per year
    ages: str = "wide"
    female: float = 0.52
    ld: float = 0.015
    autism: float = 0.01
    detained: float = 0.0  # chance a patient is detained (mental-health inpatient only)
    never_per_month: float = 0.0  # Never Events per service per month, small scale
    never_types: Mapping[str, float] = field(default_factory=dict)
    bed_days_per_unit: float = 0.0  # > 0: an occupied_bed_days measure
    length_of_stay: float = 0.0  # > 0: an admissions measure
    fft_per_unit: float = 0.0
    fft_positive: float = 0.9
    fft_negative: float = 0.04
    complaints_per_unit: float = 0.0
    staff_hours_per_unit: float = 0.0  # > 0: an agency_staff_share measure
    agency_share: float = 0.06
    supervised_staff: float = 0.0  # > 0: a supervision_compliance measure (staff per service)
    restraint_per_1000: float = 0.0  # > 0: restraint, seclusion and visits measures
    seclusion_per_1000: float = 0.0
    visits_per_100: float = 0.0


PROFILES: dict[str, Profile] = {
    "medicine": Profile(
        "acute",
        {
            "falls": 0.19,
            "pressure_ulcer": 0.10,
            "medication": 0.15,
            "deterioration": 0.08,
            "sepsis": 0.02,
            "treatment": 0.07,
            "access_transfer_discharge": 0.10,
            "communication_consent": 0.05,
            "documentation": 0.05,
            "infection": 0.04,
            "device": 0.03,
            "staffing": 0.04,
            "violence_aggression": 0.03,
            "safeguarding": 0.02,
            "diagnosis": 0.02,
            "it_system": 0.01,
        },
        events_per_unit=0.027,
        per_100k=845,
        season=0.06,
        trend=0.015,
        ages="older_adult",
        never_per_month=0.012,
        never_types={
            "misplaced_tube": 0.3,
            "insulin_overdose": 0.2,
            "wrong_route_medication": 0.1,
            "strong_potassium": 0.1,
            "oxygen_air_flowmeter": 0.15,
            "methotrexate_overdose": 0.1,
            "high_strength_midazolam": 0.05,
        },
        bed_days_per_unit=1.0,
        length_of_stay=7.0,
        fft_per_unit=0.08,
        fft_positive=0.92,
        fft_negative=0.035,
        complaints_per_unit=0.0022,
        staff_hours_per_unit=9.0,
        agency_share=0.06,
    ),
    "surgery": Profile(
        "acute",
        {
            "treatment": 0.20,
            "medication": 0.12,
            "falls": 0.08,
            "pressure_ulcer": 0.06,
            "device": 0.08,
            "infection": 0.08,
            "deterioration": 0.07,
            "communication_consent": 0.08,
            "documentation": 0.08,
            "access_transfer_discharge": 0.08,
            "diagnosis": 0.03,
            "staffing": 0.04,
        },
        events_per_unit=0.026,
        per_100k=560,
        season=0.03,
        trend=0.01,
        ages="surgical",
        never_per_month=0.045,
        never_types={
            "wrong_site_surgery": 0.35,
            "retained_foreign_object": 0.40,
            "wrong_implant": 0.15,
            "abo_incompatible": 0.03,
            "misplaced_tube": 0.07,
        },
        bed_days_per_unit=1.0,
        length_of_stay=4.0,
        fft_per_unit=0.09,
        fft_positive=0.94,
        fft_negative=0.025,
        complaints_per_unit=0.0018,
        staff_hours_per_unit=10.0,
        agency_share=0.05,
    ),
    "paediatrics": Profile(
        "acute",
        {
            "medication": 0.25,
            "deterioration": 0.10,
            "communication_consent": 0.10,
            "safeguarding": 0.10,
            "treatment": 0.15,
            "access_transfer_discharge": 0.10,
            "documentation": 0.10,
            "device": 0.05,
            "infection": 0.05,
        },
        events_per_unit=0.035,
        per_100k=110,
        season=0.08,
        ages="child",
        ld=0.02,
        autism=0.03,
        never_per_month=0.004,
        never_types={"wrong_route_medication": 0.6, "misplaced_tube": 0.4},
        bed_days_per_unit=1.0,
        length_of_stay=2.0,
        fft_per_unit=0.1,
        fft_positive=0.93,
        fft_negative=0.03,
        complaints_per_unit=0.003,
        staff_hours_per_unit=12.0,
        agency_share=0.04,
    ),
    "maternity": Profile(
        "maternity",
        {
            "maternity": 0.55,
            "deterioration": 0.08,
            "medication": 0.08,
            "communication_consent": 0.07,
            "treatment": 0.07,
            "staffing": 0.06,
            "access_transfer_discharge": 0.04,
            "documentation": 0.05,
            "infection": 0.03,
            "device": 0.02,
            "safeguarding": 0.03,
            "sepsis": 0.02,
        },
        events_per_unit=0.15,  # per birth
        per_100k=80,
        season=0.0,
        trend=-0.01,
        ages="maternity",
        ld=0.005,
        autism=0.005,
        never_per_month=0.006,
        never_types={"retained_foreign_object": 0.7, "wrong_route_medication": 0.3},
        bed_days_per_unit=2.6,
        fft_per_unit=0.35,
        fft_positive=0.93,
        fft_negative=0.03,
        complaints_per_unit=0.015,
        staff_hours_per_unit=40.0,
        agency_share=0.04,
    ),
    "ed": Profile(
        "acute",
        {
            "access_transfer_discharge": 0.20,
            "diagnosis": 0.12,
            "deterioration": 0.10,
            "violence_aggression": 0.10,
            "medication": 0.10,
            "treatment": 0.10,
            "communication_consent": 0.06,
            "documentation": 0.06,
            "staffing": 0.06,
            "falls": 0.04,
            "self_harm": 0.04,
            "safeguarding": 0.03,
            "sepsis": 0.03,
        },
        events_per_unit=0.003,  # per attendance
        per_100k=2800,
        season=0.06,
        trend=0.015,
        ages="wide",
        never_per_month=0.002,
        never_types={"misplaced_tube": 0.5, "wrong_route_medication": 0.5},
        fft_per_unit=0.05,
        fft_positive=0.80,
        fft_negative=0.10,
        complaints_per_unit=0.001,
    ),
    "mh_inpatient": Profile(
        "mental_health",
        {
            "self_harm": 0.22,
            "violence_aggression": 0.25,
            "restrictive_practice": 0.15,
            "medication": 0.08,
            "safeguarding": 0.05,
            "access_transfer_discharge": 0.04,
            "falls": 0.04,
            "communication_consent": 0.04,
            "documentation": 0.04,
            "treatment": 0.03,
            "staffing": 0.03,
            "other": 0.03,
        },
        events_per_unit=0.05,
        per_100k=150,
        season=0.0,
        ages="mh_adult",
        ld=0.03,
        autism=0.05,
        detained=0.6,
        never_per_month=0.004,
        never_types={"non_collapsible_rails": 0.6, "unrestricted_window_fall": 0.4},
        bed_days_per_unit=1.0,
        length_of_stay=30.0,
        fft_per_unit=0.02,
        fft_positive=0.80,
        fft_negative=0.08,
        complaints_per_unit=0.0015,
        staff_hours_per_unit=14.0,
        agency_share=0.09,
        supervised_staff=140.0,
        restraint_per_1000=14.0,
        seclusion_per_1000=3.0,
        visits_per_100=12.0,
    ),
    "mh_community": Profile(
        "mental_health",
        {
            "self_harm": 0.35,
            "access_transfer_discharge": 0.20,
            "medication": 0.12,
            "communication_consent": 0.10,
            "safeguarding": 0.10,
            "documentation": 0.08,
            "violence_aggression": 0.05,
        },
        events_per_unit=0.004,  # per person on the caseload
        size=(7500, 8500),
        season=0.0,
        ages="mh_adult",
        ld=0.02,
        autism=0.04,
        complaints_per_unit=0.0006,
        supervised_staff=180.0,
    ),
    "community_nursing": Profile(
        "community_nursing",
        {
            "pressure_ulcer": 0.45,
            "medication": 0.15,
            "access_transfer_discharge": 0.10,
            "communication_consent": 0.08,
            "documentation": 0.08,
            "falls": 0.05,
            "device": 0.04,
            "infection": 0.05,
        },
        events_per_unit=0.002,  # per contact
        size=(38_000, 42_000),
        season=0.04,
        ages="older_community",
        female=0.58,
        fft_per_unit=0.004,
        fft_positive=0.95,
        fft_negative=0.02,
        complaints_per_unit=0.00008,
        supervised_staff=220.0,
    ),
    "ambulance": Profile(
        "ambulance",
        {
            "access_transfer_discharge": 0.35,
            "deterioration": 0.15,
            "treatment": 0.10,
            "communication_consent": 0.10,
            "device": 0.08,
            "medication": 0.07,
            "violence_aggression": 0.08,
            "falls": 0.03,
            "it_system": 0.04,
        },
        events_per_unit=0.0015,  # per incident attended
        size=(29_000, 31_000),
        season=0.06,
        trend=0.015,
        ages="wide",
        complaints_per_unit=0.0002,
    ),
    "ld_inpatient": Profile(
        "ld_autism",
        {
            "restrictive_practice": 0.35,
            "violence_aggression": 0.25,
            "self_harm": 0.12,
            "medication": 0.08,
            "safeguarding": 0.06,
            "falls": 0.03,
            "communication_consent": 0.04,
            "documentation": 0.03,
            "staffing": 0.04,
        },
        events_per_unit=0.07,  # per occupied bed day
        size=(365, 365),
        season=0.0,
        ages="ld_adult",
        female=0.3,
        ld=0.85,
        autism=0.7,
        detained=0.85,
        bed_days_per_unit=1.0,
        length_of_stay=400.0,
        fft_per_unit=0.03,
        fft_positive=0.85,
        fft_negative=0.05,
        complaints_per_unit=0.0033,
        staff_hours_per_unit=25.0,
        agency_share=0.18,
        supervised_staff=55.0,
        restraint_per_1000=30.0,
        seclusion_per_1000=6.0,
        visits_per_100=18.0,
    ),
    "gp": Profile(
        "gp",
        {
            "medication": 0.30,
            "diagnosis": 0.18,
            "communication_consent": 0.12,
            "documentation": 0.10,
            "access_transfer_discharge": 0.15,
            "it_system": 0.05,
            "safeguarding": 0.05,
            "treatment": 0.05,
        },
        events_per_unit=0.00018,  # per registered patient
        size=(6000, 14000),
        season=0.03,
        ages="wide",
        fft_per_unit=0.012,
        fft_positive=0.90,
        fft_negative=0.05,
        complaints_per_unit=0.0001,
    ),
    "care_home": Profile(
        "care_home",
        {
            "falls": 0.42,
            "pressure_ulcer": 0.16,
            "medication": 0.20,
            "infection": 0.05,
            "safeguarding": 0.05,
            "access_transfer_discharge": 0.04,
            "communication_consent": 0.04,
            "violence_aggression": 0.02,
            "deterioration": 0.02,
        },
        events_per_unit=0.0035,  # per resident day
        size=(900, 1500),
        season=0.0,
        ages="care_home",
        female=0.68,
        ld=0.04,
        autism=0.01,
        never_per_month=0.0015,
        never_types={"scalding": 0.4, "bed_rail_entrapment": 0.3, "unrestricted_window_fall": 0.3},
        bed_days_per_unit=1.0,
        fft_per_unit=0.04,
        fft_positive=0.92,
        fft_negative=0.03,
        complaints_per_unit=0.0004,
        staff_hours_per_unit=4.0,
        agency_share=0.08,
    ),
    "hospice": Profile(
        "intermediate_care",
        {
            "medication": 0.35,
            "falls": 0.25,
            "pressure_ulcer": 0.15,
            "communication_consent": 0.15,
            "documentation": 0.10,
        },
        events_per_unit=0.012,
        size=(440, 460),
        season=0.0,
        ages="hospice",
        bed_days_per_unit=1.0,
        complaints_per_unit=0.002,
    ),
}

# Which places each provider serves (acute trusts their own place and a neighbour).
CATCHMENTS: dict[str, tuple[str, ...]] = {
    "RX1": ("PL01", "PL12"),
    "RX2": ("PL02",),
    "RX3": ("PL03", "PL11"),
    "RX4": ("PL05",),
    "RX5": ("PL06", "PL13"),
    "RX6": ("PL07", "PL08"),
    "RX7": ("PL09", "PL04"),
    "RX8": ("PL10",),
    "RM1": ("PL03", "PL05", "PL06", "PL10", "PL11", "PL13"),
    "RM2": ("PL01", "PL02", "PL04", "PL07", "PL08", "PL09", "PL12"),
    "RC1": ("PL03", "PL06", "PL10", "PL13"),
    "RA1": tuple(p.code for p in starter.PLACES),
    "IL1": tuple(p.code for p in starter.PLACES),  # out-of-area placements: far from home
}

# Fixed activity for the planted services, so each plant is equally visible at every seed.
FIXED_SIZES = {"RX1-MAT": 280.0, "IL1-W1": 365.0, "RX2-MED": 3600.0, "CH041-R": 1200.0}


# --------------------------------------------------------------------------- plants


@dataclass(frozen=True)
class _PlantSpec:
    id: str
    org_code: str
    service_code: str
    months_before_last: int  # onset, counted back from last_period
    description: str


PLANT_SPECS = (
    _PlantSpec(
        "maternity_harm_up_reporting_down",
        "RX1",
        "RX1-MAT",
        9,
        "Maternity unit: half its ordinary incidents go unreported while moderate-or-worse "
        "harm more than triples, and complaints rise.",
    ),
    _PlantSpec(
        "ld_closed_culture",
        "IL1",
        "IL1-W1",
        12,
        "Learning-disability and autism ward with closed-culture markers: rising restraint and "
        "seclusion, high and rising agency staffing and vacancies, falling supervision, few "
        "complaints and visits, and staff all but stop reporting incidents.",
    ),
    _PlantSpec(
        "care_home_falls_cluster",
        "CH041",
        "CH041-R",
        5,
        "Care home: a cluster of falls with harm, several moderate or worse.",
    ),
    _PlantSpec(
        "ed_reporting_stops",
        "RX7",
        "RX7-ED",
        3,
        "Emergency department: incident reporting stops entirely while attendances go on.",
    ),
    _PlantSpec(
        "ward_fft_negative_climbs",
        "RX2",
        "RX2-MED",
        8,
        "Medical wards: Friends and Family Test negative share jumps and keeps climbing; "
        "positive share and complaints follow.",
    ),
)


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class _Service:
    code: str  # the service code (or the provider's, for a provider without services)
    provider: str
    service_code: str  # "" for events at a provider without services
    profile: str
    places: tuple[str, ...]


@dataclass
class _Context:
    seed: int
    k: float
    months: int
    periods: npt.NDArray[np.datetime64]  # datetime64[M]
    services: list[_Service]
    activity: dict[str, FloatArray]  # service code -> activity units per month (scaled)
    onsets: dict[str, int]  # plant id -> month index of onset (only when plants are on)
    area_codes: npt.NDArray[np.str_]
    area_places: npt.NDArray[np.str_]
    area_deciles: IntArray
    area_population: FloatArray
    organisations: list[org_services.OrganisationRow]
    areas: list[org_services.AreaRow]
    _area_cache: dict[tuple[str, ...], tuple[IntArray, FloatArray]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.periods)

    def on(self, plant_id: str) -> int | None:
        return self.onsets.get(plant_id)

    def catchment_areas(self, places: tuple[str, ...]) -> tuple[IntArray, FloatArray]:
        """Area indices and draw weights: population, with more use of care where more deprived."""
        if places not in self._area_cache:
            idx = np.flatnonzero(np.isin(self.area_places, places)).astype(np.int64)
            w = self.area_population[idx] * (1 + 0.05 * (10 - self.area_deciles[idx]))
            self._area_cache[places] = (idx, w / w.sum())
        return self._area_cache[places]


def _rng(seed: int, component: str, key: str = "") -> np.random.Generator:
    """A stream per (seed, component, key): changing one series never shifts another."""
    return np.random.default_rng([seed, zlib.crc32(component.encode()), zlib.crc32(key.encode())])


class _Rngs:
    """Named random streams for one (seed, component, key), a fresh one per draw.

    Every array is drawn in month order from its own stream, so a plant that changes later
    months leaves earlier months, and every other draw, exactly as they were.
    """

    def __init__(self, seed: int, component: str, key: str) -> None:
        self.entropy = [seed, zlib.crc32(component.encode()), zlib.crc32(key.encode())]

    def __call__(self, name: str) -> np.random.Generator:
        return np.random.default_rng([*self.entropy, zlib.crc32(name.encode())])


def profile_for(row: org_services.OrganisationRow) -> str | None:
    if row.kind == "provider":
        return "hospice" if row.type == "hospice" else None
    suffix = row.code.rsplit("-", 1)[-1]
    by_type = {
        "maternity": "maternity",
        "emergency_department": "ed",
        "mental_health_inpatient": "mh_inpatient",
        "community_nursing": "community_nursing",
        "ambulance": "ambulance",
        "ld_autism_inpatient": "ld_inpatient",
        "primary_care": "gp",
        "care_home": "care_home",
    }
    if row.type in by_type:
        return by_type[row.type]
    if row.type == "adult_inpatient":
        return "surgery" if suffix == "SUR" else "medicine"
    if suffix == "PAED":
        return "paediatrics"
    if suffix == "CMH":
        return "mh_community"
    return None


def _month_index(period: str) -> np.datetime64:
    try:
        return np.datetime64(period, "M")
    except ValueError as exc:
        raise ValueError(f"last_period must be YYYY-MM, not {period!r}") from exc


def _build_context(seed: int, scale: str, plants: bool, last_period: str, months: int) -> _Context:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    earliest_onset = max(s.months_before_last for s in PLANT_SPECS)
    if months < 13 or (plants and months < earliest_onset + 13):
        raise ValueError(
            f"months must be at least 13 (and {earliest_onset + 13} with plants, so every plant "
            "has a year of ordinary baseline before it)"
        )
    last = _month_index(last_period)
    periods = np.arange(last - (months - 1), last + 1, dtype="datetime64[M]")
    orgs = starter.organisation_rows(seed)
    areas = starter.area_rows(seed)
    by_code = {o.code: o for o in orgs}
    place_pop = {p.code: p.population for p in starter.PLACES}

    svcs: list[_Service] = []
    for row in orgs:
        profile = profile_for(row)
        if profile is None:
            continue
        provider = row.code if row.kind == "provider" else row.parent_code
        home = by_code[provider].parent_code
        places = CATCHMENTS.get(provider, (home,))
        svcs.append(
            _Service(
                row.code, provider, "" if row.kind == "provider" else row.code, profile, places
            )
        )

    k = SCALES[scale]
    t = np.arange(months, dtype=np.float64)
    month_of_year = (periods.astype(np.int64) % 12).astype(np.float64)  # 0 = January
    winter = np.cos(2 * np.pi * month_of_year / 12)
    activity: dict[str, FloatArray] = {}
    for s in svcs:
        prof = PROFILES[s.profile]
        rng = _rng(seed, "activity", s.code)
        if s.code in FIXED_SIZES:
            size = FIXED_SIZES[s.code]
            rng.random()
        elif prof.per_100k:
            population = sum(place_pop[p] for p in s.places)
            size = prof.per_100k * population / 100_000 * rng.uniform(0.9, 1.1)
        else:
            size = rng.uniform(*prof.size)
        shape = (1 + prof.season * winter) * (1 + prof.trend * (t - months / 2) / 12)
        noise = np.exp(rng.normal(0, 0.04, months))
        activity[s.code] = size * k * shape * noise

    onsets = {}
    if plants:
        onsets = {s.id: months - 1 - s.months_before_last for s in PLANT_SPECS}
    return _Context(
        seed=seed,
        k=k,
        months=months,
        periods=periods,
        services=svcs,
        activity=activity,
        onsets=onsets,
        area_codes=np.array([a.lsoa_code for a in areas]),
        area_places=np.array([a.place_code for a in areas]),
        area_deciles=np.array([a.imd_decile for a in areas], dtype=np.int64),
        area_population=np.array([a.population for a in areas], dtype=np.float64),
        organisations=orgs,
        areas=areas,
    )


def _step(n: int, onset: int | None) -> FloatArray:
    """1 from the onset month on, else 0."""
    out = np.zeros(n)
    if onset is not None:
        out[onset:] = 1.0
    return out


def _ramp(n: int, onset: int | None, start: float) -> FloatArray:
    """0 before the onset; `start` at the onset rising in a straight line to 1 at the last month."""
    out = np.zeros(n)
    if onset is not None:
        span = max(n - 1 - onset, 1)
        out[onset:] = start + (1 - start) * np.arange(n - onset) / span
    return out


def _plants(ctx: _Context) -> list[Plant]:
    return [
        Plant(
            s.id,
            s.org_code,
            s.service_code,
            str(ctx.periods[ctx.onsets[s.id]]),
            s.description,
        )
        for s in PLANT_SPECS
        if s.id in ctx.onsets
    ]


# --------------------------------------------------------------------------- events


def _age_sampler(kind: str, r: _Rngs, n: int) -> IntArray:
    """Plausible ages per service; an infant or child share where the service sees them."""

    def normal(mu: float, sd: float, lo: int, hi: int) -> IntArray:
        return np.clip(np.rint(r("age").normal(mu, sd, n)), lo, hi).astype(np.int64)

    if kind == "older_adult":
        return normal(74, 13, 18, 104)
    if kind == "surgical":
        return normal(61, 17, 18, 100)
    if kind == "child":
        ages = r("child-age").integers(1, 18, n)
        return np.where(r("infant").random(n) < 0.3, 0, ages).astype(np.int64)
    if kind == "maternity":
        baby = r("infant").random(n) < 0.12
        return np.where(baby, 0, normal(30.5, 5.5, 16, 45)).astype(np.int64)
    if kind == "mh_adult":
        return normal(37, 13, 18, 80)
    if kind == "ld_adult":
        return normal(31, 9, 18, 60)
    if kind == "older_community":
        return normal(79, 9, 30, 104)
    if kind == "care_home":
        return normal(85, 7, 60, 105)
    if kind == "hospice":
        return normal(74, 12, 25, 100)
    child = r("child-age").integers(0, 18, n)
    is_child = r("infant").random(n) < 0.18
    return np.where(is_child, child, normal(52, 21, 18, 100)).astype(np.int64)


def _choice(rng: np.random.Generator, probs: FloatArray, n: int) -> IntArray:
    """Vectorised categorical draw (searchsorted on the cumulative distribution)."""
    cum = np.cumsum(probs / probs.sum())
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1).astype(
        np.int64
    )


def _category_probs(cats: Mapping[str, float]) -> FloatArray:
    p = np.zeros(len(CATEGORIES))
    for c, w in cats.items():
        p[CAT[c]] = w
    return p / p.sum()


_HARM_BY_CATEGORY = np.array(
    [
        np.array(HARM_TABLES[CATEGORY_HARM[c]]) / sum(HARM_TABLES[CATEGORY_HARM[c]])
        for c in CATEGORIES
    ]
)
_HARM_CUM = np.cumsum(_HARM_BY_CATEGORY, axis=1)


@dataclass(frozen=True)
class _Stream:
    """One Poisson stream of events in a service; plants add or reshape streams."""

    lam: FloatArray  # expected events per month
    categories: FloatArray | None = None  # override the profile's category mix
    harm: tuple[float, ...] | None = None  # override physical harm (incidents only)
    incidents_only: bool = False
    never_types: Mapping[str, float] | None = None
    # Under-reporting: the chance, per month, that an event reported by staff (or by anyone
    # else) reaches the system. Thinning after the draw keeps earlier months untouched.
    keep_staff: FloatArray | None = None
    keep_other: FloatArray | None = None


def _draw_stream(ctx: _Context, svc: _Service, r: _Rngs, stream: _Stream) -> dict[str, np.ndarray]:
    """One stream's events as integer-coded arrays in month order, one named draw per attribute."""
    prof = PROFILES[svc.profile]
    counts = r("count").poisson(np.maximum(stream.lam, 0.0))
    n = int(counts.sum())
    month = np.repeat(np.arange(ctx.n), counts)
    start = ctx.periods.astype("datetime64[D]")
    days = ((ctx.periods + 1).astype("datetime64[D]") - start).astype(np.int64)
    occurred = start[month] + np.floor(r("day").random(n) * days[month]).astype(np.int64)
    # Skewed delay: median about two days, about one in a hundred over a month.
    delay = np.minimum(np.floor(r("delay").lognormal(np.log(2.5), 1.1, n)), 365).astype(np.int64)

    if stream.incidents_only or stream.never_types is not None:
        record = np.zeros(n, dtype=np.int64)
    else:
        record = _choice(r("record"), np.array(RECORD_MIX), n)
    never = np.full(n, -1, dtype=np.int64)
    if stream.never_types is not None:
        names = list(stream.never_types)
        picked = _choice(r("never-type"), np.array([stream.never_types[x] for x in names]), n)
        never = np.array([NE[x] for x in names], dtype=np.int64)[picked]
        cat_of_ne = np.array([CAT[NEVER_EVENT_CATEGORY[x]] for x in names], dtype=np.int64)
        category = cat_of_ne[picked]
    else:
        cats = (
            stream.categories if stream.categories is not None else _category_probs(prof.categories)
        )
        category = _choice(r("category"), cats, n)
        risk_cats = _category_probs(RISK_CATEGORIES)
        is_risk = record == 2
        category[is_risk] = _choice(r("risk-category"), risk_cats, int(is_risk.sum()))

    u = r("harm").random(n)
    if stream.never_types is not None:
        harm = _choice(r("harm"), np.array(NEVER_EVENT_HARM), n)
    elif stream.harm is not None:
        harm = _choice(r("harm"), np.array(stream.harm), n)
    else:
        harm = (u[:, None] > _HARM_CUM[category]).sum(axis=1).astype(np.int64)
        harm = np.minimum(harm, 4)
    is_outcome = record == 1
    harm[is_outcome] = _choice(r("outcome-harm"), np.array(OUTCOME_HARM), int(is_outcome.sum()))
    no_patient = record >= 2  # risks and good care carry no harm
    harm[no_patient] = -1

    psych_cat = np.isin(category, [CAT[c] for c in PSYCH_CATEGORIES])
    p_draw = r("psych").random(n)
    psych = np.where(
        psych_cat,
        np.searchsorted(np.array([0.55, 0.85, 0.97, 1.0]), p_draw, side="right"),
        np.searchsorted(np.array([0.90, 0.985, 0.997, 1.0]), p_draw, side="right"),
    ).astype(np.int64)
    psych = np.minimum(psych, 3)
    psych[r("psych-blank").random(n) < 0.15] = -1  # often left blank
    psych[no_patient] = -1

    died = harm == 4
    died |= is_outcome & (harm >= 3) & (r("died").random(n) < 0.3)
    death_mlt = died & (r("death-mlt").random(n) < 0.35)

    age = _age_sampler(prof.ages, r, n)
    age[r("age-blank").random(n) < 0.02] = -1
    female_p = np.full(n, prof.female)
    if prof.ages == "maternity":
        female_p = np.where(age == 0, 0.5, 1.0)
    sex = np.where(r("sex").random(n) < female_p, 0, 1).astype(np.int64)
    sex[r("sex-unknown").random(n) < 0.01] = 2
    ethnicity = _choice(r("ethnicity"), ETHNIC_SHARES, n)

    area_idx, area_w = ctx.catchment_areas(svc.places)
    area = area_idx[_choice(r("area"), area_w, n)]
    where = r("area-known").random(n)  # 70 % an LSOA, 12 % only the decile, 18 % neither
    decile = np.where((where >= 0.70) & (where < 0.82), ctx.area_deciles[area], -1)
    area = np.where(where < 0.70, area, -1)

    def flag(name: str, p_true: float, p_unknown: float) -> IntArray:
        v = r(name).random(n)
        return np.where(v < p_true, 1, np.where(v < p_true + p_unknown, 2, 0)).astype(np.int64)

    ld = flag("ld", prof.ld, 0.2)
    autism = flag("autism", prof.autism, 0.25)
    detained = flag("detained", prof.detained, 0.05 if prof.detained else 0.1)
    for arr in (ld, autism, detained):
        arr[no_patient] = 2
    age[no_patient] = -1
    sex[no_patient] = 2
    ethnicity[no_patient] = len(ETHNIC_CODES) - 1
    area[no_patient] = -1
    decile[no_patient] = -1

    reporter = _choice(r("reporter"), np.array(REPORTER_MIX), n)
    anonymous = r("anonymous").random(n) < np.where(reporter == 0, 0.03, 0.10)

    template = r("template").integers(0, 3, n)
    context = r("context").integers(0, len(CONTEXTS), n)
    keep = np.ones(n, dtype=bool)
    if stream.keep_staff is not None and stream.keep_other is not None:
        p_keep = np.where(reporter == 0, stream.keep_staff[month], stream.keep_other[month])
        keep = r("reported").random(n) < p_keep
    drawn = {
        "occurred": occurred,
        "delay": delay,
        "record": record,
        "category": category,
        "harm": harm,
        "psych": psych,
        "never": never,
        "death_mlt": death_mlt,
        "died": died,
        "age": age,
        "sex": sex,
        "ethnicity": ethnicity,
        "area": area,
        "decile": decile,
        "ld": ld,
        "autism": autism,
        "detained": detained,
        "reporter": reporter,
        "anonymous": anonymous,
        "template": template,
        "context": context,
    }
    return {key: v[keep] for key, v in drawn.items()}


def _streams(ctx: _Context, svc: _Service, r: _Rngs) -> list[_Stream]:
    """The ordinary stream, the service's Never Events, and any plant's changes."""
    prof = PROFILES[svc.profile]
    n = ctx.n
    lam = ctx.activity[svc.code] * prof.events_per_unit * np.exp(r("rate").normal(0, 0.05, n))
    streams: list[_Stream] = []
    cats = _category_probs(prof.categories)
    modplus_share = float(cats @ _HARM_BY_CATEGORY[:, 2:].sum(axis=1))

    if svc.code == "RX1-MAT" and (on := ctx.on("maternity_harm_up_reporting_down")) is not None:
        step = _step(n, on)
        streams.append(_Stream(lam, keep_staff=1 - 0.5 * step, keep_other=1 - 0.5 * step))
        extra = 4.0 * lam * modplus_share * step
        cats_mat = _category_probs({"maternity": 0.7, "deterioration": 0.2, "sepsis": 0.1})
        streams.append(
            _Stream(extra, categories=cats_mat, harm=(0, 0, 0.7, 0.22, 0.08), incidents_only=True)
        )
    elif svc.code == "IL1-W1" and (on := ctx.on("ld_closed_culture")) is not None:
        g = _ramp(n, on, 0.45)
        streams.append(_Stream(lam, keep_staff=1 - 0.8 * g, keep_other=1 - 0.3 * g))
    elif svc.code == "CH041-R" and (on := ctx.on("care_home_falls_cluster")) is not None:
        streams.append(_Stream(lam))
        streams.append(
            _Stream(
                5.0 * ctx.k * _step(n, on),
                categories=_category_probs({"falls": 1.0}),
                harm=(0.10, 0.50, 0.30, 0.08, 0.02),
                incidents_only=True,
            )
        )
    elif svc.code == "RX7-ED" and (on := ctx.on("ed_reporting_stops")) is not None:
        silent = 1 - _step(n, on)
        streams.append(_Stream(lam, keep_staff=silent, keep_other=silent))
    else:
        streams.append(_Stream(lam))

    if prof.never_per_month:
        ne_lam = np.full(n, prof.never_per_month * ctx.k)
        if svc.code == "RX7-ED" and ctx.on("ed_reporting_stops") is not None:
            ne_lam = ne_lam * (1 - _step(n, ctx.on("ed_reporting_stops")))
        streams.append(_Stream(ne_lam, never_types=prof.never_types))
    return streams


_PHRASES = [p for c in CATEGORIES for p in CATEGORY_PHRASES[c]]
_NE_PHRASE_BASE = len(_PHRASES)
_PHRASES += [NEVER_EVENT_PHRASES[t] for t in NEVER_EVENT_TYPES]
_GOOD_BASE = len(_PHRASES)
_PHRASES += [GOOD_CARE_PHRASES[c] for c in CATEGORIES]
_RISK_BASE = len(_PHRASES)
_PHRASES += [p for c in RISK_CATEGORIES for p in RISK_PHRASES[c]]
# Each category's place among the risk categories (-1: never a risk's category).
_RISK_SLOT = np.array(
    [list(RISK_CATEGORIES).index(c) if c in RISK_CATEGORIES else -1 for c in CATEGORIES]
)
_HARM_WORDS = [s for h in HARMS for s in PHYSICAL_HARM_SENTENCES[h]]
_PSYCH_WORDS = [""] + [PSYCH_HARM_SENTENCES[h] for h in PSYCH_HARMS[1:]]


def _take(vocab: tuple[str, ...] | list[str], idx: np.ndarray, blank: bool = False) -> pa.Array:
    """Strings by index; with `blank`, index -1 gives an empty string."""
    values = list(vocab) + ([""] if blank else [])
    if blank:
        idx = np.where(idx < 0, len(values) - 1, idx)
    return pa.array(values, pa.string()).take(pa.array(idx, pa.int64()))


def _to_strings(values: np.ndarray, blank_below: int = 0) -> pa.Array:
    arr = pa.array(values, pa.int64(), mask=values < blank_below)
    return pc.fill_null(pc.cast(arr, pa.string()), "")


def _service_events(ctx: _Context, svc: _Service) -> pa.Table:
    """Every event of one service over the whole period, sorted by report date."""
    streams = _streams(ctx, svc, _Rngs(ctx.seed, "events", svc.code))
    parts = [
        _draw_stream(ctx, svc, _Rngs(ctx.seed, f"events-{i}", svc.code), s)
        for i, s in enumerate(streams)
    ]
    cols = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    n = len(cols["occurred"])
    extract = (ctx.periods[-1] + 1).astype("datetime64[D]") - 1
    reported = np.minimum(cols["occurred"] + cols["delay"], extract)
    order = np.lexsort((cols["occurred"], reported))
    cols = {key: v[order] for key, v in cols.items()}
    reported = reported[order]

    ids = pc.utf8_lpad(pc.cast(pa.array(np.arange(1, n + 1)), pa.string()), 7, "0")
    source_id = pc.binary_join_element_wise(f"{svc.code}-", ids, "")

    record = cols["record"]
    never = cols["never"]
    category = cols["category"]
    template = cols["template"]
    phrase = np.where(
        never >= 0,
        _NE_PHRASE_BASE + never,
        np.select(
            [record == 3, record == 2],
            [
                _GOOD_BASE + category,
                _RISK_BASE + 3 * np.maximum(_RISK_SLOT[category], 0) + template,
            ],
            category * 3 + template,
        ),
    )
    prefix = np.where(never >= 0, 4, record)
    harm = cols["harm"]
    psych = cols["psych"]
    later_died = cols["died"] & (harm != HARMS.index("fatal"))
    description = pc.binary_join_element_wise(
        _take(PREFIXES, prefix),
        _take(_PHRASES, phrase),
        _take(CONTEXTS_BY_AREA.get(PROFILES[svc.profile].service_area, CONTEXTS), cols["context"]),
        _take(_HARM_WORDS, np.where(harm < 0, -1, harm * 3 + template), blank=True),
        _take(_PSYCH_WORDS, np.maximum(psych, 0)),
        _take(("", LATER_DIED_SENTENCE), later_died.astype(np.int64)),
        "",
    )
    bools = ("false", "true")
    prof = PROFILES[svc.profile]
    columns: dict[str, pa.Array] = {
        "source_id": source_id,
        "record_type": _take(RECORD_TYPES, record),
        "org_code": pa.array(np.full(n, svc.provider), pa.string()),
        "service_code": pa.array(np.full(n, svc.service_code), pa.string()),
        "occurred_on": pc.cast(pa.array(cols["occurred"], pa.date32()), pa.string()),
        "reported_on": pc.cast(pa.array(reported, pa.date32()), pa.string()),
        "service_area": pa.array(np.full(n, prof.service_area), pa.string()),
        "category": _take(CATEGORIES, cols["category"]),
        "physical_harm": _take(HARMS, cols["harm"], blank=True),
        "psychological_harm": _take(PSYCH_HARMS, cols["psych"], blank=True),
        "never_event_type": _take(NEVER_EVENT_TYPES, never, blank=True),
        # Not generated: the synthetic reporters leave it blank, as older files do.
        "strength_of_association": pa.array([""] * n, pa.string()),
        "death_in_care_more_likely_than_not": _take(bools, cols["death_mlt"].astype(np.int64)),
        "patient_died": _take(bools, cols["died"].astype(np.int64)),
        "patient_age_years": _to_strings(cols["age"]),
        "patient_sex": _take(SEXES, cols["sex"]),
        "patient_ethnicity": _take(ETHNIC_CODES, cols["ethnicity"]),
        "patient_lsoa": _take(list(ctx.area_codes), cols["area"], blank=True),
        "patient_imd_decile": _to_strings(cols["decile"], blank_below=1),
        "learning_disability": _take(FLAGS, cols["ld"]),
        "autism": _take(FLAGS, cols["autism"]),
        "detained_mha": _take(FLAGS, cols["detained"]),
        "description": description,
        "reporter_type": _take(REPORTERS, cols["reporter"]),
        "anonymous": _take(bools, cols["anonymous"].astype(np.int64)),
    }
    return pa.table([columns[c] for c in EVENT_COLUMNS], schema=EVENTS_SCHEMA)


def _event_tables(ctx: _Context) -> Iterator[pa.Table]:
    for svc in ctx.services:
        table = _service_events(ctx, svc)
        if table.num_rows:
            yield table


def iter_event_batches(
    *,
    seed: int = 2026,
    scale: str = "small",
    plants: bool = True,
    last_period: str = "2026-10",
    months: int = 36,
    batch_rows: int = 1_000_000,
) -> Iterator[pa.Table]:
    """The same events as generate_region, in tables of at most `batch_rows` rows.

    One service is generated at a time, so memory stays at about one service plus one batch
    (the largest service at national scale is under a million rows).
    """
    ctx = _build_context(seed, scale, plants, last_period, months)
    pending: list[pa.Table] = []
    held = 0
    for table in _event_tables(ctx):
        pending.append(table)
        held += table.num_rows
        while held >= batch_rows:
            merged = pa.concat_tables(pending)
            yield merged.slice(0, batch_rows).combine_chunks()
            rest = merged.slice(batch_rows)
            pending, held = [rest], rest.num_rows
    if held:
        yield pa.concat_tables(pending).combine_chunks()


# --------------------------------------------------------------------------- measures


class _Measures:
    """Collects measure rows as arrays, one series (org × indicator × stratum) at a time."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.periods = [str(p) for p in ctx.periods]
        self.cols: dict[str, list[np.ndarray]] = {c: [] for c in MEASURE_COLUMNS}

    def add(
        self,
        org: str,
        indicator: str,
        numerator: np.ndarray,
        denominator: np.ndarray,
        stratum_type: str = "",
        stratum: str = "",
    ) -> None:
        n = self.ctx.n
        self.cols["org_code"].append(np.full(n, org))
        self.cols["indicator_code"].append(np.full(n, indicator))
        self.cols["period"].append(np.array(self.periods))
        self.cols["numerator"].append(np.asarray(numerator, dtype=np.int64))
        self.cols["denominator"].append(np.asarray(denominator, dtype=np.int64))
        self.cols["stratum_type"].append(np.full(n, stratum_type))
        self.cols["stratum"].append(np.full(n, stratum))

    def count(self, org: str, indicator: str, values: np.ndarray) -> None:
        """A count: the denominator is left blank, as the measures importer expects."""
        self.add(org, indicator, np.rint(values), np.full(self.ctx.n, -1))

    def table(self) -> pa.Table:
        arrays = []
        for c in MEASURE_COLUMNS:
            joined = np.concatenate(self.cols[c])
            if joined.dtype.kind in "iu":
                arrays.append(_to_strings(joined))
            else:
                arrays.append(pa.array(joined.astype(str), pa.string()))
        return pa.table(arrays, names=list(MEASURE_COLUMNS))


def _logit_draw(
    rng: np.random.Generator, p: FloatArray | float, den: np.ndarray, sd: float = 0.08
) -> IntArray:
    """Binomial numerators around `p` with a little month-to-month (logit-normal) variation."""
    p = np.clip(np.broadcast_to(p, den.shape), 1e-4, 1 - 1e-4)
    logit = np.log(p / (1 - p)) + rng.normal(0, sd, den.shape)
    return rng.binomial(den.astype(np.int64), 1 / (1 + np.exp(-logit))).astype(np.int64)


def _service_measures(ctx: _Context, m: _Measures, svc: _Service) -> None:
    prof = PROFILES[svc.profile]
    n = ctx.n
    units = ctx.activity[svc.code]
    org = svc.code
    r = _Rngs(ctx.seed, "measures", svc.code)
    offset = r("level").normal(0, 0.25)  # this service's own level, on the logit scale

    closed = _ramp(n, ctx.on("ld_closed_culture"), 0.45) if org == "IL1-W1" else np.zeros(n)
    fft_plant = (
        _ramp(n, ctx.on("ward_fft_negative_climbs"), 0.45) if org == "RX2-MED" else np.zeros(n)
    )
    mat_plant = (
        _step(n, ctx.on("maternity_harm_up_reporting_down")) if org == "RX1-MAT" else np.zeros(n)
    )

    if prof.bed_days_per_unit:
        obd = units * prof.bed_days_per_unit * np.exp(r("bed-days").normal(0, 0.02, n))
        m.count(org, "occupied_bed_days", obd)
    else:
        obd = np.zeros(n)
    if svc.profile == "maternity":
        m.count(org, "births", units)
    if svc.profile == "ed":
        attendances = np.rint(units)
        m.count(org, "ed_attendances", attendances)
        # No seasonal dip: the ordinary region's performance series stay in common cause.
        p4 = np.full(n, 0.72 + r("four-hour-level").normal(0, 0.04))
        m.add(org, "ed_four_hour", _logit_draw(r("four-hour"), p4, attendances, 0.08), attendances)
    if prof.length_of_stay:
        m.count(org, "admissions", r("admissions").poisson(obd / prof.length_of_stay))
    if prof.fft_per_unit:
        total = r("fft-total").poisson(units * prof.fft_per_unit).astype(np.int64)
        neg_p = prof.fft_negative * np.exp(offset) * (1 + 3.3 * fft_plant)
        pos_p = np.minimum(prof.fft_positive + 0.01 * offset - 0.16 * fft_plant, 0.99 - neg_p)
        pos_p = np.clip(pos_p, 0.05, 0.99)
        noise = np.exp(r("fft-noise").normal(0, 0.03, n))
        probs = np.stack([pos_p * noise, neg_p * noise, np.ones(n)], axis=1)
        probs[:, 2] = np.clip(1 - probs[:, 0] - probs[:, 1], 0.001, 1)
        probs /= probs.sum(axis=1, keepdims=True)
        fft = r("fft")
        draws = np.array([fft.multinomial(int(t), p) for t, p in zip(total, probs, strict=True)])
        m.add(org, "fft_positive", draws[:, 0], total)
        m.add(org, "fft_negative", draws[:, 1], total)
    if prof.complaints_per_unit:
        factor = (1 - 0.9 * closed) * (1 + 0.8 * mat_plant) * (1 + 0.8 * fft_plant)
        lam = (
            units
            * prof.complaints_per_unit
            * factor
            * np.exp(r("complaints-noise").normal(0, 0.05, n))
        )
        m.count(org, "complaints", r("complaints").poisson(lam))
    if prof.staff_hours_per_unit:
        hours = np.rint(units * prof.staff_hours_per_unit)
        base = prof.agency_share * np.exp(0.2 * offset)
        share = base + (0.45 - base) * closed
        m.add(org, "agency_staff_share", _logit_draw(r("agency"), share, hours, 0.05), hours)
    if prof.supervised_staff:
        staff = np.rint(prof.supervised_staff * ctx.k * np.exp(r("staff").normal(0, 0.03, n)))
        p = 0.86 + 0.03 * offset - 0.42 * closed
        m.add(org, "supervision_compliance", _logit_draw(r("supervision"), p, staff), staff)
    if prof.restraint_per_1000:
        rate = prof.restraint_per_1000 * (1 + 2.0 * closed) / 1000
        for indicator, rate in (
            ("restraint_rate", prof.restraint_per_1000 * (1 + 2.0 * closed) / 1000),
            ("seclusion_rate", prof.seclusion_per_1000 * (1 + 2.0 * closed) / 1000),
            ("inpatient_visits_rate", prof.visits_per_100 * (1 - 0.7 * closed) / 100),
        ):
            lam = obd * rate * np.exp(r(f"{indicator}-noise").normal(0, 0.05, n))
            m.add(org, indicator, r(indicator).poisson(lam), obd)


PROVIDER_WTE = {
    "acute_trust": (5000, 8000, 0.08),
    "mental_health_trust": (2300, 2800, 0.11),
    "community_trust": (1800, 2200, 0.09),
    "ambulance_trust": (2300, 2700, 0.08),
    "ld_autism_inpatient": (90, 90, 0.14),
    "hospice": (110, 130, 0.07),
    "care_home": (40, 70, 0.10),
}
# Sepsis death within 30 days by IMD quintile (1 = most deprived): 1.8 times as likely in the
# most as in the least deprived fifth.
SEPSIS_MORTALITY = np.array([0.27, 0.24, 0.21, 0.18, 0.15])
SEPSIS_PER_100K = 30.0
# Mental Health Act detentions per 100 000 a year by broad ethnic group, and the share of the
# population in each group (North East, census-shaped); Black people about 4 times White people.
MHA_GROUPS = ("white", "mixed", "asian", "black", "other")
MHA_RATES = np.array([60.0, 125.0, 85.0, 240.0, 165.0])
MHA_POPULATION_SHARE = np.array([0.930, 0.013, 0.034, 0.010, 0.013])
MHA_NOT_KNOWN_SHARE = 0.06


def _provider_measures(ctx: _Context, m: _Measures) -> None:
    n = ctx.n
    place_pop = {p.code: p.population for p in starter.PLACES}
    for row in ctx.organisations:
        if row.kind != "provider" or row.type not in PROVIDER_WTE:
            continue
        r = _Rngs(ctx.seed, "provider-measures", row.code)
        lo, hi, vacancy = PROVIDER_WTE[row.type]
        wte = r("wte").uniform(lo, hi) * ctx.k
        funded = np.rint(wte * np.exp(r("wte-noise").normal(0, 0.005, n)))
        p = vacancy * np.exp(r("vacancy-level").normal(0, 0.15))
        if row.code == "IL1":
            p = p + 0.14 * _ramp(n, ctx.on("ld_closed_culture"), 0.45)
        m.add(row.code, "staff_vacancy_rate", _logit_draw(r("vacancy"), p, funded, 0.04), funded)

        if row.type == "acute_trust":
            _sepsis(ctx, m, row.code, r)
        if row.type == "mental_health_trust":
            population = sum(place_pop[p] for p in CATCHMENTS[row.code])
            _mha(ctx, m, row.code, population, r)


def _sepsis(ctx: _Context, m: _Measures, org: str, r: _Rngs) -> None:
    n = ctx.n
    idx, w = ctx.catchment_areas(CATCHMENTS[org])
    quintile = (ctx.area_deciles[idx] + 1) // 2
    # Admissions follow where people live, with more sepsis where deprivation is greater.
    share = np.array([w[quintile == q].sum() * (1 + 0.1 * (5 - q)) for q in range(1, 6)])
    share /= share.sum()
    population = sum(p.population for p in starter.PLACES if p.code in CATCHMENTS[org])
    lam = SEPSIS_PER_100K * population / 100_000 * ctx.k * r("sepsis-size").uniform(0.9, 1.1)
    trust = np.exp(r("sepsis-level").normal(0, 0.06))
    noise = np.exp(r("sepsis-noise").normal(0, 0.04, (n, 1)))
    admissions = r("sepsis-admissions").poisson(lam * share[None, :] * noise)
    p = np.clip(
        SEPSIS_MORTALITY[None, :] * trust * np.exp(r("sepsis-p").normal(0, 0.03, (n, 5))), 0, 0.95
    )
    deaths = r("sepsis-deaths").binomial(admissions, p)
    m.add(org, "sepsis_30d_mortality", deaths.sum(axis=1), admissions.sum(axis=1))
    for q in range(5):
        m.add(
            org, "sepsis_30d_mortality", deaths[:, q], admissions[:, q], "imd_quintile", str(q + 1)
        )


def _mha(ctx: _Context, m: _Measures, org: str, population: int, r: _Rngs) -> None:
    """Detentions per 100 000 a year: the denominator is person-years in the month (pop / 12)."""
    n = ctx.n
    pop = population * MHA_POPULATION_SHARE
    person_years = np.rint(pop / 12)
    lam = MHA_RATES * pop / 100_000 / 12 * np.exp(r("mha-noise").normal(0, 0.04, (n, 1)))
    detentions = r("mha").poisson(lam)
    not_known = r("mha-not-known").poisson(
        detentions.sum(axis=1) * MHA_NOT_KNOWN_SHARE / (1 - MHA_NOT_KNOWN_SHARE)
    )
    m.add(
        org,
        "mha_detention_rate",
        detentions.sum(axis=1) + not_known,
        np.full(n, round(population / 12)),
    )
    for g, group in enumerate(MHA_GROUPS):
        m.add(
            org,
            "mha_detention_rate",
            detentions[:, g],
            np.full(n, person_years[g]),
            "ethnic_group",
            group,
        )


def _measures_table(ctx: _Context) -> pa.Table:
    m = _Measures(ctx)
    for svc in ctx.services:
        _service_measures(ctx, m, svc)
    _provider_measures(ctx, m)
    return m.table()


# --------------------------------------------------------------------------- indicators


def load_definitions(directory: Path = DEFINITIONS_DIR) -> list[dict[str, object]]:
    """Every reviewed indicator definition file, in code order."""
    defs = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as fh:
            defs.append(tomllib.load(fh))
    return sorted(defs, key=lambda d: str(d["code"]))


def _indicators_table() -> pa.Table:
    defs = load_definitions()
    cells: dict[str, list[str]] = {c: [] for c in INDICATOR_COLUMNS}
    for d in defs:
        for c in INDICATOR_COLUMNS:
            value = d.get(c, "")
            cells[c].append(_cell(value))
    return pa.table({c: pa.array(v, pa.string()) for c, v in cells.items()})


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- public API


def generate_region(
    *,
    seed: int = 2026,
    scale: str = "small",
    plants: bool = True,
    last_period: str = "2026-10",
    months: int = 36,
) -> RegionData:
    """The whole synthetic region in memory; `national` is too big: use iter_event_batches."""
    if scale == "national":
        raise ValueError("the national scale is only available through iter_event_batches")
    ctx = _build_context(seed, scale, plants, last_period, months)
    tables = list(_event_tables(ctx))
    events = pa.concat_tables(tables).combine_chunks() if tables else EVENTS_SCHEMA.empty_table()
    return RegionData(
        organisations=ctx.organisations,
        areas=ctx.areas,
        indicators=_indicators_table(),
        measures=_measures_table(ctx),
        events=events,
        plants=_plants(ctx),
        first_period=str(ctx.periods[0]),
        last_period=str(ctx.periods[-1]),
    )


def write_csvs(data: RegionData, directory: Path) -> dict[str, Path]:
    """The five import files in the formats of docs/import-formats.md (UTF-8, header row).

    pyarrow quotes every string cell; blank cells are written as "" and read back as blank.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        name: directory / f"{name}.csv"
        for name in ("organisations", "areas", "indicators", "measures", "events")
    }
    _write_rows(
        paths["organisations"],
        ("code", "name", "kind", "type", "parent_code"),
        [(o.code, o.name, o.kind, o.type, o.parent_code) for o in data.organisations],
    )
    _write_rows(
        paths["areas"],
        ("lsoa_code", "place_code", "imd_decile", "population"),
        [(a.lsoa_code, a.place_code, str(a.imd_decile), str(a.population)) for a in data.areas],
    )
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    for name in ("indicators", "measures", "events"):
        table: pa.Table = getattr(data, name)
        pacsv.write_csv(table, paths[name], write_options=options)
    return paths


def _write_rows(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


__all__ = [
    "EVENT_COLUMNS",
    "INDICATOR_COLUMNS",
    "MEASURE_COLUMNS",
    "SCALES",
    "Plant",
    "RegionData",
    "generate_region",
    "iter_event_batches",
    "load_definitions",
    "write_csvs",
]
