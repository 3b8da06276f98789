"""The inequality lens: the page shows what `caresignals.stats` computes, small counts are
suppressed, events of unknown deprivation are counted, and other trusts' pages are not found.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from django.http import Http404
from django.test import Client

from caresignals.measures import lens
from caresignals.measures.lens_chart import ChartRow, interval_chart_svg
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from caresignals.stats import inequality, intervals, spc
from tests.factories import EventFactory, OrganisationFactory, member

pytestmark = pytest.mark.django_db

END = dt.date(2026, 12, 1)
MONTHS = [dt.date(2026, m, 1) for m in range(1, 13)]
# Sepsis admissions and deaths a month by quintile 1..5: a gradient of about 2.
ADMISSIONS = [40, 30, 30, 30, 30]
DEATHS = [10, 7, 6, 5, 4]
# Detentions a month by ethnic group, with person-years (population / 12).
DETENTIONS = {"white": 60, "asian": 4, "black": 3, "mixed": 1}
PERSON_YEARS = {"white": 100_000, "asian": 5_000, "black": 1_500, "mixed": 2_000}


@pytest.fixture
def sepsis(small_ics):
    ind = Indicator.objects.create(
        code="sepsis_30d_mortality",
        name="Sepsis: death within 30 days of admission",
        unit="proportion",
        multiplier=100,
        polarity="lower_is_better",
    )
    for org in (small_ics.trust_a, small_ics.trust_b):
        for i, month in enumerate(MONTHS):
            for q in range(5):
                wobble = (i + q) % 3 - 1  # a little month-to-month noise
                MeasureValue.objects.create(
                    organisation=org,
                    indicator=ind,
                    period=month,
                    stratum_type="imd_quintile",
                    stratum=str(q + 1),
                    numerator=DEATHS[q] + wobble,
                    denominator=ADMISSIONS[q],
                )
    return ind


@pytest.fixture
def detentions(small_ics):
    ind = Indicator.objects.create(
        code="mha_detention_rate",
        name="Mental Health Act detentions per 100,000 a year",
        unit="rate",
        multiplier=100_000,
        polarity="neutral",
    )
    for month in MONTHS:
        for group, n in DETENTIONS.items():
            MeasureValue.objects.create(
                organisation=small_ics.trust_a,
                indicator=ind,
                period=month,
                stratum_type="ethnic_group",
                stratum=group,
                numerator=n if group != "mixed" else (1 if month.month <= 5 else 0),
                denominator=PERSON_YEARS[group] / 12,
            )
    return ind


@pytest.fixture
def icb_lead(small_ics):
    return member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="helen")


@pytest.fixture
def trust_a_lead(small_ics):
    return member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya")


def _window(org_codes_factor: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Deaths and admissions over the year for one trust, per quintile."""
    deaths = np.array(
        [sum(DEATHS[q] + (i + q) % 3 - 1 for i in range(12)) for q in range(5)], dtype=float
    )
    admissions = np.array([a * 12 for a in ADMISSIONS], dtype=float)
    return deaths * org_codes_factor, admissions * org_codes_factor


# --------------------------------------------------------------------------- disclosure


@pytest.mark.parametrize(
    ("count", "shown", "suppressed", "text"),
    [
        (0, 0, False, "0"),
        (1, None, True, "suppressed"),
        (7, None, True, "suppressed"),
        (8, 10, False, "10"),
        (12, 10, False, "10"),
        (13, 15, False, "15"),
        (1234, 1235, False, "1,235"),
    ],
)
def test_counts_are_suppressed_below_eight_and_rounded_to_five(count, shown, suppressed, text):
    c = lens.disclose(count)
    assert (c.shown, c.suppressed, c.text) == (shown, suppressed, text)


def test_the_threshold_comes_from_settings(settings):
    settings.CARESIGNALS_SUPPRESS_BELOW = 3
    assert lens.disclose(3).text == "5"
    assert lens.disclose(2).suppressed


# --------------------------------------------------------------------------- section 1


