"""A Never Event as the staff form records it: it meets a national requirement, so its
provider's patient-safety leads are told at once. Synthetic."""

NEVER_EVENT = {
    "org_code": "TA",
    "record_type": "incident",
    "occurred_on": "2026-11-01",
    "reported_on": "2026-11-02",
    "service_area": "acute",
    "category": "treatment",
    "physical_harm": "moderate",
    "psychological_harm": "none",
    "never_event_type": "wrong_site_surgery",
    "description": "Synthetic: Mrs Example had surgery on the wrong side.",
    "reporter_type": "staff",
    "patient_died": False,
    "anonymous": False,
}
