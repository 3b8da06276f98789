"""Feedback and complaints in Chromium, axe-clean at every step: the public forms (a relative
complaining for their mother), the easy-read form with its pictures and the Friends and Family
Test, a complaints lead working a complaint, and the public "you said, we did" a page at a time;
on a desktop and a 390 px phone, never scrolling sideways at 320 px."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.core.formatting import nhs_date
from caresignals.voice.clocks import acknowledgement_due
from caresignals.voice.models import Complaint, Feedback
from tests.browser.test_patient_safety_lead import sign_in
from tests.browser.test_reflow import _OVERFLOW, NARROW
from tests.factories import member
from tests.voice.factories import FeedbackFactory, complaint

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def test_a_patient_answers_the_friends_and_family_test(page, small_ics, assert_accessible):
    page.goto("/feedback/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about your care")
    expect(page.get_by_text("If you need help now, call 999.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Select the NHS organisation")).to_be_visible()
    assert_accessible(page)

    # No list until a search: the organisation is found by the start of its name.
    expect(page.get_by_role("radio", name="Trust A")).to_be_hidden()
    page.get_by_label("Which NHS organisation is it about?").fill("trust a")
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


def no_sideways_scroll_at_320(page):
    """WCAG 1.4.10 reflow: at 320 CSS px the page never scrolls sideways."""
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    found = page.evaluate(_OVERFLOW)
    assert found["scrollWidth"] <= found["innerWidth"], f"{page.url} scrolls sideways: {found}"
    page.set_viewport_size(size)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_relative_complains_for_their_mother(page, small_ics, assert_accessible, today, viewport):
    page.set_viewport_size(viewport)
    page.goto("/feedback/give/?org_code=TB&kind=complaint")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a complaint")
    expect(
        page.get_by_text("We will acknowledge your complaint within 3 working days.")
    ).to_be_visible()
    relationship = page.get_by_label("What is your relationship to them?")
    expect(page.get_by_role("group", name="If it is about someone else's care")).to_be_visible()
    assert_accessible(page)
    no_sideways_scroll_at_320(page)

    page.get_by_role("button", name="Send complaint").click()
    page.wait_for_load_state()
    for message in (
        "Select whether your complaint is about your own care or someone else's",
        "Tell us what your complaint is about",
        "Enter your name",
        "Enter an email address or a phone number",
        "Confirm that we may contact you about your complaint",
    ):
        expect(page.get_by_role("link", name=message)).to_be_visible()
    assert_accessible(page)
    assert not Feedback.objects.exists()

    page.get_by_label("Someone else's care, for example a relative's or a friend's").check()
    expect(
        page.get_by_text("You can complain for someone else if they agree to it.")
    ).to_be_visible()
    expect(page.get_by_text("have died", exact=True)).to_be_visible()
    page.get_by_role("button", name="Send complaint").click()
    page.wait_for_load_state()
    expect(
        page.get_by_role(
            "link", name="Enter who you are to the person, like their son or their carer"
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Select why you can complain for them")).to_be_visible()
    expect(
        page.get_by_label("Someone else's care, for example a relative's or a friend's")
    ).to_be_checked()
    assert_accessible(page)

    relationship.fill("Son")
    page.get_by_label("None of these: they have not agreed yet").check()
    page.get_by_label("What is your complaint about?").fill(
        "Synthetic: my mother was discharged without her medicines."
    )
    page.get_by_label("Full name").fill("Synthetic Person")
    page.get_by_label("Email address").fill("person@example.com")
    page.get_by_label("I agree that the organisation may contact me about my complaint").check()
    assert_accessible(page)
    no_sideways_scroll_at_320(page)
    page.get_by_role("button", name="Send complaint").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    made = Complaint.objects.select_related("feedback").get()
    expect(page.get_by_text(made.feedback.reference)).to_be_visible()
    expect(
        page.get_by_text(
            "We will acknowledge your complaint within 3 working days, by "
            f"{nhs_date(acknowledgement_due(today))}."
        )
    ).to_be_visible()
    expect(page.get_by_text("We will ask them before we share any of their")).to_be_visible()
    f = made.feedback
    assert (f.care_of, f.relationship, f.representative_basis) == ("someone_else", "Son", "not_yet")
    assert f.contact_email == "person@example.com"
    assert_accessible(page)
    no_sideways_scroll_at_320(page)

    member(small_ics.trust_b, "complaints_lead", username="ruth")
    sign_in(page, "ruth")
    page.goto(f"/complaints/{f.reference}/")
    expect(page.get_by_role("heading", name="The person has not agreed yet")).to_be_visible()
    expect(page.get_by_text("Someone else's. The complainant is their Son")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_easy_read_friends_and_family_test(page, small_ics, assert_accessible, viewport):
    page.set_viewport_size(viewport)
    page.goto("/feedback/easy-read/")
    line = page.locator(".cs-easy-line", has_text="Someone can help you fill it in.")
    expect(line.locator("svg")).to_be_visible()
    box = line.locator("svg").bounding_box()
    assert box and box["width"] == 48 and box["height"] == 48
    assert_accessible(page)
    no_sideways_scroll_at_320(page)

    page.get_by_label("Type the name of the place").fill("trust b")
    expect(page.get_by_text("1 of 2 places match “trust b”.")).to_be_visible()
    expect(page.get_by_role("radio", name="Trust A")).to_be_hidden()
    page.get_by_role("radio", name="Trust B").check()
    question = page.get_by_role("group", name="3. Overall, how was your experience of our service?")
    expect(question).to_be_visible()
    page.get_by_label("I want to say how it was overall").check()
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Choose how it was")).to_be_visible()
    assert_accessible(page)

    answer = page.get_by_label("Not good and not bad")
    expect(answer).to_be_visible()
    choice = page.locator(".cs-easy-choice", has_text="Not good and not bad")
    expect(choice.locator("svg")).to_be_visible()
    answer.check()
    assert_accessible(page)
    no_sideways_scroll_at_320(page)
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.get_by_text("We got your message.")).to_be_visible()
    expect(
        page.get_by_text("We count your answer with other people's answers every month.")
    ).to_be_visible()
    f = Feedback.objects.get()
    assert (f.kind, f.fft_rating, f.channel) == ("fft", "neither", "easy_read")
    assert_accessible(page)
    no_sideways_scroll_at_320(page)


def test_the_easy_read_form(page, small_ics, assert_accessible):
    page.goto("/feedback/easy-read/")
    assert_accessible(page)
    page.get_by_label("Something was good").check()
    page.get_by_label("4. What happened?").fill("Synthetic: kind staff.")
    page.get_by_label("Very good", exact=True).check()
    # The Search button works without the script too: the page comes back with the answers.
    page.get_by_label("Type the name of the place").fill("trust b")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.get_by_text("1 of 2 places match “trust b”.")).to_be_visible()
    expect(page.get_by_label("4. What happened?")).to_have_value("Synthetic: kind staff.")
    expect(page.get_by_label("Something was good")).to_be_checked()
    expect(page.get_by_label("Very good", exact=True)).to_be_checked()
    assert not Feedback.objects.exists()
    assert_accessible(page)
    expect(page.get_by_role("radio", name="Trust A")).to_be_hidden()
    page.get_by_role("radio", name="Trust B").check()
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.get_by_text("We got your message.")).to_be_visible()
    expect(page.get_by_text("You also said how it was overall.")).to_be_visible()
    assert sorted((f.kind, f.fft_rating, f.channel) for f in Feedback.objects.all()) == [
        ("compliment", "", "easy_read"),
        ("fft", "very_good", "easy_read"),
    ]
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_you_said_we_did_a_page_at_a_time(page, small_ics, assert_accessible, viewport):
    for i in range(23):
        FeedbackFactory(
            organisation=small_ics.trust_a,
            service=small_ics.maternity_a if i % 2 else None,
            kind="compliment",
            publication="approved",
            published_text=f"Synthetic story {i + 1}",
            published_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        )
    page.set_viewport_size(viewport)
    page.goto("/feedback/providers/TA/")
    expect(page.get_by_text("Showing 1 to 20 of 23 stories")).to_be_visible()
    expect(page.get_by_text("Synthetic story 23", exact=True)).to_be_visible()
    expect(page.get_by_text("Synthetic story 3", exact=True)).to_be_hidden()
    assert_accessible(page)
    no_sideways_scroll_at_320(page)
    page.get_by_role("navigation", name="Pages of stories").get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Showing 21 to 23 of 23 stories")).to_be_visible()
    expect(page.get_by_text("Synthetic story 1", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Show stories about").select_option("TA-MAT")
    page.get_by_role("button", name="Show stories").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Showing 1 to 11 of 11 stories about Maternity A")).to_be_visible()
    expect(page.get_by_role("navigation", name="Pages of stories")).to_have_count(0)
    assert_accessible(page)
    no_sideways_scroll_at_320(page)


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
