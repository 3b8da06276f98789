"""Feedback and complaints in Chromium, axe-clean at every step: the public forms, the
easy-read form, a complaints lead working a complaint, and the public "you said, we did"."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.voice.models import Complaint, Feedback
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member
from tests.voice.factories import complaint

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_patient_answers_the_friends_and_family_test(page, small_ics, assert_accessible):
    page.goto("/feedback/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about your care")
    expect(page.get_by_text("If you need help now, call 999.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Select the NHS organisation")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("radio", name="Trust A").check()
    page.get_by_label("Answer the Friends and Family Test").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Overall, how was your experience of our service?")).to_be_visible()
    expect(page.get_by_label("Leave this box empty")).to_be_hidden()
    assert_accessible(page)

    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Select how your experience was")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Which service is it about?").select_option("TA-MAT")
    page.get_by_label("Very good").check()
    page.get_by_label("Please tell us why you gave your answer (optional)").fill(
        "Synthetic: the midwives were calm and kind."
    )
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    feedback = Feedback.objects.get()
    expect(page.get_by_text(feedback.reference)).to_be_visible()
    assert feedback.kind == "fft" and feedback.fft_rating == "very_good"
    assert feedback.service.code == "TA-MAT"
    assert_accessible(page)


def test_a_relative_makes_a_complaint(page, small_ics, assert_accessible):
    page.goto("/feedback/give/?org_code=TB&kind=complaint")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a complaint")
    expect(
        page.get_by_text("We will acknowledge your complaint within 3 working days.")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Send complaint").click()
    page.wait_for_load_state()
    for message in (
        "Tell us what your complaint is about",
        "Enter your name",
        "Enter an email address or a phone number",
        "Confirm that we may contact you about your complaint",
    ):
        expect(page.get_by_role("link", name=message)).to_be_visible()
    assert_accessible(page)
    assert not Feedback.objects.exists()

    page.get_by_label("What is your complaint about?").fill(
        "Synthetic: my father was discharged without his medicines."
    )
    page.get_by_label("Full name").fill("Synthetic Person")
    page.get_by_label("Email address").fill("person@example.com")
    page.get_by_label("I agree that the organisation may contact me about my complaint").check()
    page.get_by_role("button", name="Send complaint").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    made = Complaint.objects.select_related("feedback").get()
    expect(page.get_by_text(made.feedback.reference)).to_be_visible()
    assert made.feedback.contact_email == "person@example.com"
    assert_accessible(page)


def test_the_easy_read_form(page, small_ics, assert_accessible):
    page.goto("/feedback/easy-read/")
    assert_accessible(page)
    page.get_by_label("1. Which place is it about?").select_option("TA")
    page.get_by_label("Something was good").check()
    page.get_by_label("3. What happened?").fill("Synthetic: kind staff.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.get_by_text("We got your message.")).to_be_visible()
    assert Feedback.objects.get().channel == "easy_read"
    assert_accessible(page)


def test_a_complaints_lead_acknowledges_and_publishes(page, small_ics, assert_accessible, today):
    member(small_ics.trust_a, "complaints_lead", username="gareth")
    case = complaint(small_ics.trust_a, received_on=today - dt.timedelta(days=30))
    case.feedback.consent_to_publish = True
    case.feedback.publication = "pending"
    case.feedback.save()
    sign_in(page, "gareth")
    page.goto("/complaints/?view=acknowledgement_overdue")
    expect(page.get_by_role("link", name=case.feedback.reference)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=case.feedback.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Acknowledgement overdue").first).to_be_visible()
    assert_accessible(page)

    form = page.locator("form", has=page.get_by_role("button", name="Save acknowledgement"))
    form.get_by_label("Day").first.fill(str(today.day))
    form.get_by_label("Month").first.fill(str(today.month))
    form.get_by_label("Year").first.fill(str(today.year))
    form.get_by_role("button", name="Save acknowledgement").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Acknowledgement recorded.")).to_be_visible()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.acknowledged_on == today

    page.goto(f"/feedback/manage/{case.feedback.reference}/")
    assert_accessible(page)
    page.get_by_label("Publish the edited story").check()
    page.get_by_label("The story as it will be published").fill(
        "Synthetic: my relative went home without medicines."
    )
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_load_state()
    page.goto("/feedback/providers/TA/")
    expect(page.get_by_text("Synthetic: my relative went home without medicines.")).to_be_visible()
    assert_accessible(page)

    page.goto("/feedback/insight/TA/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback insight")
    assert_accessible(page)
