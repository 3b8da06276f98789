"""Patients, families and carers report a safety concern, without signing in."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from caresignals.audit.models import AuditEntry
from caresignals.core.references import is_short_reference
from caresignals.organisations.models import Organisation
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
    assert "Was the person hurt?" in page and "I don&#39;t know" in page
    assert "What was it about?" in page and "A fall" in page
    assert 'value="TA-MAT"' not in page  # providers, not services
    assert 'class="nhsuk-u-display-none"' in page and "style=" not in page
    # No list before a search: every organisation's radio is hidden, and so is its fieldset.
    assert '<div class="nhsuk-radios__item" data-org-picker-item' not in page
    assert '<fieldset class="nhsuk-fieldset nhsuk-u-display-none" data-org-picker-list>' in page
    assert "in alphabetical order" not in page


def test_a_family_member_reports_a_concern(client, small_ics):
    response = send(client, concern())
    assert response.status_code == 200
    event = PatientSafetyEvent.objects.get()
    page = response.content.decode()
    # A short reference, read aloud in three groups of three (ADR 23).
    assert len(event.reference) == 9 and is_short_reference(event.reference)
    shown = f"{event.reference[:3]} {event.reference[3:6]} {event.reference[6:]}"
    assert "We have received your report" in page and shown in page
    assert "What happens next" in page
    assert event.organisation.code == "TA" and event.record_type == "incident"
    assert event.reporter_type == "family_carer" and event.anonymous
    # Harm and category not answered: not known, never "No harm" or "Other" (hazard H71).
    assert event.service_area == "unknown" and event.physical_harm == ""
    assert event.max_harm == "" and event.category == "not_known"
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


@pytest.mark.parametrize(
    ("answers", "stored"),
    [
        ({"physical_harm": "low", "category": "falls"}, ("low", "low", "falls", False)),
        (
            {"physical_harm": "moderate", "category": "medication"},
            ("moderate",) * 2 + ("medication", False),
        ),
        (
            {"physical_harm": "fatal", "category": "deterioration"},
            ("fatal", "fatal", "deterioration", True),
        ),
        ({"physical_harm": "none", "category": "other"}, ("none", "none", "other", False)),
        ({"physical_harm": "not_sure", "category": "not_sure"}, ("", "", "not_known", False)),
    ],
)
def test_plain_answers_are_stored_in_the_lfpse_vocabulary(client, small_ics, answers, stored):
    send(client, concern(**answers))
    event = PatientSafetyEvent.objects.get()
    got = (event.physical_harm, event.max_harm, event.category, event.patient_died)
    assert got == stored


def test_an_unknown_plain_answer_is_refused_by_name(client, small_ics):
    response = send(client, concern(physical_harm="dreadful", category="weather"))
    assert errors_of(response) == {
        "physical_harm": ["Select whether the person was hurt"],
        "category": ["Select what it was about"],
    }
    assert PatientSafetyEvent.objects.count() == 0


def test_search_without_javascript_shows_the_matching_organisations(client, small_ics):
    data = concern(org_code="", org_code_search="  trust   b ", org_picker_search="org_code")
    response = send(client, data)
    page = response.content.decode()
    assert response.status_code == 200 and PatientSafetyEvent.objects.count() == 0
    assert "There is a problem" not in page  # a search is not a failed send
    assert "1 of 2 organisations match “trust   b”." in page
    item = '<div class="nhsuk-radios__item{hidden}" data-org-picker-item data-search="{text}">'
    assert item.format(hidden="", text="trust b acute trust place b") in page
    assert item.format(hidden=" nhsuk-u-display-none", text="trust a acute trust place a") in page
    assert "left without water for a whole day.</textarea>" in page  # answers kept
    nothing = send(client, concern(org_code_search="zebra", org_picker_search="org_code"))
    assert "No organisations match “zebra”" in nothing.content.decode()


def _listed(page: str) -> list[str]:
    return re.findall(
        r'<div class="nhsuk-radios__item" data-org-picker-item[^>]*>\s*<input[^>]*value="([\w-]+)"',
        page,
    )


def test_search_matches_the_starts_of_words_and_lists_at_most_twenty(client, small_ics):
    from tests.factories import OrganisationFactory

    for i in range(23):
        OrganisationFactory(
            code=f"LF{i:02}",
            name=f"Larchfield House {i:02}",
            type="care_home",
            parent=small_ics.place_a,
        )

    def search(words: str) -> str:
        data = concern(org_code="", org_code_search=words, org_picker_search="org_code")
        return send(client, data).content.decode()

    assert "No organisations match “field”" in search("field")  # not within a word
    page = search("larch")
    assert "23 of 25 organisations match “larch”." in page
    assert "The first 20 are listed: 3 more — refine your search." in page
    assert _listed(page) == [f"LF{i:02}" for i in range(20)]
    page = search("larch 22")
    assert "1 of 25 organisations match “larch 22”." in page and "refine" not in page
    assert _listed(page) == ["LF22"]
    # A choice is kept in view when a new search leaves it out, or before any search.
    assert _listed(
        send(client, concern(org_code="TB", org_picker_search="org_code")).content.decode()
    ) == ["TB"]


def test_the_confirmation_gives_pals_contact_details_and_the_complaint_form(client, small_ics):
    Organisation.objects.filter(code="TA").update(
        pals_phone="0191 498 0101",
        pals_email="pals.ta@example.org",
        pals_web="https://trust-a.example.org/pals",
    )
    page = send(client, concern()).content.decode()
    assert 'href="tel:01914980101">0191 498 0101</a>' in page
    assert 'href="mailto:pals.ta@example.org"' in page
    assert 'href="https://trust-a.example.org/pals"' in page
    assert 'href="/feedback/give/?org_code=TA&amp;kind=complaint"' in page
    assert "Make a complaint to Trust A" in page and "how to do this" not in page


def test_without_pals_details_it_says_to_ask_the_switchboard(client, small_ics):
    page = send(client, concern(org_code="TB")).content.decode()
    assert "We do not have contact details for the Patient Advice and Liaison Service" in page
    assert "switchboard" in page and "tel:" not in page
