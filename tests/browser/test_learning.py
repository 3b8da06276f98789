"""The learning library in Chromium, axe-clean, on a desktop and at 390 px: staff of another
trust search it, read a summary and say they used it; the lead approves a draft after
reading what de-identification took out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.learning.models import LearningReuse, LearningSummary
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.browser.test_reflow import _OVERFLOW
from tests.factories import member
from tests.learning.helpers import completed_response, lead_of, summary_for

pytestmark = pytest.mark.django_db(transaction=True)


def _no_sideways_scroll(page) -> None:
    found = page.evaluate(_OVERFLOW)
    assert found["scrollWidth"] <= found["innerWidth"], f"{page.url} scrolls sideways: {found}"


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_elsewhere_search_read_and_reuse(page, small_ics, assert_accessible, width):
    page.set_viewport_size({"width": width, "height": 900})
    lead = lead_of(small_ics.trust_a, "lead-a")
    shared = summary_for(
        completed_response(small_ics.trust_a),
        user=lead,
        what_happened="Mrs Ada Frobisher missed insulin when the handover skipped her chart.",
    )
    member(small_ics.trust_b, Role.STAFF, username="sam", first_name="Sam")

    sign_in(page, "sam")
    page.goto("/learning/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning library")
    page.get_by_label("Search for words").fill("insulin handover")
    page.get_by_label("Outcome").select_option("improved")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.locator("#results")).to_contain_text("1 summary")
    expect(page.locator(".learning-results mark").first).to_be_visible()
    assert_accessible(page)
    _no_sideways_scroll(page)

    page.get_by_role("link", name=shared.title).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(shared.title)
    expect(page.get_by_text("Mrs [name] missed insulin")).to_be_visible()
    assert "Frobisher" not in page.content()
    assert_accessible(page)
    _no_sideways_scroll(page)

    page.get_by_label("How did you use it? (optional)").fill("Added insulin to our handover.")
    page.get_by_role("button", name="We used this at Trust B").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Trust B,")).to_be_visible()
    assert LearningReuse.objects.get().organisation == small_ics.trust_b
    assert_accessible(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_lead_reads_what_was_taken_out_and_approves(page, small_ics, assert_accessible, width):
    page.set_viewport_size({"width": width, "height": 900})
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    response = completed_response(small_ics.trust_a)

    sign_in(page, "priya")
    page.goto("/learning/")
    page.get_by_role("link", name=f"Write the summary for {response.reference}").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write the learning summary")
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.get_by_label("What happened").fill(
        "Mr Tobias Quill, NHS number 943 476 5919, missed insulin at handover."
    )
    page.get_by_role("button", name="Save and check what was taken out").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)  # the error summary and messages, too
    page.get_by_label("Measures showed an improvement").check()
    page.get_by_role("button", name="Save and check what was taken out").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="What de-identification took out")).to_be_visible()
    expect(page.get_by_role("cell", name="943 476 5919")).to_be_visible()
    assert_accessible(page)
    _no_sideways_scroll(page)

    page.get_by_role("button", name="Approve for every organisation to read").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Confirm that you have read").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("I have read the de-identified summary above").check()
    page.get_by_role("button", name="Approve for every organisation to read").click()
    page.wait_for_load_state()
    s = LearningSummary.objects.get()
    assert s.status == "approved" and s.approved_by == lead
    expect(page.get_by_text("Approved by")).to_be_visible()
    assert_accessible(page)
