"""Patient-safety events as LFPSE records them, with the fields derived from them."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import models

from caresignals.core.references import new_short_reference
from caresignals.organisations.models import Organisation
from caresignals.organisations.scoping import scope_for
from caresignals.safety.draft_models import EventDraft  # noqa: F401  (a model of this app)
from caresignals.safety.responses import psirf
from caresignals.safety.vocabulary import (
    Category,
    EthnicGroup,
    MaxHarm,
    NeverEventType,
    PatientSex,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    ReporterType,
    ServiceArea,
    StrengthOfAssociation,
    TriState,
)

_ALPHABET = np.frombuffer(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", dtype="S1")  # no I, O, 0, 1
_EPOCH = 1_767_225_600  # 2026-01-01 UTC
_made = [0]  # references made by this process so far
_made_lock = threading.Lock()


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Base-32 digits of each value, most significant first: shape (len(values), width)."""
    shifts = 5 * np.arange(width - 1, -1, -1)
    return (values[:, None] >> shifts) & 31


def new_references(count: int) -> list[str]:
    """Public references such as 'PSE-CYX6CAAAB4K7QZ' (16 characters).

    5 characters count tens of seconds since 2026, 5 more count references made by this
    process, and 6 are random. References therefore increase as they are made, so an
    import appends to the end of the reference index instead of writing all over it (the
    difference between 4 and 8 seconds for a million events on PostgreSQL); the random part
    keeps two processes working at the same moment apart, and no reference can be worked out
    from the database key.
    """
    ticks = (int(time.time()) - _EPOCH) // 10
    with _made_lock:
        first = _made[0]
        _made[0] += count
    serial = (first + np.arange(count, dtype=np.int64)) % (32**5)
    rng = np.random.default_rng(secrets.randbits(128))
    digits = np.concatenate(
        [
            np.broadcast_to(_digits(np.array([ticks], dtype=np.int64), 5), (count, 5)),
            _digits(serial, 5),
            rng.integers(0, 32, size=(count, 6)),
        ],
        axis=1,
    )
    tokens = _ALPHABET[digits].view("S16").ravel()
    return ["PSE-" + t.decode("ascii") for t in tokens]


def new_reference() -> str:
    return new_references(1)[0]


def new_public_reference() -> str:
    """A short reference for a public report, read aloud on the phone ("K7P4QX92M", shown as
    "K7P 4QX 92M"; ADR 23), not yet used by any event. With 31⁹ possibilities a clash is
    rare; the unique constraint stands behind this check."""
    while True:
        reference = new_short_reference()
        if not PatientSafetyEvent.objects.filter(reference=reference).exists():
            return reference


class EventQuerySet(models.QuerySet["PatientSafetyEvent"]):
    def visible_to(self, user: object, capability: object = None) -> EventQuerySet:
        return self.filter(scope_for(user, capability).q("organisation__path"))


@dataclass(frozen=True)
class RecordedEvent:
    """An event just stored by a form or the API, as they answer with it: what was written,
    with its organisation and service as the reference data knows them, so nothing has to
    be read back. `load()` gives the model instance when one is needed."""

    pk: int
    reference: str
    organisation_id: int
    org_code: str
    organisation_path: str
    provider_type: str
    service_code: str  # blank when none was recorded
    service_type: str | None
    stored: dict[str, Any]  # the stored fields, by field name (`service` is its id)
    plan: tuple[psirf.PlanRule, ...] = ()  # the provider's incident response plan

    def load(self) -> PatientSafetyEvent:
        return PatientSafetyEvent.objects.select_related("organisation", "service").get(pk=self.pk)


# Moderate harm or worse, or a Never Event (the partial index "event_of_note"). Queries reach
# the index through `of_note_ids()` (safety/events/queries.py), whose SQL spells this out with
# literal values: SQLite uses a partial index only when a query's condition matches its own
# without parameters.
OF_NOTE_HARMS = ("moderate", "severe", "fatal")
OF_NOTE = models.Q(max_harm__in=OF_NOTE_HARMS) | ~models.Q(never_event_type="")


