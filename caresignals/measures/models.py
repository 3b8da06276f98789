"""Indicators and monthly measure values, optionally split by a stratum (IMD quintile, …)."""

from __future__ import annotations

from django.db import models

from caresignals.organisations.models import Organisation
from caresignals.organisations.scoping import scope_for


class Unit(models.TextChoices):
    PROPORTION = "proportion", "Proportion"
    RATE = "rate", "Rate"
    COUNT = "count", "Count"
    MEAN = "mean", "Mean"


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    NEUTRAL = "neutral", "Neither higher nor lower is better"


class Chart(models.TextChoices):
    XMR = "xmr", "XmR (Making Data Count)"


class StratumType(models.TextChoices):
    NONE = "", "Whole population"
    IMD_QUINTILE = "imd_quintile", "Deprivation quintile"
    ETHNIC_GROUP = "ethnic_group", "Ethnic group"
    SEX = "sex", "Sex"
    AGE_BAND = "age_band", "Age band"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"


class Indicator(models.Model):
    """What is measured and how. Defined in reviewed files (measures/definitions/*.toml) or
    imported from indicators.csv; `source` says which."""

    code = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=12, choices=Unit.choices)
    multiplier = models.FloatField(default=1)
    polarity = models.CharField(max_length=20, choices=Polarity.choices)
    target = models.FloatField(null=True, blank=True)
    chart = models.CharField(max_length=10, choices=Chart.choices, default=Chart.XMR)
    why_it_matters = models.TextField(blank=True)
    numerator_definition = models.TextField(blank=True)
    denominator_definition = models.TextField(blank=True)
    source = models.CharField(max_length=60, blank=True)
    checked_by = models.CharField(max_length=200, blank=True)
    checked_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_denominator(self) -> bool:
        return self.unit != Unit.COUNT


class Origin(models.TextChoices):
    """The route a value came by (ADR 17): submitted as an aggregate, or counted by the system
    from the records it holds. Imported beats derived for the same organisation, indicator and
    month, so the two are never both counted."""

    IMPORTED = "imported", "Measures import"
    DERIVED = "derived", "Counted from records held"


class MeasureQuerySet(models.QuerySet["MeasureValue"]):
    def visible_to(self, user: object, capability: object = None) -> MeasureQuerySet:
        return self.filter(scope_for(user, capability).q("organisation__path"))


class MeasureValue(models.Model):
    """One month of one indicator for one organisation (and stratum)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="measures"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period = models.DateField(help_text="The first day of the month")
    stratum_type = models.CharField(
        max_length=20, choices=StratumType.choices, blank=True, default=""
    )
    stratum = models.CharField(max_length=20, blank=True, default="")
    numerator = models.FloatField()
    denominator = models.FloatField(null=True, blank=True)
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.IMPORTED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "indicator", "period", "stratum_type", "stratum"],
                name="unique_measure_value",
            )
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="measure_indicator_period")]
        ordering = ["organisation", "indicator", "period"]

    def __str__(self) -> str:
        return f"{self.organisation.code} {self.indicator.code} {self.period:%Y-%m}"


class AnnotationQuerySet(models.QuerySet["ChartAnnotation"]):
    def visible_to(self, user: object, capability: object = None) -> AnnotationQuerySet:
        return self.filter(scope_for(user, capability).q("organisation__path"))


class ChartAnnotation(models.Model):
    """A change in how a series runs, recorded by a person: from `period` the chart starts a
    new segment with its own mean and limits (a rebase), and the note says why."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="annotations")
    period = models.DateField(help_text="The first month of the new segment")
    note = models.TextField()
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "indicator", "period"], name="one_rebase_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.indicator_id} {self.period:%Y-%m}"
