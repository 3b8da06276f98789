"""A nurse follows the event she recorded in My events; a patient-safety lead reads My work,
her own and her team's; axe-clean throughout."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from caresignals.safety.models import EventReporter, TriageDecision
from tests.browser.test_patient_safety_lead import sign_in
from tests.candour.factories import notifiable_event
from tests.clock import suite_today
from tests.factories import EventFactory, member
from tests.safety_response.factories import LearningResponseFactory, SafetyActionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_nurse_follows_her_event_in_my_events(page, small_ics, assert_accessible):
    nurse = member(small_ics.trust_a, Role.STAFF, username="nia", first_name="Nia")
    event = EventFactory(organisation=small_ics.trust_a, description="Synthetic: a late dose.")
    EventReporter.objects.create(event=event, user=nurse)
    TriageDecision.objects.create(event=event, response="aar")
    sign_in(page, "nia")

    page.get_by_role("link", name="My events").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("My events")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text("Triaged")
    assert_accessible(page)

    page.get_by_role("link", name=event.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Event {event.reference}")
    expect(page.get_by_text("Synthetic: a late dose.")).to_be_visible()
    assert_accessible(page)


def test_a_patient_safety_lead_reads_her_work_and_her_teams(page, small_ics, assert_accessible):
    today = suite_today()
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    response = LearningResponseFactory(
        organisation=small_ics.trust_a, owner_person=lead, due_on=today + dt.timedelta(days=60)
    )
    overdue = SafetyActionFactory(
        response=response, owner_person=lead, due_on=today - dt.timedelta(days=3)
    )
    SafetyActionFactory(response=response, owner="Ward manager", due_on=today)
    notifiable_event(small_ics.trust_a, reported_on=today - dt.timedelta(days=2))
    sign_in(page, "priya")

    page.get_by_role("link", name="My work").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.get_by_role("heading", name="Overdue (1)")).to_be_visible()
    expect(page.get_by_role("link", name=f"Safety action {overdue.reference}")).to_have_count(2)
    expect(page.get_by_text("Ward manager (as recorded)")).to_be_visible()
    expect(page.get_by_text("Patient-safety team").first).to_be_visible()
    assert_accessible(page)
