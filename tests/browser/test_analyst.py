"""An analyst's journey: home → the system view sorted by concern → a funnel plot → the
indicator library, on a desktop and at 390 px, axe-clean; each page reflows at 320 px."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.browser.test_reflow import _OVERFLOW
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}


@pytest.fixture
def region(small_ics):
    """Eight acute trusts with a harm rate for 20 months; Trust 5's rises sharply at the end."""
    harm = Indicator.objects.create(
        code="harm_rate",
        name="Moderate or worse harm per 1,000 bed days",
        unit="rate",
        multiplier=1000,
        polarity="lower_is_better",
        numerator_definition="Events with moderate or worse harm",
        denominator_definition="Occupied bed days",
    )
    trusts = [small_ics.trust_a, small_ics.trust_b] + [
        OrganisationFactory(
            code=f"T{k}", name=f"Trust {k}", type="acute_trust", parent=small_ics.place_b
        )
        for k in range(3, 9)
    ]
    for t, org in enumerate(trusts):
        for i in range(20):
            late = org.code == "T5" and i >= 17
            MeasureValue.objects.create(
                organisation=org,
                indicator=harm,
                period=dt.date(2025 + (i + 2) // 12, (i + 2) % 12 + 1, 1),
                numerator=(30 if late else 5 + (i + t) % 3),
                denominator=1000,
            )
    return small_ics


def _check(page, assert_accessible) -> None:
    """No sideways scroll at this width, and axe (best practice too) finds nothing."""
    found = page.evaluate(_OVERFLOW)
    assert found["scrollWidth"] <= found["innerWidth"], f"{page.url} scrolls sideways: {found}"
    assert_accessible(page, best_practice=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "390px"])
def test_analyst_from_home_to_the_matrix_a_funnel_and_the_library(
    page, region, assert_accessible, viewport
):
    page.set_viewport_size(viewport)
    member(region.ics, Role.ANALYST, username="ana", first_name="Ana")
    sign_in(page, "ana")
    expect(page.get_by_role("heading", name="Analysis")).to_be_visible()
    expect(page.get_by_text("The latest complete month is")).to_be_visible()
    _check(page, assert_accessible)

    # Home → the system view, most concerning first.
    page.get_by_role("link", name="System view, most concerning first").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("System view")
    table = page.get_by_role("region", name="System matrix")
    first_row = table.get_by_role("row").nth(1)
    expect(first_row.get_by_role("rowheader")).to_contain_text("Trust 5")
    concerns = table.get_by_role("columnheader", name="Concerns")
    expect(concerns).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_role("heading", name="Key")).to_be_visible()
    _check(page, assert_accessible)

    # Sorting by name is a link a keyboard reaches and follows; its header then says so.
    link = table.locator("thead a").first
    expect(link).to_have_accessible_name(re.compile("Organisation.*sort by name"))
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=name**")
    organisation = page.get_by_role("columnheader", name="Organisation")
    expect(organisation).to_have_attribute("aria-sort", "ascending")
    expect(
        page.get_by_role("region", name="System matrix").get_by_role("row").nth(1)
    ).to_contain_text("Trust 3")
    page.set_viewport_size(NARROW)
    _check(page, assert_accessible)
    page.set_viewport_size(viewport)

    # Home → compare organisations fairly → the harm funnel.
    page.goto("/")
    page.get_by_role("link", name="Compare organisations fairly").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare organisations fairly")
    _check(page, assert_accessible)
    page.get_by_role("link", name="Moderate or worse harm per 1,000 bed days").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Moderate or worse harm per 1,000 bed days"
    )
    expect(page.get_by_role("img", name="Funnel plot", exact=False)).to_be_visible()
    _check(page, assert_accessible)
    page.set_viewport_size(NARROW)
    _check(page, assert_accessible)
    page.set_viewport_size(viewport)

    # … and on to the indicator library.
    page.go_back()
    page.get_by_role("main").get_by_role("link", name="indicator library", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicator library")
    _check(page, assert_accessible)
