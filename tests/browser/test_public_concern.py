"""A family member reports a safety concern without signing in; axe-clean throughout."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.safety.models import PatientSafetyEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_family_member_reports_a_concern(page, small_ics, assert_accessible):
    page.goto("/report-a-concern/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a patient safety concern")
    expect(page.get_by_text("If you need help now, call 999.")).to_be_visible()
    expect(page.get_by_label("Leave this box empty")).to_be_hidden()
    assert_accessible(page)

    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Tell us what happened")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Which NHS organisation is it about?").select_option("TA")
    page.get_by_label("What happened?").fill("Synthetic: my mother's medicines were missed.")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("I am a family member, friend or carer of the patient").check()
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("We have received your report")
    event = PatientSafetyEvent.objects.get()
    expect(page.get_by_text(event.reference)).to_be_visible()
    assert event.reporter_type == "family_carer" and event.anonymous
    assert_accessible(page)
