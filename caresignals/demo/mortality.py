"""Learning from deaths in the synthetic region: for each provider, its latest deaths
recorded on patient-safety events are screened and most reviewed, through the same services
people use (so each is audited, and poor care starts a learning response). The latest death
is left to screen and one review is left due, so every list has something in it; Tynemouth
Reach also has a death added by hand, notified to LeDeR. Deterministic by seed; everything
is invented.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Q

from caresignals.audit.services import Actor
from caresignals.core.workingdays import add_working_days
from caresignals.mortality import services
from caresignals.mortality.vocabulary import MUST_REVIEW, NOT_APPLICABLE, Phase, ProblemType
from caresignals.organisations.models import Organisation
from caresignals.safety.models import PatientSafetyEvent
from caresignals.safety.vocabulary import MaxHarm

PER_PROVIDER = 5
HAND_ADDED_AT = "RX1"

STATEMENTS = {
    1: "{what} fell well short: deterioration was missed for hours, with no senior review.",
    2: "{what} was late: observations were recorded but the rising score was not escalated.",
    3: "{what} was adequate: the plan was reasonable, though the notes were thin in places.",
    4: "{what} was good: timely review, a clear plan and the family kept informed.",
    5: "{what} was excellent: prompt senior review and a well-documented plan.",
}
PROBLEM_TEXT = {
    ProblemType.ASSESSMENT: "The early warning score was not acted on overnight.",
    ProblemType.MEDICATION: "The first dose of antibiotics was given four hours late.",
    ProblemType.TREATMENT: "No plan was made for escalation after the first review.",
    ProblemType.RESUSCITATION: "Observations were not repeated at the interval the plan set.",
}


def _answers(rng: np.random.Generator, overall: int) -> services.ReviewAnswers:
    scores: dict[str, str] = {}
    statements: dict[str, str] = {}
    for phase in Phase.values:
        if phase in (Phase.PROCEDURES, Phase.PERIOPERATIVE) and rng.random() < 0.7:
            scores[phase] = NOT_APPLICABLE
            continue
        score = (
            overall if phase == Phase.OVERALL else int(np.clip(overall + rng.integers(-1, 2), 1, 5))
        )
        scores[phase] = str(score)
        statements[phase] = STATEMENTS[score].format(what=str(Phase(phase).label))
    problems = {kind: "none" for kind in ProblemType.values}
    descriptions: dict[str, str] = {}
    if overall <= 3:
        kind = list(PROBLEM_TEXT)[int(rng.integers(len(PROBLEM_TEXT)))]
        problems[kind] = "probable" if overall <= 2 else "no_harm"
        descriptions[kind] = PROBLEM_TEXT[kind]
    avoidability = {1: "3", 2: "4", 3: "5"}.get(overall, "6")
    return services.ReviewAnswers(scores, statements, avoidability, problems, descriptions)


def _criteria(event: PatientSafetyEvent, rng: np.random.Generator) -> list[str]:
    criteria = ["safety_event"]
    if event.learning_disability == "true":
        criteria.append("learning_disability")
    if rng.random() < 0.3:
        criteria.append("unexpected")
    if rng.random() < 0.15:
        criteria.append("concern")
    return criteria


def build(*, seed: int, actor: Actor, until: dt.date) -> int:
    """Screen and review deaths up to `until`; the number of deaths added."""
    rng = np.random.default_rng(seed + 21)
    added = 0
    providers = Organisation.objects.filter(kind="provider").order_by("code")
    for provider in providers:
        events = list(
            PatientSafetyEvent.objects.filter(organisation=provider, reported_on__lte=until)
            .filter(Q(patient_died=True) | Q(max_harm=MaxHarm.FATAL))
            .order_by("-occurred_on", "-id")[:PER_PROVIDER]
        )
        for i, event in enumerate(events):
            if i == 0:
                continue  # the latest is left for the patient-safety team to screen
            death = services.death_from_event(event, actor=actor)
            added += 1
            criteria = _criteria(event, rng)
            screened_on = min(add_working_days(event.reported_on, 3), until)
            out = i == PER_PROVIDER - 1 and not MUST_REVIEW.intersection(criteria)
            services.screen(
                death,
                decision="out_of_scope" if out else "in_scope",
                reason=(
                    "An expected death on an end-of-life care plan; the event was about the "
                    "care before it and is answered through the patient-safety response."
                    if out
                    else "The notes raise questions about recognising and treating "
                    "deterioration before the death."
                ),
                criteria=criteria,
                expected_version=death.version,
                actor=actor,
                today=screened_on,
            )
            if out or i == 1:
                continue  # one review left to do
            overall = int(rng.choice([1, 2, 3, 3, 4, 4, 4, 5]))
            services.save_review(
                death,
                _answers(rng, overall),
                expected_version=0,
                actor=actor,
                today=min(add_working_days(screened_on, 12), until),
            )
    hand = providers.filter(code=HAND_ADDED_AT).first()
    if hand is not None:
        death = services.add_death(
            hand,
            services.DeathFields(
                died_on=until - dt.timedelta(days=20),
                age_years=47,
                ethnic_group="white",
                imd_quintile=1,
                learning_disability="true",
                summary=(
                    "Raised by the medical examiner: died of aspiration pneumonia three days "
                    "after admission from a supported-living home."
                ),
                criteria=("learning_disability", "concern"),
            ),
            actor=actor,
        )
        services.screen(
            death,
            decision="in_scope",
            reason="A person with a learning disability: always reviewed (and notified to LeDeR).",
            criteria=death.criteria,
            expected_version=death.version,
            actor=actor,
            today=until - dt.timedelta(days=14),
        )
        services.notify_leder(death, notified_on=until - dt.timedelta(days=14), actor=actor)
        added += 1
    return added
