"""The words of the learning library."""

from __future__ import annotations

from django.db import models


class SummaryStatus(models.TextChoices):
    DRAFT = "draft", "Draft: seen only inside the provider"
    APPROVED = "approved", "Approved: in the shared library"


class Outcome(models.TextChoices):
    """What the safety actions' measures showed, as the team judged it."""

    IMPROVED = "improved", "Measures showed an improvement"
    NO_CHANGE = "no_change", "Measures showed no clear change"
    TOO_EARLY = "too_early", "Too early to tell"
    NOT_MEASURED = "not_measured", "Not measured"
