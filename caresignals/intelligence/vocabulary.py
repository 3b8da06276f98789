"""The words of soft intelligence, safety alerts and the SQG's logs, defined once.

The grading scales are the ICB quality team's shared language: each grade says in plain words
when to use it, and the forms show those words beside the choice (hazard H93: a grade read two
ways by two people is no grade).
"""

from __future__ import annotations

from django.db import models


class Source(models.TextChoices):
    HEALTHWATCH = "healthwatch", "Healthwatch"
    CQC = "cqc", "Care Quality Commission (CQC)"
    MP = "mp", "A member of parliament"
    MEDIA = "media", "The media"
    STAFF = "staff", "Staff (of this or another organisation)"
    COMMISSIONER = "commissioner", "Commissioners"
    CORONER = "coroner", "The coroner"
    OTHER = "other", "Another source"


class Credibility(models.TextChoices):
    CORROBORATED = "corroborated", "Corroborated"
    CREDIBLE = "credible", "Credible"
    UNVERIFIED = "unverified", "Not yet verified"
    DOUBTFUL = "doubtful", "Doubtful"


CREDIBILITY_MEANS = {
    Credibility.CORROBORATED: "Confirmed by a second, independent source or by the data.",
    Credibility.CREDIBLE: "From a reliable source and consistent with what we know, "
    "but not yet confirmed.",
    Credibility.UNVERIFIED: "We cannot judge it yet: the source or the facts are unknown.",
    Credibility.DOUBTFUL: "Contradicted by other sources or by the data, or from a source "
    "that has been unreliable.",
}

# The grades the watchlist counts as credible (hazard H94).
CREDIBLE = frozenset({Credibility.CORROBORATED, Credibility.CREDIBLE})


class Severity(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


SEVERITY_MEANS = {
    Severity.HIGH: "If true, people are being harmed or are at risk of serious harm now: "
    "act this week.",
    Severity.MEDIUM: "If true, care falls short in a way that could cause harm: look into it "
    "within a month.",
    Severity.LOW: "Worth knowing and watching; no harm is suggested.",
}


class IntelligenceStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ActionStatus(models.TextChoices):
    """A provider's progress on one action of a national patient safety alert."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


DONE = frozenset({ActionStatus.COMPLETED, ActionStatus.NOT_APPLICABLE})


class LogStatus(models.TextChoices):
    """A line of the SQG's surveillance log or action log."""

    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"
