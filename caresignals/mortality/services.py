"""Writes for learning from deaths: adding a death, screening it, and the Structured
Judgement Review. Each runs in one transaction with its audit entry; edits carry the version
they were read at (core/concurrency.py), so nobody silently overwrites somebody else. Bad
input raises `MortalityInvalid` with a message for each field, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.core.concurrency import EditConflict, save_if_unchanged
from caresignals.core.workingdays import add_working_days
from caresignals.mortality.models import (
    CareProblem,
    Death,
    LederReview,
    PhaseJudgement,
    StructuredJudgementReview,
)
from caresignals.mortality.vocabulary import (
    MAY_NOT_APPLY,
    MUST_REVIEW,
    NOT_APPLICABLE,
    POOR_CARE,
    SCORES,
    Avoidability,
    Criterion,
    Phase,
    ProblemHarm,
    ProblemType,
    Screening,
    Source,
)
from caresignals.organisations.models import Organisation
from caresignals.safety.models import LearningResponse, PatientSafetyEvent
from caresignals.safety.responses import psirf
from caresignals.safety.responses import services as responses
from caresignals.safety.vocabulary import EthnicGroup, MaxHarm, TriState

MAX_TEXT = 5000


@dataclass
class MortalityInvalid(Exception):
    """Nothing was stored; ``errors`` maps each field to what to fix."""

    errors: dict[str, list[str]]


def _user(actor: Actor) -> Any:
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def records_a_death(event: PatientSafetyEvent) -> bool:
    """Whether a patient-safety event records that the person died."""
    return bool(event.patient_died) or event.max_harm == MaxHarm.FATAL


def review_due(screened_on: dt.date) -> dt.date:
    return add_working_days(screened_on, settings.CARESIGNALS_MORTALITY_REVIEW_WORKING_DAYS)


# --- deaths ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeathFields:
    died_on: dt.date
    age_years: int | None
    ethnic_group: str
    imd_quintile: int | None
    learning_disability: str
    summary: str
    criteria: tuple[str, ...] = ()


def _check_criteria(criteria: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(criteria))
    if any(c not in Criterion.values for c in chosen):
        raise MortalityInvalid({"criteria": ["Select only the reasons listed"]})
    return chosen


@transaction.atomic
def add_death(provider: Organisation, fields: DeathFields, *, actor: Actor) -> Death:
    """A death added by hand (one no patient-safety event recorded)."""
    errors: dict[str, list[str]] = {}
    if fields.ethnic_group not in EthnicGroup.values:
        errors["ethnic_group"] = ["Select the person's ethnic group, or not known"]
    if fields.learning_disability not in TriState.values:
        errors["learning_disability"] = ["Select whether the person had a learning disability"]
    if fields.imd_quintile is not None and not 1 <= fields.imd_quintile <= 5:
        errors["imd_quintile"] = ["Select the deprivation quintile, or not known"]
    if fields.age_years is not None and not 0 <= fields.age_years <= 125:
        errors["age_years"] = ["Age at death must be between 0 and 125"]
    if len(fields.summary) > MAX_TEXT:
        errors["summary"] = [f"What happened must be {MAX_TEXT:,} characters or fewer"]
    if errors:
        raise MortalityInvalid(errors)
    criteria = _check_criteria(fields.criteria)
    death = Death.objects.create(
        organisation=provider,
        source=Source.HAND,
        died_on=fields.died_on,
        age_years=fields.age_years,
        ethnic_group=fields.ethnic_group,
        imd_quintile=fields.imd_quintile,
        learning_disability=fields.learning_disability,
        summary=fields.summary.strip(),
        criteria=criteria,
    )
    _audit_added(death, actor)
    return death


def _audit_added(death: Death, actor: Actor) -> None:
    record(
        actor,
        Change(
            AuditAction.DEATH_ADDED,
            "death",
            death.reference,
            death.organisation.path,
            {"source": death.source, "event": death.event.reference if death.event else None},
        ),
    )


def _criteria_from_event(event: PatientSafetyEvent) -> list[str]:
    criteria = [Criterion.SAFETY_EVENT.value]
    if event.learning_disability == TriState.TRUE:
        criteria.append(Criterion.LEARNING_DISABILITY.value)
    return criteria


@transaction.atomic
def death_from_event(event: PatientSafetyEvent, *, actor: Actor) -> Death:
    """The death an event records, added to learning from deaths the first time it is asked
    for (the same death afterwards). Its facts are copied from the event."""
    if not records_a_death(event):
        raise MortalityInvalid({"event": [f"Event {event.reference} does not record a death"]})
    existing = Death.objects.filter(event=event).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            death = Death.objects.create(
                organisation_id=event.organisation_id,
                event=event,
                source=Source.EVENT,
                died_on=event.occurred_on,
                age_years=event.patient_age_years,
                ethnic_group=event.ethnic_group or EthnicGroup.NOT_KNOWN,
                imd_quintile=event.imd_quintile,
                learning_disability=event.learning_disability,
                criteria=_criteria_from_event(event),
            )
    except IntegrityError:  # somebody added it between our read and write
        return Death.objects.get(event=event)
    _audit_added(death, actor)
    return death


# --- screening -------------------------------------------------------------------------------


@transaction.atomic
def screen(
    death: Death,
    *,
    decision: str,
    reason: str,
    criteria: Iterable[str],
    expected_version: int,
    actor: Actor,
    today: dt.date,
) -> Death:
    """Decide whether the death is in scope for a Structured Judgement Review. A death that
    meets a criterion the national guidance says must be reviewed cannot be screened out
    (hazard H91). In scope starts the review clock from `today`."""
    errors: dict[str, list[str]] = {}
    if decision not in (Screening.IN_SCOPE, Screening.OUT_OF_SCOPE):
        errors["screening"] = ["Select whether the death is in scope for a review"]
    reason = reason.strip()
    if not reason:
        errors["screening_reason"] = ["Enter the reason for the screening decision"]
    elif len(reason) > MAX_TEXT:
        errors["screening_reason"] = [f"The reason must be {MAX_TEXT:,} characters or fewer"]
    chosen = _check_criteria(criteria)
    must = [c for c in chosen if c in MUST_REVIEW]
    if decision == Screening.OUT_OF_SCOPE and must:
        errors["screening"] = [
            "A death where "
            + Criterion(must[0]).label[0].lower()
            + Criterion(must[0]).label[1:]
            + " must have a Structured Judgement Review: select in scope"
        ]
    if decision == Screening.OUT_OF_SCOPE and hasattr(death, "review"):
        errors["screening"] = ["This death's review is completed, so it stays in scope"]
    if errors:
        raise MortalityInvalid(errors)
    previous = death.screening
    changes: dict[str, Any] = {
        "screening": decision,
        "screening_reason": reason,
        "criteria": chosen,
        "screened_by": _user(actor),
    }
    if decision != previous:
        changes["screened_on"] = today
        changes["review_due_on"] = review_due(today) if decision == Screening.IN_SCOPE else None
    save_if_unchanged(death, expected_version, **changes)
    record(
        actor,
        Change(
            AuditAction.DEATH_SCREENED,
            "death",
            death.reference,
            death.organisation.path,
            {"screening": decision, "previous": previous or None, "criteria": chosen},
        ),
    )
    return death


# --- the Structured Judgement Review --------------------------------------------------------


@dataclass(frozen=True)
class ReviewAnswers:
    """What the reviewer typed, as text: validated by `check_review`."""

    scores: Mapping[str, str]  # phase → "1".."5" or "na"
    statements: Mapping[str, str]  # phase → the explicit statement
    avoidability: str
    problems: Mapping[str, str]  # problem type → ProblemHarm code
    problem_descriptions: Mapping[str, str] = field(default_factory=dict)
    learning_response: str = ""  # a learning response's reference, to link


@dataclass(frozen=True)
class CheckedReview:
    scores: dict[str, int | None]
    statements: dict[str, str]
    avoidability: int
    problems: dict[str, tuple[str, str]]  # type → (harm, description)
    learning_response: str

    @property
    def poor_care(self) -> bool:
        """Poor or very poor care overall, or a problem that probably caused harm: either
        must lead to a learning response (hazard H92)."""
        return self.scores.get(Phase.OVERALL) in POOR_CARE or any(
            harm == ProblemHarm.PROBABLE for harm, _ in self.problems.values()
        )


def _phase_words(phase: str) -> str:
    label = str(Phase(phase).label)
    return label[0].lower() + label[1:]


def _problem_words(problem: str) -> str:
    label = str(ProblemType(problem).label)
    return label[0].lower() + label[1:]


_REFERENCE = re.compile(r"^LR-[A-Z0-9]{8}$")


def check_review(answers: ReviewAnswers) -> CheckedReview:
    """The answers as stored values, or MortalityInvalid naming every field to fix."""
    errors: dict[str, list[str]] = {}
    scores: dict[str, int | None] = {}
    statements: dict[str, str] = {}
    for phase in Phase.values:
        raw = answers.scores.get(phase, "").strip()
        statement = answers.statements.get(phase, "").strip()
        words = _phase_words(phase)
        if raw == NOT_APPLICABLE and phase in MAY_NOT_APPLY:
            scores[phase] = None
        elif raw == NOT_APPLICABLE:
            errors[f"score_{phase}"] = [f"Give {words} a score from 1 to 5: every review judges it"]
        elif raw.isdecimal() and int(raw) in SCORES:
            scores[phase] = int(raw)
            if not statement:
                errors[f"statement_{phase}"] = [
                    f"Write the explicit statement for {words}: what the care was, and why "
                    "you gave this score"
                ]
        elif phase in MAY_NOT_APPLY:
            errors[f"score_{phase}"] = [
                f"Select a score for {words}, or not applicable if it did not happen"
            ]
        else:
            errors[f"score_{phase}"] = [f"Select a score for {words}"]
        if len(statement) > MAX_TEXT:
            errors[f"statement_{phase}"] = [
                f"The statement for {words} must be {MAX_TEXT:,} characters or fewer"
            ]
        statements[phase] = statement if scores.get(phase) is not None else ""
    raw_avoidability = answers.avoidability.strip()
    avoidability = 0
    if raw_avoidability.isdecimal() and int(raw_avoidability) in Avoidability.values:
        avoidability = int(raw_avoidability)
    else:
        errors["avoidability"] = ["Select how likely it is that the death could have been avoided"]
    problems: dict[str, tuple[str, str]] = {}
    for problem in ProblemType.values:
        harm = answers.problems.get(problem, "").strip()
        description = answers.problem_descriptions.get(problem, "").strip()
        words = _problem_words(problem)
        if harm not in ProblemHarm.values:
            errors[f"problem_{problem}"] = [
                f"Select whether there was a problem with {words}, and whether it caused harm"
            ]
            continue
        if harm != ProblemHarm.NONE and not description:
            errors[f"problem_description_{problem}"] = [f"Describe the problem with {words}"]
        elif len(description) > MAX_TEXT:
            errors[f"problem_description_{problem}"] = [
                f"The description must be {MAX_TEXT:,} characters or fewer"
            ]
        problems[problem] = (harm, description if harm != ProblemHarm.NONE else "")
    reference = answers.learning_response.strip().upper()
    if reference and not _REFERENCE.match(reference):
        errors["learning_response"] = [
            "Enter the learning response's reference as LR- followed by 8 letters or numbers, "
            "like LR-AB2CD3EF"
        ]
    if errors:
        raise MortalityInvalid(errors)
    return CheckedReview(scores, statements, avoidability, problems, reference)


def _learning_response_for(
    death: Death, checked: CheckedReview, current: LearningResponse | None, actor: Actor
) -> tuple[LearningResponse | None, bool]:
    """The learning response to link (and whether it was started now): the one named, else
    the one already linked, else, when care was poor, a new one on the death's event."""
    if checked.learning_response:
        found = LearningResponse.objects.filter(
            reference=checked.learning_response, organisation_id=death.organisation_id
        ).first()
        if found is None:
            raise MortalityInvalid(
                {
                    "learning_response": [
                        f"There is no learning response {checked.learning_response} at "
                        f"{death.organisation.name}: check the reference"
                    ]
                }
            )
        return found, False
    if current is not None or not checked.poor_care:
        return current, False
    if death.event is None:
        raise MortalityInvalid(
            {
                "learning_response": [
                    "The review found poor care, so it needs a learning response: enter the "
                    "reference of the one that will look at this death"
                ]
            }
        )
    started = responses.save_learning_response(
        death.organisation,
        None,
        responses.ResponseFields(
            kind=psirf.LearningResponseType.MDT,
            title=f"Learning from death {death.reference}: the review found poor care",
            terms_of_reference=(
                f"The Structured Judgement Review of death {death.reference} found poor care "
                "or a problem in care that probably caused harm. Review the care with the "
                "teams involved and agree the safety actions."
            ),
            lead="",
            status=psirf.ResponseStatus.PLANNED,
            started_on=None,
            due_on=None,
            completed_on=None,
            summary="",
            findings={},
        ),
        [death.event],
        expected_version=0,
        actor=actor,
    )
    return started, True


