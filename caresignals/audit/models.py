"""Audit entries: written explicitly by services, never edited, never driving features."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


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
    USER_UPDATED = "user.updated", "User's name or email changed"
    USER_INVITED = "user.invited", "Set-password link issued"
    USER_DEACTIVATED = "user.deactivated", "User deactivated"
    USER_REACTIVATED = "user.reactivated", "User reactivated"
    # Sign-in: what changes how a person proves who they are, and who was refused.
    SECOND_FACTOR_SET_UP = "second_factor.set_up", "Second factor set up"
    SECOND_FACTOR_REMOVED = "second_factor.removed", "Second factor removed"
    SECOND_FACTOR_RECOVERY_USED = "second_factor.recovery_used", "Recovery code used"
    SIGN_IN_REFUSED = "sign_in.refused", "Identity provider sign-in refused"
    IDENTITY_PROVIDER_LINKED = "sign_in.subject_recorded", "Identity provider subject recorded"
    IDENTITY_PROVIDER_FORGOTTEN = "sign_in.subject_forgotten", "Identity provider subject forgotten"
    TOKEN_CREATED = "token.created", "API token issued"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
    ESCALATION_CHANGED = "escalation.changed", "Escalation level changed"
    QUALITY_REVIEW_RECORDED = "quality_review.recorded", "Rapid quality review recorded"
    REVIEW_ACTION_UPDATED = "quality_review.action_updated", "Review action updated"
    RISK_CREATED = "risk.created", "Quality risk added"
    RISK_UPDATED = "risk.updated", "Quality risk changed"
    RISK_REVIEWED = "risk.reviewed", "Quality risk reviewed"
    EVENT_TRIAGED = "event.triaged", "Event triaged"
    EVENTS_TRIAGED_BY_PLAN = "event.triaged_by_plan", "Events triaged by the response plan"
    TRIAGE_ASSIGNED = "event.triage_assigned", "Event given to a person to triage"
    PLAN_RULE_CREATED = "plan_rule.created", "Response plan rule added"
    PLAN_RULE_UPDATED = "plan_rule.updated", "Response plan rule changed"
    PLAN_RULE_REMOVED = "plan_rule.removed", "Response plan rule removed"
    LEARNING_RESPONSE_CREATED = "learning_response.created", "Learning response started"
    LEARNING_RESPONSE_UPDATED = "learning_response.updated", "Learning response changed"
    LEARNING_RESPONSE_PROGRESS = (
        "learning_response.progress",
        "Learning response updated by its owner",
    )
    ENGAGEMENT_ADDED = "learning_response.engagement_added", "Person engaged recorded"
    ENGAGEMENT_REMOVED = "learning_response.engagement_removed", "Person engaged removed"
    SAFETY_ACTION_CREATED = "safety_action.created", "Safety action raised"
    SAFETY_ACTION_UPDATED = "safety_action.updated", "Safety action changed"
    SAFETY_ACTION_PROGRESS = "safety_action.progress", "Safety action updated by its owner"
    CANDOUR_FLAGGED = "candour.flagged", "Flagged notifiable under Duty of Candour"
    CANDOUR_UNFLAGGED = "candour.unflagged", "Duty of Candour hand flag cleared"
    CANDOUR_STEPS_RECORDED = "candour.steps", "Duty of Candour steps recorded"
    CANDOUR_CONTACT_ATTEMPT = "candour.attempt", "Duty of Candour contact attempt recorded"
    REFERRAL_TASKS_CREATED = "referral.created", "Referral tasks raised by the rules"
    REFERRAL_TASK_ADDED = "referral.added", "Referral task added by hand"
    REFERRAL_TASK_UPDATED = "referral.updated", "Referral task updated"
    # Speak-up: guardians' reads and changes. A reporter's own actions are never audited (the
    # entry's precise time could identify them); the case records them by day.
    SPEAKUP_CASE_VIEWED = "speakup.case_viewed", "Speak-up case read by a guardian"
    SPEAKUP_CASE_UPDATED = "speakup.case_updated", "Speak-up case record changed"
    SPEAKUP_CASE_CLOSED = "speakup.case_closed", "Speak-up case closed"
    SPEAKUP_REPLY_SENT = "speakup.reply_sent", "Speak-up reply sent by a guardian"
    SPEAKUP_RETURN_EXPORTED = "speakup.return_exported", "Speak-up national return exported"
    INTELLIGENCE_LOGGED = "intelligence.logged", "Soft intelligence logged"
    INTELLIGENCE_UPDATED = "intelligence.updated", "Soft intelligence changed"
    SAFETY_ALERT_ADDED = "safety_alert.added", "National patient safety alert added"
    SAFETY_ALERT_RESPONSE = "safety_alert.response", "Safety alert action status recorded"
    SQG_MEETING_ADDED = "sqg.meeting_added", "System Quality Group meeting added"
    SQG_LOG_ADDED = "sqg.log_added", "SQG surveillance or action log entry added"
    SQG_LOG_UPDATED = "sqg.log_updated", "SQG log entry changed"
    FEEDBACK_RECEIVED = "feedback.received", "Feedback received"
    FEEDBACK_UPDATED = "feedback.updated", "Feedback changed by an import"
    FEEDBACK_REPLIED = "feedback.replied", "Reply to feedback recorded"
    FEEDBACK_MODERATED = "feedback.moderated", "Feedback story moderated"
    FEEDBACK_CHANGE_MARKED = "feedback.change_marked", "Change marked on feedback"
    COMPLAINT_UPDATED = "complaint.updated", "Complaint progress recorded"
    COMPLAINT_EVENT_LINKED = "complaint.event_linked", "Complaint linked to a safety event"
    # Learning from deaths (mortality app).
    DEATH_ADDED = "mortality.death_added", "Death added for learning from deaths"
    DEATH_UPDATED = "mortality.death_updated", "Death's details changed by an import"
    LEDER_NOTIFIED = "mortality.leder_notified", "Death notified to LeDeR"
    LEDER_UPDATED = "mortality.leder_updated", "LeDeR review steps recorded"
    DEATH_SCREENED = "mortality.screened", "Death screened for a Structured Judgement Review"
    MORTALITY_REVIEW_COMPLETED = (
        "mortality.review_completed",
        "Structured Judgement Review completed",
    )
    MORTALITY_REVIEW_CHANGED = "mortality.review_changed", "Structured Judgement Review changed"
    PUBLICATION_CHOSEN = "publication.chosen", "Tables chosen for open data"
    RELEASE_PREPARED = "release.prepared", "Open-data release prepared"
    RELEASE_PUBLISHED = "release.published", "Open-data release published"
    RELEASE_WITHDRAWN = "release.withdrawn", "Open-data release withdrawn"
    LEARNING_SUMMARY_SAVED = "learning_summary.saved", "Learning summary written or changed"
    LEARNING_SUMMARY_APPROVED = "learning_summary.approved", "Learning summary approved for sharing"
    LEARNING_SUMMARY_REUSED = "learning_summary.reused", "Learning summary reuse recorded"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries cannot be removed.")


class AuditEntry(models.Model):
    # When the change was made; for a public report's entries only the day (midnight UTC of
    # the local day, core/anonymity.py), which services pass in.
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
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


class AuditSeal(models.Model):
    """One link of the audit log's hash chain: an entry's digest, chained to the link before.

    Kept beside the entries rather than on them so that entries stay strictly insert-only:
    seals are appended after the entry's transaction commits (see audit/chain.py), in the
    order entries became visible, which is the order a reader could first have seen them.
    """

    position = models.PositiveBigIntegerField(unique=True)
    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="seal")
    digest = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"seal {self.position} of entry {self.entry_id}: {self.digest[:12]}…"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit seals cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit seals cannot be removed.")
