"""The columns of events.csv (docs/import-formats.md), in their published order, with what
each holds.

One list for the importer (its column rules), the exports, the synthetic region and the tests,
so the file a person imports, the file they export and the file the generator writes cannot
drift apart.
"""

from __future__ import annotations

from caresignals.interop.columns import Column, choice
from caresignals.organisations.importers import CODE_EXPECTED, CODE_PATTERN
from caresignals.safety.vocabulary import (
    ETHNIC_CATEGORY,
    Category,
    NeverEventType,
    PatientSex,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    ReporterType,
    ServiceArea,
    StrengthOfAssociation,
)

BOOL = "true or false"
TRI = "true, false or unknown"

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("source_id", "the reporting system's id, up to 64 characters", max_length=64),
    choice("record_type", RecordType.values),
    Column("org_code", CODE_EXPECTED, pattern=CODE_PATTERN),
    Column("service_code", CODE_EXPECTED, required=False, pattern=CODE_PATTERN),
    Column("occurred_on", "a date as YYYY-MM-DD", kind="date"),
    Column("reported_on", "a date as YYYY-MM-DD", kind="date"),
    choice("service_area", ServiceArea.values),
    choice("category", Category.values),
    choice("physical_harm", PhysicalHarm.values, required=False),
    choice("psychological_harm", PsychologicalHarm.values, required=False),
    choice("never_event_type", NeverEventType.values, required=False),
    # Optional in a file's header (files made before it existed load as they did).
    choice("strength_of_association", StrengthOfAssociation.values, required=False),
    Column("death_in_care_more_likely_than_not", BOOL, required=False, kind="bool"),
    Column("patient_died", BOOL, kind="bool"),
    Column(
        "patient_age_years",
        "a whole number of years, 0–120",
        required=False,
        kind="int",
        minimum=0,
        maximum=120,
    ),
    choice("patient_sex", PatientSex.values, required=False),
    Column(
        "patient_ethnicity",
        "an NHS ethnic category code: A–H, J–N, P, R, S or Z",
        required=False,
        kind="choice",
        choices=frozenset(ETHNIC_CATEGORY),
    ),
    Column(
        "patient_lsoa",
        "an LSOA code such as E01012345",
        required=False,
        pattern=r"^[EW]0[0-9]{7}$",
    ),
    Column(
        "patient_imd_decile",
        "a whole number from 1 to 10",
        required=False,
        kind="int",
        minimum=1,
        maximum=10,
    ),
    Column("learning_disability", TRI, required=False, kind="tristate"),
    Column("autism", TRI, required=False, kind="tristate"),
    Column("detained_mha", TRI, required=False, kind="tristate"),
    Column("description", "free text up to 20 000 characters", required=False, max_length=20_000),
    choice("reporter_type", ReporterType.values),
    Column("anonymous", BOOL, kind="bool"),
)

EVENT_CSV_COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS)

#: events.csv columns a file may leave out of its header (each is then blank on every row).
OPTIONAL_EVENT_COLUMNS = frozenset({"strength_of_association"})

#: The longest reason for a "decided not notifiable" decision (as for a hand flag's reason).
NOT_NOTIFIABLE_REASON_MAX = 2000

# The Duty of Candour steps a local system holds, which an events file (and the API's and
# FHIR's events) may carry (ADR 11). The columns may be left out. A blank value records
# nothing and clears nothing; a row with every one blank carried no candour data, so its
# notification is "not known" (never overdue) until candour data arrive for it.
CANDOUR_COLUMNS: tuple[Column, ...] = (
    Column(
        "candour_notified_on",
        "a date as YYYY-MM-DD: when the person was told in person, with an apology",
        required=False,
        kind="date",
    ),
    Column(
        "candour_written_on",
        "a date as YYYY-MM-DD: when the written notification was given",
        required=False,
        kind="date",
    ),
    Column(
        "candour_not_notifiable",
        "true (a person decided the event is not a notifiable safety incident) or false",
        required=False,
        kind="bool",
    ),
    Column(
        "candour_not_notifiable_reason",
        f"why it is not notifiable, up to {NOT_NOTIFIABLE_REASON_MAX:,} characters",
        required=False,
        max_length=NOT_NOTIFIABLE_REASON_MAX,
    ),
)

CANDOUR_CSV_COLUMNS: tuple[str, ...] = tuple(c.name for c in CANDOUR_COLUMNS)

# Fields derived when an event is stored (safety/events/derived.py), in exports and the API.
DERIVED_COLUMNS: tuple[str, ...] = ("imd_quintile", "ethnic_group", "max_harm")
