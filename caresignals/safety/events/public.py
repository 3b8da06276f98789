"""A member of the public's safety concern, as the fields of an event.

Shared by the public web form and the public API endpoint, so a concern means the same thing
however it arrives: both then store it through `record_event`.
"""

from __future__ import annotations

from typing import Any

from caresignals.core import clock

PUBLIC_REPORTER_TYPES = ("patient", "family_carer")
PUBLIC_TEXT = {
    "org_code": "the organisation's code (required)",
    "service_code": "the service's code, if known",
    "description": "what happened (required)",
    "occurred_on": "when it happened, YYYY-MM-DD (required)",
    "service_area": "where (events.csv service_area); default unknown",
    "category": "what kind of event (events.csv category); default not_known",
    "physical_harm": "physical harm as you saw it: none, low, moderate, severe or fatal; "
    "default not known (the organisation sets the harm when it triages the report)",
    "psychological_harm": "psychological harm as you saw it: none, low, moderate or severe",
    "reporter_type": "patient or family_carer (required)",
    "patient_age_years": "the patient's age in years, if you wish",
    "patient_sex": "female, male or unknown, if you wish",
}
PUBLIC_BOOL = {"patient_died": "whether the patient died"}
PUBLIC_EXTRA = {
    "contact": "whether you are willing to be contacted: any non-empty value marks the report "
    "as not anonymous. Contact details are not stored with the event.",
    "website": "leave empty",
}
PUBLIC_FIELDS = {*PUBLIC_TEXT, *PUBLIC_BOOL, *PUBLIC_EXTRA}
PUBLIC_REQUIRED = ("org_code", "description", "occurred_on", "reporter_type")


def public_row(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The events.csv row for a public report, or (when the body is wrong) its errors."""
    errs: dict[str, list[str]] = {}
    for name in sorted(set(body) - PUBLIC_FIELDS):
        errs[name] = ["Not a field of a public report"]
    for name in PUBLIC_REQUIRED:
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            errs.setdefault(name, []).append("Required")
    for name in PUBLIC_TEXT:
        value = body.get(name)
        if value is None or name in errs:
            continue
        if name == "patient_age_years":
            if isinstance(value, bool) or not isinstance(value, int | str):
                errs[name] = ["Expected a whole number of years"]
        elif not isinstance(value, str):
            errs[name] = ["Expected text"]
    for name in PUBLIC_BOOL:
        if body.get(name) is not None and not isinstance(body.get(name), bool):
            errs[name] = ["Expected true or false"]
    if body.get("reporter_type") not in (None, "", *PUBLIC_REPORTER_TYPES) and (
        "reporter_type" not in errs
    ):
        errs["reporter_type"] = ["Expected patient or family_carer"]
    if errs:
        return {}, errs
    contact = body.get("contact")
    row = {
        "record_type": "incident",
        "org_code": body["org_code"].strip(),
        "service_code": body.get("service_code") or "",
        "occurred_on": body["occurred_on"],
        "reported_on": clock.today().isoformat(),  # as the importer judges "today"
        "service_area": body.get("service_area") or "unknown",
        # Not said is not known (hazard H71): never "other" or "none", which would read as
        # an answer and sink the report down the triage queue.
        "category": body.get("category") or "not_known",
        "physical_harm": body.get("physical_harm") or "",
        "psychological_harm": body.get("psychological_harm") or "",
        "patient_died": bool(body.get("patient_died")),
        "patient_age_years": body.get("patient_age_years"),
        "patient_sex": body.get("patient_sex") or "",
        "learning_disability": "unknown",
        "autism": "unknown",
        "detained_mha": "unknown",
        "description": body["description"].strip(),
        "reporter_type": body["reporter_type"],
        "anonymous": not contact,
    }
    return row, {}
