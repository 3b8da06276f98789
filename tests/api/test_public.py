"""The public reporting endpoint: no token, rate-limited, honeypot, nothing identifying kept."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.safety.models import PatientSafetyEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/events"
IP = "203.0.113.77"
AGENT = "SyntheticBrowser/9.9 (marker-7f3a1c)"


def report(**overrides):
    body = {
        "org_code": "TA",
        "service_code": "TA-MAT",
        "description": "Synthetic: my mother waited six hours for pain relief.",
        "occurred_on": "2026-03-02",
        "service_area": "maternity",
        "physical_harm": "low",
        "reporter_type": "family_carer",
        "patient_age_years": 71,
        "patient_sex": "female",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def send(client, body, ip=IP):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        URL, data=data, content_type="application/json", REMOTE_ADDR=ip, HTTP_USER_AGENT=AGENT
    )


def test_a_report_is_stored_as_an_incident_and_answers_with_its_reference(client, small_ics):
    response = send(client, report())
    assert response.status_code == 201, response.content
    stored = PatientSafetyEvent.objects.get()
    assert response.json() == {"reference": stored.reference}
    assert (stored.organisation.code, stored.service.code) == ("TA", "TA-MAT")
    assert (stored.record_type, stored.category, stored.reporter_type) == (
        "incident",
        "not_known",  # not said: not known (H71)
        "family_carer",
    )
    assert len(stored.reference) == 9  # short, to read aloud (ADR 23)
    assert (stored.physical_harm, stored.patient_age_years, stored.anonymous) == ("low", 71, True)
    assert stored.source_id.startswith("cs-")
    assert AuditEntry.objects.filter(
        action=AuditAction.EVENT_CREATED, object_id=stored.reference, actor=None
    ).exists()


def test_defaults_and_contact_willingness(client, small_ics):
    body = report(service_code=None, service_area=None, physical_harm=None)
    body["contact"] = {"name": "Synthetic Person", "email": "synthetic@example.invalid"}
    body["reporter_type"] = "patient"
    assert send(client, body).status_code == 201
    stored = PatientSafetyEvent.objects.get()
    assert (stored.service_area, stored.physical_harm, stored.anonymous) == (
        "unknown",
        "",  # harm not said is not known, never "none" (H71)
        False,
    )
    assert stored.max_harm == ""
    assert stored.service is None


def test_invalid_reports_are_422_and_store_nothing(client, small_ics):
    missing = send(client, {"org_code": "TA"})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"description", "occurred_on", "reporter_type"}
    staff = send(client, report(reporter_type="staff", record_type="risk"))
    assert staff.json()["errors"] == {
        "record_type": ["Not a field of a public report"],
        "reporter_type": ["Expected patient or family_carer"],
    }
    rules = send(client, report(physical_harm="catastrophic", occurred_on="2026-02-30"))
    assert rules.status_code == 422
    assert set(rules.json()["errors"]) == {"physical_harm", "occurred_on"}
    unknown = send(client, report(org_code="NOPE", service_code=None))
    assert unknown.status_code == 422 and "org_code" in unknown.json()["errors"]
    future = send(client, report(occurred_on="2999-01-01"))
    assert future.status_code == 422 and "occurred_on" in future.json()["errors"]
    assert send(client, "{oops").status_code == 400
    assert PatientSafetyEvent.objects.count() == 0


def test_a_filled_honeypot_answers_like_success_and_stores_nothing(client, small_ics):
    response = send(client, report(website="http://spam.example"))
    assert response.status_code == 201
    assert len(response.json()["reference"]) == 9  # looks like a real one
    assert PatientSafetyEvent.objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_reports_are_rate_limited_per_address(client, small_ics, monkeypatch):
    from caresignals.core import ratelimit

    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_015.0)  # 45 s left of a minute
    for _ in range(10):
        assert send(client, report(description="")).status_code == 422
    limited = send(client, report())
    assert limited.status_code == 429
    assert limited["Retry-After"] == "45"
    assert "errors" in limited.json()
    assert PatientSafetyEvent.objects.count() == 0
    assert send(client, report(), ip="198.51.100.5").status_code == 201
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_061.0)  # the next minute
    assert send(client, report(description="Synthetic: later.")).status_code == 201


def test_nothing_identifying_the_reporter_is_stored(client, small_ics):
    body = report()
    body["contact"] = {"name": "Synthetic Person", "phone": "07700 900123"}
    assert send(client, body).status_code == 201
    send(client, report(website="spam"))
    needles = [IP, AGENT, "marker-7f3a1c", "07700 900123", "Synthetic Person"]
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row)
                found += [(table, n) for n in needles if n in text]
    assert not found
    assert PatientSafetyEvent.objects.count() == 1 and AuditEntry.objects.count() == 1
