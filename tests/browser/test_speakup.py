"""The anonymous speak-up round trip in Chromium, axe-clean on every page: raise a concern
anonymously, note the code, the guardian replies, the reporter reads the reply with the code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from caresignals.speakup.models import SpeakUpCase
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)

CONCERN = "Synthetic: staff on the night shift are told not to record restraint."
REPLY = "Synthetic: thank you. I have raised this with the director of nursing."


def test_the_anonymous_round_trip(page, small_ics, assert_accessible):
    member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN, username="gwen", first_name="Gwen")

    # 1. Raise anonymously, without signing in.
    page.goto("/speak-up/anonymous/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a concern anonymously")
    expect(page.get_by_text("call 999 now")).to_be_visible()
    expect(page.get_by_label("Leave this box empty")).to_be_hidden()
    assert_accessible(page)

    page.get_by_role("button", name="Raise my concern").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Enter your concern")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Which organisation is your concern about?").select_option("TA")
    page.get_by_label("What is your concern?").fill(CONCERN)
    page.get_by_label("Patient safety or quality").check()
    page.get_by_label("Your professional group (optional)").select_option("healthcare_assistants")
    page.get_by_role("button", name="Raise my concern").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your concern has been raised")
    assert_accessible(page)
    reference = page.locator("#reference").inner_text()
    code = page.locator("#access-code").inner_text()
    case = SpeakUpCase.objects.get()
    assert case.reference == reference and case.raised_by_id is None
    assert "sessionid" not in {c["name"] for c in page.context.cookies()}

    # 2. The guardian signs in, finds the case and replies.
    sign_in(page, "gwen")
    page.get_by_role("link", name="Speak-up cases").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Speak-up cases")
    assert_accessible(page)
    page.get_by_role("link", name=reference).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")
    expect(page.get_by_text(CONCERN)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your reply to the person who raised the concern").fill(REPLY)
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your reply has been sent")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record categories, actions, outcome and feedback").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the case")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    # 3. The reporter reads the reply with the reference and code.
    page.goto("/speak-up/case/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Read replies to your concern")
    assert_accessible(page)
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Access code").fill(code)
    page.get_by_role("button", name="Read replies").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your concern")
    expect(page.get_by_text(REPLY)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your message").fill("Synthetic: it happened again last night.")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your message has been sent to the guardian.")).to_be_visible()
    assert_accessible(page)
    assert [m.author for m in case.messages.order_by("sequence")] == ["guardian", "reporter"]


def test_the_icb_sees_counts_only(page, small_ics, assert_accessible):
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="helen")
    sign_in(page, "helen")
    page.goto("/speak-up/summary/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Freedom to Speak Up: cases by provider"
    )
    assert_accessible(page)
