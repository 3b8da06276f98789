"""The funnel plot comparison: the page must show what `funnels.spiegelhalter` computes.

Each test builds eight maternity services (one in Trust A, seven in other trusts) with a
year of values, one clearly low and one clearly high, and compares the page with the
library called directly.
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from caresignals.measures.comparison import MIN_UNITS, funnel_page
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from caresignals.stats import funnels
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db

PERIODS = [dt.date(2025 + (10 + i) // 12, (10 + i) % 12 + 1, 1) for i in range(13)]
"""November 2025 to November 2026: 13 months, so a 12-month window leaves one out."""

# Per-month numerator and denominator for each unit (proportions: positive responses).
PROPORTIONS = {
    "TA-MAT": (88, 100),
    "TB-MAT": (186, 200),
    "M3": (132, 150),
    "M4": (56, 60),
    "M5": (240, 300),  # 80%: clearly low
    "M6": (120, 130),
    "M7": (297, 300),  # 99%: clearly high
    "M8": (97, 110),
}

# Per-month events and bed days for a rate per 1,000 bed days.
RATES = {
    "TA-MAT": (9, 1000),
    "TB-MAT": (20, 2000),
    "M3": (14, 1500),
    "M4": (6, 600),
    "M5": (45, 1500),  # 30 per 1,000: clearly high
    "M6": (12, 1300),
    "M7": (0, 500),  # no events at all
    "M8": (11, 1100),
}


@pytest.fixture
def maternity(small_ics):
    """Six more maternity services, each in its own trust in place B."""
    units = {"TA-MAT": small_ics.maternity_a, "TB-MAT": small_ics.maternity_b}
    for k in range(3, 9):
        trust = OrganisationFactory(
            code=f"T{k}", name=f"Trust {k}", type="acute_trust", parent=small_ics.place_b
        )
        units[f"M{k}"] = OrganisationFactory(
            code=f"M{k}",
            name=f"Maternity {k}",
            kind="service",
            type="maternity",
            parent=trust,
        )
    return units


def _indicator(code: str, unit: str, polarity: str, multiplier: float) -> Indicator:
    return Indicator.objects.create(
        code=code,
        name=code.replace("_", " ").capitalize(),
        unit=unit,
        multiplier=multiplier,
        polarity=polarity,
        numerator_definition="Things counted",
        denominator_definition="Occupied bed days" if unit == "rate" else "Responses",
    )


def _load(indicator: Indicator, units, data, periods=PERIODS) -> None:
    for code, (num, den) in data.items():
        for period in periods:
            MeasureValue.objects.create(
                organisation=units[code],
                indicator=indicator,
                period=period,
                numerator=num,
                denominator=den,
            )


@pytest.fixture
def fft(maternity):
    indicator = _indicator("fft_positive", "proportion", "higher_is_better", 100)
    _load(indicator, maternity, PROPORTIONS)
    return indicator


@pytest.fixture
def harm(maternity):
    indicator = _indicator("harm_rate", "rate", "lower_is_better", 1000)
    _load(indicator, maternity, RATES)
    return indicator


@pytest.fixture
def icb_lead(small_ics):
    return member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="ilona")


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def _sums(data, months=12):
    codes = sorted(data, key=lambda c: _names()[c])
    num = np.array([data[c][0] * months for c in codes], dtype=float)
    den = np.array([data[c][1] * months for c in codes], dtype=float)
    return codes, num, den


def _names():
    return {
        "TA-MAT": "Maternity A",
        "TB-MAT": "Maternity B",
        **{f"M{k}": f"Maternity {k}" for k in range(3, 9)},
    }


# --------------------------------------------------------------------------- proportions


def test_proportions_are_what_spiegelhalter_computes(fft, icb_lead):
    page = funnel_page(icb_lead, "fft_positive", org_type=None, period_end=None)
    codes, num, den = _sums(PROPORTIONS)
    # Eight units: Winsorised at 1/7, so that exactly the most extreme one each end is pulled in.
    options = {"data_type": "PR", "multiplier": 100, "trim_by": 1 / 7}
    want = funnels.spiegelhalter(num, den, limit=99, **options)
    want95 = funnels.spiegelhalter(num, den, limit=95, **options)

    assert page.org_type == "maternity" and page.type_label == "maternity services"
    assert page.period_end == dt.date(2026, 11, 1) and page.period_start == dt.date(2025, 12, 1)
    assert [u.code for u in page.units] == codes
    assert page.data_type == "PR"
    assert page.centre == pytest.approx(want.target, rel=1e-12)
    assert page.phi == pytest.approx(want.phi, rel=1e-12)
    assert page.tau2 == pytest.approx(want.tau2, rel=1e-12)
    assert page.adjusted is want.adjusted is True
    for i, unit in enumerate(page.units):
        assert unit.months == 12
        assert unit.numerator == num[i] and unit.denominator == den[i]
        assert unit.value == pytest.approx(want.ratio[i], rel=1e-12)
        assert unit.z_adjusted == pytest.approx(want.z_adjusted[i], rel=1e-12)
        assert unit.z == pytest.approx(want.z[i], rel=1e-12)
        for name in ("lower95", "upper95", "lower998", "upper998"):
            assert getattr(unit, name) == pytest.approx(getattr(want, name)[i], rel=1e-12)
        assert unit.outlier == want.outlier[i]
        assert unit.outlier95 == want95.outlier[i]
    # The drawn curves are the library's own.
    grid = [500.0, 1500.0, 3000.0]
    drawn, direct = page.limits_at(grid), want.limits_at(grid)
    np.testing.assert_allclose(drawn.upper998, direct.upper998, rtol=1e-12)
    np.testing.assert_allclose(drawn.lower95, direct.lower95, rtol=1e-12)


def test_outliers_are_named_by_polarity(fft, icb_lead):
    page = funnel_page(icb_lead, "fft_positive", org_type="maternity", period_end=None)
    by_code = {u.code: u for u in page.units}
    assert by_code["M5"].outlier == "low" and by_code["M5"].verdict == "concern"
    assert by_code["M7"].outlier == "high" and by_code["M7"].verdict == "better"
    assert by_code["M5"].verdict_text == "Concern: below the lower 99.8% limit"
    assert by_code["M7"].verdict_text == "Better than expected: above the upper 99.8% limit"
    assert [u.code for u in page.outliers] == ["M5", "M7"]
    assert (
        "1 of 8 maternity services is above the upper 99.8% limit, better than expected: "
        "Maternity 7 (99.0%)." in page.summary
    )
    assert (
        "1 of 8 maternity services is below the lower 99.8% limit, a concern: "
        "Maternity 5 (80.0%)." in page.summary
    )

    # The same numbers where lower is better: the same units, the verdicts swapped.
    fft.polarity = "lower_is_better"
    fft.save()
    page = funnel_page(icb_lead, "fft_positive", org_type="maternity", period_end=None)
    by_code = {u.code: u for u in page.units}
    assert by_code["M5"].verdict == "better" and by_code["M7"].verdict == "concern"

    fft.polarity = "neutral"
    fft.save()
    page = funnel_page(icb_lead, "fft_positive", org_type="maternity", period_end=None)
    by_code = {u.code: u for u in page.units}
    assert by_code["M5"].verdict == "lower" and by_code["M7"].verdict == "higher"
    assert "neither better nor worse" in page.summary


def test_page_shows_the_numbers_and_links(fft, icb_lead, client_for):
    response = client_for(icb_lead).get(
        reverse("measures:funnel", args=["fft_positive"]), {"type": "maternity"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    page = funnel_page(icb_lead, "fft_positive", org_type="maternity", period_end=None)
    assert page.summary in html
    assert 'role="img"' in html and "<figure" in html
    assert 'aria-label="Comparison data table"' in html
    assert 'href="/organisations/M5/indicators/fft_positive/"' in html
    assert "Concern: below the lower 99.8% limit" in html
    assert "Winsorising" in html
    for unit in page.units:
        assert unit.name in html and unit.value_text in html


def test_period_chooses_the_window(fft, icb_lead):
    page = funnel_page(
        icb_lead, "fft_positive", org_type="maternity", period_end=dt.date(2026, 5, 1), months=3
    )
    assert page.period_start == dt.date(2026, 3, 1) and page.period_end == dt.date(2026, 5, 1)
    assert all(u.months == 3 for u in page.units)
    assert {u.code: u.numerator for u in page.units}["M5"] == 240 * 3
    # A window running off the start of the data counts only the months there are.
    page = funnel_page(
        icb_lead, "fft_positive", org_type="maternity", period_end=dt.date(2025, 12, 1)
    )
    assert page.period_start == dt.date(2025, 11, 1)
    assert all(u.months == 2 for u in page.units)


# --------------------------------------------------------------------------- rates


def test_rates_are_indirectly_standardised(harm, icb_lead, client_for):
    page = funnel_page(icb_lead, "harm_rate", org_type="maternity", period_end=None)
    codes, num, den = _sums(RATES)
    pooled = num.sum() / den.sum()
    expected = den * pooled
    observed = np.where(num > 0, num, np.nan)
    options = {
        "data_type": "SR",
        "sr_method": "SHMI",
        "shmi_rounding": False,
        "multiplier": pooled * 1000,
        # Seven units with events: SHMI groups of 1/7 set aside exactly one at each end.
        "trim_by": 1 / 7 + 1e-9,
    }
    want = funnels.spiegelhalter(observed, expected, limit=99, **options)
    want95 = funnels.spiegelhalter(observed, expected, limit=95, **options)

    assert page.data_type == "SR" and page.is_rate
    assert page.centre == pytest.approx(pooled * 1000, rel=1e-12)
    assert page.phi == pytest.approx(want.phi, rel=1e-12) and math.isfinite(page.phi)
    assert page.tau2 == pytest.approx(want.tau2, rel=1e-12)
    for i, unit in enumerate(page.units):
        assert unit.code == codes[i]
        assert unit.expected == pytest.approx(expected[i], rel=1e-12)
        # The ratio × pooled rate is the organisation's own crude rate.
        assert unit.value == pytest.approx(num[i] / den[i] * 1000, rel=1e-12)
        if num[i] > 0:
            assert unit.value == pytest.approx(want.ratio[i], rel=1e-12)
            assert unit.upper998 == pytest.approx(want.upper998[i], rel=1e-12)
            assert unit.z_adjusted == pytest.approx(want.z_adjusted[i], rel=1e-12)
            assert unit.outlier == want.outlier[i]
            assert unit.outlier95 == want95.outlier[i]
    by_code = {u.code: u for u in page.units}
    assert by_code["M5"].outlier == "high" and by_code["M5"].verdict == "concern"
    assert "a concern: Maternity 5 (30.0 per 1,000)" in page.summary

    # No events: no log ratio, judged against the library's limits at its expected count.
    none = by_code["M7"]
    assert none.value == 0 and none.z is None and none.z_adjusted is None
    at = want.limits_at([none.expected])
    assert none.lower998 == pytest.approx(at.lower998[0], rel=1e-12)
    assert none.upper95 == pytest.approx(at.upper95[0], rel=1e-12)
    assert none.outlier == ("low" if at.lower998[0] > 0 else "")

    html = client_for(icb_lead).get(reverse("measures:funnel", args=["harm_rate"])).content
    assert b"Expected" in html and b"SHMI" in html and b"cannot be put on the log scale" in html


# --------------------------------------------------------------------------- who sees what


def test_trust_member_is_told_a_comparison_needs_a_wider_view(fft, small_ics, client_for):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya")
    page = funnel_page(lead, "fft_positive", org_type=None, period_end=None)
    assert [u.code for u in page.units] == []
    assert not page.whole_system and not page.has_chart
    assert f"at least {MIN_UNITS} maternity services" in page.refusal
    assert "the ICB quality team" in page.refusal
    response = client_for(lead).get(reverse("measures:funnel", args=["fft_positive"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No fair comparison here" in html
    assert "Maternity 5" not in html and "Maternity B" not in html and "<figure" not in html
    assert "Maternity services (1)" in html  # their own unit, counted, and nothing else


def test_a_wider_but_partial_view_compares_only_what_it_may_see(fft, small_ics, maternity):
    """A place member sees the seven units in place B: the limits come from those alone."""
    viewer = member(small_ics.place_b, Role.ANALYST, username="pat")
    page = funnel_page(viewer, "fft_positive", org_type="maternity", period_end=None)
    assert "TA-MAT" not in [u.code for u in page.units] and len(page.units) == 7
    seen = {k: v for k, v in PROPORTIONS.items() if k != "TA-MAT"}
    _, num, den = _sums(seen)
    want = funnels.spiegelhalter(num, den, data_type="PR", multiplier=100, limit=99, trim_by=1 / 6)
    assert page.centre == pytest.approx(want.target, rel=1e-12)
    assert not page.whole_system


def test_icb_member_sees_every_unit(fft, icb_lead):
    page = funnel_page(icb_lead, "fft_positive", org_type=None, period_end=None)
    assert page.whole_system and len(page.units) == 8 and page.has_chart


def test_sign_in_is_required(fft):
    response = Client().get(reverse("measures:funnel", args=["fft_positive"]))
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


# --------------------------------------------------------------------------- refusals and errors


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"type": "zzz"}, "Choose a type of organisation from the list"),
        ({"type": "<script>"}, "Choose a type of organisation from the list"),
        ({"type": "acute_trust"}, "Choose a type of organisation from the list"),
        ({"period": "2026-13"}, "Enter the month as a year and month, for example 2026-10"),
        ({"period": "October"}, "Enter the month as a year and month, for example 2026-10"),
        ({"period": "0000-01"}, "Enter the month as a year and month, for example 2026-10"),
        ({"period": "2030-01"}, "Choose a month from November 2025 to November 2026"),
    ],
)
def test_bad_query_parameters_show_the_form_with_errors(fft, icb_lead, client_for, query, message):
    response = client_for(icb_lead).get(reverse("measures:funnel", args=["fft_positive"]), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert "nhsuk-error-message" in html  # beside the field too
    assert (
        "<figure" not in html and "<script>" not in html.split("</header>")[1].split("<footer")[0]
    )


def test_counts_are_refused_clearly(maternity, icb_lead, client_for):
    births = _indicator("births", "count", "neutral", 1)
    for code in maternity:
        MeasureValue.objects.create(
            organisation=maternity[code], indicator=births, period=PERIODS[0], numerator=300
        )
    page = funnel_page(icb_lead, "births", org_type=None, period_end=None)
    assert "would compare size rather than quality" in page.refusal and not page.units
    response = client_for(icb_lead).get(reverse("measures:funnel", args=["births"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "No fair comparison here" in html and "<figure" not in html and 'method="get"' not in html
    )


def test_unknown_or_unseen_indicators_are_not_found(fft, small_ics, icb_lead, client_for):
    assert client_for(icb_lead).get(reverse("measures:funnel", args=["nope"])).status_code == 404
    _indicator("empty_rate", "rate", "lower_is_better", 1000)
    url = reverse("measures:funnel", args=["empty_rate"])
    assert client_for(icb_lead).get(url).status_code == 404


def test_the_same_value_everywhere_is_said_plainly(maternity, icb_lead):
    flat = _indicator("flat", "proportion", "higher_is_better", 100)
    _load(flat, maternity, {c: (50, 50) for c in maternity}, periods=PERIODS[:1])
    page = funnel_page(icb_lead, "flat", org_type=None, period_end=None)
    assert "nothing to compare" in page.refusal and not page.has_chart


# --------------------------------------------------------------------------- the chart


def test_chart_is_accessible_svg(fft, icb_lead):
    page = funnel_page(icb_lead, "fft_positive", org_type=None, period_end=None)
    svg = str(page.chart_svg)
    root = ET.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{ns}title").get("id") == title_id
    assert (
        root.find(f"{ns}desc").text == page.summary and root.find(f"{ns}desc").get("id") == desc_id
    )
    assert (
        "<script" not in svg
        and "@font-face" not in svg
        and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    )
    points = [el for el in root.iter() if "pt" in (el.get("class") or "").split()]
    assert len(points) == 8
    tips = [el.find(f"{ns}title").text for el in points]
    assert any(t.startswith("Maternity 5: 80.0% (2,880 of 3,600). Concern") for t in tips)
    kinds = {el.get("class").split()[1]: el.tag.removeprefix(ns) for el in points}
    assert kinds["concern"] == "rect" and kinds["better"] == "path" and kinds["common"] == "circle"
    legend = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "Concern (beyond 99.8%)" in legend and "99.8% limits" in legend
    assert "95% limits" in legend and "Average of all (90.1%)" in legend
    # Deterministic: the same page draws the same bytes.
    again = funnel_page(icb_lead, "fft_positive", org_type=None, period_end=None)
    assert str(again.chart_svg) == svg
