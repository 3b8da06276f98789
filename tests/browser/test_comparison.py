"""An ICB quality lead compares every maternity service's Friends and Family Test result."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member
from tests.measures.test_comparison import PROPORTIONS, _indicator, _load

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def units(small_ics):
    from tests.factories import OrganisationFactory

    found = {"TA-MAT": small_ics.maternity_a, "TB-MAT": small_ics.maternity_b}
    for k in range(3, 9):
        trust = OrganisationFactory(
            code=f"T{k}", name=f"Trust {k}", type="acute_trust", parent=small_ics.place_b
        )
        found[f"M{k}"] = OrganisationFactory(
            code=f"M{k}", name=f"Maternity {k}", kind="service", type="maternity", parent=trust
        )
    return found


def test_icb_quality_lead_compares_maternity_services(page, small_ics, units, assert_accessible):
    indicator = _indicator("fft_positive", "proportion", "higher_is_better", 100)
    _load(indicator, units, PROPORTIONS)
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="grace", first_name="Grace")
    sign_in(page, "grace")

    page.goto("/organisations/indicators/fft_positive/comparison/")
    assert page.get_by_role("heading", level=1).inner_text() == "Fft positive"
    chart = page.get_by_role(
        "img", name="Funnel plot: Fft positive, maternity services", exact=False
    )
    expect(chart).to_be_visible()
    summary = page.get_by_role("paragraph").filter(has_text="a concern: Maternity 5 (80.0%)")
    expect(summary).to_be_visible()
    expect(page.get_by_role("region", name="Comparison data table")).to_be_visible()
    assert_accessible(page)

    # Choosing a month re-draws the comparison for the year to that month.
    page.get_by_label("Last month of the 12 compared").select_option("2026-05")
    page.get_by_role("button", name="Show comparison").click()
    page.wait_for_load_state()
    page.wait_for_url("**period=2026-05")
    assert page.get_by_role("heading", name="June 2025 to May 2026", exact=False).count() == 0
    expect(
        page.get_by_role("heading", name="November 2025 to May 2026", exact=False)
    ).to_be_visible()
    assert_accessible(page)

    # A mistyped month shows the error summary, not a failure.
    page.goto("/organisations/indicators/fft_positive/comparison/?period=2026-13")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    page.goto("/organisations/indicators/fft_positive/comparison/")
    page.get_by_role("link", name="Maternity 5").click()
    page.wait_for_load_state()
    page.wait_for_url("**/organisations/M5/indicators/fft_positive/")
    assert page.get_by_role("heading", level=1).inner_text() == "Fft positive"
