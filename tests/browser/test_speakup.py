"""The anonymous speak-up round trip in Chromium, axe-clean on every page: raise a concern
anonymously, note the code, the guardian replies, the reporter reads the reply with the code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from caresignals.speakup.models import SpeakUpCase
from tests.browser.test_patient_safety_lead import sign_in
from tests.browser.test_reflow import _OVERFLOW
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


VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _reflows(page) -> None:
    """At 320 CSS px the page itself never scrolls sideways (WCAG 1.4.10)."""
    page.set_viewport_size({"width": 320, "height": 640})
    found = page.evaluate(_OVERFLOW)
    assert found["scrollWidth"] <= found["innerWidth"], f"{page.url} scrolls sideways: {found}"


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_guardian_pages_through_cases_new_messages_first(
    page, small_ics, assert_accessible, today, size
):
    import datetime as dt

    from caresignals.speakup import services
    from tests.speakup.factories import raise_case

    gwen = member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN, username="gwen", first_name="Gwen")
    cases = [
        raise_case(small_ics.trust_a, raised_on=today - dt.timedelta(days=i))[0] for i in range(30)
    ]
    written = [cases[20], cases[27]]  # older cases, so "new first" moves them up
    unopened = cases[24]  # raised, no message yet, never opened: a new case, after them
    for case in cases:
        if case != unopened:
            services.mark_read(gwen, case, [])
    for case in written:
        services.reporter_message(case, "Synthetic: there is more to tell you.")
    page.set_viewport_size(VIEWPORTS[size])
    sign_in(page, "gwen")

    card = page.get_by_role("link", name="Speak-up cases")
    expect(
        page.get_by_text("New messages (2): 2 cases have a message you have not read")
    ).to_be_visible()
    assert_accessible(page)
    card.first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("Showing 1 to 25 of 30 cases")).to_be_visible()
    expect(page.get_by_role("link", name="New messages (2)")).to_be_visible()
    rows = page.locator("tbody tr")
    for i, case in enumerate(
        sorted(written, key=lambda c: (-c.raised_on.toordinal(), c.reference))
    ):
        expect(rows.nth(i)).to_contain_text(case.reference)
        expect(rows.nth(i)).to_contain_text("New message")
    expect(page.get_by_role("link", name="New cases (1)")).to_be_visible()
    expect(rows.nth(2)).to_contain_text(unopened.reference)
    expect(rows.nth(2)).to_contain_text("New case")
    expect(rows.nth(3)).not_to_contain_text("New")
    assert_accessible(page)

    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Filter cases").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Page 2").click()
    page.wait_for_load_state()
    assert "status=open" in page.url and "page=2" in page.url
    expect(page.get_by_text("Showing 26 to 30 of 30 cases")).to_be_visible()
    expect(page.get_by_label("Status")).to_have_value("open")
    assert_accessible(page)
    _reflows(page)
    assert_accessible(page)
    page.set_viewport_size(VIEWPORTS[size])

    page.goto("/speak-up/cases/")
    page.get_by_role("link", name=written[0].reference).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Synthetic: there is more to tell you.")).to_be_visible()
    page.get_by_role("link", name="Speak-up cases").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="New messages (1)")).to_be_visible()
    page.get_by_label("Messages").select_option("1")
    page.get_by_role("button", name="Filter cases").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Showing 1 to 2 of 2 cases", exact=True)).to_be_visible()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(written[1].reference)
    expect(rows.nth(1)).to_contain_text(unopened.reference)
    assert_accessible(page)
