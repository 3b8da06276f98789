"""Freedom to Speak Up cases and their two-way message threads.

Nothing here records when something happened more precisely than the day (no auto_now, no
datetimes): a precise time can identify an anonymous reporter (a shift pattern, a door log).
Messages are ordered by a per-case sequence number instead. An anonymous case has no link to
any account; the reporter's only key is an access code kept as a salted, keyed hash
(speakup/codes.py).

Who may read a case is decided in exactly one place: `SpeakUpCase.objects.for_guardian(user)`.
Only memberships with the speak-up guardian role open it; no other role (administrator, ICB,
board, patient-safety lead) ever does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from caresignals.organisations.models import Organisation
from caresignals.organisations.roles import Role
from caresignals.speakup.vocabulary import (
    PROFESSIONAL_GROUPS,
    Author,
    Category,
    Detriment,
    Route,
    SpeakUpAgain,
    Status,
)

CATEGORY_FIELDS: tuple[str, ...] = tuple(Category.values)


def guardian_organisation_ids(user: Any) -> list[int]:
    """The organisations where the user is a speak-up guardian (and nothing else)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        user.memberships.filter(role=Role.SPEAKUP_GUARDIAN).values_list(
            "organisation_id", flat=True
        )
    )


class CaseQuerySet(models.QuerySet["SpeakUpCase"]):
    def for_guardian(self, user: Any) -> CaseQuerySet:
        """The cases whose content this user may read: those raised about an organisation
        where they are the speak-up guardian. Exactly that organisation, not the tree beneath
        it: a guardian role held at the ICS opens the ICS's own cases, never its providers'.
        Every other role sees nothing here."""
        ids = guardian_organisation_ids(user)
        if not ids:
            return self.none()
        return self.filter(organisation_id__in=ids)


class SpeakUpCase(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="speakup_cases"
    )
    route = models.CharField(max_length=12, choices=Route.choices)
    # Open and confidential cases only; always null for anonymous ones.
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    concern = models.TextField()
    raised_on = models.DateField(db_index=True)  # the day only, by design
    patient_safety = models.BooleanField(default=False)
    worker_safety = models.BooleanField(default=False)
    bullying_harassment = models.BooleanField(default=False)
    inappropriate_behaviour = models.BooleanField(default=False)
    detriment = models.BooleanField(default=False)
    professional_group = models.CharField(
        max_length=40, blank=True, default="", choices=PROFESSIONAL_GROUPS
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    actions_taken = models.TextField(blank=True, default="")
    outcome = models.TextField(blank=True, default="")
    suffered_detriment = models.CharField(
        max_length=10, blank=True, default="", choices=Detriment.choices
    )
    feedback_speak_up_again = models.CharField(
        max_length=10, blank=True, default="", choices=SpeakUpAgain.choices
    )
    closed_on = models.DateField(null=True, blank=True)
    # The guardian who handles the case; none: the organisation's guardians (ADR 21).
    owner_person = models.ForeignKey(
        "organisations.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_speakup_cases",
    )
    access_code_hash = models.CharField(max_length=200)
    # A keyed hash of the random token the raising form carried, so that resending the same
    # form (a refresh, a double click) does not raise the concern twice. Not identifying.
    submission_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "reference"]
        verbose_name = "speak-up case"

    def __str__(self) -> str:
        return self.reference

    @property
    def categories(self) -> list[str]:
        return [name for name in CATEGORY_FIELDS if getattr(self, name)]

    @property
    def category_labels(self) -> list[str]:
        return [str(Category(name).label) for name in self.categories]


class SpeakUpMessage(models.Model):
    case = models.ForeignKey(SpeakUpCase, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveIntegerField()
    author = models.CharField(max_length=10, choices=Author.choices)
    # The guardian who wrote a guardian message; never set for the reporter's messages.
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    sent_on = models.DateField()  # the day only, by design

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="speakup_message_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} #{self.sequence}"


class CaseReading(models.Model):
    """How far one guardian has read one case's thread: the sequence number of the last
    message they were shown (ADR 24). A message from the person who spoke up with a higher
    number is new to that guardian.

    No time is kept, not even the day: the number says all the "new message" flag needs,
    and a guardian's reading time set beside the thread would only narrow down when the
    person wrote (H78).
    """

    case = models.ForeignKey(SpeakUpCase, on_delete=models.CASCADE, related_name="readings")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="speakup_readings"
    )
    read_to = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "guardian"], name="speakup_reading_once")
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} read to #{self.read_to}"
