"""Indicators derived from stored events: right counts, right denominators, refreshed
incrementally by imports."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.analytics import event_indicators
from caresignals.audit.services import Actor
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.measures.services import sync_definitions
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


@pytest.fixture
def region(small_ics):
    sync_definitions(Actor(label="test"))
    beds = Indicator.objects.get(code="occupied_bed_days")
    for month, days in ((MARCH, 2000), (APRIL, 1000)):
        MeasureValue.objects.create(
            organisation=small_ics.maternity_a, indicator=beds, period=month, numerator=days
        )
    for _ in range(3):
        EventFactory(
            organisation=small_ics.trust_a,
            service=small_ics.maternity_a,
            occurred_on=dt.date(2026, 3, 5),
            physical_harm="moderate",
            max_harm="moderate",
        )
    EventFactory(
        organisation=small_ics.trust_a,
        service=small_ics.maternity_a,
        occurred_on=dt.date(2026, 3, 9),
        physical_harm="low",
        max_harm="low",
    )
    EventFactory(
        organisation=small_ics.trust_a,
        service=None,
        occurred_on=dt.date(2026, 3, 9),
        category="restrictive_practice",
    )
    return small_ics


def value(org, code, month):
    return MeasureValue.objects.get(organisation=org, indicator__code=code, period=month)


def test_rates_for_services_and_providers(region):
    event_indicators.refresh()
    harm = value(region.maternity_a, "moderate_harm_rate", MARCH)
    assert (harm.numerator, harm.denominator) == (3, 2000)
    reporting = value(region.maternity_a, "incident_reporting_rate", MARCH)
    assert reporting.numerator == 4
    # The provider counts all its events, against its services' bed days.
    provider = value(region.trust_a, "incident_reporting_rate", MARCH)
    assert (provider.numerator, provider.denominator) == (5, 2000)
    assert value(region.trust_a, "restraint_events", MARCH).numerator == 1
    assert value(region.maternity_a, "restraint_events", MARCH).numerator == 0
    # April: bed days but no events — a real zero, not a gap.
    april = value(region.maternity_a, "incident_reporting_rate", APRIL)
    assert (april.numerator, april.denominator) == (0, 1000)


def test_refresh_is_incremental_and_idempotent(region):
    event_indicators.refresh()
    before = {
        (m.organisation_id, m.indicator_id, m.period): (m.numerator, m.denominator)
        for m in MeasureValue.objects.filter(indicator__source="derived from events")
    }
    EventFactory(
        organisation=region.trust_a,
        service=region.maternity_a,
        occurred_on=dt.date(2026, 4, 2),
        physical_harm="severe",
        max_harm="severe",
    )
    report = event_indicators.refresh({(region.trust_a.pk, APRIL)})
    assert report.provider_months == 1
    assert value(region.maternity_a, "moderate_harm_rate", APRIL).numerator == 1
    after = {
        (m.organisation_id, m.indicator_id, m.period): (m.numerator, m.denominator)
        for m in MeasureValue.objects.filter(indicator__source="derived from events")
    }
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed and all(period == APRIL for _, _, period in changed)
    event_indicators.refresh()  # a full refresh agrees with the incremental one
    again = {
        (m.organisation_id, m.indicator_id, m.period): (m.numerator, m.denominator)
        for m in MeasureValue.objects.filter(indicator__source="derived from events")
    }
    assert again == after


def test_an_event_import_refreshes_what_it_touched(region, tmp_path):
    from tests.safety.test_import_events import event, run, write

    event_indicators.refresh()
    run(
        write(
            tmp_path,
            [
                event(
                    source_id="N1",
                    occurred_on="2026-04-10",
                    reported_on="2026-04-11",
                    physical_harm="fatal",
                    patient_died="true",
                )
            ],
        )
    )
    assert value(region.maternity_a, "moderate_harm_rate", APRIL).numerator == 1
    assert value(region.maternity_a, "moderate_harm_rate", MARCH).numerator == 3


def test_bed_days_import_refreshes_the_rates(region, tmp_path):
    event_indicators.refresh()
    path = tmp_path / "measures.csv"
    path.write_text(
        "org_code,indicator_code,period,numerator,denominator\nTA-MAT,occupied_bed_days,2026-03,4000,\n"
    )
    call_command("import", "measures", str(path), stdout=StringIO(), stderr=StringIO())
    assert value(region.maternity_a, "moderate_harm_rate", MARCH).denominator == 4000


def test_derived_indicators_cannot_be_imported(region, tmp_path):
    path = tmp_path / "measures.csv"
    path.write_text(
        "org_code,indicator_code,period,numerator,denominator\nTA-MAT,moderate_harm_rate,2026-03,1,100\n"
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import", "measures", str(path), stdout=StringIO(), stderr=err)
    assert "moderate_harm_rate is computed from stored events" in err.getvalue()


def test_monthly_event_counts_follow_the_events(region):
    from django.db.models import Sum

    from caresignals.analytics.models import MonthlyEventCount

    event_indicators.refresh()
    total = MonthlyEventCount.objects.aggregate(n=Sum("count"))["n"]
    assert total == 5
    moderate = MonthlyEventCount.objects.get(
        organisation=region.trust_a, service=region.maternity_a, month=MARCH, max_harm="moderate"
    )
    assert moderate.count == 3
    EventFactory(organisation=region.trust_b, occurred_on=dt.date(2026, 4, 3))
    event_indicators.refresh({(region.trust_b.pk, APRIL)})
    assert MonthlyEventCount.objects.aggregate(n=Sum("count"))["n"] == 6
    assert MonthlyEventCount.objects.get(organisation=region.trust_b).count == 1
