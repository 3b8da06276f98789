"""A patient-safety lead records a candour step; the ICB lead opens the cross-provider view."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from caresignals.safety.models import CandourRecord, ContactAttempt
from tests.browser.test_patient_safety_lead import sign_in
from tests.browser.test_record_event import DESKTOP, PHONE
from tests.candour.factories import notifiable_event
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_patient_safety_lead_records_the_notification(page, small_ics, assert_accessible, today):
    reported = today - dt.timedelta(days=30)
    event = notifiable_event(
        small_ics.trust_a,
        reported_on=reported,
        occurred_on=reported,
        description="Synthetic: a fall on the ward led to a fractured wrist.",
    )
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    sign_in(page, "priya")

    page.get_by_role("link", name="Duty of Candour").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Duty of Candour")
    expect(page.get_by_role("cell", name="Overdue by")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=event.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Notifiable by the rules")).to_be_visible()
    assert_accessible(page)

    told = reported + dt.timedelta(days=3)
    page.locator("#notified_in_person_on").fill(str(told.day))
    page.locator("#notified_in_person_on-month").fill(str(told.month))
    page.locator("#notified_in_person_on-year").fill(str(told.year))
    page.get_by_label("Who told them?").fill("Dr Synthetic, consultant")
    page.get_by_role("button", name="Save the steps").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Confirm an apology was given")).to_be_visible()
    assert_accessible(page)
    assert not CandourRecord.objects.exists()

    page.get_by_label("An apology was given when they were told").check()
    page.get_by_role("button", name="Save the steps").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The candour steps are saved")).to_be_visible()
    expect(page.get_by_text("Done on time")).to_be_visible()
    assert_accessible(page)
    record = CandourRecord.objects.get()
    assert record.notified_in_person_on == told and record.apology_given


def test_the_icb_quality_lead_opens_the_system_view(page, small_ics, assert_accessible, today):
    reported = today - dt.timedelta(days=20)
    notifiable_event(
        small_ics.trust_b,
        physical_harm="severe",
        max_harm="severe",
        reported_on=reported,
        occurred_on=reported,
        description="Synthetic: Mr Smith was given the wrong dose; call 0191 496 0123.",
    )
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="helen", first_name="Helen")
    sign_in(page, "helen")

    page.get_by_role("link", name="Safety across providers").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient safety across providers")
    expect(page.get_by_text("Mr [name] was given the wrong dose")).to_be_visible()
    assert "0191 496 0123" not in page.content()
    assert_accessible(page)

    page.get_by_label("Prepare for sharing beyond the ICB").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(page.get_by_text("For sharing beyond the ICB: counts from 1 to 7")).to_be_visible()
    assert "wrong dose" not in page.content()
    assert_accessible(page)


def test_a_patient_safety_lead_sets_the_candour_tracked_from_date(
    page, small_ics, assert_accessible, today
):
    reported = today - dt.timedelta(days=200)
    notifiable_event(small_ics.trust_a, reported_on=reported, occurred_on=reported)
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    sign_in(page, "priya")

    page.goto("/safety/candour/?org=TA")
    page.get_by_role("link", name="Candour tracked from: no date").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candour tracked from")
    assert_accessible(page)

    page.get_by_role("button", name="Save the date").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    day = today - dt.timedelta(days=100)
    page.locator("#tracked_from").fill(str(day.day))
    page.locator("#tracked_from-month").fill(str(day.month))
    page.locator("#tracked_from-year").fill(str(day.year))
    page.get_by_role("button", name="Save the date").click()
    page.wait_for_load_state()
    expect(page.get_by_text("keeps its Duty of Candour steps here from")).to_be_visible()
    expect(page.get_by_role("link", name="Not known (1)")).to_be_visible()
    assert_accessible(page)
    small_ics.trust_a.refresh_from_db()
    assert small_ics.trust_a.candour_tracked_from == day


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_nothing_typed_on_the_candour_page_is_lost(page, small_ics, looks_right, today, viewport):
    """Saving one part, or an error in one part, keeps what was typed in the others."""
    page.set_viewport_size(viewport)
    reported = today - dt.timedelta(days=5)
    event = notifiable_event(small_ics.trust_a, reported_on=reported, occurred_on=reported)
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    sign_in(page, "priya")
    page.goto(f"/safety/events/{event.reference}/candour/")
    looks_right(page)

    told = reported + dt.timedelta(days=1)
    page.locator("#notified_in_person_on").fill(str(told.day))
    page.locator("#notified_in_person_on-month").fill(str(told.month))
    page.locator("#notified_in_person_on-year").fill(str(told.year))
    page.get_by_label("Who told them?").fill("Dr Synthetic, consultant")
    # An attempt with its method missing: an error there, the steps kept as typed.
    page.get_by_label("What happened?").fill("Left a voicemail")
    page.get_by_role("button", name="Record the attempt").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Select how you tried to contact them")).to_be_visible()
    expect(page.get_by_label("Who told them?")).to_have_value("Dr Synthetic, consultant")
    expect(page.get_by_label("What happened?")).to_have_value("Left a voicemail")
    looks_right(page)

    # The attempt recorded: the steps, still unsaved, are kept and named.
    page.locator("#attempted_on").fill(str(reported.day))
    page.locator("#attempted_on-month").fill(str(reported.month))
    page.locator("#attempted_on-year").fill(str(reported.year))
    page.get_by_label("How?").select_option("phone")
    page.get_by_role("button", name="Record the attempt").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The attempt to contact them is recorded")).to_be_visible()
    expect(page.get_by_text("what you typed in Notification steps")).to_be_visible()
    expect(page.get_by_label("Who told them?")).to_have_value("Dr Synthetic, consultant")
    expect(page.locator("#notified_in_person_on")).to_have_value(str(told.day))
    assert ContactAttempt.objects.count() == 1
    assert not CandourRecord.objects.filter(notified_by__startswith="Dr Synthetic").exists()
    looks_right(page)

    page.get_by_label("An apology was given when they were told").check()
    page.get_by_role("button", name="Save the steps").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The candour steps are saved")).to_be_visible()
    expect(page.get_by_text("Not saved yet")).to_have_count(0)
    record = CandourRecord.objects.get()
    assert record.notified_in_person_on == told and record.notified_by.startswith("Dr Synthetic")
    looks_right(page)
