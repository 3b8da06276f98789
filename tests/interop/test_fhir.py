"""LFPSE-shaped FHIR STU3 AdverseEvent: `export events --format fhir` and `import fhir`."""

from __future__ import annotations

import copy
import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from fhir.resources.STU3.adverseevent import AdverseEvent

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.safety.events.fhir import (
    BASE,
    FHIR_PATHS,
    adverse_event_to_row,
    event_to_adverse_event,
    extension_url,
)
from caresignals.safety.events.formats import DERIVED_COLUMNS, EVENT_CSV_COLUMNS
from caresignals.safety.models import PatientSafetyEvent
from tests.safety.test_import_events import event, run, write

pytestmark = pytest.mark.django_db


def varied(lsoa: str) -> list[dict[str, str]]:
    """Events that between them use every column, blank and given."""
    return [
        event(),
        event(
            source_id="E2",
            physical_harm="fatal",
            psychological_harm="severe",
            never_event_type="wrong_site_surgery",
            strength_of_association="probably",
            death_in_care_more_likely_than_not="true",
            patient_died="true",
            patient_age_years="0",
            patient_sex="unknown",
            patient_ethnicity="Z",
            patient_lsoa=lsoa,
            patient_imd_decile="",
            learning_disability="true",
            autism="true",
            detained_mha="true",
            description="Synthetic: line one.\nLine two, with a comma and “quotes”.",
            anonymous="true",
        ),
        event(
            source_id="E3",
            record_type="risk",
            physical_harm="",
            service_code="",
            service_area="acute",
            category="staffing",
            patient_age_years="",
            patient_sex="",
            patient_ethnicity="",
            patient_imd_decile="",
            learning_disability="unknown",
            detained_mha="unknown",
            description="",
            reporter_type="other",
        ),
        event(
            source_id="E4",
            record_type="good_care",
            physical_harm="",
            patient_age_years="88",
            patient_sex="male",
            reporter_type="family_carer",
            anonymous="true",
        ),
        event(
            source_id="E5",
            record_type="outcome",
            org_code="TB",
            service_code="TB-MAT",
            physical_harm="moderate",
            psychological_harm="none",
            patient_died="false",
            learning_disability="false",
            autism="false",
            detained_mha="false",
            reporter_type="patient",
        ),
    ]


