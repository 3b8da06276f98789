"""The demo's intelligence: a few items, two alerts with mixed compliance and one SQG
meeting's logs, made through the services; the items that point at a planted problem only
with the plants."""

from __future__ import annotations

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.core.periods import Month
from caresignals.demo.intelligence import build_intelligence
from caresignals.demo.starter import build_starter_region
from caresignals.intelligence import queries
from caresignals.intelligence.models import SafetyAlert, SoftIntelligence, SqgMeeting

pytestmark = pytest.mark.django_db


@pytest.mark.date_sensitive
def test_with_plants(today):
    last = Month.of(today) - 1
    build_starter_region()
    made = build_intelligence(last_period=str(last), plants=True)
    assert made == {"intelligence": 5, "alerts": 2, "responses": made["responses"], "log_lines": 4}
    severe = queries.credible_severe_open(last.last_day, (last - 5).first_day)
    assert set(severe) == {"RX1-MAT", "IL1-W1"}
    overdue = queries.overdue_at(today)
    assert len(overdue) == 2  # two trusts late on the first alert, the rest complied
    assert all(s.alert.reference.endswith("/001/NHSPS") for v in overdue.values() for s in v)
    assert SafetyAlert.objects.count() == 2
    meeting = SqgMeeting.objects.get()
    surveillance, actions = queries.logs_in(meeting)
    assert len(surveillance) == 2 and len(actions) == 2
    assert AuditEntry.objects.filter(action="intelligence.logged").count() == 5
    assert SoftIntelligence.objects.filter(status="closed").count() == 1


@pytest.mark.date_sensitive
def test_without_plants_nothing_points_at_a_problem(today):
    last = Month.of(today) - 1
    build_starter_region()
    build_intelligence(last_period=str(last), plants=False)
    assert SoftIntelligence.objects.count() == 3
    assert queries.credible_severe_open(last.last_day, (last - 5).first_day) == {}
