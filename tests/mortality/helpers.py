"""Synthetic deaths and reviews for the learning-from-deaths tests. Every detail is invented."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caresignals.mortality.vocabulary import NOT_APPLICABLE, Phase, ProblemType
from caresignals.organisations.models import Organisation
from caresignals.safety.models import PatientSafetyEvent
from tests.factories import EventFactory


def fatal_event(organisation: Organisation, **kwargs: Any) -> PatientSafetyEvent:
    values: dict[str, Any] = {
        "organisation": organisation,
        "physical_harm": "fatal",
        "max_harm": "fatal",
        "patient_died": True,
        "category": "sepsis",
        "occurred_on": dt.date(2026, 10, 5),
        "reported_on": dt.date(2026, 10, 6),
        "patient_age_years": 81,
        "ethnic_group": "asian",
        "imd_quintile": 1,
    }
    values.update(kwargs)
    event = EventFactory(**values)
    assert isinstance(event, PatientSafetyEvent)
    return event


def good_answers(overall: str = "4", **overrides: str) -> dict[str, str]:
    """A complete review, as posted: adequate-to-good care and no problems."""
    answers: dict[str, str] = {"avoidability": "6"}
    for phase in Phase.values:
        score = {"procedures": NOT_APPLICABLE, "perioperative": NOT_APPLICABLE}.get(phase, "4")
        if phase == Phase.OVERALL:
            score = overall
        answers[f"score_{phase}"] = score
        answers[f"statement_{phase}"] = (
            f"Synthetic statement about {phase}." if score != NOT_APPLICABLE else ""
        )
    for kind in ProblemType.values:
        answers[f"problem_{kind}"] = "none"
    answers.update(overrides)
    return answers