def test_stratified_proportion_matches_the_statistics_library(sepsis, trust_a_lead):
    page = lens.lens_page(trust_a_lead, "TA", months=12, period_end=END)
    assert page.period_start == dt.date(2026, 1, 1)
    [m] = page.measures
    assert m.stratum_type == "imd_quintile"
    deaths, admissions = _window()
    ci = intervals.proportion(deaths, admissions, multiplier=100)
    for i, row in enumerate(m.rows):
        assert row.key == str(i + 1)
        assert row.estimate.value == pytest.approx(ci.value[i], rel=1e-12)
        assert row.estimate.lower == pytest.approx(ci.lower[i], rel=1e-12)
        assert row.estimate.upper == pytest.approx(ci.upper[i], rel=1e-12)
    rr = intervals.rate_ratio(deaths[0], admissions[0], deaths[4], admissions[4])
    q1 = m.rows[0].ratio
    assert (q1.value, q1.lower, q1.upper) == pytest.approx((rr.value, rr.lower, rr.upper))
    assert m.rows[4].is_reference and m.rows[4].ratio is None
    assert m.ratio_name == "risk ratio"
    assert m.summary.startswith(
        f"Sepsis deaths within 30 days are {rr.value:.1f} times as likely in the most deprived "
        f"fifth of areas as in the least deprived (95% confidence interval {rr.lower:.1f} to "
        f"{rr.upper:.1f})."
    )

    # SII: population-weighted by the denominators, oriented most minus least deprived.
    p = intervals.proportion(deaths, admissions)
    expected = inequality.sii(
        np.arange(1, 6),
        admissions,
        deaths / admissions,
        value_type="proportion",
        lower=p.lower,
        upper=p.upper,
        multiplier=-100,
        seed=lens.SII_SEED,
    )
    assert m.sii is not None
    assert m.sii.sii.value == pytest.approx(expected.sii, rel=1e-12)
    assert m.sii.sii.lower == pytest.approx(expected.sii_lower, rel=1e-12)
    assert m.sii.rii.value == pytest.approx(expected.rii, rel=1e-12)
    assert m.sii.rii.upper == pytest.approx(expected.rii_upper, rel=1e-12)
    assert m.sii.sii.value > 0 and m.sii.rii.value > 1  # worse in deprived areas

    # The gap by month: quintile 1 minus quintile 5, through spc.xmr.
    gap = [
        (DEATHS[0] + i % 3 - 1) / ADMISSIONS[0] * 100
        - (DEATHS[4] + (i + 4) % 3 - 1) / ADMISSIONS[4] * 100
        for i in range(12)
    ]
    direct = spc.xmr(gap, improvement="decrease", periods=MONTHS)
    assert m.gap is not None
    assert [r.gap for r in m.gap.rows] == pytest.approx(gap)
    assert [r.upper for r in m.gap.rows] == pytest.approx(list(direct.upl))
    assert m.gap.sentence == spc.summary(direct)[1]


def test_the_sii_is_reproducible(sepsis, trust_a_lead):
    a = lens.lens_page(trust_a_lead, "TA", period_end=END).measures[0].sii
    b = lens.lens_page(trust_a_lead, "TA", period_end=END).measures[0].sii
    assert a is not None and b is not None
    assert (a.sii.lower, a.rii.upper) == (b.sii.lower, b.rii.upper)


def test_a_place_or_ics_adds_up_its_trusts(sepsis, icb_lead):
    [m] = lens.lens_page(icb_lead, "ICS1", period_end=END).measures
    deaths, admissions = _window(2)  # two trusts with the same figures
    ci = intervals.proportion(deaths, admissions, multiplier=100)
    assert [r.estimate.value for r in m.rows] == pytest.approx(list(ci.value))
    assert m.sources == ["Trust A", "Trust B"]


def test_stratified_rate_compares_each_group_with_white(detentions, trust_a_lead):
    [m] = lens.lens_page(trust_a_lead, "TA", period_end=END).measures
    assert [r.key for r in m.rows] == ["white", "mixed", "asian", "black"]
    x = np.array([720, 5, 48, 36], dtype=float)
    n = np.array([100_000, 2_000, 5_000, 1_500], dtype=float)
    ci = intervals.rate(x, n, multiplier=100_000)
    rows = {r.key: r for r in m.rows}
    assert rows["black"].estimate.value == pytest.approx(ci.value[3])
    assert rows["black"].estimate.lower == pytest.approx(ci.lower[3])
    rr = intervals.rate_ratio(x[3], n[3], x[0], n[0])
    assert rows["black"].ratio.value == pytest.approx(rr.value)
    assert rows["black"].ratio.upper == pytest.approx(rr.upper)
    assert m.ratio_name == "rate ratio"
    assert m.sii is None  # the slope index is for ordered deprivation groups only
    assert m.summary.startswith(
        f"Detention under the Mental Health Act is {rr.value:.1f} times as common for Black or "
        "Black British people as for White people"
    )
    assert m.gap is not None and m.gap.focus_label == "Black or Black British"
    # 5 detentions in the mixed group: suppressed, with its rate and ratio.
    assert rows["mixed"].numerator.text == "suppressed"
    assert rows["mixed"].estimate.value is None
    assert rows["mixed"].ratio is None


