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
    page.get_by_role("link", name="System view", exact=True).click()
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


def test_never_events_and_a_suggested_rebase_read_on_a_phone(page, small_ics, assert_accessible):
    """ADR 22: a g chart for Never Events, a suggested rebase, text that stays at body size on
    a narrow screen (the chart scrolls rather than shrinks), all axe-clean."""
    never = Indicator.objects.create(
        code="never_events",
        name="Never Events",
        unit="count",
        multiplier=1,
        polarity="lower_is_better",
        target=0,
    )
    reporting = Indicator.objects.create(
        code="reporting",
        name="Incidents reported per 1,000 bed days",
        unit="rate",
        multiplier=1000,
        polarity="higher_is_better",
    )
    levels = [20, 22, 19, 21, 20, 23, 18, 21] + [30, 32, 29, 31, 30, 33, 28, 31] * 2
    for i, level in enumerate(levels):
        period = dt.date(2024 + i // 12, i % 12 + 1, 1)
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=never,
            period=period,
            numerator=1 if i in (3, 14, 15) else 0,
        )
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=reporting,
            period=period,
            numerator=level,
            denominator=1000,
        )
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "priya")

    page.goto("/organisations/TA/indicators/never_events/")
    expect(page.get_by_text("too rare for a chart of monthly counts")).to_be_visible()
    expect(page.get_by_text("Zero is the aim", exact=False).first).to_be_visible()
    chart = page.locator("svg.spc-chart")
    assert chart.evaluate("e => e.getBoundingClientRect().width") == 720
    size = page.locator("svg.spc-chart text.y-label").first.evaluate(
        "e => e.getBoundingClientRect().height"
    )
    assert size >= 16  # a 19 px glyph box, not scaled down to the phone's width
    expect(page.get_by_role("region", name="Events data table")).to_be_visible()
    assert_accessible(page)

    page.goto("/organisations/TA/indicators/reporting/")
    expect(page.get_by_text("Has the process changed?")).to_be_visible()
    expect(page.get_by_label("Month the process changed")).to_have_value("2024-09-01")
    page.get_by_label("What changed").fill("Electronic reporting went live")
    assert_accessible(page)
    page.get_by_role("button", name="Record the change").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Electronic reporting went live")).to_be_visible()
    expect(page.get_by_text("Has the process changed?")).to_have_count(0)
