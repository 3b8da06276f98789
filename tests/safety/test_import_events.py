"""`caresignals import events`: every row validated, derived fields stored, idempotent, audited."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.safety.events.formats import EVENT_CSV_COLUMNS
from caresignals.safety.models import PatientSafetyEvent

pytestmark = pytest.mark.django_db

COLUMNS = list(EVENT_CSV_COLUMNS)


def event(**overrides: str) -> dict[str, str]:
    row = {
        "source_id": "E1",
        "record_type": "incident",
        "org_code": "TA",
        "service_code": "TA-MAT",
        "occurred_on": "2026-03-02",
        "reported_on": "2026-03-03",
        "service_area": "maternity",
        "category": "maternity",
        "physical_harm": "low",
        "psychological_harm": "",
        "never_event_type": "",
        "strength_of_association": "",
        "death_in_care_more_likely_than_not": "",
        "patient_died": "false",
        "patient_age_years": "31",
        "patient_sex": "female",
        "patient_ethnicity": "N",
        "patient_lsoa": "",
        "patient_imd_decile": "3",
        "learning_disability": "false",
        "autism": "unknown",
        "detained_mha": "false",
        "description": "Synthetic: delay in escalation of raised blood pressure.",
        "reporter_type": "staff",
        "anonymous": "false",
    }
    row.update(overrides)
    return row


def write(tmp_path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> Path:
    path = tmp_path / "events.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path: Path, *extra: str) -> str:
    out = StringIO()
    call_command("import", "events", str(path), *extra, stdout=out, stderr=StringIO())
    return out.getvalue()


def fail(path: Path) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", "events", str(path), stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue()


def test_events_are_stored_with_derived_fields(small_ics, tmp_path):
    lsoa = small_ics.place_a.areas.order_by("lsoa_code").first()  # decile 1
    rows = [
        event(),
        event(
            source_id="E2",
            physical_harm="none",
            psychological_harm="severe",
            patient_ethnicity="",
            patient_lsoa=lsoa.lsoa_code,
            patient_imd_decile="9",
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
            patient_imd_decile="",
        ),
    ]
    assert "3 created" in run(write(tmp_path, rows))
    e1 = PatientSafetyEvent.objects.get(source_id="E1")
    assert (e1.imd_quintile, e1.ethnic_group, e1.max_harm) == (2, "black", "low")
    assert e1.service.code == "TA-MAT" and e1.organisation.code == "TA"
    assert e1.reference.startswith("PSE-")
    e2 = PatientSafetyEvent.objects.get(source_id="E2")
    # The LSOA's decile (1) wins over the decile given (9); psychological severe is severe.
    assert (e2.imd_quintile, e2.ethnic_group, e2.max_harm) == (1, "not_known", "severe")
    e3 = PatientSafetyEvent.objects.get(source_id="E3")
    assert (e3.max_harm, e3.imd_quintile, e3.service) == ("", None, None)


def test_reimport_is_idempotent_and_changes_are_audited(small_ics, tmp_path):
    path = write(tmp_path, [event(), event(source_id="E2")])
    run(path)
    references = set(PatientSafetyEvent.objects.values_list("reference", flat=True))
    assert "0 created, 0 updated, 2 unchanged" in run(path)
    run(write(tmp_path, [event(physical_harm="moderate"), event(source_id="E2")]))
    changed = PatientSafetyEvent.objects.get(source_id="E1")
    assert changed.physical_harm == "moderate" and changed.max_harm == "moderate"
    assert set(PatientSafetyEvent.objects.values_list("reference", flat=True)) == references
    entry = AuditEntry.objects.get(action=AuditAction.EVENT_UPDATED)
    assert entry.object_id == "TA/E1"
    assert set(entry.details["changed"]) == {"physical_harm", "max_harm"}


def test_same_source_id_in_two_organisations_is_two_events(small_ics, tmp_path):
    rows = [event(), event(org_code="TB", service_code="TB-MAT")]
    assert "2 created" in run(write(tmp_path, rows))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            {"physical_harm": "catastrophic"},
            "column physical_harm: got 'catastrophic', expected one of fatal, low, moderate, none, severe",
        ),
        (
            {"occurred_on": "2026-02-30"},
            "column occurred_on: got '2026-02-30', expected a date as YYYY-MM-DD",
        ),
        (
            {"occurred_on": "2026-03-09"},
            "column occurred_on: got '2026-03-09', expected a date on or before reported_on",
        ),
        (
            {"reported_on": "2999-01-01", "occurred_on": "2999-01-01"},
            "column reported_on: got '2999-01-01', expected a date not in the future",
        ),
        (
            {"org_code": "NOPE"},
            "column org_code: got 'NOPE', expected the code of a provider already imported",
        ),
        ({"org_code": "PA"}, "column org_code: got 'PA', expected the code of a provider"),
        ({"service_code": "TB-MAT"}, "column service_code: got 'TB-MAT', expected a service of TA"),
        (  # the area must fit the service, as on the staff form (hazard H75)
            {"service_area": "acute"},
            "column service_area: got 'acute', expected a service area that fits a service of "
            "type maternity: maternity",
        ),
        (  # or, with no service, the provider as a whole
            {"service_code": "", "service_area": "gp"},
            "column service_area: got 'gp', expected a service area that fits a provider of "
            "type acute_trust: acute, maternity,",
        ),
        (
            {"patient_lsoa": "E01999999"},
            "column patient_lsoa: got 'E01999999', expected an LSOA already imported",
        ),
        (
            {"patient_age_years": "130"},
            "column patient_age_years: got '130', expected a whole number of years, 0–120",
        ),
        (
            {"patient_ethnicity": "Q"},
            "column patient_ethnicity: got 'Q', expected an NHS ethnic category code",
        ),
        (
            {"physical_harm": ""},
            "column physical_harm: got a blank value, expected a harm level for an incident or outcome",
        ),
        (
            {"record_type": "good_care"},
            "column physical_harm: got 'low', expected a blank value for a risk or good-care record",
        ),
        (
            {"never_event_type": "wrong_site_surgery", "record_type": "outcome"},
            "column never_event_type: got 'wrong_site_surgery', expected a blank value unless the record is an incident",
        ),
        ({"anonymous": "maybe"}, "column anonymous: got 'maybe', expected true or false"),
        (
            {"learning_disability": "perhaps"},
            "column learning_disability: got 'perhaps', expected true, false or unknown",
        ),
    ],
)
def test_bad_values_are_reported_and_nothing_is_stored(small_ics, tmp_path, override, message):
    rows = [event(source_id="GOOD"), event(source_id="BAD", **override)]
    assert f"row 3, {message}" in fail(write(tmp_path, rows))
    assert PatientSafetyEvent.objects.count() == 0


def test_harm_not_known_reads_in_only_from_a_patient_or_family(small_ics, tmp_path):
    """A public report whose harm is not known (blank) can be exported and read back in;
    a staff report must still give a harm level (hazard H71)."""
    rows = [
        event(source_id="FAMILY", physical_harm="", reporter_type="family_carer"),
        event(source_id="PATIENT", physical_harm="", category="not_known", reporter_type="patient"),
    ]
    run(write(tmp_path, rows))
    stored = PatientSafetyEvent.objects.order_by("source_id")
    assert [(e.physical_harm, e.max_harm) for e in stored] == [("", ""), ("", "")]
    assert stored.get(source_id="PATIENT").category == "not_known"


def test_duplicate_key_within_a_file(small_ics, tmp_path):
    message = fail(write(tmp_path, [event(), event()]))
    assert (
        "row 3, column org_code+source_id: got 'TA / E1', expected a org_code, source_id not already used (it is used in row 2)"
        in message
    )


def test_every_error_is_reported_not_just_the_first(small_ics, tmp_path):
    rows = [event(source_id=f"B{i}", physical_harm="bad") for i in range(60)]
    assert fail(write(tmp_path, rows)).count("column physical_harm: got 'bad'") == 60


def test_missing_and_unknown_columns(small_ics, tmp_path):
    columns = [c for c in COLUMNS if c != "category"] + ["colour"]
    message = fail(write(tmp_path, [event()], columns))
    assert "the required column 'category' is missing" in message
    assert "unknown column 'colour'" in message


def test_skip_invalid_keeps_the_good_rows(small_ics, tmp_path):
    rows = [event(), event(source_id="E2", category="gremlins"), event(source_id="E3")]
    rejects = tmp_path / "rejects.csv"
    out = run(write(tmp_path, rows), "--skip-invalid", str(rejects))
    assert "2 created" in out and "1 row(s) rejected" in out
    with rejects.open(encoding="utf-8") as f:
        rejected = list(csv.DictReader(f))
    assert [r["source_id"] for r in rejected] == ["E2"]
    assert "column category: got 'gremlins'" in rejected[0]["reason"]
    assert PatientSafetyEvent.objects.count() == 2


def test_export_round_trips_with_derived_fields(small_ics, tmp_path):
    import json

    run(write(tmp_path, [event(), event(source_id="E2", org_code="TB", service_code="")]))
    out = StringIO()
    call_command("export", "events", "--format", "jsonl", "--org", "TA", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 1
    record = lines[0]
    assert record["source_id"] == "E1" and record["org_code"] == "TA"
    assert (record["imd_quintile"], record["ethnic_group"], record["max_harm"]) == (
        2,
        "black",
        "low",
    )
    assert record["psychological_harm"] is None and record["patient_died"] is False

    out = StringIO()
    call_command("export", "events", "--format", "csv", stdout=out)
    exported = list(csv.DictReader(StringIO(out.getvalue())))
    assert {r["source_id"] for r in exported} == {"E1", "E2"}
    # The CSV export is itself a valid import file (less the reference and derived columns).
    again = tmp_path / "again.csv"
    with again.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(exported)
    assert "2 unchanged" in run(again)


def test_export_rejects_an_unknown_organisation(small_ics):
    with pytest.raises(CommandError, match="no organisation has the code 'NOPE'"):
        call_command("export", "events", "--org", "NOPE", stdout=StringIO())


def test_a_malformed_row_is_found_by_the_exact_reader(small_ics, tmp_path):
    """The fast reader gives way to the exact one, so later rows keep their numbers."""
    path = write(
        tmp_path, [event(), event(source_id="E2"), event(source_id="E3", anonymous="perhaps")]
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "just,three,values")  # becomes row 3; E2 is row 4, E3 row 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = fail(path)
    assert "row 3: got a blank value, expected 25 values as in the header, got 3" in message
    assert "row 5, column anonymous: got 'perhaps'" in message
    assert PatientSafetyEvent.objects.count() == 0
    rejects = tmp_path / "rejects.csv"
    out = run(path, "--skip-invalid", str(rejects))
    assert "2 created" in out and "2 row(s) rejected" in out


def test_descriptions_may_span_lines(small_ics, tmp_path):
    run(
        write(
            tmp_path,
            [event(description="First line.\nSecond line, with a comma."), event(source_id="E2")],
        )
    )
    assert (
        PatientSafetyEvent.objects.get(source_id="E1").description
        == "First line.\nSecond line, with a comma."
    )


def test_the_importer_reads_exactly_the_published_columns():
    """The published columns, then the candour steps; a file may leave out the candour steps
    and strength of association (added later, so older files load as they did)."""
    from caresignals.safety.events.formats import CANDOUR_COLUMNS
    from caresignals.safety.events.importers import EventImporter

    candour = tuple(c.name for c in CANDOUR_COLUMNS)
    assert tuple(c.name for c in EventImporter.columns) == EVENT_CSV_COLUMNS + candour
    assert EventImporter.optional_columns == frozenset({*candour, "strength_of_association"})


def test_strength_of_association_is_its_own_column(small_ics, tmp_path):
    older = [c for c in COLUMNS if c != "strength_of_association"]
    run(write(tmp_path, [event(source_id="OLD")], older))  # a file from before the column
    rows = [
        event(source_id="S1", physical_harm="severe", strength_of_association="possibly"),
        event(source_id="S2", strength_of_association=""),
    ]
    run(write(tmp_path, rows))
    stored = dict(PatientSafetyEvent.objects.values_list("source_id", "strength_of_association"))
    assert stored == {"OLD": "", "S1": "possibly", "S2": ""}
    out = fail(write(tmp_path, [event(source_id="S3", strength_of_association="maybe")]))
    assert "strength_of_association" in out and "caused" in out
    assert not PatientSafetyEvent.objects.filter(source_id="S3").exists()


def test_export_carries_the_rule_based_fields(small_ics, tmp_path):
    import json

    rows = [
        event(),  # low harm: not notifiable
        event(
            source_id="E2",
            physical_harm="severe",
            reported_on="2025-12-23",
            occurred_on="2025-12-22",
        ),
        event(
            source_id="E3",
            physical_harm="fatal",
            patient_died="true",
            learning_disability="true",
            never_event_type="wrong_site_surgery",
        ),
    ]
    small_ics.trust_a.type = "acute_trust"
    small_ics.trust_a.save()
    run(write(tmp_path, rows))
    out = StringIO()
    call_command("export", "events", "--format", "jsonl", stdout=out)
    by_id = {r["source_id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    assert by_id["E1"]["candour_notifiable"] is False and by_id["E1"]["candour_due"] is None
    # Reported Tuesday 23 December 2025: Christmas, Boxing Day, two weekends and New Year's
    # Day are not working days, so the tenth working day is Friday 9 January 2026.
    assert by_id["E2"]["candour_notifiable"] is True
    assert by_id["E2"]["candour_due"] == "2026-01-09"
    assert by_id["E2"]["referrals"] == ["maternity_referral"]
    e3 = by_id["E3"]
    assert e3["national_requirement"] == "never_event_psii" and e3["psirf_response"] == "psii"
    assert set(e3["referrals"]) == {"leder_referral", "maternity_referral"}
    assert by_id["E1"]["psirf_response"] == "undecided"

    out = StringIO()
    call_command("export", "events", "--format", "csv", stdout=out)
    exported = {r["source_id"]: r for r in csv.DictReader(StringIO(out.getvalue()))}
    assert exported["E3"]["referrals"] == "leder_referral;maternity_referral"
    assert exported["E2"]["candour_notifiable"] == "true"