def test_the_page_shows_the_figures_and_withholds_suppressed_ones(detentions, trust_a_lead):
    client = Client()
    client.force_login(trust_a_lead)
    response = client.get("/organisations/TA/inequalities/?months=12&period=2026-12")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Health inequalities and patient safety</h1>" in html
    assert "times as common for Black or Black British people" in html
    x_black, n_black = 36, 1_500
    ci = intervals.rate(x_black, n_black, multiplier=100_000)
    assert f"{ci.value:,.1f}" in html and f"{ci.lower:,.1f} to {ci.upper:,.1f}" in html
    mixed = intervals.rate(5, 2_000, multiplier=100_000)
    assert f"{mixed.value:,.1f}" not in html  # a rate from a suppressed count
    assert 'role="img"' in html and 'class="cs-table-scroll" tabindex="0" role="region"' in html
    assert "How this is calculated" in html


# --------------------------------------------------------------------------- section 2


def _events(org, quintile, n, **kwargs):
    for _ in range(n):
        EventFactory(
            organisation=org, imd_quintile=quintile, occurred_on=dt.date(2026, 6, 1), **kwargs
        )


def _place_a_events(small_ics):
    _events(small_ics.trust_a, 1, 30, learning_disability="true", patient_age_years=70)
    _events(small_ics.trust_a, 3, 5, patient_sex="female")
    _events(small_ics.trust_a, 5, 9)
    _events(small_ics.trust_a, None, 11)  # neither small area nor decile recorded
    _events(small_ics.trust_b, 1, 50)  # another place's trust: not counted


def test_events_by_deprivation_with_rates_per_head_and_unknowns(small_ics):
    # A place serves the people who live there: its rates are per head (a provider's are
    # per unit of its own activity, tested below). A reader at the place (not the ICB's
    # cross-provider staff) gets the counts through disclosure control.
    _place_a_events(small_ics)
    place_reader = member(small_ics.place_a, Role.BOARD_MEMBER, username="pat")
    page = lens.lens_page(place_reader, "PA", months=12, period_end=END)
    assert not page.exact_counts
    ev = page.events
    assert ev.total.text == "55"
    imd = next(b for b in ev.breakdowns if b.key == "imd_quintile")
    rows = {r.key: r for r in imd.rows}
    assert rows["not_known"].count.text == "10"  # 11, rounded
    assert ev.unknown_deprivation.text == "10"
    assert rows["3"].count.suppressed and rows["3"].rate == lens.NO_ESTIMATE
    assert rows["2"].count.text == "0"
    # Place A's people: quintile 1 is deciles 1, 1 and 2 (3,000 people); quintile 5 is 1,000.
    assert rows["1"].population == 3000 and rows["5"].population == 1000
    rate = intervals.rate(30, 3000, multiplier=100_000)
    assert rows["1"].rate.value == pytest.approx(rate.value)
    assert rows["1"].rate.lower == pytest.approx(rate.lower)
    rr = intervals.rate_ratio(30, 3000, 9, 1000)
    assert imd.ratio.value == pytest.approx(rr.value)
    assert imd.ratio.lower == pytest.approx(rr.lower)
    assert "Deprivation is not known for 10 events" in imd.summary
    ld = next(b for b in ev.breakdowns if b.key == "learning_disability")
    assert [r.count.text for r in ld.rows] == ["30", "0", "25"]
    sex = next(b for b in ev.breakdowns if b.key == "sex")
    assert [r.count.text for r in sex.rows] == ["suppressed", "0", "50"]


