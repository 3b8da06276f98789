"""A patient-safety lead opens the triage queue, triages the most urgent event, and sees it
leave the queue; then accepts the plan for the routine events left, in one go; axe-clean
throughout."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from caresignals.safety.models import TriageDecision
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import EventFactory, member
from tests.safety_response.factories import PlanRuleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_patient_safety_lead_triages_an_event(page, small_ics, assert_accessible):
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    never = EventFactory(
        organisation=small_ics.trust_a,
        never_event_type="misplaced_tube",
        physical_harm="moderate",
        max_harm="moderate",
        description="Synthetic: a feeding tube was misplaced.",
    )
    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="swarm")
    low = EventFactory(
        organisation=small_ics.trust_a,
        category="falls",
        description="Synthetic: found on the floor beside the bed, no injury, walking frame "
        "out of reach after the night check; the family were told the same evening and the "
        "falls risk assessment was repeated.",
    )
    EventFactory(organisation=small_ics.trust_b)  # another trust's: never shown
    sign_in(page, "priya")

    page.get_by_role("link", name="Triage").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(never.reference)  # the Never Event comes first
    expect(rows.first).to_contain_text("Never Event: PSII required")
    expect(rows.first).to_contain_text("Synthetic: a feeding tube was misplaced.")
    expect(rows.nth(1)).to_contain_text("Synthetic: found on the floor beside the bed")
    expect(rows.nth(1)).to_contain_text("…")  # a long description is cut short
    assert_accessible(page)
    # On a phone the queue, excerpts and tick boxes reflow rather than scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.get_by_label(f"Accept the plan's suggestion for {low.reference}")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})

    # The routine fall: saving with nothing chosen does not apply the plan's suggestion.
    page.get_by_role("link", name=low.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_text("The plan suggests: SWARM huddle")).to_be_visible()
    page.get_by_role("button", name="Save triage decision").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Choose how to respond to this event")).to_be_visible()
    assert_accessible(page)
    assert not TriageDecision.objects.exists()
    page.get_by_role("link", name="Triage queue").first.click()
    page.wait_for_load_state()

    page.get_by_role("link", name=never.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Event {never.reference}")
    expect(page.get_by_text("Synthetic: a feeding tube was misplaced.")).to_be_visible()
    assert_accessible(page)

    # A national requirement cannot be triaged downwards.
    page.get_by_label("No further response (local review only)").check()
    page.get_by_role("button", name="Save triage decision").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    assert not TriageDecision.objects.exists()

    page.get_by_label("Patient-safety incident investigation (PSII)").check()
    page.get_by_label("Note (optional)").fill("Commissioning a PSII.")
    page.get_by_role("button", name="Save triage decision").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    expect(page.get_by_text(f"Event {never.reference} triaged")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text(low.reference)
    assert_accessible(page)
    assert TriageDecision.objects.get().response == "psii"

    # The routine fall left: tick it and accept the plan for it from the queue.
    page.get_by_label(f"Accept the plan's suggestion for {low.reference}").check()
    page.get_by_role("button", name="Accept the plan for the ticked events").click()
    page.wait_for_load_state()
    expect(page.get_by_text("1 event triaged as the plan suggests.")).to_be_visible()
    expect(page.get_by_text("There are no events waiting for triage")).to_be_visible()
    assert_accessible(page)
    assert TriageDecision.objects.get(event=low).response == "swarm"


def test_plan_and_learning_response_pages_are_accessible(page, small_ics, assert_accessible):
    from tests.safety_response.factories import (
        LearningResponseFactory,
        PlanRuleFactory,
        SafetyActionFactory,
    )

    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="swarm")
    e = EventFactory(organisation=small_ics.trust_a)
    lr = LearningResponseFactory(organisation=small_ics.trust_a)
    lr.events.add(e)
    SafetyActionFactory(response=lr, due_on=dt.date(2026, 1, 1))
    sign_in(page, "priya")

    page.goto("/safety/plan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident response plan")
    expect(page.get_by_text("Cannot be switched off").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add a rule").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Save rule").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    page.goto("/safety/responses/")
    assert_accessible(page)
    page.get_by_role("link", name=lr.title).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Overdue actions")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change the learning response").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.goto("/safety/actions/?overdue=1")
    assert_accessible(page)
    page.goto(f"/safety/events/{e.reference}/")
    assert_accessible(page)
