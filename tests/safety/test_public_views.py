"""Patients, families and carers report a safety concern, without signing in."""

from __future__ import annotations

import pytest
from django.db import connection

from caresignals.audit.models import AuditEntry
from caresignals.safety.models import PatientSafetyEvent
from tests.safety.test_record_views import errors_of

pytestmark = pytest.mark.django_db

URL = "/report-a-concern/"
IP = "203.0.113.91"
AGENT = "SyntheticBrowser/9.9 (marker-5be2d0)"


def concern(**overrides):
    data = {
        "org_code": "TA",
        "description": "Synthetic: my father was left without water for a whole day.",
        "occurred_on_day": "2",
        "occurred_on_month": "3",
        "occurred_on_year": "2026",
        "reporter_type": "family_carer",
        "website": "",
    }
    data.update(overrides)
    return data


def send(client, data, ip=IP):
    return client.post(URL, data, REMOTE_ADDR=ip, HTTP_USER_AGENT=AGENT)


def test_the_form_is_public_plain_and_says_where_to_get_urgent_help(client, small_ics):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Report a patient safety concern" in page
    assert "call 999" in page and "call 111" in page and "111 online" in page
    assert 'value="TA"' in page and 'value="TB"' in page  # every provider
    assert 'value="TA-MAT"' not in page  # providers, not services
    assert 'class="nhsuk-u-display-none"' in page and "style=" not in page


def test_a_family_member_reports_a_concern(client, small_ics):
    response = send(client, concern())
    assert response.status_code == 200
    event = PatientSafetyEvent.objects.get()
    page = response.content.decode()
    assert "We have received your report" in page and event.reference in page
    assert "What happens next" in page
    assert event.organisation.code == "TA" and event.record_type == "incident"
    assert event.reporter_type == "family_carer" and event.anonymous
    assert event.service_area == "unknown" and event.physical_harm == "none"
    assert event.description == concern()["description"]
    entry = AuditEntry.objects.get()
    assert entry.actor is None and entry.actor_label == "public report via the website"


def test_a_patient_reports_a_concern(client, small_ics):
    send(client, concern(reporter_type="patient", org_code="TB"))
    event = PatientSafetyEvent.objects.get()
    assert event.reporter_type == "patient" and event.organisation.code == "TB"


def test_errors_are_per_field_and_nothing_is_stored(client, small_ics):
    response = send(client, {"website": ""})
    assert response.status_code == 200
    assert errors_of(response) == {
        "org_code": ["Select the NHS organisation"],
        "description": ["Tell us what happened"],
        "occurred_on": ["Enter the date it happened"],
        "reporter_type": ["Select who you are"],
    }
    bad = send(client, concern(reporter_type="staff", occurred_on_month="13", org_code="TA-MAT"))
    assert errors_of(bad) == {
        "org_code": ["Select the NHS organisation"],
        "occurred_on": ["The date it happened must be a real date"],
        "reporter_type": ["Select who you are"],
    }
    kept = bad.content.decode()
    assert "left without water for a whole day.</textarea>" in kept
    assert PatientSafetyEvent.objects.count() == 0 and not AuditEntry.objects.exists()


def test_a_filled_honeypot_looks_received_but_stores_nothing(client, small_ics):
    response = send(client, concern(website="http://spam.example"))
    assert response.status_code == 200
    assert "We have received your report" in response.content.decode()
    assert PatientSafetyEvent.objects.count() == 0 and not AuditEntry.objects.exists()


def test_reports_are_rate_limited_per_address(client, small_ics, monkeypatch):
    from caresignals.core import ratelimit

    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_030.0)  # 30 s left of a minute
    for _ in range(10):
        assert errors_of(send(client, concern(description="")))
    limited = send(client, concern())
    assert limited.status_code == 429 and limited["Retry-After"] == "30"
    assert "Too many reports" in limited.content.decode()
    assert PatientSafetyEvent.objects.count() == 0
    assert "We have received" in send(client, concern(), ip="198.51.100.7").content.decode()
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_061.0)  # the next minute
    assert "We have received" in send(client, concern()).content.decode()
    assert PatientSafetyEvent.objects.count() == 2


def test_nothing_identifying_the_reporter_is_stored(client, small_ics):
    send(client, concern())
    send(client, concern(website="spam"))
    needles = [IP, AGENT, "marker-5be2d0"]
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row)
                found += [(table, n) for n in needles if n in text]
    assert not found
    assert PatientSafetyEvent.objects.count() == 1 and AuditEntry.objects.count() == 1