@transaction.atomic
def save_review(
    death: Death,
    answers: ReviewAnswers,
    *,
    expected_version: int,
    actor: Actor,
    today: dt.date,
) -> StructuredJudgementReview:
    """Complete the review (version 0) or change a completed one. Poor care links or starts
    a learning response through safety's services; nothing is stored if any answer is
    wrong."""
    if death.screening != Screening.IN_SCOPE:
        raise MortalityInvalid({"screening": ["Screen the death in scope before reviewing it"]})
    checked = check_review(answers)
    # Lock the death's row only: PostgreSQL cannot lock the nullable side of the event's join.
    death = (
        Death.objects.select_for_update(of=("self",))
        .select_related("organisation", "event")
        .get(pk=death.pk)
    )
    existing = StructuredJudgementReview.objects.filter(death=death).first()
    current = existing.learning_response if existing else None
    linked, started = _learning_response_for(death, checked, current, actor)
    if expected_version == 0:
        if existing is not None:
            raise EditConflict(existing)
        review = StructuredJudgementReview.objects.create(
            death=death,
            avoidability=checked.avoidability,
            reviewer=_user(actor),
            completed_on=today,
            learning_response=linked,
        )
        action = AuditAction.MORTALITY_REVIEW_COMPLETED
    else:
        if existing is None:
            raise EditConflict(death)
        save_if_unchanged(
            existing,
            expected_version,
            avoidability=checked.avoidability,
            learning_response=linked,
        )
        review = existing
        action = AuditAction.MORTALITY_REVIEW_CHANGED
    PhaseJudgement.objects.filter(review=review).delete()
    PhaseJudgement.objects.bulk_create(
        [
            PhaseJudgement(
                review=review, phase=phase, score=score, statement=checked.statements[phase]
            )
            for phase, score in checked.scores.items()
        ]
    )
    CareProblem.objects.filter(review=review).delete()
    CareProblem.objects.bulk_create(
        [
            CareProblem(review=review, problem_type=kind, harm=harm, description=description)
            for kind, (harm, description) in checked.problems.items()
        ]
    )
    record(
        actor,
        Change(
            action,
            "death",
            death.reference,
            death.organisation.path,
            {
                "scores": checked.scores,
                "avoidability": checked.avoidability,
                "problems": {k: h for k, (h, _) in checked.problems.items()},
                "poor_care": checked.poor_care,
                "learning_response": linked.reference if linked else None,
                "learning_response_started": started,
            },
        ),
    )
    return review


