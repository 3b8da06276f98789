"""A board member opens their trust's board quality report, reads it, and can download it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import EventFactory, member

pytestmark = pytest.mark.django_db(transaction=True)


def test_board_member_reads_the_board_report(page, small_ics, assert_accessible):
    fft = Indicator.objects.create(
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
            organisation=small_ics.maternity_a,
            indicator=fft,
            period=dt.date(2024 + i // 12, i % 12 + 1, 1),
            numerator=positive + (i % 3),
            denominator=100,
        )
    EventFactory(
        organisation=small_ics.trust_a,
        occurred_on=dt.date(2025, 12, 2),
        physical_harm="severe",
        never_event_type="wrong_site_surgery",
    )
    member(small_ics.trust_a, Role.BOARD_MEMBER, username="david", first_name="David")
    sign_in(page, "david")

    page.goto("/reports/TA/board/")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Board quality report: December 2025"
    )
    expect(page.get_by_role("heading", name="Charts that need attention")).to_be_visible()
    chart = page.get_by_role("img", name="Friends and Family Test: positive, Maternity A")
    expect(chart.first).to_be_visible()  # the full chart, then the summary table's sparkline
    expect(page.get_by_text("Wrong-site surgery")).to_be_visible()
    download = page.get_by_role("button", name="Download PDF")
    assert download.get_attribute("href") == "/reports/TA/board.pdf?period=2025-12"
    assert_accessible(page)

    page.get_by_label("Month of the report").fill("2025-06")
    page.get_by_role("button", name="Show report").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Board quality report: June 2025"
    assert_accessible(page)

    page.get_by_label("Month of the report").fill("June")
    page.get_by_role("button", name="Show report").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    response = page.goto("/reports/TB/board/")
    assert response.status == 404
