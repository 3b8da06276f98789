"""A staff member records an incident end to end, through every step, on a desktop and on a
phone: axe-clean, reflowing at 320 px, and showing the nurse only what applies at each step."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from caresignals.safety.models import PatientSafetyEvent
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def area_options(page) -> list[str]:
    return page.locator("#service_area option").evaluate_all("os => os.map(o => o.value)")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_staff_member_records_an_incident(page, small_ics, looks_right, viewport):
    page.set_viewport_size(viewport)
    member(small_ics.trust_a, Role.STAFF, username="amara", first_name="Amara", last_name="Okafor")
    sign_in(page, "amara")

    page.goto("/safety/record/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a patient-safety event")
    looks_right(page)

    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("What happened")
    # Each harm grade says what it means, under its own answer.
    expect(page.get_by_text("Permanent harm, or harm likely to shorten")).to_be_visible()
    expect(page.get_by_text("Minimal distress that needed little")).to_be_visible()
    looks_right(page)

    # Nothing filled in: an error summary and a message by each field.
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter what happened")).to_be_visible()
    looks_right(page)

    # The service areas follow the organisation or service chosen (once the page's script,
    # a deferred module, has run: the heading can show before it does).
    page.wait_for_load_state("load")
    place = page.get_by_label("Organisation or service")
    place.select_option("TA")
    expect(page.locator('#service_area option[value="gp"]')).to_have_count(0)
    assert area_options(page)[:3] == ["", "acute", "maternity"]
    place.select_option("TA-MAT")
    expect(page.locator("#service_area option")).to_have_count(2)
    assert area_options(page) == ["", "maternity"]

    page.get_by_label("Patient-safety incident").check()
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
    # The follow-up questions wait under "Yes".
    never_type = page.get_by_label("Type of Never Event")
    death = page.get_by_text("Was the death more likely than not due to problems in care?")
    expect(never_type).to_be_hidden()
    expect(death).to_be_hidden()
    looks_right(page)
    page.locator("#never_event").check()  # Yes
    expect(never_type).to_be_visible()
    never_type.select_option("insulin_overdose")
    # Severe harm: whether the patient died is asked, the follow-up waiting under "Yes".
    page.locator("#patient_died").check()  # Yes
    expect(death).to_be_visible()
    page.locator("#death_in_care_more_likely_than_not-2").check()  # No
    looks_right(page)
    page.get_by_label("Age in years (optional)").fill("29")
    page.get_by_label("The incident probably contributed to the harm").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_text("Maternity A (Trust A)")).to_be_visible()
    strength = page.locator(".nhsuk-summary-list__row", has_text="Strength of association")
    expect(strength).to_contain_text("The incident probably contributed to the harm")
    expect(page.locator(".nhsuk-summary-list__row", has_text="Never Event")).to_contain_text(
        "Yes: Insulin overdose"
    )
    looks_right(page)
    page.get_by_role("button", name="Record the event").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Event recorded")
    event = PatientSafetyEvent.objects.get()
    expect(page.get_by_text(event.reference)).to_be_visible()
    assert event.physical_harm == "severe" and event.service.code == "TA-MAT"
    assert event.service_area == "maternity" and event.never_event_type == "insulin_overdose"
    assert event.strength_of_association == "probably"
    assert event.description == "Synthetic: insulin was given twice by mistake."
    looks_right(page)


def test_without_javascript_the_form_still_guides_and_checks(browser, live_server, small_ics):
    """No script: service areas are listed under each place, follow-ups show throughout,
    and the server refuses an area that does not fit and ignores follow-ups that do not apply.
    (axe needs script to run; the same markup is checked with script in the test above.)"""
    member(small_ics.trust_a, Role.STAFF, username="amara")
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    try:
        sign_in(page, "amara")
        page.goto("/safety/record/new/")
        expect(page.get_by_role("heading", level=1)).to_have_text("What happened")
        groups = page.locator("#service_area optgroup")
        expect(groups).to_have_count(2)
        expect(groups.nth(1)).to_have_attribute("label", "Maternity A (Trust A)")

        page.get_by_label("Patient-safety incident").check()
        page.get_by_label("Organisation or service").select_option("TA-MAT")
        page.get_by_label("What happened?").fill("Synthetic: a fall in the bathroom.")
        page.get_by_label("Day").fill("2")
        page.get_by_label("Month").fill("3")
        page.get_by_label("Year").fill("2026")
        page.get_by_label("Service area").select_option("acute")  # under Trust A: wrong
        page.get_by_label("What was it about?").select_option("falls")
        page.get_by_label("Low harm", exact=True).check()
        page.get_by_label("No psychological harm").check()
        page.locator("#anonymous-2").check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        expect(
            page.get_by_role(
                "link", name="Select a service area that fits Maternity A (Trust A): Maternity"
            )
        ).to_be_visible()
        page.get_by_label("Service area").select_option("maternity")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()

        expect(page.get_by_role("heading", level=1)).to_have_text("More about the event")
        never_type = page.get_by_label("Type of Never Event")
        expect(never_type).to_be_visible()  # no script: shown throughout
        page.locator("#never_event-2").check()  # No
        never_type.select_option("scalding")  # ignored: not a Never Event
        # Low harm: no question whether the patient died (severe and fatal harm only).
        expect(page.get_by_text("Did the patient die?")).to_have_count(0)
        expect(page.locator("#patient_died")).to_have_count(0)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
        expect(page.locator(".nhsuk-summary-list__row", has_text="Never Event")).to_contain_text(
            "No"
        )
        page.get_by_role("button", name="Record the event").click()
        page.wait_for_load_state()
        event = PatientSafetyEvent.objects.get()
        assert event.service_area == "maternity" and event.never_event_type == ""
    finally:
        context.close()
