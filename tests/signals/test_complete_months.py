"""Complete months (issue 15): every monthly view and command opens on the last complete month,
not on a month that one early record has just started; an incomplete month asked for is
labelled so and no rule judges a fall or an absence on it."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client

from caresignals.core import clock
from caresignals.core.periods import Month
from caresignals.organisations.roles import Role
from caresignals.publishing.board import build_report
from caresignals.signals.governance import queries as governance
from caresignals.signals.watchlist import compute
from caresignals.signals.watchlist.engine import FALL_RULES
from tests.api.conftest import caller
from tests.factories import member
from tests.signals.panel_factories import store_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(small_ics, today):
    """Two years of steady reporting up to the last complete month, and one event recorded
    early in the month under way."""
    last = Month.complete_by(today, 10)
    months = [str(m) for m in (last - 23).until(Month.of(today))]
    rng = np.random.default_rng(3)
    for service in (small_ics.maternity_a, small_ics.maternity_b):
        harm = rng.poisson(3, len(months))
        incidents = harm + rng.poisson(40, len(months))
        harm[-1], incidents[-1] = 0, 1  # the month under way: one event so far
        store_series(service, months, harm.tolist(), incidents.tolist())
    small_ics.last_complete = str(last)
    small_ics.current = str(Month.of(today))
    return small_ics


def test_month_complete_by_counts_the_lag_in_days():
    import datetime as dt

    assert Month.complete_by(dt.date(2026, 11, 10), 10) == Month(2026, 9)
    assert Month.complete_by(dt.date(2026, 11, 11), 10) == Month(2026, 10)
    assert Month.complete_by(dt.date(2026, 11, 1), 0) == Month(2026, 10)
    assert Month.complete_by(dt.date(2026, 11, 1), 45) == Month(2026, 8)


def test_every_default_is_the_last_complete_month(region, today):
    assert compute.latest_period() == region.current
    assert compute.default_period() == region.last_complete
    assert governance.latest_period() == region.last_complete
    out = StringIO()
    call_command("signals", stdout=out)
    assert f"for {region.last_complete}" in out.getvalue() or "No signals in" in out.getvalue()
    assert region.current not in out.getvalue()
    icb = caller(region.ics, Role.ICB_QUALITY_LEAD, "icb-lead")
    r = Client().get("/api/v1/signals", headers=icb.headers)
    assert r.status_code == 200 and r["CareSignals-Period"] == region.last_complete
    assert r["CareSignals-Period-Complete"] == "true"
    client = Client()
    client.force_login(member(region.ics, Role.ICB_QUALITY_LEAD, username="lead"))
    html = client.get("/signals/watchlist/").content.decode()
    assert f'value="{region.last_complete}" selected' in html
    assert "is incomplete" not in html
    from caresignals.analytics.models import MonthlyEventCount
    from caresignals.measures.models import MeasureValue

    report = build_report(region.ics, None, MeasureValue.objects.all(), _events())
    assert str(Month.of(report.period)) == region.last_complete
    assert MonthlyEventCount.objects.filter(month=Month.parse(region.current).first_day).exists()


def _events():
    from caresignals.safety.models import PatientSafetyEvent

    return PatientSafetyEvent.objects.all()


def test_an_incomplete_month_asked_for_is_labelled_and_raises_no_fall(region, monkeypatch):
    current = region.current
    entries = compute.compute_watchlist(current)
    assert not {s.kind for e in entries for s in e.signals} & FALL_RULES
    # Judged as a complete month, the same data would read as reporting falling to almost 0.
    monkeypatch.setattr(compute, "is_complete", lambda period: True)
    judged = compute._compute(current)
    assert {s.kind for e in judged for s in e.signals} & FALL_RULES
    monkeypatch.undo()

    icb = caller(region.ics, Role.ICB_QUALITY_LEAD, "icb-lead")
    r = Client().get(f"/api/v1/signals?period={current}", headers=icb.headers)
    assert r.status_code == 200 and r["CareSignals-Period-Complete"] == "false"
    client = Client()
    client.force_login(member(region.ics, Role.ICB_QUALITY_LEAD, username="lead"))
    html = client.get(f"/signals/watchlist/?period={current}").content.decode()
    assert "is incomplete" in html and "(incomplete)" in html
    err = StringIO()
    call_command("signals", "--period", current, "--json", stdout=StringIO(), stderr=err)
    assert "incomplete" in err.getvalue()


def test_the_lag_setting_moves_the_boundary(region, today, settings):
    settings.CARESIGNALS_SUBMISSION_LAG_DAYS = 0
    assert clock.last_complete_month(today) == Month.of(today) - 1
    settings.CARESIGNALS_SUBMISSION_LAG_DAYS = today.day + 40
    assert clock.last_complete_month(today) <= Month.of(today) - 3
    assert compute.default_period() == str(clock.last_complete_month(today))
    assert not compute.is_complete(str(Month.of(today) - 2))
