"""The ICB quality lead previews and publishes a month of open data; then anyone, on a phone
or a desktop, finds the tables and their downloads, the data dictionary and how people are
protected. Axe-clean throughout, no sideways scroll at 320 px."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def region(small_ics):
    trust_c = OrganisationFactory(
        code="TC", name="Trust C", type="acute_trust", parent=small_ics.place_a
    )
    never = Indicator.objects.create(
        code="never_events", name="Never Events", unit="count", polarity="lower_is_better"
    )
    for org, n in ((small_ics.trust_a, 3), (trust_c, 20), (small_ics.trust_b, 12)):
        MeasureValue.objects.create(
            organisation=org, indicator=never, period=dt.date(2026, 10, 1), numerator=n
        )
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb.lead")
    return small_ics


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_publishing_a_month_and_reading_it_as_the_public(
    browser, page, region, looks_right, viewport
):
    if viewport:
        page.set_viewport_size(viewport)
    sign_in(page, "icb.lead")
    page.goto("/publishing/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open data releases")
    looks_right(page)
    page.get_by_label("Never Events, by provider").check()
    page.get_by_label("Never Events, by place").check()
    page.get_by_role("button", name="Save what is published").click()
    page.wait_for_load_state()
    page.get_by_label("Month").fill("2026-10")
    page.get_by_role("button", name="Prepare and preview").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open data for October 2026")
    expect(page.get_by_text("2 cells withheld, of which 1 only")).to_be_visible()
    looks_right(page)
    page.get_by_role("button", name="Publish this release").click()
    page.wait_for_load_state()
    expect(page.get_by_label("Why is it being withdrawn?")).to_be_visible()

    public = page.context.browser.new_context(base_url=page.url.split("/publishing")[0])
    anyone = public.new_page()
    elsewhere: list[str] = []
    anyone.on(
        "request",
        lambda r: (
            elsewhere.append(r.url)
            if r.url.startswith("http") and "127.0.0.1" not in r.url and "localhost" not in r.url
            else None
        ),
    )
    if viewport:
        anyone.set_viewport_size(viewport)
    anyone.goto("/open-data/")
    expect(anyone.get_by_role("heading", level=1)).to_have_text("Open data")
    expect(anyone.get_by_role("heading", name="Never Events, by place")).to_be_visible()
    expect(anyone.get_by_role("link", name="CSV of Never Events, by provider")).to_be_visible()
    looks_right(anyone)
    with anyone.expect_download() as download:
        anyone.get_by_role("link", name="CSV of Never Events, by place").click()
    assert download.value.suggested_filename == "2026-10-never_events-by-place.csv"
    anyone.get_by_role("link", name="data dictionary", exact=True).click()
    anyone.wait_for_load_state()
    expect(anyone.get_by_role("heading", level=1)).to_have_text("Open data dictionary")
    looks_right(anyone)
    anyone.goto("/open-data/about/")
    expect(anyone.get_by_role("heading", name="How people are protected")).to_be_visible()
    looks_right(anyone)
    public.close()
    assert not elsewhere, f"the public pages asked other hosts for: {elsewhere}"