# --- LeDeR -----------------------------------------------------------------------------------

# LeDeR asks for a focused review of every death of a person from an ethnic minority group.
ETHNIC_MINORITY = frozenset({"mixed", "asian", "black", "other"})
LEDER_DAYS = 182  # the programme aims to complete a review within six months of notification


def leder_applies(death: Death) -> bool:
    return (
        death.learning_disability == TriState.TRUE
        or Criterion.LEARNING_DISABILITY in death.criteria
    )


def leder_due(leder: LederReview) -> dt.date:
    return leder.notified_on + dt.timedelta(days=LEDER_DAYS)


@transaction.atomic
def notify_leder(death: Death, *, notified_on: dt.date, actor: Actor) -> LederReview:
    """Notify LeDeR of the death (once). A focused review is marked needed from the start for
    a person from an ethnic minority group."""
    if not leder_applies(death):
        raise MortalityInvalid(
            {
                "leder": [
                    "LeDeR reviews the deaths of people with a learning disability and autistic "
                    "people: record that the person had one first"
                ]
            }
        )
    existing = LederReview.objects.filter(death=death).first()
    if existing is not None:
        return existing
    minority = death.ethnic_group in ETHNIC_MINORITY
    leder = LederReview.objects.create(
        death=death,
        notified_on=notified_on,
        focused_review_needed=minority,
        focused_review_reason="Always for a person from an ethnic minority group"
        if minority
        else "",
    )
    record(
        actor,
        Change(
            AuditAction.LEDER_NOTIFIED,
            "death",
            death.reference,
            death.organisation.path,
            {"focused_review_needed": minority},
        ),
    )
    return leder


