"""Learning summaries in the shared library, and who has reused them (ADR 28).

A summary keeps two versions of its text. ``source`` is what the response's team wrote; it
may name people or carry other identifying details and is read only inside the provider.
The columns (``title``, ``what_happened``, the six SEIPS factors, ``actions``) hold the same
text de-identified by rule (safety/deidentify.py) every time it is saved; only these are ever
shown outside the provider, and only once a patient-safety lead has approved them.
"""

from __future__ import annotations

import secrets

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from caresignals.learning.vocabulary import Outcome, SummaryStatus
from caresignals.organisations.models import Organisation
from caresignals.safety.models import LearningResponse

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

#: The SEIPS work-system elements, in the order a summary shows them (safety's SeipsFactor).
FACTOR_FIELDS = (
    ("person", "factor_person"),
    ("tasks", "factor_tasks"),
    ("tools_technology", "factor_tools_technology"),
    ("organisation", "factor_organisation"),
    ("internal_environment", "factor_internal_environment"),
    ("external_environment", "factor_external_environment"),
)
TEXT_FIELDS = ("title", "what_happened", *(f for _, f in FACTOR_FIELDS), "actions")


def new_summary_reference() -> str:
    return "LS-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


class LearningSummary(models.Model):
    reference = models.CharField(max_length=12, unique=True, default=new_summary_reference)
    response = models.OneToOneField(
        LearningResponse, on_delete=models.CASCADE, related_name="learning_summary"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="learning_summaries"
    )
    status = models.CharField(max_length=10, choices=SummaryStatus.choices, default="draft")
    # What the library is searched by besides words.
    category = models.CharField(max_length=30, blank=True)
    service_type = models.CharField(max_length=30, blank=True)  # the provider's type
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    # De-identified text: the only text read outside the provider.
    title = models.CharField(max_length=200)
    what_happened = models.TextField()
    factor_person = models.TextField(blank=True)
    factor_tasks = models.TextField(blank=True)
    factor_tools_technology = models.TextField(blank=True)
    factor_organisation = models.TextField(blank=True)
    factor_internal_environment = models.TextField(blank=True)
    factor_external_environment = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    # Every factor with text, space-separated (for the factor filter), and the text searched:
    # the de-identified body in one column, which the full-text index reads (ADR 28).
    factors = models.CharField(max_length=200, blank=True)
    search_body = models.TextField(blank=True)
    # PostgreSQL only: kept by a trigger from title and search_body, GIN-indexed (migration
    # 0002). On SQLite the column stays empty and an FTS5 table does the same work.
    search_vector = SearchVectorField(null=True, editable=False)
    # As the team wrote it, before de-identification: read only inside the provider.
    source = models.JSONField(default=dict)
    written_by = models.ForeignKey(
        "organisations.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        "organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approver_name = models.CharField(max_length=200, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-approved_at", "-id"]
        indexes = [
            models.Index(fields=["status", "category"], name="summary_status_category"),
        ]

    def __str__(self) -> str:
        return self.reference


class LearningReuse(models.Model):
    """An organisation said "we used this": once per organisation, naming who said so."""

    summary = models.ForeignKey(LearningSummary, on_delete=models.CASCADE, related_name="reuses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        "organisations.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    how = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "organisation"], name="one_reuse_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.summary_id} by {self.organisation_id}"
