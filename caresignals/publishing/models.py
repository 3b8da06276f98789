"""Publishing as a decision (ADR 29): what the ICB chose to publish, and each monthly release.

A release is prepared as a draft, which computes its tables once, through disclosure control,
and keeps them (`ReleaseTable`); the preview shows exactly those tables, publishing makes the
very same bytes public, and withdrawing hides them again. The public pages, downloads, the
public API and `caresignals publish` all read the kept tables, never recompute them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caresignals.measures.models import Indicator


class Breakdown(models.TextChoices):
    PROVIDER = "provider", "By provider"
    PLACE = "place", "By place"


class PublicationChoice(models.Model):
    """One table the ICB has decided to publish each month: an indicator, in one breakdown."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    breakdown = models.CharField(max_length=10, choices=Breakdown.choices)
    chosen_by = models.CharField(max_length=150)
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["indicator__name", "breakdown"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "breakdown"], name="one_choice_per_table")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.breakdown}"


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReleaseQuerySet(models.QuerySet["Release"]):
    def public(self) -> ReleaseQuerySet:
        """Only published releases that have not been withdrawn are ever public."""
        return self.filter(status=ReleaseStatus.PUBLISHED)


class Release(models.Model):
    """One month's open data, from draft to published (and perhaps withdrawn)."""

    period = models.DateField(help_text="The first day of the month the release is about")
    status = models.CharField(
        max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_label = models.CharField(max_length=150)
    prepared_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_label = models.CharField(max_length=150, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_label = models.CharField(max_length=150, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-prepared_at"]
        constraints = [
            # A month has at most one release that is not withdrawn (a draft or published).
            models.UniqueConstraint(
                fields=["period"],
                condition=~models.Q(status="withdrawn"),
                name="one_live_release_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} ({self.status})"

    @property
    def month_text(self) -> str:
        return f"{self.period:%Y-%m}"


class ReleaseTable(models.Model):
    """One published table of a release, as the bytes every route serves."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(max_length=80, help_text="File name without extension")
    title = models.CharField(max_length=200)
    indicator_code = models.CharField(max_length=60)
    breakdown = models.CharField(max_length=10, choices=Breakdown.choices)
    rows = models.PositiveIntegerField()
    suppressed = models.PositiveIntegerField(
        help_text="Cells hidden, small counts and their guards"
    )
    secondary = models.PositiveIntegerField(help_text="Of those, hidden to protect a small count")
    rounded = models.PositiveIntegerField(help_text="Cells shown rounded to the nearest 5")
    csv = models.BinaryField()
    json = models.BinaryField()
    parquet = models.BinaryField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="one_table_name_per_release")
        ]

    def __str__(self) -> str:
        return self.name