@dataclass(frozen=True)
class LederSteps:
    initial_review_on: dt.date | None
    focused_review_needed: bool
    focused_review_reason: str
    focused_review_on: dt.date | None
    sign_off: bool


@transaction.atomic
def record_leder(
    leder: LederReview, steps: LederSteps, *, expected_version: int, actor: Actor, today: dt.date
) -> LederReview:
    """The local area's steps: initial review, focused review, sign-off. A person from an
    ethnic minority group always has a focused review; sign-off needs every review done."""
    death = leder.death
    errors: dict[str, list[str]] = {}
    initial, focused = steps.initial_review_on, steps.focused_review_on
    if initial is not None and initial < leder.notified_on:
        errors["initial_review_on"] = ["The initial review must be on or after the notification"]
    needed = steps.focused_review_needed
    if death.ethnic_group in ETHNIC_MINORITY and not needed:
        errors["focused_review_needed"] = [
            "A person from an ethnic minority group always has a focused review"
        ]
        needed = True
    reason = steps.focused_review_reason.strip()
    if needed and not reason and death.ethnic_group not in ETHNIC_MINORITY:
        errors["focused_review_reason"] = ["Enter why a focused review is needed"]
    if focused is not None:
        if not needed:
            errors["focused_review_on"] = ["Only a death needing a focused review has one"]
        elif initial is None or focused < initial:
            errors["focused_review_on"] = [
                "The focused review must be on or after the initial review"
            ]
    if steps.sign_off and not leder.signed_off_on:
        if initial is None:
            errors["sign_off"] = ["Record the initial review before signing off"]
        elif needed and focused is None:
            errors["sign_off"] = ["Record the focused review before signing off"]
    if errors:
        raise MortalityInvalid(errors)
    if death.ethnic_group in ETHNIC_MINORITY and not reason:
        reason = "Always for a person from an ethnic minority group"
    signing = steps.sign_off and not leder.signed_off_on
    save_if_unchanged(
        leder,
        expected_version,
        initial_review_on=initial,
        focused_review_needed=needed,
        focused_review_reason=reason if needed else "",
        focused_review_on=focused,
        signed_off_on=today if signing else leder.signed_off_on,
        signed_off_by=_user(actor) if signing else leder.signed_off_by,
    )
    record(
        actor,
        Change(
            AuditAction.LEDER_UPDATED,
            "death",
            death.reference,
            death.organisation.path,
            {
                "initial_review_on": initial.isoformat() if initial else None,
                "focused_review_needed": needed,
                "focused_review_on": focused.isoformat() if focused else None,
                "signed_off": bool(leder.signed_off_on),
            },
        ),
    )
    return leder
