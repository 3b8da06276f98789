"""The demo's PSIRF data: plans for acute trusts, history triaged, recent events left."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.services import Actor
from caresignals.demo import safety_responses
from caresignals.safety.models import LearningResponse, PlanRule, SafetyAction, TriageDecision
from tests.safety_response.factories import event

pytestmark = pytest.mark.django_db


def test_demo_plans_triages_history_and_leaves_recent_work(small_ics):
    old = [
        event(
            small_ics.trust_a,
            category="falls",
            physical_harm="moderate",
            max_harm="moderate",
            reported_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        )
        for i in range(10)
    ]
    recent = event(small_ics.trust_a, reported_on=dt.date(2026, 3, 30))
    summary = safety_responses.build(seed=1, actor=Actor(label="test"))
    assert summary.plans == 2
    assert PlanRule.objects.filter(organisation=small_ics.trust_a).count() == len(
        safety_responses.PLAN
    )
    assert TriageDecision.objects.count() == len(old) == summary.triaged
    assert not TriageDecision.objects.filter(event=recent).exists()
    assert set(TriageDecision.objects.values_list("response", flat=True)) == {"aar"}
    assert LearningResponse.objects.count() == summary.responses > 0
    assert SafetyAction.objects.count() == summary.actions > 0
    assert all(r.findings.count() == 3 for r in LearningResponse.objects.all())
