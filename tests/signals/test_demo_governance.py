"""The demo's governance records: made through the services, planted ones only with plants."""

from __future__ import annotations

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.core.periods import Month
from caresignals.demo.governance import build_governance
from caresignals.demo.starter import build_starter_region
from caresignals.signals.models import (
    EscalationChange,
    ProviderEscalation,
    QualityRisk,
    RapidQualityReview,
)
from tests.signals.factories import fake_watchlist

pytestmark = pytest.mark.django_db


def test_with_plants(monkeypatch, today):
    # The region's last month is the one before today, as when the demo is read: every
    # governance date counts back (or on) from it, so the overdue reviews stay a handful.
    last = (Month.of(today) - 1).first_day
    fake_watchlist(monkeypatch, [])
    build_starter_region()
    made = build_governance(last_period=f"{last:%Y-%m}", plants=True)
    assert made == {"changes": 4, "reviews": 2, "risks": 15}
    levels = dict(ProviderEscalation.objects.values_list("provider__code", "level"))
    assert levels == {"IL1": "enhanced", "RX1": "enhanced", "RX4": "routine"}
    il1 = EscalationChange.objects.get(provider__code="IL1")
    assert il1.decided_on == (Month.of(last) - 9).first_day.replace(day=21)
    assert il1.review is not None
    assert il1.decided_by_label == "Helen Armstrong"
    assert RapidQualityReview.objects.count() == 2
    assert QualityRisk.objects.count() == 15
    overdue = QualityRisk.objects.filter(review_on__lt=today).count()
    assert 3 <= overdue <= 8
    bands = {r.consequence * r.likelihood for r in QualityRisk.objects.all()}
    assert min(bands) <= 6 and max(bands) >= 15  # mixed scores
    assert AuditEntry.objects.filter(action="risk.created").count() == 15


def test_without_plants_nothing_points_at_a_planted_problem(monkeypatch):
    fake_watchlist(monkeypatch, [])
    build_starter_region()
    made = build_governance(last_period="2026-10", plants=False)
    assert made == {"changes": 2, "reviews": 0, "risks": 10}
    assert not ProviderEscalation.objects.exclude(level="routine").exists()
    planted = {"IL1", "RX1", "CH041", "RX7", "RX2"}
    codes = set(QualityRisk.objects.values_list("organisation__code", flat=True))
    assert not {c.split("-")[0] for c in codes} & planted
