"""What a person was told (in-app), and what they choose to be told (ADR 21)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    NATIONAL_REQUIREMENT = "national_requirement", "A new event meets a national requirement"
    CANDOUR = "candour", "Duty of Candour due soon or overdue"
    WORK_DUE = "work_due", "Safety actions, learning responses and risk reviews due"
    COMPLAINT_CLOCK = "complaint_clock", "A complaint clock about to run out"
    SPEAKUP_REPLY = "speakup_reply", "A reply on a speak-up case you handle"
    FOLLOWED_PROVIDER = (
        "followed_provider",
        "A new or changed watchlist entry or escalation level for a provider you follow",
    )
    WEEKLY_DIGEST = "weekly_digest", "A weekly digest of your work"


class Notification(models.Model):
    """One message to one person: a reference, a link and a sentence; never patient-
    identifiable or speak-up content. `on` is the day only (speak-up replies, H37)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=25, choices=Kind.choices)
    reference = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    on = models.DateField()
    emailed = models.BooleanField(default=False)
    read = models.BooleanField(default=False)

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "reference", "on"], name="one_notification_a_day"
            )
        ]
        indexes = [models.Index(fields=["user", "read"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} for {self.user_id}"


class Preference(models.Model):
    """A person's choice for one kind; no row: both email and in-app."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=25, choices=Kind.choices)
    email = models.BooleanField(default=True)
    in_app = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class ScheduledRun(models.Model):
    """That the worker enqueued a scheduled run for a period (the day, or the week's Monday):
    written with the task in one transaction, so a restarted worker, or a second one, never
    enqueues it again."""

    run = models.CharField(max_length=10)
    period = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "period"], name="one_scheduled_run_a_period")
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.period}"


class Following(models.Model):
    """A person follows a provider, with what they were last told of it: the daily run tells
    them of a change once (ADR 21). Blank `watchlist_level`: not on the watchlist; blank
    `escalation_level`: routine quality monitoring (nothing to tell on following)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followings"
    )
    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    watchlist_level = models.CharField(max_length=10, blank=True, default="")
    escalation_level = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="one_following_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.provider_id}"
