"""Soft intelligence, national patient safety alerts and the System Quality Group's logs.

Every row hangs from an organisation, so scoping (organisations/scoping.py) reads each through
its organisation's path. Writes go through services.py, which audits them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from caresignals.intelligence.vocabulary import (
    ActionStatus,
    Credibility,
    IntelligenceStatus,
    LogStatus,
    Severity,
    Source,
)
from caresignals.organisations.models import Organisation


class SoftIntelligence(models.Model):
    """One piece of intelligence about a provider or one of its services."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="soft_intelligence"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    source_detail = models.CharField(max_length=200, blank=True, default="")
    credibility = models.CharField(max_length=20, choices=Credibility.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    received_on = models.DateField()
    summary = models.TextField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_by_label = models.CharField(max_length=150)
    logged_at = models.DateTimeField()
    # Whether the provider's own patient-safety lead and board may read it (ADR 31).
    shared_with_provider = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=IntelligenceStatus.choices, default=IntelligenceStatus.OPEN
    )
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["severity", "credibility", "received_on"])]

    def __str__(self) -> str:
        return f"Intelligence {self.pk} about {self.organisation.code}"

    def open_on(self, day: dt.date) -> bool:
        """Whether it had been received and was not yet closed on `day`."""
        if self.received_on > day:
            return False
        return self.closed_on is None or self.closed_on > day


class SafetyAlert(models.Model):
    """A national patient safety alert, as the ICB recorded it for its providers."""

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    issued_on = models.DateField()
    deadline = models.DateField()
    # The provider types it applies to (ProviderType values); every provider of those types
    # in the system must respond.
    provider_types = models.JSONField(default=list)
    added_by_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["-issued_on", "reference"]

    def __str__(self) -> str:
        return self.reference


class AlertAction(models.Model):
    alert = models.ForeignKey(SafetyAlert, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["alert", "number"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "number"], name="alert_action_number")
        ]

    def __str__(self) -> str:
        return f"Action {self.number} of {self.alert_id}"


class AlertResponse(models.Model):
    """One provider's status on one action; no row means not started."""

    action = models.ForeignKey(AlertAction, on_delete=models.CASCADE, related_name="responses")
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="alert_responses"
    )
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    reason = models.TextField(blank=True, default="")  # why it does not apply
    evidence = models.TextField(blank=True, default="")
    done_on = models.DateField(null=True, blank=True)  # completed or not applicable since
    updated_by_label = models.CharField(max_length=150)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "provider"], name="alert_response_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at provider {self.provider_id}"


class SqgMeeting(models.Model):
    """A meeting of the System Quality Group; its logs are the group's own record."""

    held_on = models.DateField(unique=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"SQG {self.held_on:%-d %B %Y}"


class SurveillanceEntry(models.Model):
    meeting = models.ForeignKey(SqgMeeting, on_delete=models.CASCADE, related_name="surveillance")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    concern = models.TextField()
    source = models.CharField(max_length=200)
    decision = models.TextField()
    owner = models.CharField(max_length=150)
    review_on = models.DateField()
    status = models.CharField(max_length=20, choices=LogStatus.choices, default=LogStatus.OPEN)

    class Meta:
        ordering = ["review_on", "id"]

    def __str__(self) -> str:
        return f"Surveillance log entry {self.pk}"


class SqgAction(models.Model):
    meeting = models.ForeignKey(SqgMeeting, on_delete=models.CASCADE, related_name="actions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    action = models.TextField()
    owner = models.CharField(max_length=150)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=LogStatus.choices, default=LogStatus.OPEN)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"SQG action {self.pk}"