class PatientSafetyEvent(models.Model):
    """One recorded event. Keyed by (organisation, source_id) for idempotent imports."""

    # Unique by a constraint, not unique=True, which on PostgreSQL adds a second index for
    # LIKE queries that nothing needs. The foreign keys lean on the composite indexes below
    # rather than single-column ones of their own, and carry no database constraint: every
    # write comes through a service or importer that checks the organisation, Django's
    # PROTECT stops an organisation with events being deleted, and the constraint checks
    # cost a third of a million-row import (ADR 7).
    reference = models.CharField(max_length=20, default=new_reference)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="safety_events",
        db_index=False,
        db_constraint=False,
    )
    service = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_safety_events",
        db_index=False,
        db_constraint=False,
    )
    source_id = models.CharField(max_length=64)
    record_type = models.CharField(max_length=10, choices=RecordType.choices)
    occurred_on = models.DateField()
    reported_on = models.DateField()
    service_area = models.CharField(max_length=20, choices=ServiceArea.choices)
    category = models.CharField(max_length=30, choices=Category.choices)
    physical_harm = models.CharField(max_length=10, choices=PhysicalHarm.choices, blank=True)
    psychological_harm = models.CharField(
        max_length=10, choices=PsychologicalHarm.choices, blank=True
    )
    never_event_type = models.CharField(max_length=30, choices=NeverEventType.choices, blank=True)
    # Asked when harm is severe or fatal; blank when not asked or not given.
    strength_of_association = models.CharField(
        max_length=12, choices=StrengthOfAssociation.choices, blank=True, default=""
    )
    death_in_care_more_likely_than_not = models.BooleanField(default=False)
    patient_died = models.BooleanField(default=False)
    patient_age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    patient_sex = models.CharField(max_length=10, choices=PatientSex.choices, blank=True)
    patient_ethnicity = models.CharField(max_length=1, blank=True)
    patient_lsoa = models.CharField(max_length=12, blank=True)
    patient_imd_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    learning_disability = models.CharField(
        max_length=7, choices=TriState.choices, default=TriState.UNKNOWN
    )
    autism = models.CharField(max_length=7, choices=TriState.choices, default=TriState.UNKNOWN)
    detained_mha = models.CharField(
        max_length=7, choices=TriState.choices, default=TriState.UNKNOWN
    )
    description = models.TextField(blank=True)
    reporter_type = models.CharField(max_length=15, choices=ReporterType.choices)
    anonymous = models.BooleanField(default=False)
    # True when the event came in through a bulk import (events.csv, FHIR) whose row carried
    # no Duty of Candour data: its steps are held elsewhere, so an open notification is
    # "not known", never overdue, whatever its provider's "candour tracked from" date
    # (safety/candour/notifiable.py, ADR 11). Set when the event is first written; a later
    # row or record carrying candour data clears it, and nothing sets it again.
    candour_not_supplied = models.BooleanField(default=False)

    # Derived when stored (derived.py), kept for fast aggregation.
    imd_quintile = models.PositiveSmallIntegerField(null=True, blank=True)
    ethnic_group = models.CharField(
        max_length=10, choices=EthnicGroup.choices, default=EthnicGroup.NOT_KNOWN
    )
    max_harm = models.CharField(max_length=10, choices=MaxHarm.choices, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_id"], name="unique_event_per_source"
            ),
            models.UniqueConstraint(fields=["reference"], name="unique_event_reference"),
        ]
        # (organisation, …) queries use the unique key's index; a second (organisation,
        # month) index cost a quarter of every import (ADR 7).
        indexes = [
            models.Index(fields=["service", "occurred_on"], name="event_service_month"),
            # Events of note (moderate harm or worse, or a Never Event): what the candour
            # list and the system view's serious events (newest first) start from, with the
            # columns the candour rules read, so counting them never reads the table. Partial, so an
            # import writes it only for the few per cent of events it holds (ADR 7).
            models.Index(
                fields=[
                    "occurred_on",
                    "reported_on",
                    "organisation",
                    "max_harm",
                    "never_event_type",
                    "physical_harm",
                    "psychological_harm",
                    "candour_not_supplied",
                ],
                condition=OF_NOTE,
                name="event_of_note",
            ),
        ]
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return self.reference