def _activity(org, code: str, per_month: float, by_quintile: list[float] | None = None):
    indicator, _ = Indicator.objects.get_or_create(
        code=code,
        defaults={"name": code, "unit": "count", "multiplier": 1, "polarity": "neutral"},
    )
    for month in MONTHS:
        MeasureValue.objects.create(
            organisation=org, indicator=indicator, period=month, numerator=per_month
        )
        for q, n in enumerate(by_quintile or []):
            MeasureValue.objects.create(
                organisation=org,
                indicator=indicator,
                period=month,
                stratum_type="imd_quintile",
                stratum=str(q + 1),
                numerator=n,
            )


def _service_events(service, quintile, n):
    for _ in range(n):
        EventFactory(
            organisation=service.parent,
            service=service,
            imd_quintile=quintile,
            occurred_on=dt.date(2026, 6, 1),
        )


def test_two_services_in_one_place_are_divided_by_their_own_activity(small_ics, trust_a_lead):
    """The ward does four times the maternity unit's bed days and has four times its events:
    the same rate, where dividing both by Place A's residents made the ward look four times
    as unsafe."""
    ward = OrganisationFactory(
        code="TA-WARD", name="Ward A", kind="service", type="medicine", parent=small_ics.trust_a
    )
    mat = small_ics.maternity_a
    _activity(ward, "occupied_bed_days", 800)
    _activity(mat, "occupied_bed_days", 200)
    _service_events(ward, 1, 80)
    _service_events(ward, 5, 40)
    _service_events(mat, 1, 20)
    _service_events(mat, 5, 10)

    def imd(code):
        page = lens.lens_page(trust_a_lead, code, months=12, period_end=END)
        return next(b for b in page.events.breakdowns if b.key == "imd_quintile")

    ward_imd, mat_imd = imd("TA-WARD"), imd("TA-MAT")
    assert ward_imd.basis.kind == mat_imd.basis.kind == "activity"
    assert ward_imd.basis.estimated  # bed days held only in total: shared out by residents
    # Place A: quintile 1 has 3,000 of its 5,000 residents, quintile 5 has 1,000.
    ward_q1 = 800 * 12 * 3000 / 5000
    assert ward_imd.rows[0].population == round(ward_q1)
    want = intervals.rate(80, ward_q1, multiplier=1000)
    assert ward_imd.rows[0].rate.value == pytest.approx(want.value)
    assert ward_imd.rows[0].rate.lower == pytest.approx(want.lower)
    assert ward_imd.rows[0].rate.value == pytest.approx(mat_imd.rows[0].rate.value)
    assert ward_imd.rows[4].rate.value == pytest.approx(mat_imd.rows[4].rate.value)
    assert "per 1,000 occupied bed days" in ward_imd.basis.per
    assert "For the same activity (occupied bed days)" in ward_imd.summary

    client = Client()
    client.force_login(trust_a_lead)
    html = client.get(
        "/organisations/TA-WARD/inequalities/?months=12&period=2026-12"
    ).content.decode()
    assert "Occupied bed days (estimated)" in html
    assert "not per head of the place&#39;s population" in html or (
        "not per head of the place's population" in html
    )


def test_activity_recorded_by_quintile_is_used_as_it_is(small_ics, trust_a_lead):
    _activity(small_ics.maternity_a, "births", 100, by_quintile=[50, 20, 15, 10, 5])
    _service_events(small_ics.maternity_a, 1, 30)
    _service_events(small_ics.maternity_a, 5, 9)
    page = lens.lens_page(trust_a_lead, "TA-MAT", months=12, period_end=END)
    imd = next(b for b in page.events.breakdowns if b.key == "imd_quintile")
    assert not imd.basis.estimated and imd.basis.exposure_heading == "Births"
    assert imd.rows[0].population == 600
    rr = intervals.rate_ratio(30, 600, 9, 60)
    assert imd.ratio.value == pytest.approx(rr.value)


def test_an_organisation_without_activity_gets_shares_not_rates(small_ics, trust_a_lead):
    _events(small_ics.trust_a, 1, 30)
    _events(small_ics.trust_a, 5, 9)
    page = lens.lens_page(trust_a_lead, "TA", months=12, period_end=END)
    imd = next(b for b in page.events.breakdowns if b.key == "imd_quintile")
    assert imd.basis.kind == "none" and not imd.has_rates
    assert all(r.rate in (None, lens.NO_ESTIMATE) for r in imd.rows)
    assert imd.ratio is None
    assert "records no activity" in imd.summary


