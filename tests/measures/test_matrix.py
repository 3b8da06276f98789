"""The system matrix agrees with each organisation's own chart, and is scoped and filterable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from caresignals.measures.matrix import system_matrix
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.measures.series import monthly_series, spc_for
from caresignals.organisations.roles import Role
from caresignals.stats import spc
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(small_ics):
    fft = Indicator.objects.create(
        code="fft_positive",
        name="FFT positive",
        unit="proportion",
        multiplier=100,
        polarity="higher_is_better",
        target=90,
    )
    harm = Indicator.objects.create(
        code="harm", name="Harm rate", unit="rate", multiplier=1000, polarity="lower_is_better"
    )
    for org, shift in ((small_ics.trust_a, 0), (small_ics.trust_b, 1)):
        for i in range(24):
            if org == small_ics.trust_b and i == 7:
                continue  # a gap
            period = dt.date(2024 + i // 12, i % 12 + 1, 1)
            late = i >= 16 and shift
            MeasureValue.objects.create(
                organisation=org,
                indicator=fft,
                period=period,
                numerator=(80 if late else 93) + i % 3,
                denominator=100,
            )
            MeasureValue.objects.create(
                organisation=org,
                indicator=harm,
                period=period,
                numerator=5 + (i % 4) + (6 if late else 0),
                denominator=1000,
            )
    return small_ics


def test_every_cell_matches_the_organisations_own_chart(measured):
    icb = member(measured.ics, Role.ICB_QUALITY_LEAD)
    matrix = system_matrix(icb)
    assert [i.code for i in matrix.indicators] == ["fft_positive", "harm"]
    assert [r.organisation.code for r in matrix.rows] == ["TA", "TB"]
    for row in matrix.rows:
        for indicator, cell in zip(matrix.indicators, row.cells, strict=True):
            result = spc_for(
                monthly_series(MeasureValue.objects.all(), row.organisation, indicator)
            )
            icon, _ = spc.summary(result)
            assert cell.icon == icon
            assert cell.assurance == result.assurance
    tb = matrix.rows[1]
    assert tb.cells[0].icon == "special_cause_concern_low"  # FFT fell
    assert tb.cells[1].icon == "special_cause_concern_high"  # harm rose
    assert matrix.concerns == 2


def test_scoped_and_filtered(measured):
    staff = member(measured.trust_a, Role.STAFF)
    assert [r.organisation.code for r in system_matrix(staff).rows] == ["TA"]
    icb = member(measured.ics, Role.ICB_QUALITY_LEAD)
    assert [r.organisation.code for r in system_matrix(icb, place="PB").rows] == ["TB"]
    assert system_matrix(icb, type_="care_home").rows == []
    assert system_matrix(icb, level="services").rows == []


def test_the_page(measured):
    client = Client()
    client.force_login(member(measured.ics, Role.ICB_QUALITY_LEAD))
    html = client.get("/system/matrix/?level=nonsense&place=PB").content.decode()
    assert "Trust B" in html and "Trust A" not in html
    assert 'href="/organisations/TB/indicators/harm/"' in html
    assert "Harm rate, Trust B: Special cause concern" in html
    empty = client.get("/system/matrix/?type=care_home").content.decode()
    assert "No measures have been recorded for the organisations chosen" in empty


def test_a_recorded_rebase_is_honoured_in_the_matrix(measured):
    from caresignals.measures.models import ChartAnnotation

    tb_fft = Indicator.objects.get(code="fft_positive")
    ChartAnnotation.objects.create(
        organisation=measured.trust_b,
        indicator=tb_fft,
        period=dt.date(2025, 5, 1),
        note="New survey provider",
        created_by="t",
    )
    icb = member(measured.ics, Role.ICB_QUALITY_LEAD)
    cell = system_matrix(icb).rows[1].cells[0]
    result = spc_for(monthly_series(MeasureValue.objects.all(), measured.trust_b, tb_fft))
    assert cell.icon == spc.summary(result)[0]
    assert cell.icon != "special_cause_concern_low"  # the fall is the new normal after the change


def test_zero_as_the_aim_reads_the_same_in_the_matrix(small_ics):
    """ADR 22: no "consistently failing" against a target of 0 for rare events or counts whose
    limits touch 0, in the matrix as on each chart."""
    never = Indicator.objects.create(
        code="never_events", name="Never Events", unit="count", multiplier=1,
        polarity="lower_is_better", target=0,
    )  # fmt: skip
    falls = Indicator.objects.create(
        code="falls", name="Falls", unit="count", multiplier=1,
        polarity="lower_is_better", target=0,
    )  # fmt: skip
    for i in range(24):
        period = dt.date(2024 + i // 12, i % 12 + 1, 1)
        for org in (small_ics.trust_a, small_ics.trust_b):
            MeasureValue.objects.create(
                organisation=org, indicator=never, period=period, numerator=int(i in (5, 17))
            )
            many = 40 + i % 5 if org == small_ics.trust_b else i % 4  # B: far above 0
            MeasureValue.objects.create(
                organisation=org, indicator=falls, period=period, numerator=many
            )
    raw = spc.xmr([int(i in (5, 17)) for i in range(24)], improvement="decrease", target=0)
    assert raw.assurance == "consistent_fail"
    matrix = system_matrix(member(small_ics.ics, Role.ICB_QUALITY_LEAD))
    cells = {
        (r.organisation.code, i.code): c
        for r in matrix.rows
        for i, c in zip(matrix.indicators, r.cells, strict=True)
    }
    assert cells[("TA", "never_events")].assurance is None
    assert cells[("TA", "falls")].assurance is None  # limits touch 0
    assert cells[("TB", "falls")].assurance == "consistent_fail"  # 40 a month never reach 0
    for (code, ind_code), cell in cells.items():
        org = small_ics.trust_a if code == "TA" else small_ics.trust_b
        indicator = never if ind_code == "never_events" else falls
        series = monthly_series(MeasureValue.objects.all(), org, indicator)
        assert cell.assurance == spc_for(series).assurance
