"""Where an event's candour steps come from decides whether its clock runs here.

An event recorded here (a form, the API's single-event route) is tracked here (from its
provider's "candour tracked from" date, if any). An event imported (events.csv, FHIR) is
tracked only if its row carried candour data (`candour_not_notifiable` false included), and
reported on or after that date; otherwise its open notification is "not known", never overdue. A local system's "decided not notifiable, with
reason" comes in through the same columns, the API body and FHIR extensions.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.test import Client

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.audit.services import Actor
from caresignals.organisations.roles import Role
from caresignals.safety.candour import notifiable as candour
from caresignals.safety.candour import queries
from caresignals.safety.candour import services as candour_services
from caresignals.safety.events.fhir import extension_url
from caresignals.safety.events.formats import CANDOUR_CSV_COLUMNS
from caresignals.safety.models import CandourRecord, PatientSafetyEvent
from tests.api.conftest import caller
from tests.factories import member
from tests.interop.test_fhir import export, fail_fhir, jsonl, run_fhir
from tests.safety.test_import_events import COLUMNS, event, fail, run, write

pytestmark = pytest.mark.django_db

CANDOUR = [*COLUMNS, *CANDOUR_CSV_COLUMNS]
REASON = "The harm came from the underlying condition, not the incident (clinical review)."


def harmful(**overrides: str) -> dict[str, str]:
    """Moderate harm at an NHS trust, reported on 3 March 2026: notifiable by the rules."""
    return event(physical_harm="moderate", **overrides)


def status(source_id: str, today: dt.date) -> str:
    e = PatientSafetyEvent.objects.get(source_id=source_id)
    for name, q in (
        ("done", candour.done_q()),
        ("not_notifiable", candour.not_notifiable_q()),
        ("not_known", candour.not_known_q()),
        ("open", candour.open_q()),
    ):
        if PatientSafetyEvent.objects.filter(q, pk=e.pk).exists():
            return name
    raise AssertionError(source_id)


def test_an_import_without_candour_data_is_not_known_and_never_overdue(small_ics, tmp_path, today):
    rows = [
        harmful(source_id="NONE"),
        harmful(source_id="TOLD", candour_notified_on="2026-03-05"),
        harmful(source_id="TRACKED", candour_not_notifiable="false"),
        harmful(
            source_id="NN", candour_not_notifiable="true", candour_not_notifiable_reason=REASON
        ),
    ]
    run(write(tmp_path, rows, CANDOUR))
    stored = dict(PatientSafetyEvent.objects.values_list("source_id", "candour_not_supplied"))
    assert stored == {"NONE": True, "TOLD": False, "TRACKED": False, "NN": False}
    assert {s: status(s, today) for s in stored} == {
        "NONE": "not_known",
        "TOLD": "done",
        "TRACKED": "open",  # the local system said it holds this one: the clock runs
        "NN": "not_notifiable",
    }
    nn = CandourRecord.objects.get(event__source_id="NN")
    assert nn.not_notifiable and nn.not_notifiable_reason == REASON
    assert not CandourRecord.objects.filter(event__source_id="TRACKED").exists()
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead.a")
    listing = queries.candour_list(lead, provider=None, status="overdue", today=today)
    assert listing.counts == {
        "overdue": 1,
        "due_soon": 0,
        "open": 1,
        "done": 1,
        "not_notifiable": 1,
        "not_known": 1,
    }
    (row,) = queries.candour_list(lead, provider=None, status="not_known", today=today).rows
    assert row.clock.state == "not_known" and not row.clock.is_open
    (row,) = queries.candour_list(lead, provider=None, status="not_notifiable", today=today).rows
    assert row.clock.text == "Decided not notifiable" and not row.clock.is_open


def test_a_tracked_from_date_does_not_put_imports_without_candour_data_on_the_clock(
    small_ics, tmp_path, today
):
    small_ics.trust_a.candour_tracked_from = dt.date(2026, 3, 1)
    small_ics.trust_a.save()
    rows = [
        harmful(source_id="AFTER"),
        harmful(source_id="BEFORE", reported_on="2026-02-27", occurred_on="2026-02-26"),
        harmful(source_id="OPTED_IN", candour_not_notifiable="false"),
        harmful(
            source_id="OPTED_IN_BEFORE",
            reported_on="2026-02-27",
            occurred_on="2026-02-26",
            candour_not_notifiable="false",
        ),
    ]
    run(write(tmp_path, rows, CANDOUR))
    assert status("AFTER", today) == "not_known"  # no candour data, whatever the date
    assert status("BEFORE", today) == "not_known"
    assert status("OPTED_IN", today) == "open"  # the local system said it holds this one
    assert status("OPTED_IN_BEFORE", today) == "not_known"  # before the date all the same


def test_a_later_row_with_candour_data_makes_an_event_known_and_one_without_leaves_it(
    small_ics, tmp_path, today
):
    run(write(tmp_path, [harmful()]))
    assert status("E1", today) == "not_known"
    run(write(tmp_path, [harmful(candour_written_on="2026-03-09")], CANDOUR))
    assert status("E1", today) == "open"
    run(write(tmp_path, [harmful(description="Corrected text")]))
    assert status("E1", today) == "open"  # nothing sets the mark again
    assert PatientSafetyEvent.objects.get().description == "Corrected text"


def test_not_notifiable_false_withdraws_the_decision(small_ics, tmp_path, today):
    decided = harmful(candour_not_notifiable="true", candour_not_notifiable_reason=REASON)
    run(write(tmp_path, [decided], CANDOUR))
    record = CandourRecord.objects.get()
    run(write(tmp_path, [harmful(candour_not_notifiable="false")], CANDOUR))
    record.refresh_from_db()
    assert not record.not_notifiable and record.not_notifiable_reason == ""
    assert status("E1", today) == "open"


def test_an_event_recorded_here_keeps_the_real_clock(small_ics, today):
    staff = caller(small_ics.trust_a, Role.STAFF, "staff-a")
    body = {k: v for k, v in harmful(source_id="").items() if v != ""}
    response = Client().post(
        "/api/v1/events",
        data=json.dumps(body),
        content_type="application/json",
        headers=staff.headers,
    )
    assert response.status_code == 201, response.content
    e = PatientSafetyEvent.objects.get(reference=response.json()["reference"])
    assert not e.candour_not_supplied
    assert PatientSafetyEvent.objects.filter(candour.open_q(), pk=e.pk).exists()


def test_the_api_takes_the_candour_steps_and_audits_them(small_ics):
    staff = caller(small_ics.trust_a, Role.STAFF, "staff-a")
    body = {
        **{k: v for k, v in harmful().items() if v != ""},
        "candour_notified_on": "2026-03-05",
        "candour_written_on": "2026-03-06",
    }
    response = Client().post(
        "/api/v1/events",
        data=json.dumps(body),
        content_type="application/json",
        headers=staff.headers,
    )
    assert response.status_code == 201, response.content
    record = CandourRecord.objects.get(event__reference=response.json()["reference"])
    assert record.notified_in_person_on == dt.date(2026, 3, 5) and record.apology_given
    assert record.written_notification_on == dt.date(2026, 3, 6)
    entry = AuditEntry.objects.get(action=AuditAction.CANDOUR_STEPS_RECORDED)
    assert entry.object_id == response.json()["reference"]

    body = {
        **{k: v for k, v in harmful(source_id="E2").items() if v != ""},
        "candour_not_notifiable": True,
        "candour_not_notifiable_reason": REASON,
    }
    response = Client().post(
        "/api/v1/events",
        data=json.dumps(body),
        content_type="application/json",
        headers=staff.headers,
    )
    assert response.status_code == 201, response.content
    record = CandourRecord.objects.get(event__reference=response.json()["reference"])
    assert record.not_notifiable and record.not_notifiable_reason == REASON


@pytest.mark.parametrize(
    ("candour_fields", "field", "words"),
    [
        ({"candour_not_notifiable": True}, "candour_not_notifiable_reason", "the reason"),
        (
            {"candour_not_notifiable_reason": "A reason with no decision"},
            "candour_not_notifiable_reason",
            "a blank value unless candour_not_notifiable is true",
        ),
        (
            {"candour_not_notifiable": True, "candour_not_notifiable_reason": "x" * 2001},
            "candour_not_notifiable_reason",
            "2,000 characters",
        ),
        ({"candour_notified_on": "2099-01-01"}, "candour_notified_on", "not in the future"),
        ({"candour_notified_on": "2026-03-01"}, "candour_notified_on", "on or after reported_on"),
        (
            {"candour_notified_on": "2026-03-09", "candour_written_on": "2026-03-08"},
            "candour_written_on",
            "on or after candour_notified_on",
        ),
        ({"candour_not_notifiable": "perhaps"}, "candour_not_notifiable", "true"),
    ],
)
def test_the_api_refuses_bad_candour_steps_naming_the_field(
    small_ics, candour_fields, field, words
):
    staff = caller(small_ics.trust_a, Role.STAFF, "staff-a")
    body = {**{k: v for k, v in harmful().items() if v != ""}, **candour_fields}
    response = Client().post(
        "/api/v1/events",
        data=json.dumps(body),
        content_type="application/json",
        headers=staff.headers,
    )
    assert response.status_code == 422
    assert any(words in m for m in response.json()["errors"][field]), response.json()
    assert not PatientSafetyEvent.objects.exists()
    assert not CandourRecord.objects.exists()


def test_a_public_report_cannot_carry_candour_steps(small_ics):
    from caresignals.safety.events.services import EventInvalid, record_event

    fields = {**harmful(), "candour_notified_on": "2026-03-05"}
    with pytest.raises(EventInvalid) as raised:
        record_event(fields, actor=Actor(label="t"), public=True)
    assert "candour_notified_on" in raised.value.errors


def test_the_import_refuses_bad_decisions_with_row_and_column_and_stores_nothing(
    small_ics, tmp_path
):
    rows = [
        harmful(source_id="E1", candour_not_notifiable="true"),
        harmful(source_id="E2", candour_not_notifiable_reason="No decision"),
        harmful(source_id="E3", candour_notified_on="2026-03-05"),
    ]
    err = fail(write(tmp_path, rows, CANDOUR))
    assert "row 2, column candour_not_notifiable_reason" in err
    assert "row 3, column candour_not_notifiable_reason" in err
    assert "row 4" not in err
    assert not PatientSafetyEvent.objects.exists() and not CandourRecord.objects.exists()


def _ext(name: str, **value: object) -> dict[str, object]:
    return {"url": extension_url(name), **value}


def test_fhir_carries_the_candour_steps(small_ics, tmp_path, today):
    run(write(tmp_path, [harmful(), harmful(source_id="E2"), harmful(source_id="E3")]))
    resources = {r["identifier"]["value"]: r for r in export("fhir")}
    PatientSafetyEvent.objects.all().delete()
    told = copy.deepcopy(resources["E1"])
    told["extension"] += [
        _ext("candour-notified-on", valueDate="2026-03-05"),
        _ext("candour-written-on", valueDate="2026-03-06"),
    ]
    decided = copy.deepcopy(resources["E2"])
    decided["extension"] += [
        _ext("candour-not-notifiable", valueBoolean=True),
        _ext("candour-not-notifiable-reason", valueString=REASON),
    ]
    run_fhir(jsonl(tmp_path, [told, decided, resources["E3"]]))
    assert {s: status(s, today) for s in ("E1", "E2", "E3")} == {
        "E1": "done",
        "E2": "not_notifiable",
        "E3": "not_known",
    }
    record = CandourRecord.objects.get(event__source_id="E1")
    assert record.written_notification_on == dt.date(2026, 3, 6)


def test_fhir_errors_name_the_line_and_the_extension(small_ics, tmp_path):
    run(write(tmp_path, [harmful()]))
    (resource,) = export("fhir")
    PatientSafetyEvent.objects.all().delete()
    resource["extension"].append(_ext("candour-not-notifiable", valueBoolean=True))
    err = fail_fhir(jsonl(tmp_path, [resource]))
    assert "line 1, column candour_not_notifiable_reason" in err
    assert "extension:candour-not-notifiable-reason" in err
    assert not PatientSafetyEvent.objects.exists()


def test_a_done_notification_recorded_here_makes_an_imported_event_known(
    small_ics, tmp_path, today
):
    run(write(tmp_path, [harmful()]))
    e = PatientSafetyEvent.objects.select_related("organisation").get()
    assert status("E1", today) == "not_known"
    candour_services.record_steps(
        e,
        steps={"notified_in_person_on": dt.date(2026, 3, 5), "apology_given": True},
        version=0,
        actor=Actor(label="t"),
    )
    assert status("E1", today) == "done"