# --- Incident response plans, triage, learning responses and safety actions ------------------
# (PSIRF responses; see safety/responses/psirf.py for the rules and words these records use.)

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _short_reference(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


def new_response_reference() -> str:
    return _short_reference("LR-")


def new_action_reference() -> str:
    return _short_reference("SA-")


class PlanRule(models.Model):
    """One rule of a provider's incident response plan (PSIRP). Lowest position first; the
    first rule that matches an event names its learning response."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="psirf_plan_rules"
    )
    position = models.PositiveIntegerField(default=1)
    category = models.CharField(max_length=30, choices=Category.choices, blank=True)
    min_harm = models.CharField(max_length=10, choices=MaxHarm.choices, blank=True)
    service_area = models.CharField(max_length=20, choices=ServiceArea.choices, blank=True)
    service = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    response = models.CharField(max_length=10)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "position", "id"]

    def __str__(self) -> str:
        return f"{self.organisation_id} rule {self.position}: {self.response}"


class TriageDecision(models.Model):
    """A patient-safety team's decision on a new event: which learning response, if any."""

    event = models.OneToOneField(
        PatientSafetyEvent, on_delete=models.CASCADE, related_name="triage"
    )
    response = models.CharField(max_length=10)
    note = models.TextField(blank=True)
    by_plan = models.BooleanField(default=False)  # applied from the plan, not decided one by one
    decided_by = models.ForeignKey(
        "organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.event_id}: {self.response}"


class TriageOwner(models.Model):
    """The person of the provider's patient-safety team who is to triage an event (ADR 21).

    A table of its own, not a column on the event, so the event store keeps its bulk-import
    shape (ADR 7). No row: the patient-safety team as a whole.
    """

    event = models.OneToOneField(
        PatientSafetyEvent, on_delete=models.CASCADE, related_name="triage_owner"
    )
    owner_person = models.ForeignKey(
        "organisations.User", on_delete=models.CASCADE, related_name="owned_triage"
    )
    assigned_by = models.ForeignKey(
        "organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.event_id}: {self.owner_person_id}"


class LearningResponse(models.Model):
    """A PSII, AAR, SWARM, MDT review or thematic review, and what it found."""

    reference = models.CharField(max_length=12, unique=True, default=new_response_reference)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="learning_responses"
    )
    kind = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    events = models.ManyToManyField(PatientSafetyEvent, related_name="learning_responses")
    terms_of_reference = models.TextField(blank=True)
    lead = models.CharField(max_length=200, blank=True)
    # The person who leads it (ADR 21); `lead` is the lead as recorded before people owned work.
    owner_person = models.ForeignKey(
        "organisations.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_learning_responses",
    )
    status = models.CharField(max_length=12, default="planned")
    started_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    # The owner's latest word on how it is going (ADR 21: owners update their own work).
    progress = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class Engagement(models.Model):
    """Someone affected who was engaged in a learning response: who (a role, never a
    name) and how."""

    response = models.ForeignKey(
        LearningResponse, on_delete=models.CASCADE, related_name="engagements"
    )
    group = models.CharField(max_length=10)
    who = models.CharField(max_length=200)
    method = models.CharField(max_length=12)
    engaged_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.group}: {self.who}"


class Finding(models.Model):
    """What a learning response found about one SEIPS work-system factor."""

    response = models.ForeignKey(
        LearningResponse, on_delete=models.CASCADE, related_name="findings"
    )
    factor = models.CharField(max_length=25)
    text = models.TextField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "factor"], name="one_finding_per_factor")
        ]

    def __str__(self) -> str:
        return self.factor


class SafetyAction(models.Model):
    """A specific, owned, measured safety action raised from a learning response."""

    reference = models.CharField(max_length=12, unique=True, default=new_action_reference)
    response = models.ForeignKey(LearningResponse, on_delete=models.CASCADE, related_name="actions")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="safety_actions"
    )
    description = models.TextField()
    owner = models.CharField(max_length=200)
    # The person who owns it (ADR 21); `owner` is the owner as recorded (a role or team).
    owner_person = models.ForeignKey(
        "organisations.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_safety_actions",
    )
    due_on = models.DateField()
    measure_of_effect = models.TextField()
    review_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, default="open")
    reason_not_taken = models.TextField(blank=True)
    # The owner's latest word on how it is going (ADR 21: owners update their own work).
    progress = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organisation", "status", "due_on"], name="action_due")]

    def __str__(self) -> str:
        return self.reference


# --- Duty of Candour and referral tasks ------------------------------------------------------
# Appended as one block so parallel work on the safety app merges cleanly.


class ContactOutcome(models.TextChoices):
    """How the duty ended when the person could not be told in person."""

    NONE = "", "Not recorded"
    DECLINED = "declined", "The person declined to be involved"
    NOT_CONTACTABLE = "not_contactable", "The person could not be contacted"


