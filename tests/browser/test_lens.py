"""An ICB quality lead opens the inequality lens for a place and reads it, with axe checking."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import EventFactory, member

pytestmark = pytest.mark.django_db(transaction=True)


def test_icb_quality_lead_reads_the_inequality_lens_for_a_place(page, small_ics, assert_accessible):
    sepsis = Indicator.objects.create(
        code="sepsis_30d_mortality",
        name="Sepsis: death within 30 days of admission",
        unit="proportion",
        multiplier=100,
        polarity="lower_is_better",
    )
    for i in range(24):
        for q, (deaths, admissions) in enumerate([(11, 40), (8, 35), (7, 35), (6, 35), (5, 35)]):
            MeasureValue.objects.create(
                organisation=small_ics.trust_a,
                indicator=sepsis,
                period=dt.date(2025 + i // 12, i % 12 + 1, 1),
                stratum_type="imd_quintile",
                stratum=str(q + 1),
                numerator=deaths + (i + q) % 3 - 1,
                denominator=admissions,
            )
    for quintile, n in ((1, 40), (2, 12), (3, 3), (5, 15), (None, 9)):
        for k in range(n):
            EventFactory(
                organisation=small_ics.trust_a,
                imd_quintile=quintile,
                occurred_on=dt.date(2026, 1 + k % 12, 1),
                patient_age_years=20 + k,
            )
    member(
        small_ics.ics,
        Role.ICB_QUALITY_LEAD,
        username="helen",
        first_name="Helen",
        last_name="Armstrong",
    )
    sign_in(page, "helen")
    page.goto("/organisations/PA/inequalities/")

    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Health inequalities and patient safety"
    )
    expect(
        page.get_by_role(
            "heading", name="Sepsis: death within 30 days of admission, by deprivation quintile"
        )
    ).to_be_visible()
    assert "times as likely in the most deprived fifth of areas" in page.content()
    expect(
        page.get_by_role(
            "img",
            name="Sepsis: death within 30 days of admission by deprivation quintile, January 2026 to December 2026",
        )
    ).to_be_visible()
    expect(
        page.get_by_role("region", name="Patient-safety events by deprivation: table")
    ).to_be_visible()
    # The ICB's quality lead reads the records across providers: the 3 events in quintile 3
    # are shown as they are, not suppressed (scoping.sees_exact_counts).
    assert "Counts are exact" in page.content()
    assert 'numeric">suppressed</td>' not in page.content()
    assert_accessible(page)

    page.get_by_text("How this is calculated").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("Wilson score confidence intervals")).to_be_visible()

    page.get_by_label("Months to include").select_option("6")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    assert "from July 2026 to December 2026" in page.content()
    assert_accessible(page)

    page.get_by_label("Last month (optional)").fill("December")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_role(
        "link", name="Enter the last month as a year and month, for example 2026-09"
    ).click()
    assert_accessible(page)
