"""Audit entries: written explicitly by services, never edited, never driving features."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    """Typed audit events: every kind of sensitive change has a name here."""

    ORGANISATION_CREATED = "organisation.created", "Organisation created"
    ORGANISATION_UPDATED = "organisation.updated", "Organisation updated"
    AREA_CREATED = "area.created", "Area created"
    AREA_UPDATED = "area.updated", "Area updated"
    IMPORT_COMPLETED = "import.completed", "Import completed"
    EVENT_CREATED = "event.created", "Event recorded"
    EVENT_UPDATED = "event.updated", "Event changed"
    INDICATOR_CREATED = "indicator.created", "Indicator defined"
    INDICATOR_UPDATED = "indicator.updated", "Indicator definition changed"
    MEASURE_UPDATED = "measure.updated", "Measure value changed"
    CHART_REBASED = "chart.rebased", "Chart rebased"
    MEMBERSHIP_GRANTED = "membership.granted", "Role granted"
    MEMBERSHIP_REVOKED = "membership.revoked", "Role revoked"
    USER_CREATED = "user.created", "User created"
    TOKEN_CREATED = "token.created", "API token issued"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
    FEEDBACK_RECEIVED = "feedback.received", "Feedback received"
    FEEDBACK_UPDATED = "feedback.updated", "Feedback changed by an import"
    FEEDBACK_REPLIED = "feedback.replied", "Reply to feedback recorded"
    FEEDBACK_MODERATED = "feedback.moderated", "Feedback story moderated"
    FEEDBACK_CHANGE_MARKED = "feedback.change_marked", "Change marked on feedback"
    COMPLAINT_UPDATED = "complaint.updated", "Complaint progress recorded"
    COMPLAINT_EVENT_LINKED = "complaint.event_linked", "Complaint linked to a safety event"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be removed.")


class AuditEntry(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Commands run from the command line have no signed-in person; say who ran them instead.
    actor_label = models.CharField(max_length=150, blank=True, default="")
    # No `choices` here: the actions are checked by the AuditAction type in services, and new
    # actions must not need a migration of the audit table.
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    organisation_path = models.CharField(max_length=200, blank=True, default="", db_index=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be removed.")

    @property
    def who(self) -> str:
        if self.actor_id is not None and self.actor is not None:
            return str(self.actor.username)
        return self.actor_label or "system"

    @property
    def action_label(self) -> str:
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action
