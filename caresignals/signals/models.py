"""The signals domain's tables: escalation levels, rapid quality reviews and quality risks.

The watchlist itself is computed, not stored (watchlist.py); what is stored here is what
people decided about it: a provider's escalation level and its history, the reviews that
decided it, and the quality risk register.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from caresignals.organisations.models import Organisation


class EscalationLevel(models.TextChoices):
    """The National Quality Board's levels, least to most intensive."""

    ROUTINE = "routine", "Routine quality monitoring"
    ENHANCED = "enhanced", "Enhanced surveillance"
    INTENSIVE = "intensive", "Intensive support"


LEVEL_ORDER = {
    EscalationLevel.ROUTINE: 0,
    EscalationLevel.ENHANCED: 1,
    EscalationLevel.INTENSIVE: 2,
}


class Forum(models.TextChoices):
    SYSTEM_QUALITY_GROUP = "sqg", "System Quality Group"
    REGIONAL_QUALITY_GROUP = "rqg", "Regional Quality Group"
    RAPID_QUALITY_REVIEW = "rqr", "Rapid quality review meeting"


class ProviderEscalation(models.Model):
    """A provider's current level. A provider with no row is at routine quality monitoring."""

    provider = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="escalation"
    )
    level = models.CharField(max_length=10, choices=EscalationLevel.choices)
    since = models.DateField()
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.level} since {self.since}"


class EscalationChange(models.Model):
    """One decision to move a provider between levels, with who decided, where and why."""

    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="escalation_changes"
    )
    from_level = models.CharField(max_length=10, choices=EscalationLevel.choices)
    to_level = models.CharField(max_length=10, choices=EscalationLevel.choices)
    decided_on = models.DateField()
    forum = models.CharField(max_length=5, choices=Forum.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_label = models.CharField(max_length=150)
    review = models.ForeignKey(
        "RapidQualityReview",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.from_level} → {self.to_level} on {self.decided_on}"


class RapidQualityReview(models.Model):
    """A rapid quality review meeting: the concern, who came, the actions, the decision and
    the criteria for stepping down again."""

    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="quality_reviews"
    )
    held_on = models.DateField()
    concern = models.TextField()
    decision = models.CharField(max_length=10, choices=EscalationLevel.choices)
    decision_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Rapid quality review of {self.provider_id} on {self.held_on}"


class Attendee(models.Model):
    review = models.ForeignKey(
        RapidQualityReview, on_delete=models.CASCADE, related_name="attendees"
    )
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150)
    organisation = models.CharField(max_length=200)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}, {self.organisation}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class ReviewAction(models.Model):
    """An action agreed at a rapid quality review, with its owner and due date."""

    review = models.ForeignKey(RapidQualityReview, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=150)
    due_on = models.DateField()
    # The person who owns it (ADR 21); `owner` is the owner as recorded.
    owner_person = models.ForeignKey(
        "organisations.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_review_actions",
    )
    status = models.CharField(max_length=5, choices=ActionStatus.choices, default=ActionStatus.OPEN)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today


class ExitCriterion(models.Model):
    review = models.ForeignKey(
        RapidQualityReview, on_delete=models.CASCADE, related_name="exit_criteria"
    )
    text = models.TextField()
    met = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "exit criteria"

    def __str__(self) -> str:
        return self.text[:60]


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class QualityRisk(models.Model):
    """A risk on the system's quality risk register, scored 5 × 5 (scoring.py).

    `organisation` is a provider, a service, or the ICS itself for a system-wide risk, so
    scoping by its path works the same way for all three. `linked_signals` keeps what the
    watchlist said when the risk was linked, as data: the watchlist is recomputed each
    month, so a link must not depend on it still firing.
    """

    reference = models.CharField(max_length=12, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="quality_risks"
    )
    consequence = models.PositiveSmallIntegerField()
    likelihood = models.PositiveSmallIntegerField()
    target_consequence = models.PositiveSmallIntegerField()
    target_likelihood = models.PositiveSmallIntegerField()
    owner = models.CharField(max_length=150)
    # The person who owns it and its reviews (ADR 21); `owner` is the owner as recorded.
    owner_person = models.ForeignKey(
        "organisations.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_quality_risks",
    )
    controls = models.TextField(blank=True)
    review_on = models.DateField()
    status = models.CharField(max_length=6, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    # [{"kind", "period", "org_code", "service_code", "detail"}]
    linked_signals = models.JSONField(default=list, blank=True)
    linked_actions = models.ManyToManyField(ReviewAction, blank=True, related_name="risks")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class RiskReview(models.Model):
    """A periodic review of a risk: what was found and the current score it left."""

    risk = models.ForeignKey(QualityRisk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    note = models.TextField()
    consequence = models.PositiveSmallIntegerField()
    likelihood = models.PositiveSmallIntegerField()
    next_review_on = models.DateField()
    reviewed_by_label = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.risk_id} on {self.reviewed_on}"
