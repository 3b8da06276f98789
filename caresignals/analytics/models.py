"""Monthly event counts, kept up to date by imports, so pages never scan the events table."""

from __future__ import annotations

from django.db import models

from caresignals.organisations.models import Organisation
from caresignals.organisations.scoping import scope_for


class EventCountQuerySet(models.QuerySet["MonthlyEventCount"]):
    def visible_to(self, user: object, capability: object = None) -> EventCountQuerySet:
        return self.filter(scope_for(user, capability).q("organisation__path"))


class MonthlyEventCount(models.Model):
    """How many events a provider (and one of its services, or none) had in a month, by
    record type, worst harm and service area. Refreshed with the event-derived indicators."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    record_type = models.CharField(max_length=10)
    max_harm = models.CharField(max_length=10, blank=True)
    # The events' service area (a service's area, in practice one per service): the ICB's
    # view across providers counts by it.
    service_area = models.CharField(max_length=20, blank=True, default="")
    count = models.PositiveIntegerField()

    objects = EventCountQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="event_count_org_month")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.record_type} {self.max_harm}"


class DataVersion(models.Model):
    """A counter bumped whenever stored data change (imports, refreshes), so that pages can
    cache what they compute until something they depend on changes."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)


class MonthVersion(models.Model):
    """How many times the data of one month changed (core/cache.py): what is computed for a
    month from it and the months before (the watchlist) is cached until one of those months
    changes, so an event recorded today leaves last month's watchlist where it was."""

    month = models.DateField(unique=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.version}"


class PendingRefresh(models.Model):
    """A provider-month whose event aggregates wait to be recomputed.

    Recording one event writes one of these instead of recomputing the month inside the
    request; a drain recomputes every waiting month at once and deletes exactly the marks it
    read, so a mark written meanwhile is drained next time (ADR 9).
    """

    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    def __str__(self) -> str:
        return f"{self.provider_id} {self.month:%Y-%m}"