def export(fmt: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command("export", "events", "--format", fmt, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def jsonl(tmp_path: Path, lines: list[Any], name: str = "events.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
        encoding="utf-8",
    )
    return path


def run_fhir(path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("import", "fhir", str(path), *extra, stdout=out, stderr=StringIO())
    return out.getvalue()


def fail_fhir(path: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", "fhir", str(path), stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue() + str(raised.value)


def cell(value: Any) -> str:
    """A record's value as events.csv writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.fixture
def exported(small_ics, tmp_path) -> list[dict[str, Any]]:
    lsoa = small_ics.place_a.areas.order_by("lsoa_code").first().lsoa_code
    assert "5 created" in run(write(tmp_path, varied(lsoa)))
    return export("fhir")


def test_every_exported_resource_is_valid_stu3(exported):
    assert len(exported) == 5
    for resource in exported:
        parsed = AdverseEvent.model_validate(resource)
        assert parsed.get_resource_type() == "AdverseEvent"
        # Every reference points at a contained resource, and every contained one is used.
        ids = {c["id"] for c in resource["contained"]}
        used = {
            resource[k]["reference"][1:]
            for k in ("subject", "location", "recorder")
            if k in resource
        }
        assert ids == used
        for ext in resource["extension"]:
            assert ext["url"].startswith(f"{BASE}/StructureDefinition/")
    by_id = {r["identifier"]["value"]: r for r in exported}
    assert by_id["E1"]["identifier"]["system"] == f"{BASE}/NamingSystem/source-id/TA"
    assert by_id["E5"]["identifier"]["system"] == f"{BASE}/NamingSystem/source-id/TB"
    assert [by_id[i].get("category") for i in ("E1", "E2", "E3", "E4", "E5")] == [
        "AE",
        "AE",
        "PAE",
        None,  # good care is neither an adverse event nor a potential one
        "AE",
    ]
    e2 = by_id["E2"]
    assert e2["seriousness"]["coding"][0]["code"] == "Severe"
    assert e2["outcome"]["coding"][0]["code"] == "fatal"
    patient = next(c for c in e2["contained"] if c["resourceType"] == "Patient")
    assert patient["deceasedBoolean"] is True and patient["gender"] == "unknown"
    assert {"name", "birthDate", "identifier", "address", "telecom"}.isdisjoint(patient)
    assert "subject" not in by_id["E3"]  # a risk with nothing known about a patient
    reference = next(e for e in e2["extension"] if e["url"] == extension_url("event-reference"))
    assert reference["valueIdentifier"]["value"].startswith("PSE-")


def test_strength_of_association_is_an_extension(exported):
    fatal = next(r for r in exported if r["identifier"]["value"] == "E2")
    (ext,) = [e for e in fatal["extension"] if e["url"] == extension_url("strength-of-association")]
    assert ext["valueCoding"]["code"] == "probably"
    assert ext["valueCoding"]["display"] == "The incident probably contributed to the harm"
    low = next(r for r in exported if r["identifier"]["value"] == "E1")
    assert "strength-of-association" not in json.dumps(low)  # not given: absent


def test_anonymous_and_non_staff_reporters_leave_no_identity(exported):
    by_id = {r["identifier"]["value"]: r for r in exported}
    # Staff, named or anonymous: a Practitioner with nothing in it but its local id.
    for source_id in ("E1", "E2"):
        practitioners = [
            c for c in by_id[source_id]["contained"] if c["resourceType"] == "Practitioner"
        ]
        assert practitioners == [{"resourceType": "Practitioner", "id": "reporter"}]
    # Anyone else: no recorder and no Practitioner at all.
    for source_id in ("E3", "E4", "E5"):
        resource = by_id[source_id]
        assert "recorder" not in resource
        assert all(c["resourceType"] != "Practitioner" for c in resource["contained"])
    anonymous = next(e for e in by_id["E2"]["extension"] if e["url"] == extension_url("anonymous"))
    assert anonymous["valueBoolean"] is True


def test_export_import_round_trips_every_column(exported, tmp_path):
    before = {r["source_id"]: r for r in export("jsonl")}
    # Straight through the two functions: the events.csv row the record was made from.
    for resource in exported:
        row = adverse_event_to_row(resource)
        record = before[row["source_id"]]
        assert row == {c: cell(record[c]) for c in EVENT_CSV_COLUMNS}

    # Through the commands, into an empty database.
    PatientSafetyEvent.objects.all().delete()
    path = jsonl(tmp_path, exported)
    assert "fhir: 5 row(s) read; 5 created, 0 updated, 0 unchanged." in run_fhir(path)
    after = {r["source_id"]: r for r in export("jsonl")}
    assert after.keys() == before.keys()
    for source_id, record in before.items():
        for column in (*EVENT_CSV_COLUMNS, *DERIVED_COLUMNS):
            assert after[source_id][column] == record[column], (source_id, column)
    # And the FHIR export of what came back is the same, but for the new references.
    again = export("fhir")

    def without_reference(resource: dict[str, Any]) -> dict[str, Any]:
        resource = copy.deepcopy(resource)
        resource["extension"] = [
            e for e in resource["extension"] if e["url"] != extension_url("event-reference")
        ]
        return resource

    assert sorted(map(without_reference, again), key=json.dumps) == sorted(
        map(without_reference, exported), key=json.dumps
    )
    entry = AuditEntry.objects.filter(action=AuditAction.IMPORT_COMPLETED).latest("id")
    assert entry.object_id == "fhir" and entry.details["path"] == str(path)


def test_reimporting_the_same_file_changes_nothing(exported, tmp_path):
    path = jsonl(tmp_path, exported)
    references = set(PatientSafetyEvent.objects.values_list("reference", flat=True))
    assert "0 created, 0 updated, 5 unchanged" in run_fhir(path)
    assert "0 created, 0 updated, 5 unchanged" in run_fhir(path)
    assert set(PatientSafetyEvent.objects.values_list("reference", flat=True)) == references
    assert not AuditEntry.objects.filter(action=AuditAction.EVENT_UPDATED).exists()


def test_a_changed_resource_updates_the_event(exported, tmp_path):
    changed = copy.deepcopy(exported)
    e1 = next(r for r in changed if r["identifier"]["value"] == "E1")
    e1["description"] = "Synthetic: revised."
    assert "0 created, 1 updated, 4 unchanged" in run_fhir(jsonl(tmp_path, changed))
    assert PatientSafetyEvent.objects.get(source_id="E1").description == "Synthetic: revised."


def without(resource: dict[str, Any], *keys: str) -> dict[str, Any]:
    resource = copy.deepcopy(resource)
    for key in keys:
        resource.pop(key)
    return resource


def test_bad_lines_are_reported_with_their_line_and_nothing_is_stored(exported, tmp_path):
    PatientSafetyEvent.objects.all().delete()
    good, _, third, fourth, fifth = exported
    not_adverse = {"resourceType": "Patient", "id": "p"}
    bad_value = copy.deepcopy(fourth)
    next(c for c in bad_value["contained"] if c["resourceType"] == "Patient")["gender"] = "other"
    lines = [
        good,  # line 1
        '{"resourceType": "AdverseEvent", ',  # line 2: broken JSON
        not_adverse,  # line 3
        "",  # line 4: blank, passed over
        without(third, "type"),  # line 5: a required element missing
        bad_value,  # line 6: a value the events import rejects
        fifth,  # line 7
        good,  # line 8: the same key again
    ]
    message = fail_fhir(jsonl(tmp_path, lines))
    assert (
        'line 2: got \'{"resourceType": "AdverseEvent",\', expected one AdverseEvent as JSON'
        in message
    )
    assert "line 3, resourceType: got 'Patient', expected 'AdverseEvent'" in message
    assert (
        "line 5, AdverseEvent.type: got nothing, expected the category, a CodeableConcept"
        in message
    )
    assert (
        "line 6, column patient_sex (AdverseEvent.contained(#patient).gender): got 'other', "
        "expected one of female, male, unknown" in message
    )
    assert (
        "line 8, column org_code+source_id: got 'TA / E1', expected a org_code, source_id "
        "not already used (it is used in line 1)" in message
    )
    assert "5 error(s) in 7 row(s); nothing was imported." in message
    assert PatientSafetyEvent.objects.count() == 0


def test_a_service_area_that_does_not_fit_the_service_is_refused(exported, tmp_path):
    PatientSafetyEvent.objects.all().delete()
    resource = copy.deepcopy(next(r for r in exported if r["identifier"]["value"] == "E1"))
    location = next(c for c in resource["contained"] if c["resourceType"] == "Location")
    location["type"]["coding"][0]["code"] = "ambulance"
    message = fail_fhir(jsonl(tmp_path, [resource]))
    assert "line 1, column service_area (" in message
    assert "got 'ambulance', expected a service area that fits a " in message
    assert PatientSafetyEvent.objects.count() == 0


def test_only_bad_lines_and_all_rows_valid_still_stores_nothing(exported, tmp_path):
    """A conversion error alone rolls back rows the events import found valid."""
    PatientSafetyEvent.objects.all().delete()
    message = fail_fhir(jsonl(tmp_path, [*exported, "not json"]))
    assert "line 6: got 'not json', expected one AdverseEvent as JSON" in message
    assert PatientSafetyEvent.objects.count() == 0


def test_skip_invalid_keeps_good_lines_and_writes_the_bad_ones_as_they_were(exported, tmp_path):
    PatientSafetyEvent.objects.all().delete()
    bad_harm = copy.deepcopy(exported[1])
    for ext in bad_harm["extension"]:
        if ext["url"] == extension_url("physical-harm"):
            ext["valueCoding"]["code"] = "catastrophic"
    lines = [exported[0], "[]", bad_harm, exported[2]]
    path = jsonl(tmp_path, lines)
    rejects = tmp_path / "rejects.csv"
    out = run_fhir(path, "--skip-invalid", str(rejects))
    assert "2 created" in out and "2 row(s) rejected" in out
    with rejects.open(encoding="utf-8", newline="") as f:
        rejected = list(csv.DictReader(f))
    assert [r["line"] for r in rejected] == ["2", "3"]
    assert rejected[0]["reason"] == (
        "line 2, AdverseEvent: got '[]', expected a FHIR resource (a JSON object)"
    )
    assert rejected[1]["reason"].startswith(
        "line 3, column physical_harm (AdverseEvent.extension:physical-harm): got 'catastrophic'"
    )
    assert json.loads(rejected[1]["resource"]) == bad_harm
    assert set(PatientSafetyEvent.objects.values_list("source_id", flat=True)) == {"E1", "E3"}


def test_a_missing_file_is_an_error(small_ics, tmp_path):
    assert "none was found" in fail_fhir(tmp_path / "nope.jsonl")


def test_category_alone_gives_the_record_type(exported):
    risk = next(r for r in exported if r.get("category") == "PAE")
    risk["extension"] = [e for e in risk["extension"] if e["url"] != extension_url("record-type")]
    assert adverse_event_to_row(risk)["record_type"] == "risk"


def test_a_datetime_gives_its_date(exported):
    resource = copy.deepcopy(exported[0])
    resource["date"] = resource["date"] + "T10:30:00+00:00"
    assert adverse_event_to_row(resource)["occurred_on"] == exported[0]["date"]


def _set(resource: dict[str, Any], name: str, **value: Any) -> None:
    for ext in resource["extension"]:
        if ext["url"] == extension_url(name):
            ext.clear()
            ext.update({"url": extension_url(name), **value})


def _patient(resource: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in resource["contained"] if c["resourceType"] == "Patient")


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (
            lambda r: r.pop("identifier"),
            "AdverseEvent.identifier: got nothing, expected a JSON object",
        ),
        (
            lambda r: r["identifier"].update(system=f"{BASE}/NamingSystem/source-id/TB"),
            "AdverseEvent.identifier.system: got 'https://caresignals.example/fhir/NamingSystem/source-id/TB', expected",
        ),
        (
            lambda r: r.update(identifier=[r["identifier"]]),
            "AdverseEvent.identifier: got '[{",
        ),
        (
            lambda r: r.update(subject={"reference": "Patient/123"}),
            "AdverseEvent.subject.reference: got 'Patient/123', expected a reference to a contained Patient",
        ),
        (
            lambda r: r.pop("location"),
            "AdverseEvent.location: got nothing, expected a reference to the contained Location",
        ),
        (
            lambda r: r.update(category="PAE"),
            "AdverseEvent.category: got 'PAE', expected 'AE' for record type incident",
        ),
        (lambda r: r.pop("date"), "AdverseEvent.date: got nothing, expected a string"),
        (
            lambda r: _set(r, "anonymous", valueString="no"),
            "AdverseEvent.extension:anonymous.valueBoolean: got nothing, expected true or false",
        ),
        (
            lambda r: r.update(
                extension=[e for e in r["extension"] if "reported-on" not in e["url"]]
            ),
            "AdverseEvent.extension:reported-on: got nothing, expected a valueDate",
        ),
        (
            lambda r: _set(
                r, "physical-harm", valueCoding={"system": "http://example.org", "code": "low"}
            ),
            "AdverseEvent.extension:physical-harm.valueCoding.system: got 'http://example.org'",
        ),
        (
            lambda r: _set(
                _patient(r),
                "age",
                valueAge={"value": 31, "system": "http://unitsofmeasure.org", "code": "mo"},
            ),
            "AdverseEvent.contained(#patient).extension:age.valueAge.code: got 'mo', expected 'a' (years)",
        ),
        (
            lambda r: _set(_patient(r), "imd-decile", valueInteger="3"),
            "AdverseEvent.contained(#patient).extension:imd-decile.valueInteger: got '3', expected a whole number",
        ),
        (
            lambda r: r.update(
                modifierExtension=[{"url": "http://example.org/x", "valueBoolean": True}]
            ),
            "AdverseEvent.modifierExtension: got",
        ),
    ],
)
def test_malformed_resources_name_the_fhir_path(exported, spoil, message):
    resource = copy.deepcopy(next(r for r in exported if r["identifier"]["value"] == "E1"))
    spoil(resource)
    with pytest.raises(ValueError) as raised:
        adverse_event_to_row(resource)
    assert message in str(raised.value)


def test_the_mapping_names_every_column():
    assert set(FHIR_PATHS) == set(EVENT_CSV_COLUMNS)


def test_a_record_without_reference_or_rule_fields_converts(small_ics):
    """`event_to_adverse_event` needs only the events.csv columns."""
    record: dict[str, Any] = {c: v or None for c, v in event().items()}
    record.update(
        patient_age_years=31,
        patient_imd_decile=3,
        patient_died=False,
        anonymous=False,
        death_in_care_more_likely_than_not=False,
    )
    resource = event_to_adverse_event(record)
    AdverseEvent.model_validate(resource)
    row = adverse_event_to_row(resource)
    assert row == {c: cell(record[c]) for c in EVENT_CSV_COLUMNS}
