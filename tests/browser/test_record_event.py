"""A staff member records an incident end to end, through every step, axe-clean throughout."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from caresignals.safety.models import PatientSafetyEvent
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_staff_member_records_an_incident(page, small_ics, assert_accessible):
    member(small_ics.trust_a, Role.STAFF, username="amara", first_name="Amara", last_name="Okafor")
    sign_in(page, "amara")

    page.get_by_role("link", name="Record an event").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a patient-safety event")
    assert_accessible(page)

    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("What happened")
    assert_accessible(page)

    # Nothing filled in: an error summary and a message by each field.
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter what happened")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Patient-safety incident").check()
    page.get_by_label("Organisation or service").select_option("TA-MAT")
    page.get_by_label("What happened?").fill("Synthetic: insulin was given twice by mistake.")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Service area").select_option("maternity")
    page.get_by_label("What was it about?").select_option("medication")
    page.get_by_label("Severe harm", exact=True).check()
    page.get_by_label("No psychological harm").check()
    page.locator("#anonymous-2").check()  # No
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("More about the event")
    expect(page.get_by_text("How strongly is the event linked to the harm?")).to_be_visible()
    assert_accessible(page)
    page.locator("#never_event-2").check()  # No
    page.get_by_label("Age in years (optional)").fill("29")
    page.locator("#patient_died-2").check()  # No
    page.get_by_label("The incident probably contributed to the harm").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_text("Maternity A (Trust A)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record the event").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Event recorded")
    event = PatientSafetyEvent.objects.get()
    expect(page.get_by_text(event.reference)).to_be_visible()
    assert event.physical_harm == "severe" and event.service.code == "TA-MAT"
    assert_accessible(page)
