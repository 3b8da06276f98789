"""The analyst's and ICB quality lead's home: the analytical tools one click away, each saying
what it answers, and what has changed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from caresignals.core.periods import Month
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from caresignals.pages.analysis import analysis_section
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(small_ics):
    harm = Indicator.objects.create(
        code="harm", name="Harm rate", unit="rate", multiplier=1000, polarity="lower_is_better"
    )
    falls = Indicator.objects.create(
        code="falls", name="Falls", unit="count", multiplier=1, polarity="lower_is_better"
    )
    for i in range(12):
        period = dt.date(2025, 11, 1) + dt.timedelta(days=31 * i)
        period = period.replace(day=1)
        MeasureValue.objects.create(
            organisation=small_ics.trust_a, indicator=harm, period=period, numerator=5,
            denominator=1000,
        )  # fmt: skip
        MeasureValue.objects.create(
            organisation=small_ics.trust_b, indicator=falls, period=period, numerator=3
        )
    return small_ics


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ICB_QUALITY_LEAD])
def test_the_tools_are_one_click_from_home_each_saying_what_it_answers(measured, role):
    client = Client()
    client.force_login(member(measured.ics, role))
    html = client.get("/").content.decode()
    section = html.split('<section aria-labelledby="analysis-tools">', 1)[1].split("</section>")[0]
    hrefs = re.findall(r'href="([^"]+)"', section)
    assert hrefs == [
        "/system/matrix/?sort=concern",
        "/organisations/indicators/comparison/",
        "/organisations/ICS1/inequalities/",
        "/indicators/",
    ]
    for question in (
        "Which providers have the most indicators showing special cause concern",
        "Is an organisation&#39;s rate really different from similar organisations&#39;",
        "Are outcomes and patient-safety events unequal across deprivation",
        "Exactly how is each indicator defined and calculated",
    ):
        assert question in section
    # Each tool's page opens for them.
    for href in hrefs:
        assert client.get(href).status_code == 200, href


def test_what_has_changed_names_the_complete_month_and_the_newest_data(measured, today):
    analyst = member(measured.ics, Role.ANALYST)
    section = analysis_section(analyst)
    assert section is not None and section.first
    # Complete once it has ended and the submission lag (10 days) has passed.
    assert section.last_complete_month == Month.complete_by(today, 10).label
    assert section.latest_data_month == "October 2026"
    assert {a.name for a in section.arrivals} == {"Falls", "Harm rate"}
    MeasureValue.objects.filter(indicator__code="harm").first().save()  # harm updated last
    arrivals = analysis_section(analyst).arrivals
    assert arrivals[0].name == "Harm rate" and arrivals[0].href == "/indicators/harm/"
    assert arrivals[0].latest_month == "October 2026"
    client = Client()
    client.force_login(analyst)
    html = client.get("/").content.decode()
    assert "The latest complete month is <strong>" in html
    assert "values updated" in html and "up to October 2026" in html


def test_what_has_changed_is_scoped_and_says_when_nothing_arrived(measured):
    # An analyst at one trust reads that trust's data only.
    trust_analyst = member(measured.trust_a, Role.ANALYST, username="ta")
    names = [a.name for a in analysis_section(trust_analyst).arrivals]
    assert names == ["Harm rate"]  # Trust B's falls are not theirs to see
    empty = member(measured.place_b, Role.ANALYST, username="pb")
    MeasureValue.objects.filter(organisation=measured.trust_b).delete()
    client = Client()
    client.force_login(empty)
    html = client.get("/").content.decode()
    assert "No measures have been imported for the organisations you can see yet." in html


@pytest.mark.parametrize("role", [Role.STAFF, Role.BOARD_MEMBER, Role.PATIENT_SAFETY_LEAD])
def test_others_do_not_get_the_analysis_section(measured, role):
    user = member(measured.trust_a, role)
    assert analysis_section(user) is None
    client = Client()
    client.force_login(user)
    assert 'aria-labelledby="analysis-tools"' not in client.get("/").content.decode()


def test_the_quality_lead_keeps_the_watchlist_first(measured):
    client = Client()
    client.force_login(member(measured.ics, Role.ICB_QUALITY_LEAD))
    html = client.get("/").content.decode()
    assert html.index('href="/signals/watchlist/"') < html.index('id="analysis-tools"')


def test_the_funnel_index_lists_what_can_be_compared(measured):
    client = Client()
    client.force_login(member(measured.ics, Role.ANALYST))
    html = client.get("/organisations/indicators/comparison/").content.decode()
    assert '<a href="/organisations/indicators/harm/comparison/">Harm rate' in html
    assert "Lower is better" in html and "October 2026" in html
    assert "/organisations/indicators/falls/comparison/" not in html  # a count: no denominator
    staff = Client()
    staff.force_login(member(measured.trust_b, Role.STAFF, username="sb"))
    empty = staff.get("/organisations/indicators/comparison/").content.decode()
    assert "Harm rate" not in empty and "there is nothing to compare" in empty
    assert Client().get("/organisations/indicators/comparison/").status_code == 302
