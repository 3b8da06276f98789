"""A relative on a phone: from the public start page, through the safety-concern form (the
organisation found by search, with and without JavaScript), to a confirmation that gives a
short reference, who to talk to and how to complain. Axe-clean throughout, no sideways
scroll at 320 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caresignals.organisations.models import Organisation
from caresignals.safety.models import PatientSafetyEvent
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}


@pytest.fixture
def alike(small_ics):
    """Two care homes of one name in two places, and PALS details for Trust B only."""
    for place in (small_ics.place_a, small_ics.place_b):
        OrganisationFactory(
            code=f"CH-{place.code}",
            name="Larchfield House",
            type="care_home",
            parent=place,
        )
    Organisation.objects.filter(code="TB").update(
        pals_phone="0191 498 0123", pals_email="pals.tb@example.org"
    )
    return small_ics


def no_sideways_scroll(page) -> None:
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways at 320 px: {widths}"
    page.set_viewport_size(size)


def fill_the_rest(page, what: str) -> None:
    page.get_by_label("What happened?").fill(what)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("I am a family member, friend or carer of the patient").check()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_relative_reports_a_fall_at_a_care_home(page, alike, assert_accessible, viewport):
    if viewport:
        page.set_viewport_size(viewport)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about NHS care")
    expect(page.get_by_text("call 999")).to_be_visible()
    expect(page.get_by_role("link", name="Give feedback or make a complaint")).to_be_visible()
    expect(page.get_by_role("link", name="Speak up as a member of staff")).to_be_visible()
    expect(page.get_by_role("link", name="Staff sign in")).to_be_visible()
    assert_accessible(page)
    no_sideways_scroll(page)

    page.get_by_role("link", name="Report a patient safety concern").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a patient safety concern")
    # No list until they search: just the box and its hint.
    expect(page.get_by_role("radio", name="Trust A")).to_be_hidden()
    expect(page.get_by_text("Choose the organisation")).to_be_hidden()
    assert_accessible(page)
    no_sideways_scroll(page)

    # Filtered as they type, at the starts of words: the two alike names told apart by
    # their area.
    box = page.get_by_label("Which NHS organisation is it about?")
    count = page.locator("[data-org-picker-count]")
    box.fill("field")
    expect(count).to_have_text(re.compile("No organisations match “field”"))
    expect(page.get_by_text("Choose the organisation")).to_be_hidden()
    box.fill("larch")
    expect(count).to_have_text("2 of 4 organisations match “larch”.")
    expect(page.get_by_text("Choose the organisation")).to_be_visible()
    box.fill("larchfield")
    expect(count).to_have_text("2 of 4 organisations match “larchfield”.")
    expect(count).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("radio", name="Trust A")).to_be_hidden()
    expect(page.get_by_text("Care home, Place A")).to_be_visible()
    expect(page.get_by_text("Care home, Place B")).to_be_visible()
    page.get_by_label("Which NHS organisation is it about?").fill("larchfield b")
    expect(count).to_have_text("1 of 4 organisations match “larchfield b”.")
    page.get_by_role("radio", name="Larchfield House").check()
    assert_accessible(page)

    fill_the_rest(page, "Synthetic: my father fell in his room and nobody saw.")
    page.get_by_label("I don't know").check()
    page.get_by_label("A fall").check()
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("We have received your report")
    event = PatientSafetyEvent.objects.get()
    assert event.organisation.code == "CH-PB"
    assert (event.category, event.physical_harm, event.max_harm) == ("falls", "", "")
    spoken = " ".join(re.findall("...", event.reference))
    expect(page.get_by_text(spoken)).to_be_visible()
    expect(page.get_by_text("Call the organisation's switchboard or reception")).to_be_visible()
    complain = page.get_by_role("link", name="Make a complaint to Larchfield House")
    expect(complain).to_be_visible()
    assert_accessible(page)
    no_sideways_scroll(page)

    complain.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a complaint")


def test_without_javascript_the_search_button_finds_the_organisation(
    browser, live_server, alike, page, assert_accessible
):
    # Axe and the width check run scripts of their own: they check the same server-filtered
    # page with scripts on (the search as a link would give it), before the script-free run.
    page.set_viewport_size(PHONE)
    page.goto("/report-a-concern/?org_code_search=trust+b")
    expect(page.get_by_text("1 of 4 organisations match “trust b”.")).to_be_visible()
    assert_accessible(page)
    no_sideways_scroll(page)

    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    try:
        page.goto("/report-a-concern/")
        fill_the_rest(page, "Synthetic: my mother was given the wrong tablets.")
        page.get_by_label("Which NHS organisation is it about?").fill("trust b")
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state()
        expect(page.get_by_text("1 of 4 organisations match “trust b”.")).to_be_visible()
        expect(page.get_by_role("radio", name="Trust A")).to_be_hidden()
        expect(page.get_by_label("What happened?")).to_have_value(
            "Synthetic: my mother was given the wrong tablets."
        )
        assert PatientSafetyEvent.objects.count() == 0  # a search sends nothing

        page.get_by_role("radio", name="Trust B").check()
        page.get_by_label("Yes, a little").check()
        page.get_by_label("Medicines").check()
        page.get_by_role("button", name="Send report").click()
        page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1)).to_have_text("We have received your report")
        expect(page.get_by_role("link", name="0191 498 0123")).to_have_attribute(
            "href", "tel:01914980123"
        )
        expect(page.get_by_role("link", name="pals.tb@example.org")).to_be_visible()
        event = PatientSafetyEvent.objects.get()
        assert (event.category, event.physical_harm) == ("medication", "low")
    finally:
        context.close()