def test_too_few_events_are_not_broken_down(small_ics, trust_a_lead):
    _events(small_ics.trust_a, 1, 4)
    ev = lens.lens_page(trust_a_lead, "TA", period_end=END).events
    assert ev.too_few and ev.breakdowns == []


def test_a_shorter_window_leaves_older_events_out(small_ics, trust_a_lead):
    _events(small_ics.trust_a, 1, 20)
    assert lens.lens_page(trust_a_lead, "TA", months=3, period_end=END).events.is_empty
    assert not lens.lens_page(trust_a_lead, "TA", months=12, period_end=END).events.is_empty


# --------------------------------------------------------------------------- scoping and view


def test_another_trusts_lens_is_not_found(small_ics, trust_a_lead):
    with pytest.raises(Http404):
        lens.lens_page(trust_a_lead, "TB")
    client = Client()
    client.force_login(trust_a_lead)
    assert client.get("/organisations/TB/inequalities/").status_code == 404
    assert client.get("/organisations/TB/inequalities/?months=nonsense").status_code == 404
    assert client.get("/organisations/TA/inequalities/").status_code == 200


def test_signing_in_is_required(small_ics):
    response = Client().get("/organisations/TA/inequalities/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


@pytest.mark.parametrize(
    "query", ["months=abc", "months=5", "period=2026-13", "period=26-01", "months=-1&period=x"]
)
def test_bad_parameters_show_an_error_summary(small_ics, trust_a_lead, query):
    client = Client()
    client.force_login(trust_a_lead)
    response = client.get(f"/organisations/TA/inequalities/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert re.search(r'href="#(months|period)"', html)


def test_parse_params():
    p = lens.parse_params({"months": "24", "period": "2026-09"})
    assert (p.months, p.period_end, p.errors) == (24, dt.date(2026, 9, 1), [])
    p = lens.parse_params({})
    assert (p.months, p.period_end, p.errors) == (12, None, [])
    p = lens.parse_params({"months": "7", "period": "2026-00"})
    assert [e["href"] for e in p.errors] == ["#months", "#period"]


# --------------------------------------------------------------------------- chart


def test_the_chart_is_an_image_with_a_title_and_a_title_per_group():
    svg = interval_chart_svg(
        [
            ChartRow("White", 61.0, 57.5, 65.0, reference=True),
            ChartRow("Black or Black British", 238.4, 173.2, 320.1),
            ChartRow("Mixed", None, note="suppressed"),
        ],
        title="Detentions by ethnic group",
        desc="Four times as common.",
        unit_label="per 100,000",
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title id=" in svg and "<desc id=" in svg and "Four times as common." in svg
    assert "<title>Black or Black British: 238.4 per 100,000, 95% confidence interval" in svg
    assert "<title>Mixed: suppressed</title>" in svg
    assert "Comparison group" in svg  # the hollow ring is named, not only drawn
    assert svg == interval_chart_svg(
        [
            ChartRow("White", 61.0, 57.5, 65.0, reference=True),
            ChartRow("Black or Black British", 238.4, 173.2, 320.1),
            ChartRow("Mixed", None, note="suppressed"),
        ],
        title="Detentions by ethnic group",
        desc="Four times as common.",
        unit_label="per 100,000",
    )


def test_no_events_in_the_comparison_group_gives_no_headline_ratio(small_ics, trust_a_lead):
    ind = Indicator.objects.create(
        code="x_rate", name="Something per 1,000", unit="rate", multiplier=1000, polarity="neutral"
    )
    for q in range(1, 6):
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=ind,
            period=dt.date(2026, 6, 1),
            stratum_type="imd_quintile",
            stratum=str(q),
            numerator=0 if q == 5 else 20,
            denominator=1000,
        )
    [m] = lens.lens_page(trust_a_lead, "TA", period_end=END).measures
    assert m.summary.startswith("A comparison between the most and least deprived fifths cannot")
    assert m.sii is None and "no events" in m.sii_note
    assert m.rows[0].ratio.value_text(2) == "no events to compare"
    assert m.rows[0].ratio.interval_text(2).startswith("at least ")
    client = Client()
    client.force_login(trust_a_lead)
    assert client.get("/organisations/TA/inequalities/?period=2026-12").status_code == 200


def test_an_organisation_with_nothing_yet_says_so(small_ics, icb_lead):
    client = Client()
    client.force_login(icb_lead)
    html = client.get("/organisations/PB/inequalities/").content.decode()
    assert "No indicators split by deprivation or ethnic group are held" in html
    assert "No patient-safety events were recorded" in html


# --------------------------------------------------------------------------- who sees exact counts


@pytest.mark.parametrize("role", [Role.ICB_QUALITY_LEAD, Role.ANALYST])
def test_the_icbs_cross_provider_staff_see_exact_counts(small_ics, role):
    _place_a_events(small_ics)
    reader = member(small_ics.ics, role, username="exact")
    page = lens.lens_page(reader, "PA", months=12, period_end=END)
    assert page.exact_counts
    ev = page.events
    assert ev.total.text == "55" and ev.total.exact
    imd = next(b for b in ev.breakdowns if b.key == "imd_quintile")
    rows = {r.key: r for r in imd.rows}
    assert [rows[k].count.text for k in ("1", "2", "3", "4", "5", "not_known")] == [
        "30",
        "0",
        "5",
        "0",
        "9",
        "11",
    ]
    # Nothing is suppressed, so the small group has its rate; shares are the exact ones.
    expected = intervals.rate(5, rows["3"].population, multiplier=100_000)
    assert rows["3"].rate.value == pytest.approx(expected.value)
    assert rows["not_known"].share == pytest.approx(11 / 55)
    assert "Deprivation is not known for 11 events (20%)" in imd.summary
    sex = next(b for b in ev.breakdowns if b.key == "sex")
    assert [r.count.text for r in sex.rows] == ["5", "0", "50"]


def test_the_page_says_which_counts_it_shows(small_ics):
    _place_a_events(small_ics)
    analyst = member(small_ics.ics, Role.ANALYST, username="ana")
    place_reader = member(small_ics.place_a, Role.BOARD_MEMBER, username="pat")
    client = Client()
    client.force_login(analyst)
    html = client.get("/organisations/PA/inequalities/?period=2026-12").content.decode()
    assert "<p>55 patient-safety events happened" in html
    assert "Counts are exact" in html and "rounded to the nearest 5 and small" not in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">11</td>' in html
    client.force_login(place_reader)
    html = client.get("/organisations/PA/inequalities/?period=2026-12").content.decode()
    assert "<p>About 55 patient-safety events happened" in html
    assert "Counts are rounded to the nearest 5 and small counts are suppressed" in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">11</td>' not in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">10</td>' in html


def _possible(shown: int) -> tuple[float, float]:
    """The true counts a count shown after rounding to the nearest 5 can stand for."""
    return (max(shown - 2, 0), shown + 2)


def test_a_value_beside_rounded_counts_never_disagrees_with_them(sepsis, trust_a_lead):
    # Rounded numerators and denominators beside a value from the exact counts: the value
    # must be one the shown counts could give within the rounding (and the caption says so).
    [m] = lens.lens_page(trust_a_lead, "TA", period_end=END).measures
    for r in m.rows:
        assert not r.numerator.exact
        num = int(r.numerator.text.replace(",", ""))
        den = int(r.denominator_text.replace(",", ""))
        assert num % 5 == 0 and den % 5 == 0
        lo_n, hi_n = _possible(num)
        lo_d, hi_d = _possible(den)
        shown_value = float(r.estimate.value_text(1).replace(",", ""))
        assert 100 * lo_n / hi_d - 0.05 <= shown_value <= 100 * hi_n / lo_d + 0.05
    client = Client()
    client.force_login(trust_a_lead)
    html = client.get("/organisations/TA/inequalities/?period=2026-12").content.decode()
    assert "values and intervals are worked out from the exact counts" in html


def test_shares_beside_rounded_counts_are_the_shown_counts_share(small_ics):
    _place_a_events(small_ics)
    place_reader = member(small_ics.place_a, Role.BOARD_MEMBER, username="pat")
    ev = lens.lens_page(place_reader, "PA", period_end=END).events
    total = int(ev.total.text)
    for b in ev.breakdowns:
        for r in b.rows:
            if r.count.suppressed:
                assert r.share_text == "suppressed"
            else:
                assert r.share_text == lens.share_text(int(r.count.text) / total)
