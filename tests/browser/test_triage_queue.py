"""A patient-safety lead opens the triage queue, triages the most urgent event, and sees it
leave the queue; axe-clean throughout."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from caresignals.safety.models import TriageDecision
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import EventFactory, member

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
    low = EventFactory(organisation=small_ics.trust_a, category="falls")
    EventFactory(organisation=small_ics.trust_b)  # another trust's: never shown
    sign_in(page, "priya")

    page.get_by_role("link", name="Triage").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(never.reference)  # the Never Event comes first
    expect(rows.first).to_contain_text("Never Event: PSII required")
    assert_accessible(page)

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
