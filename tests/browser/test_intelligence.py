"""The ICB quality lead logs soft intelligence, filters the log and sees it beside the data on
the provider's page; a provider's lead records progress on a safety alert. axe checks each
page on a desktop and at 390 px, and each reflows at 320 px."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.audit.services import Actor
from caresignals.intelligence import services
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "390px"])
def test_the_soft_intelligence_log(page, small_ics, looks_right, viewport, today):
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="helen", first_name="Helen")
    page.set_viewport_size(viewport)
    sign_in(page, "helen")

    page.goto("/intelligence/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Soft intelligence")
    expect(page.get_by_text("No soft intelligence has been logged yet.")).to_be_visible()
    looks_right(page)

    page.get_by_role("button", name="Log soft intelligence").click()
    page.get_by_role("button", name="Log the intelligence").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter a summary of the intelligence")).to_be_visible()
    looks_right(page)

    page.get_by_label("Which provider or service is it about?").select_option("TA-MAT")
    page.get_by_label("Healthwatch").check()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Summary").fill("Families describe long waits for pain relief at night.")
    page.get_by_role("group", name="How credible is it?").get_by_label("Corroborated").check()
    page.get_by_role("group", name="How severe would it be, if true?").get_by_label("High").check()
    page.get_by_role("group", name="Share it with the provider?").get_by_label("No").check()
    page.get_by_role("button", name="Log the intelligence").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The intelligence has been logged.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maternity A")
    looks_right(page)

    page.goto("/intelligence/?severity=high&provider=TA")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Families describe long waits")
    looks_right(page)
    page.goto("/intelligence/?severity=low")
    expect(page.get_by_text("No intelligence matches these filters.")).to_be_visible()

    page.goto("/organisations/TA/")
    section = page.get_by_role("region", name="Soft intelligence")
    expect(section).to_contain_text("Families describe long waits")
    expect(section).to_contain_text("not shared with the provider")
    looks_right(page)


def test_a_provider_records_progress_on_an_alert(page, small_ics, looks_right, today):
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya")
    alert = services.add_alert(
        Actor(label="tests"),
        small_ics.ics,
        reference="NatPSA/2026/001/NHSPS",
        title="Safer use of bed rails",
        issued_on=today - dt.timedelta(days=60),
        deadline=today - dt.timedelta(days=2),
        provider_types=["acute_trust"],
        actions=["Name an executive lead", "Audit every ward"],
    )
    sign_in(page, "priya")
    page.goto(f"/intelligence/alerts/{alert.pk}/")
    expect(page.get_by_text("Overdue")).to_be_visible()
    looks_right(page)
    page.get_by_role("link", name="Trust A").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress on NatPSA/2026/001/NHSPS")
    page.get_by_role("group", name="Status of action 1").get_by_label("Completed").check()
    page.get_by_role("group", name="Status of action 2").get_by_label("Not applicable").check()
    page.get_by_role("button", name="Save progress").click()
    expect(
        page.get_by_role("link", name="Enter the evidence that action 1 is complete")
    ).to_be_visible()
    looks_right(page)
    page.get_by_label("Evidence for action 1").fill("Board minute, 3 November")
    page.locator("#action_2_reason").fill("No bed rails are used")
    page.get_by_role("button", name="Save progress").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Complete", exact=True)).to_be_visible()
    looks_right(page)
