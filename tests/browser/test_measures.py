"""A board member reads the Making Data Count summary and opens a full SPC chart."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_board_member_reads_the_summary_and_a_chart(page, small_ics, assert_accessible):
    indicator = Indicator.objects.create(
        code="fft_positive",
        name="Friends and Family Test: positive",
        unit="proportion",
        multiplier=100,
        polarity="higher_is_better",
        target=90,
    )
    for i in range(24):
        positive = 92 if i < 16 else 80  # a fall in the last eight months
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=indicator,
            period=dt.date(2024 + i // 12, i % 12 + 1, 1),
            numerator=positive + (i % 3),
            denominator=100,
        )
    member(
        small_ics.trust_a, Role.BOARD_MEMBER, username="david", first_name="David", last_name="L"
    )
    sign_in(page, "david")
    page.goto("/organisations/TA/")
    expect(page.get_by_role("heading", name="Measures: Making Data Count summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Friends and Family Test: positive").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Friends and Family Test: positive"
    expect(
        page.get_by_role("img", name="Friends and Family Test: positive, Trust A")
    ).to_be_visible()
    assert "Special cause concern" in page.content()
    expect(page.get_by_role("region", name="Monthly data table")).to_be_visible()
    assert_accessible(page)


def test_icb_quality_lead_reads_the_system_matrix(page, small_ics, assert_accessible):
    indicator = Indicator.objects.create(
        code="harm",
        name="Moderate harm per 1,000 bed days",
        unit="rate",
        multiplier=1000,
        polarity="lower_is_better",
    )
    for org in (small_ics.trust_a, small_ics.trust_b):
        for i in range(20):
            MeasureValue.objects.create(
                organisation=org,
                indicator=indicator,
                period=dt.date(2024 + i // 12, i % 12 + 1, 1),
                numerator=5 + i % 3 + (8 if org == small_ics.trust_b and i > 12 else 0),
                denominator=1000,
            )
    member(
        small_ics.ics, Role.ICB_QUALITY_LEAD, username="helen", first_name="Helen", last_name="A"
    )
    sign_in(page, "helen")
    page.get_by_role("link", name="System view").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "System view"
    expect(
        page.get_by_role(
            "link", name="Moderate harm per 1,000 bed days, Trust B: Special cause concern"
        )
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Place").select_option("PA")
    page.get_by_role("button", name="Update the view").click()
    page.wait_for_load_state()
    assert "Trust B" not in page.get_by_role("region", name="System matrix").inner_text()
    assert_accessible(page)


def test_patient_safety_lead_records_a_change_on_a_chart(page, small_ics, assert_accessible):
    indicator = Indicator.objects.create(
        code="falls",
        name="Falls per 1,000 bed days",
        unit="rate",
        multiplier=1000,
        polarity="lower_is_better",
    )
    for i in range(20):
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=indicator,
            period=dt.date(2024 + i // 12, i % 12 + 1, 1),
            numerator=5 + i % 3,
            denominator=1000,
        )
    member(
        small_ics.trust_a,
        Role.PATIENT_SAFETY_LEAD,
        username="priya",
        first_name="Priya",
        last_name="R",
    )
    sign_in(page, "priya")
    page.goto("/organisations/TA/indicators/falls/")
    page.get_by_role("button", name="Record the change").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Month the process changed").select_option("2025-03-01")
    page.get_by_label("What changed").fill("Ward moved to a new building")
    page.get_by_role("button", name="Record the change").click()
    page.wait_for_load_state()
    assert "The change has been recorded and the chart redrawn." in page.content()
    expect(page.get_by_role("heading", name="Changes recorded")).to_be_visible()
    assert_accessible(page)
