"""A board member reads the Making Data Count summary and opens a full SPC chart."""

from __future__ import annotations

import datetime as dt

import pytest

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
    assert page.get_by_role("heading", name="Measures: Making Data Count summary").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Friends and Family Test: positive").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Friends and Family Test: positive"
    assert page.get_by_role("img", name="Friends and Family Test: positive, Trust A").is_visible()
    assert "Special cause concern" in page.content()
    assert page.get_by_role("region", name="Monthly data table").is_visible()
    assert_accessible(page)
