"""Reporters follow their own reports: "My events" and the reporter's page of one event."""

from __future__ import annotations

import pytest

from caresignals.audit.services import Actor
from caresignals.organisations.roles import Role
from caresignals.safety.events.services import record_event
from caresignals.safety.models import EventReporter, PatientSafetyEvent, TriageDecision
from tests.factories import member
from tests.safety.test_record_views import CHECK, FIRST, first_page, second_page
from tests.safety_response.factories import LearningResponseFactory

pytestmark = pytest.mark.django_db

SECOND = FIRST + "details/"


@pytest.fixture
def nurse(client, small_ics):
    user = member(small_ics.trust_a, Role.STAFF, username="nia")
    client.force_login(user)
    return user


def _record(client, **overrides):
    client.post(FIRST, first_page(**overrides))
    client.post(SECOND, second_page())
    assert client.post(CHECK).status_code == 302
    return PatientSafetyEvent.objects.latest("id")


def test_a_recorded_event_is_listed_and_opens_for_its_reporter(client, nurse):
    event = _record(client, description="Synthetic: Mrs Patel's dose was late. Call 07700 900123.")
    assert EventReporter.objects.get(event=event).user == nurse
    listing = client.get("/safety/my-events/").content.decode()
    assert event.reference in listing and "Received" in listing
    done = client.get("/safety/record/recorded/").content.decode()
    assert f"/safety/my-events/{event.reference}/" in done

    page = client.get(f"/safety/my-events/{event.reference}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Received" in text and "Maternity A" in text
    assert "07700 900123" not in text and "Patel" not in text  # reporter-safe: de-identified
    # The full event page, refused to a nurse before, leads to the reporter's page.
    full = client.get(f"/safety/events/{event.reference}/")
    assert full.status_code == 302 and full["Location"] == f"/safety/my-events/{event.reference}/"


def test_anonymous_events_keep_no_link_and_are_not_listed(client, nurse):
    event = _record(client, anonymous="yes")
    assert not EventReporter.objects.filter(event=event).exists()
    assert event.reference not in client.get("/safety/my-events/").content.decode()
    assert client.get(f"/safety/my-events/{event.reference}/").status_code == 404
    assert client.get(f"/safety/events/{event.reference}/").status_code == 403


def test_an_anonymous_or_public_report_cannot_be_linked(small_ics, nurse):
    fields = {"org_code": "TA", "record_type": "incident", "anonymous": True}
    with pytest.raises(ValueError):
        record_event(fields, actor=Actor(label="x"), recorded_by=nurse)
    with pytest.raises(ValueError):
        record_event({"org_code": "TA"}, actor=Actor(label="x"), public=True, recorded_by=nurse)


def test_someone_elses_event_is_not_found(client, nurse, small_ics):
    event = _record(client)
    other = member(small_ics.trust_a, Role.STAFF, username="olu")
    client.force_login(other)
    assert client.get(f"/safety/my-events/{event.reference}/").status_code == 404
    assert event.reference not in client.get("/safety/my-events/").content.decode()


def test_a_safety_lead_who_reported_still_opens_the_full_page(client, small_ics):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lee")
    client.force_login(lead)
    event = _record(client)
    assert client.get(f"/safety/events/{event.reference}/").status_code == 200


def test_status_follows_triage_and_learning_and_shares_the_learning(client, nurse, small_ics):
    event = _record(client)
    mine = f"/safety/my-events/{event.reference}/"
    TriageDecision.objects.create(event=event, response="aar", note="Synthetic-triage-note")
    page = client.get(mine).content.decode()
    assert "Triaged" in page and "Synthetic-triage-note" not in page

    response = LearningResponseFactory(organisation=small_ics.trust_a, status="in_progress")
    response.events.add(event)
    assert "Under a learning response" in client.get(mine).content.decode()

    response.status = "completed"
    response.summary = "Synthetic learning: a second check before doses at handover."
    response.save()
    page = client.get(mine).content.decode()
    assert "Closed" in page and "a second check before doses at handover" in page
    assert "Learning shared" in client.get("/safety/my-events/").content.decode()


def test_no_further_response_closes_the_event(client, nurse):
    event = _record(client)
    TriageDecision.objects.create(event=event, response="none")
    assert "Closed" in client.get(f"/safety/my-events/{event.reference}/").content.decode()
