"""A board member opens their trust's board quality report, reads it, and can download it."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.browser.test_speakup import _reflows
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
    expect(chart.first).to_be_hidden()  # folded under its heading until asked for
    page.get_by_text("Show charts that need attention").click()
    expect(chart.first).to_be_visible()  # the full chart, then the summary table's sparkline
    page.get_by_text("Show patient safety").click()
    expect(page.get_by_text("1 Never Event in December 2025: Wrong-site surgery")).to_be_visible()
    expect(page.get_by_text("2 December 2025: Wrong-site surgery – Trust A")).to_be_visible()
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


VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_board_member_starts_from_the_summary(page, small_ics, assert_accessible, size):
    falls = Indicator.objects.create(
        code="falls_rate",
        name="Falls per 1,000 bed days",
        unit="rate",
        multiplier=1000,
        polarity="lower_is_better",
    )
    for i in range(24):
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=falls,
            period=dt.date(2024 + i // 12, i % 12 + 1, 1),
            numerator=30 if i < 23 else 60,  # a jump in the last month
            denominator=10_000,
        )
    EventFactory(organisation=small_ics.trust_a, occurred_on=dt.date(2025, 12, 2))
    member(small_ics.trust_a, Role.BOARD_MEMBER, username="david", first_name="David")
    page.set_viewport_size(VIEWPORTS[size])
    sign_in(page, "david")

    # Home: this month's report comes first, with one line of what changed and the PDF.
    first = page.get_by_role("heading", level=2).first
    expect(first).to_have_text("Board quality report: December 2025")
    expect(
        page.get_by_text("1 indicator needs attention (1 new since November 2025)")
    ).to_be_visible()
    pdf_link = page.get_by_role("link", name="Download the report as a PDF")
    assert pdf_link.get_attribute("href") == "/reports/TA/board.pdf?period=2025-12"
    assert_accessible(page)
    _reflows(page)
    assert_accessible(page, best_practice=True)
    page.set_viewport_size(VIEWPORTS[size])

    page.get_by_role("link", name="Read the December 2025 report").click()
    page.wait_for_load_state()
    summary = page.get_by_role("heading", name="Summary for the board")
    expect(summary).to_be_in_viewport()
    expect(page.get_by_role("heading", name="What changed since November 2025")).to_be_visible()
    expect(page.get_by_role("heading", name="What needs a decision")).to_be_visible()
    expect(
        page.get_by_text("1 indicator needs attention, 1 of them new since November 2025")
    ).to_be_visible()
    expect(page.get_by_text("Risks: no open risk is above appetite.")).to_be_visible()
    # The detail is folded: the page is short to scan, every section heading in view.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, height
    assert_accessible(page)
    page.get_by_role("link", name="Charts that need attention in this report").click()
    assert page.url.endswith("#attention")
    page.get_by_text("Show charts that need attention").click()
    expect(page.get_by_role("img", name="Falls per 1,000 bed days, Trust A").first).to_be_visible()
    assert_accessible(page)
    _reflows(page)
    assert_accessible(page, best_practice=True)
