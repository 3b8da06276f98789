"""The columns of events.csv (docs/import-formats.md), in their published order.

One list for the importer, the exports, the synthetic region and the tests, so the file a
person imports, the file they export and the file the generator writes cannot drift apart.
"""

from __future__ import annotations

EVENT_CSV_COLUMNS: tuple[str, ...] = (
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
)

# Fields derived when an event is stored (safety/derived.py), in exports and the API.
DERIVED_COLUMNS: tuple[str, ...] = ("imd_quintile", "ethnic_group", "max_harm")
