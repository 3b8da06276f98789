"""The voice domain's tables: feedback of every kind, and the complaints worked from it.

One `Feedback` row per thing a person told a provider (a compliment, a concern, a complaint
or a Friends and Family Test answer), however it arrived: the public forms, the public API
or a bulk import (keyed by provider and `source_id`, so re-importing changes nothing). A
complaint also has a `Complaint` row that carries the statutory clocks.
"""

from __future__ import annotations

import secrets

from django.db import models

from caresignals.organisations.models import Organisation

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: easy to read out on the phone


def new_feedback_reference() -> str:
    """'FB-' and 10 random characters (50 bits): not guessable from other references."""
    return "FB-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


class Kind(models.TextChoices):
    COMPLIMENT = "compliment", "Compliment"
    CONCERN = "concern", "Concern or feedback"
    COMPLAINT = "complaint", "Complaint"
    FFT = "fft", "Friends and Family Test"


class FftRating(models.TextChoices):
    """The national Friends and Family Test scale, in its published order."""

    VERY_GOOD = "very_good", "Very good"
    GOOD = "good", "Good"
    NEITHER = "neither", "Neither good nor poor"
    POOR = "poor", "Poor"
    VERY_POOR = "very_poor", "Very poor"
    DONT_KNOW = "dont_know", "Don't know"


POSITIVE_RATINGS = (FftRating.VERY_GOOD, FftRating.GOOD)
NEGATIVE_RATINGS = (FftRating.POOR, FftRating.VERY_POOR)


class Channel(models.TextChoices):
    WEB = "web", "Website form"
    EASY_READ = "easy_read", "Easy-read form"
    API = "api", "Public API"
    IMPORT = "import", "Bulk import"
    DEMO = "demo", "Synthetic demo"


class Publication(models.TextChoices):
    """Whether the story may appear on the public page. Nothing is public until approved."""

    NOT_ASKED = "not_asked", "Not for publication"
    PENDING = "pending", "Waiting for moderation"
    APPROVED = "approved", "Published"
    REJECTED = "rejected", "Not published"


class ChangeStatus(models.TextChoices):
    NONE = "", "No change recorded"
    PLANNED = "planned", "Change planned"
    MADE = "made", "Change made"


class CareOf(models.TextChoices):
    """Whose care the feedback is about: the person's own, or someone else's."""

    NOT_ASKED = "", "Not asked"
    SELF = "self", "Their own care"
    SOMEONE_ELSE = "someone_else", "Someone else's care"


class RepresentativeBasis(models.TextChoices):
    """Why someone may complain for another person (the NHS complaints regulations, 2009,
    regulation 5): the person agreed, died, is a child, or cannot complain themselves.
    NOT_YET records a complaint made before the person agreed: the complaints team asks them."""

    CONSENT = "consent", "The person has agreed"
    DIED = "died", "The person has died"
    CHILD = "child", "The person is a child"
    LACKS_CAPACITY = "lacks_capacity", "The person cannot make the complaint themselves"
    NOT_YET = "not_yet", "The person has not agreed yet"


RELATIONSHIP_MAX = 100


class Feedback(models.Model):
    reference = models.CharField(max_length=16, unique=True, default=new_feedback_reference)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="feedback"
    )
    service = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_feedback",
    )
    source_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    fft_rating = models.CharField(max_length=10, choices=FftRating.choices, blank=True)
    text = models.TextField(blank=True)
    received_on = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices)

    # Contact details: only when the person gave them (always for a complaint).
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.CharField(max_length=254, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    consent_to_publish = models.BooleanField(default=False)

    # Whose care it is about; for someone else's, who the person giving it is to them and,
    # for a complaint, why they may complain for them. Blank where not asked (imports, FFT).
    care_of = models.CharField(max_length=12, choices=CareOf.choices, blank=True, default="")
    relationship = models.CharField(max_length=RELATIONSHIP_MAX, blank=True)
    representative_basis = models.CharField(
        max_length=14, choices=RepresentativeBasis.choices, blank=True
    )

    # "You said, we did": moderation, the provider's reply, the change it made.
    publication = models.CharField(
        max_length=10, choices=Publication.choices, default=Publication.NOT_ASKED
    )
    published_text = models.TextField(blank=True)
    rejection_reason = models.TextField(blank=True)
    published_on = models.DateField(null=True, blank=True)
    reply = models.TextField(blank=True)
    replied_on = models.DateField(null=True, blank=True)
    change_status = models.CharField(
        max_length=8, choices=ChangeStatus.choices, blank=True, default=""
    )
    change_description = models.CharField(max_length=300, blank=True)

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_id"], name="unique_feedback_per_source"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "kind", "received_on"], name="feedback_org_kind"),
            models.Index(fields=["organisation", "publication"], name="feedback_publication"),
        ]
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return self.reference


class Outcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


class Complaint(models.Model):
    """The statutory clocks of one complaint (the Feedback row holds what the person said)."""

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, related_name="complaint")
    acknowledged_on = models.DateField(null=True, blank=True)
    response_due = models.DateField(null=True, blank=True)  # agreed with the complainant
    six_month_letter_on = models.DateField(null=True, blank=True)
    final_response_on = models.DateField(null=True, blank=True)
    ombudsman_signposted = models.BooleanField(default=False)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    # The person who works the complaint; none: the provider's complaints team (ADR 21).
    owner_person = models.ForeignKey(
        "organisations.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_complaints",
    )
    # By label, not by import: capture apps stay independent of each other (ADR 16).
    safety_event = models.ForeignKey(
        "safety.PatientSafetyEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        db_constraint=False,
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"complaint {self.feedback_id}"
