"""The ICB quality lead reads the month's watchlist, changes the month, and follows an entry's
evidence to its SPC chart; axe-clean throughout."""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from caresignals.signals.watchlist.panel import month_range
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member
from tests.signals.panel_factories import store_closed_culture_ward, store_series

pytestmark = pytest.mark.django_db(transaction=True)

MONTHS = month_range("2024-11", "2026-10")


def test_icb_lead_reads_the_watchlist(page, small_ics, assert_accessible):
    rng = np.random.default_rng(5)
    n = len(MONTHS)
    harm = rng.poisson(3, n)
    incidents = harm + rng.poisson(40, n)
    harm[-1], incidents[-1] = 16, 24
    store_series(small_ics.maternity_a, MONTHS, harm.tolist(), incidents.tolist())
    store_closed_culture_ward(small_ics.trust_b, MONTHS)
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="iris", first_name="Iris")
    sign_in(page, "iris")

    page.get_by_role("link", name="Watchlist").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Watchlist: October 2026")
    expect(page.get_by_role("heading", name="1. Maternity A")).to_be_visible()
    expect(page.get_by_text("High concern").first).to_be_visible()
    expect(page.get_by_role("rowheader", name="Reporting falling while harm rises")).to_be_visible()
    assert_accessible(page)

    # The LD ward: closed-culture signs with their evidence, and questions for a visit.
    expect(page.get_by_role("heading", name="2. Ash Ward")).to_be_visible()
    page.get_by_text("Closed-culture risk:").click()
    expect(page.get_by_role("rowheader", name="High use of agency staff")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Questions for a visit: what no data can show")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Month").select_option("2025-05")
    page.get_by_role("button", name="Show watchlist").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Watchlist: May 2025")
    expect(page.get_by_role("heading", name="No signals this month")).to_be_visible()
    assert_accessible(page)

    page.goto("/signals/watchlist/?period=2026-10")
    page.get_by_role("link", name="SPC chart of moderate-or-worse harm at TA-MAT").click()
    page.wait_for_load_state()
    assert "/organisations/TA-MAT/indicators/moderate_harm_rate/" in page.url
