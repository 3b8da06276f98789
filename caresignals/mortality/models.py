"""Deaths in scope for learning from deaths, their screening and their Structured Judgement
Reviews (SJR). Every write goes through services.py; every read through queries.py, inside
the reader's scope (organisations/scoping.py).
"""

from __future__ import annotations

import secrets

from django.db import models

from caresignals.mortality.vocabulary import (
    Avoidability,
    Phase,
    ProblemHarm,
    ProblemType,
    Screening,
    Source,
)
from caresignals.organisations.models import Organisation
from caresignals.safety.models import LearningResponse, PatientSafetyEvent
from caresignals.safety.vocabulary import EthnicGroup, TriState

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_death_reference() -> str:
    return "DR-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


class Death(models.Model):
    """A death a provider is to learn from: from a patient-safety event that recorded it,
    imported (deaths.csv), or added by hand. Holds no name or NHS number: the provider's own
    records hold those."""

    reference = models.CharField(max_length=12, unique=True, default=new_death_reference)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="deaths_in_scope"
    )
    event = models.OneToOneField(
        PatientSafetyEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="death_in_scope",
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    # An imported death's id in the system it came from (with its provider, the import's key).
    source_id = models.CharField(max_length=64, blank=True)
    died_on = models.DateField()
    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    ethnic_group = models.CharField(
        max_length=10, choices=EthnicGroup.choices, default=EthnicGroup.NOT_KNOWN
    )
    imd_quintile = models.PositiveSmallIntegerField(null=True, blank=True)
    learning_disability = models.CharField(
        max_length=7, choices=TriState.choices, default=TriState.UNKNOWN
    )
    summary = models.TextField(blank=True)  # without names
    # The criteria (vocabulary.Criterion codes) that bring the death into scope.
    criteria = models.JSONField(default=list)
    screening = models.CharField(max_length=12, choices=Screening.choices, blank=True)
    screening_reason = models.TextField(blank=True)
    screened_on = models.DateField(null=True, blank=True)
    screened_by = models.ForeignKey(
        "organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_due_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-died_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_id"],
                condition=~models.Q(source_id=""),
                name="unique_death_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class StructuredJudgementReview(models.Model):
    """The review of a death in scope: a judgement on each phase of care, how avoidable the
    death was, and the problems in care found."""

    death = models.OneToOneField(Death, on_delete=models.CASCADE, related_name="review")
    avoidability = models.PositiveSmallIntegerField(choices=Avoidability.choices)
    reviewer = models.ForeignKey(
        "organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_on = models.DateField()
    learning_response = models.ForeignKey(
        LearningResponse,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mortality_reviews",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"SJR of {self.death_id}"


class PhaseJudgement(models.Model):
    """One phase of care as the reviewer judged it: a score of 1 (very poor) to 5
    (excellent) with the explicit statement behind it, or no score when the phase did not
    happen."""

    review = models.ForeignKey(
        StructuredJudgementReview, on_delete=models.CASCADE, related_name="phases"
    )
    phase = models.CharField(max_length=15, choices=Phase.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # None: not applicable
    statement = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "phase"], name="one_judgement_per_phase")
        ]

    def __str__(self) -> str:
        return f"{self.phase}: {self.score}"


class CareProblem(models.Model):
    """A problem in care of one type, and whether it harmed the person."""

    review = models.ForeignKey(
        StructuredJudgementReview, on_delete=models.CASCADE, related_name="problems"
    )
    problem_type = models.CharField(max_length=15, choices=ProblemType.choices)
    harm = models.CharField(max_length=10, choices=ProblemHarm.choices)
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "problem_type"], name="one_problem_per_type")
        ]

    def __str__(self) -> str:
        return f"{self.problem_type}: {self.harm}"


class LederReview(models.Model):
    """The LeDeR steps for the death of a person with a learning disability or an autistic
    person: the provider notifies it; the local area's reviewer completes the initial review,
    a focused review where needed (always for a person from an ethnic minority group), and the
    local area signs it off."""

    death = models.OneToOneField(Death, on_delete=models.CASCADE, related_name="leder")
    notified_on = models.DateField()
    initial_review_on = models.DateField(null=True, blank=True)
    focused_review_needed = models.BooleanField(default=False)
    focused_review_reason = models.TextField(blank=True)
    focused_review_on = models.DateField(null=True, blank=True)
    signed_off_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        "organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"LeDeR for {self.death_id}"
