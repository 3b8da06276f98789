"""Charts people can read and trust (ADR 22), through the chart page: rare events on a g
chart, limits drawn at what is possible, zero as the aim, and a suggested rebase that a
person confirms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from caresignals.core.formatting import number
from caresignals.measures.models import ChartAnnotation, Indicator, MeasureValue
from caresignals.organisations.roles import Role
from caresignals.stats import rare, spc
from tests.factories import member

pytestmark = pytest.mark.django_db


def month(i: int) -> dt.date:
    return dt.date(2023 + i // 12, i % 12 + 1, 1)


def indicator_with(small_ics, code: str, values: list[float], **fields) -> Indicator:
    defaults = {
        "name": code.replace("_", " ").capitalize(),
        "unit": "count",
        "multiplier": 1,
        "polarity": "lower_is_better",
    }
    indicator = Indicator.objects.create(code=code, **(defaults | fields))
    for i, v in enumerate(values):
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=indicator,
            period=month(i),
            numerator=v,
            denominator=None if indicator.unit == "count" else 1000,
        )
    return indicator


def page(client: Client, code: str) -> str:
    response = client.get(f"/organisations/TA/indicators/{code}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def lead(small_ics) -> Client:
    client = Client()
    client.force_login(member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD))
    return client


NEVER = [0] * 36
NEVER[4] = 1
NEVER[15] = 2
NEVER[30] = 1


def test_never_events_are_charted_as_months_between_events(small_ics, lead):
    indicator_with(small_ics, "never_events", NEVER, name="Never Events", target=0)
    html = page(lead, "never_events")
    assert "too rare for a chart of monthly counts" in html
    assert "Events in the order they happened" in html
    want = rare.g_chart(rare.gaps_from_counts(NEVER).gaps)  # gaps 4, 10, 0, 14
    assert want.values.tolist() == [4.0, 10.0, 0.0, 14.0]
    assert f"average {want.mean[-1]:.1f} months without one between them" in html
    assert "The latest was in July 2025, 5 months ago." in html
    table = html[html.index("Months without an event before it") :]
    cells = re.findall(r'numeric">([^<]*)</td>', table)
    assert cells[:3] == ["4", number(want.mean[0], 2), number(want.upl[0], 2)]
    # Zero is the aim: no "consistently failing" or "hit and miss" against the target of 0.
    assert "Zero is the aim" in html
    assert "Consistently failing" not in html and "Hit and miss" not in html
    assert 'class="mdc-icon consistent_fail"' not in html


def test_any_count_averaging_under_one_and_a_half_a_month_is_rare(small_ics, lead):
    values = [0, 1, 0, 0, 2, 0, 1, 0, 0, 3, 0, 1, 0, 0, 1, 0, 2, 0, 0, 1]
    indicator_with(small_ics, "ward_falls_severe", values)
    assert sum(values) / len(values) < 1.5
    html = page(lead, "ward_falls_severe")
    assert "Events in the order they happened" in html
    assert "Each month" in html  # the monthly counts are still there


def test_common_counts_stay_on_an_xmr_chart(small_ics, lead):
    values = [3, 5, 4, 6, 2, 5, 4, 3, 6, 4, 5, 3]
    indicator_with(small_ics, "pressure_ulcers", values)
    html = page(lead, "pressure_ulcers")
    assert "Events in the order they happened" not in html
    assert "Statistical process control (XmR) chart" in html
    assert '<text class="unit-label"' in html and ">Number in the month</text>" in html


def test_impossible_limits_are_drawn_at_zero_and_kept_in_the_table(small_ics, lead):
    values = [0, 4, 1, 3, 0, 5, 1, 2, 0, 4, 2, 3]
    indicator_with(small_ics, "restraint_count", values, target=0)
    want = spc.xmr(values, improvement="decrease", target=0)
    assert want.lpl[0] < 0
    html = page(lead, "restraint_count")
    assert number(want.lpl[0], 2) in html  # the table keeps the value as calculated
    svg = html[html.index('class="spc-chart') :]
    svg = svg[: svg.index("</svg>")]
    labels = re.findall(r'class="y-label"[^>]*>([^<]*)<', svg)
    assert labels[0] == "0" and all(not s.startswith(("-", "−")) for s in labels)
    assert "is drawn at that boundary" in html
    # The lower limit touches 0, so the target of 0 gets no assurance icon.
    assert "Zero is the aim" in html
    assert "Hit and miss" not in html


def test_percentages_are_not_drawn_above_one_hundred(small_ics, lead):
    numerators = [990, 1000, 920, 1000, 970, 1000, 900, 1000, 990, 940, 1000, 980]
    indicator_with(
        small_ics, "screened", numerators, unit="proportion", multiplier=100,
        polarity="higher_is_better",
    )  # fmt: skip
    want = spc.xmr([n / 10 for n in numerators], improvement="increase")
    assert want.upl[0] > 100
    html = page(lead, "screened")
    svg = html[html.index('class="spc-chart') :]
    svg = svg[: svg.index("</svg>")]
    assert max(float(s) for s in re.findall(r'class="y-label"[^>]*>([^<]*)<', svg)) == 100
    assert number(want.upl[0], 2) in html
    assert 'class="unit-label"' in svg and ">Per cent (%)</text>" in svg


# Eight months at one level, then sixteen at a higher one: a sustained shift.
SHIFT = [20, 22, 19, 21, 20, 23, 18, 21] + [30, 32, 29, 31, 30, 33, 28, 31] * 2


def test_a_sustained_shift_suggests_a_rebase_that_a_person_confirms(small_ics, lead):
    from caresignals.audit.models import AuditAction, AuditEntry

    indicator_with(small_ics, "reporting", SHIFT, unit="rate", multiplier=1000,
                   polarity="higher_is_better")  # fmt: skip
    html = page(lead, "reporting")
    assert "Has the process changed?" in html
    assert "Since September 2023, 16 points in a row have been above the mean" in html
    assert '<option value="2023-09-01" selected' in html
    assert '<input type="hidden" name="suggested" value="1">' in html
    assert ChartAnnotation.objects.count() == 0  # nothing changes until someone confirms

    response = lead.post(
        "/organisations/TA/indicators/reporting/",
        {"period": "2023-09-01", "suggested": "1", "note": "Electronic reporting went live"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.CHART_REBASED, object_id="TA/reporting")
    assert entry.details == {
        "period": "2023-09-01",
        "note": "Electronic reporting went live",
        "suggested": True,
    }
    after = page(lead, "reporting")
    assert "Has the process changed?" not in after
    assert "Electronic reporting went live" in after


def test_a_rebase_chosen_unprompted_is_not_recorded_as_suggested(small_ics, lead):
    from caresignals.audit.models import AuditAction, AuditEntry

    indicator_with(small_ics, "reporting", SHIFT, unit="rate", multiplier=1000,
                   polarity="higher_is_better")  # fmt: skip
    lead.post(
        "/organisations/TA/indicators/reporting/",
        {"period": "2023-06-01", "suggested": "1", "note": "A different month"},
    )
    entry = AuditEntry.objects.get(action=AuditAction.CHART_REBASED, object_id="TA/reporting")
    assert "suggested" not in entry.details


def test_people_who_may_not_record_changes_see_the_suggestion_but_no_form(small_ics):
    indicator_with(small_ics, "reporting", SHIFT, unit="rate", multiplier=1000,
                   polarity="higher_is_better")  # fmt: skip
    client = Client()
    client.force_login(member(small_ics.trust_a, Role.STAFF))
    html = page(client, "reporting")
    assert "Has the process changed?" in html
    assert "Record a change in the process" not in html


def test_a_short_shift_suggests_nothing(small_ics, lead):
    indicator_with(small_ics, "reporting", SHIFT[:16], unit="rate", multiplier=1000,
                   polarity="higher_is_better")  # fmt: skip
    assert "Has the process changed?" not in page(lead, "reporting")


def test_the_key_names_each_rule_in_plain_words(small_ics, lead):
    indicator_with(small_ics, "reporting", SHIFT, unit="rate", multiplier=1000,
                   polarity="higher_is_better")  # fmt: skip
    html = page(lead, "reporting")
    assert "What the chart looks for" in html
    assert "7 points in a row above the mean, or 7 in a row below it" in html
    assert "A point above the upper or below the lower process limit" in html


def test_the_summary_and_the_api_judge_zero_as_the_aim_too(small_ics, lead):
    from caresignals.measures.series import monthly_series, spc_for, spc_json

    indicator = indicator_with(small_ics, "never_events", NEVER, name="Never Events", target=0)
    raw = spc.xmr(NEVER, improvement="decrease", target=0)
    assert raw.assurance == "consistent_fail"  # the collapsed XmR limits say "never met"
    series = monthly_series(MeasureValue.objects.all(), small_ics.trust_a, indicator)
    assert spc_json(series, spc_for(series))["assurance"] is None
    html = lead.get("/organisations/TA/").content.decode()
    assert "Zero is the aim" in html
    assert "Consistently failing the target" not in html
