"""Completed learning responses and their summaries, for the library's tests. Every name
and detail here is invented."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caresignals.audit.services import Actor
from caresignals.learning import services
from caresignals.learning.models import LearningSummary
from caresignals.organisations.roles import Role
from caresignals.safety.models import Finding
from tests.factories import member
from tests.safety_response.factories import LearningResponseFactory, SafetyActionFactory, event

ACTOR = Actor(label="tests")


def completed_response(
    provider: Any,
    *,
    title: str = "Synthetic: insulin omitted at handover",
    summary: str = "A dose of insulin was missed when the ward handover skipped the chart.",
    findings: dict[str, str] | None = None,
    category: str = "medication",
    lead: str = "",
    action: str = "Add insulin to the handover sheet.",
) -> Any:
    response = LearningResponseFactory(
        organisation=provider,
        title=title,
        status="completed",
        completed_on=dt.date(2026, 10, 1),
        summary=summary,
        lead=lead,
    )
    response.events.add(event(provider, category=category))
    for factor, text in (findings or {"tasks": "Handover had no step for insulin."}).items():
        Finding.objects.create(response=response, factor=factor, text=text)
    SafetyActionFactory(
        response=response,
        description=action,
        measure_of_effect="Count a month.",
        progress="It fell from six to one a month.",
        status="done",
    )
    return response


def lead_of(provider: Any, username: str) -> Any:
    return member(provider, Role.PATIENT_SAFETY_LEAD, username=username)


def summary_for(
    response: Any,
    *,
    user: Any,
    approve: bool = True,
    outcome: str = "improved",
    **text: str,
) -> LearningSummary:
    source = services.prefill(response)
    source.update(text)
    s = services.save_summary(response, source, outcome, user=user, actor=ACTOR)
    if approve:
        services.approve(s, user=user, actor=ACTOR, version=s.version)
        s.refresh_from_db()
    return s