class CandourRecord(models.Model):
    """The Duty of Candour steps for one event, and a hand flag when a person decided it.

    Created the first time someone records anything; an automatically notifiable event with
    no record simply has no steps yet. Dates are the days the steps happened.
    """

    event = models.OneToOneField(
        PatientSafetyEvent, on_delete=models.CASCADE, related_name="candour"
    )
    hand_flagged = models.BooleanField(default=False)
    hand_flag_reason = models.TextField(blank=True)
    notified_in_person_on = models.DateField(null=True, blank=True)
    notified_by = models.CharField(max_length=150, blank=True)
    # The person who owns the steps; none: the provider's patient-safety team (ADR 21).
    owner_person = models.ForeignKey(
        "organisations.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_candour",
    )
    apology_given = models.BooleanField(default=False)
    written_notification_on = models.DateField(null=True, blank=True)
    results_shared_on = models.DateField(null=True, blank=True)
    contact_outcome = models.CharField(
        max_length=20, choices=ContactOutcome.choices, blank=True, default=""
    )
    contact_outcome_on = models.DateField(null=True, blank=True)
    # A person decided the event is not a notifiable safety incident (say, the harm was not
    # caused by the incident), with their reason: a decision a local system holds, brought by
    # an import, the API or FHIR. The notification is then neither open nor overdue, and is
    # listed under "Decided not notifiable" for scrutiny.
    not_notifiable = models.BooleanField(default=False)
    not_notifiable_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["hand_flagged"], name="candour_hand_flagged")]

    def __str__(self) -> str:
        return f"Candour for {self.event_id}"

    @property
    def notification_done(self) -> bool:
        """The first duty is met: told in person, or the person declined or was unreachable."""
        return self.notified_in_person_on is not None or bool(self.contact_outcome)


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Telephone"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    VISIT = "visit", "Visit in person"
    OTHER = "other", "Other"


class ContactAttempt(models.Model):
    """One attempt to reach the person (or their family) to notify them."""

    candour = models.ForeignKey(CandourRecord, on_delete=models.CASCADE, related_name="attempts")
    attempted_on = models.DateField()
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    outcome = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempted_on", "id"]

    def __str__(self) -> str:
        return f"{self.attempted_on} {self.method}"


class ReferralKind(models.TextChoices):
    """The referral codes of docs/command-line.md ("referrals"), with the body each goes to."""

    LEDER = "leder_referral", "LeDeR review (learning disability and autism)"
    CHILD_DEATH = "child_death_review", "Child death review"
    MATERNITY = "maternity_referral", "Maternity investigation (MNSI)"
    SAFEGUARDING = "safeguarding_referral", "Local-authority safeguarding"
    MH_HOMICIDE = "mh_homicide_review", "Regional independent homicide review"


class ReferralStatus(models.TextChoices):
    TO_DO = "to_do", "To do"
    REFERRED = "referred", "Referred"
    NOT_NEEDED = "not_needed", "Not needed"


class ReferralTask(models.Model):
    """A referral beyond the provider that the national rules say an event needs.

    Made by the rules when an event is stored (safety/candour/referral_tasks.py), or by hand for
    what no stored field shows (a mental-health-related homicide).
    """

    event = models.ForeignKey(
        PatientSafetyEvent, on_delete=models.CASCADE, related_name="referral_tasks"
    )
    # The event's provider, copied so lists filter without joining the events table.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referral_tasks"
    )
    kind = models.CharField(max_length=30, choices=ReferralKind.choices)
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.TO_DO
    )
    by_hand = models.BooleanField(default=False)
    referred_on = models.DateField(null=True, blank=True)
    receiving_reference = models.CharField(max_length=100, blank=True)
    not_needed_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="unique_referral_per_event")
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="referral_org_status")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} for {self.event_id}"


# --- Reporters following their own reports ---------------------------------------------------


class EventReporter(models.Model):
    """Who recorded an event through the staff form, so they can follow it ("My events").

    A table of its own rather than a column on the event: imports and the API never write it,
    and an anonymous report has no row at all (core/anonymity.py), so nothing in the event
    itself can tie it to a person.
    """

    event = models.OneToOneField(
        PatientSafetyEvent, on_delete=models.CASCADE, related_name="reporter_link"
    )
    user = models.ForeignKey(
        "organisations.User", on_delete=models.CASCADE, related_name="recorded_events"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "event"], name="reporter_user_event")]

    def __str__(self) -> str:
        return f"{self.event_id} by {self.user_id}"
