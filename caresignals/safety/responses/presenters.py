"""What the event, triage, plan, learning-response and action pages show, as plain data.

Free text (what happened, triage notes, who was engaged) is shown in full only to the
provider's own patient-safety team; the ICB sees the facts and the learning without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from caresignals.core import clock
from caresignals.core.formatting import nhs_date
from caresignals.organisations.roles import Capability
from caresignals.safety.candour.queries import is_inside
from caresignals.safety.deidentify import deidentify
from caresignals.safety.events import rules
from caresignals.safety.models import LearningResponse, PatientSafetyEvent, PlanRule, SafetyAction
from caresignals.safety.responses import psirf
from caresignals.safety.responses.access import inside_provider, write_scope
from caresignals.safety.responses.queries import (
    actions_of,
    plan_of,
    plan_rules,
    plan_suggestion,
    plans_for,
    responses_of_event,
)
from caresignals.safety.vocabulary import (
    Category,
    MaxHarm,
    NeverEventType,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    ServiceArea,
    StrengthOfAssociation,
)

WITHHELD = "Shown only inside the provider."

REQUIREMENT_LABELS = {
    rules.NEVER_EVENT_PSII: "Never Event: PSII required",
    rules.MHA_MCA_DEATH_PSII: "Death of a detained patient linked to problems in care: PSII "
    "required",
    rules.DEATH_DUE_TO_CARE_PSII: "Death more likely than not due to problems in care: PSII "
    "required",
}
REFERRAL_LABELS = {
    rules.LEDER_REFERRAL: "LeDeR (learning disability and autism)",
    rules.CHILD_DEATH_REVIEW: "Child death review",
    rules.MATERNITY_REFERRAL: "Maternity independent investigation (HSSIB or MNSI)",
    rules.SAFEGUARDING_REFERRAL: "Local-authority safeguarding",
    rules.MH_HOMICIDE_REVIEW: "Regional mental-health homicide review",
}
RESPONSE_LABELS = {**dict(psirf.ResponseType.choices), rules.UNDECIDED: "Undecided until triage"}


def label(choices: Any, value: str, default: str = "Not recorded") -> str:
    return str(dict(choices).get(value, default)) if value else default


@dataclass(frozen=True)
class Row:
    key: str
    value: str


@dataclass(frozen=True)
class Derived:
    requirement: str | None
    requirement_label: str
    candour_notifiable: bool | None
    candour_due: dt.date | None
    referrals: list[str]
    plan_response: str | None
    plan_rule_number: int | None
    psirf_response: str


def derive(event: PatientSafetyEvent, plan: list[psirf.PlanRule]) -> Derived:
    requirement = rules.national_requirement(
        event.never_event_type,
        event.patient_died,
        event.death_in_care_more_likely_than_not,
        event.detained_mha,
    )
    notifiable = rules.candour_notifiable(
        event.organisation.type or None, event.physical_harm, event.psychological_harm
    )
    planned, index = psirf.plan_response(
        plan,
        category=event.category,
        max_harm=event.max_harm,
        service_area=event.service_area,
        service_id=event.service_id,
    )
    triage = event.triage if _has_triage(event) else None
    decided = triage.response if triage else planned
    return Derived(
        requirement=requirement,
        requirement_label=REQUIREMENT_LABELS.get(requirement or "", "None"),
        candour_notifiable=notifiable,
        candour_due=rules.candour_due(event.reported_on, notifiable),
        referrals=[
            REFERRAL_LABELS[r]
            for r in rules.referrals(
                patient_died=event.patient_died,
                learning_disability=event.learning_disability,
                autism=event.autism,
                patient_age_years=event.patient_age_years,
                service_area=event.service_area,
                service_type=event.service.type if event.service else None,
                max_harm=event.max_harm,
                category=event.category,
            )
        ],
        plan_response=planned,
        plan_rule_number=None if index is None else index + 1,
        psirf_response=rules.psirf_response(requirement, decided),
    )


def _has_triage(event: PatientSafetyEvent) -> bool:
    return hasattr(event, "triage")  # the reverse one-to-one raises when there is none


@dataclass(frozen=True)
class ActionLine:
    action: SafetyAction
    status_label: str
    overdue: bool


def action_line(action: SafetyAction, today: dt.date | None = None) -> ActionLine:
    today = today or clock.today()
    return ActionLine(
        action,
        label(psirf.ActionStatus.choices, action.status),
        action.status in psirf.ACTION_OPEN_STATUSES and action.due_on < today,
    )


@dataclass(frozen=True)
class ResponseLine:
    response: LearningResponse
    kind_label: str
    status_label: str
    actions: list[ActionLine] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.overdue)


@dataclass(frozen=True)
class EventPage:
    event: PatientSafetyEvent
    facts: list[Row]
    description: str
    derived: Derived
    triage: Any
    triage_label: str
    responses: list[ResponseLine]
    may_triage: bool
    inside: bool
    candour_url: str | None


def candour_url(reference: str) -> str | None:
    """The Duty of Candour page for the event, when that part of the application is present."""
    try:
        return reverse("safety:event_candour", kwargs={"reference": reference})
    except NoReverseMatch:
        return None


def event_page(user: Any, event: PatientSafetyEvent) -> EventPage:
    # One rule for free text, as on the candour pages: in full inside the provider,
    # de-identified outside it (safety/deidentify.py).
    inside = is_inside(user, event.organisation, Capability.VIEW_SAFETY_RESPONSES)
    derived = derive(event, plan_of(plan_rules(event.organisation)))
    triage = event.triage if _has_triage(event) else None
    responses = responses_of_event(event)
    actions = actions_of(responses)
    lines = [
        ResponseLine(
            r,
            label(psirf.LearningResponseType.choices, r.kind),
            label(psirf.ResponseStatus.choices, r.status),
            [action_line(a) for a in actions if a.response_id == r.pk],
        )
        for r in responses
    ]
    facts = [
        Row("Reference", event.reference),
        Row("Record type", label(RecordType.choices, event.record_type)),
        Row("Organisation", event.organisation.name),
        Row("Service", event.service.name if event.service else "Not recorded"),
        Row("Occurred on", nhs_date(event.occurred_on)),
        Row("Reported on", nhs_date(event.reported_on)),
        Row("Service area", label(ServiceArea.choices, event.service_area)),
        Row("Category", label(Category.choices, event.category)),
        Row("Physical harm", label(PhysicalHarm.choices, event.physical_harm)),
        Row("Psychological harm", label(PsychologicalHarm.choices, event.psychological_harm)),
        Row(
            "Worse harm",
            label(
                MaxHarm.choices,
                event.max_harm,
                "Not known" if event.record_type in ("incident", "outcome") else "Not recorded",
            ),
        ),
    ]
    # Asked only when harm is severe or fatal: shown then, or whenever a file gave it.
    if event.strength_of_association or event.max_harm in ("severe", "fatal"):
        facts.append(
            Row(
                "Strength of association",
                label(StrengthOfAssociation.choices, event.strength_of_association, "Not recorded"),
            )
        )
    facts += [
        Row("Never Event", label(NeverEventType.choices, event.never_event_type, "No")),
        Row("Patient died", "Yes" if event.patient_died else "No"),
    ]
    return EventPage(
        event=event,
        facts=facts,
        description=(
            (event.description if inside else deidentify(event.description)) or "Not recorded"
        ),
        derived=derived,
        triage=triage,
        triage_label=RESPONSE_LABELS.get(triage.response, triage.response) if triage else "",
        responses=lines,
        may_triage=write_scope(user).covers(event.organisation.path),
        inside=inside,
        candour_url=candour_url(event.reference),
    )


#: How much of an event's description the queue shows: enough to triage from, a line or two.
EXCERPT_CHARACTERS = 160


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """The start of a description, cut at a word boundary so no word is left half-shown."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[: limit + 1].rsplit(" ", 1)[0] if " " in words[:limit] else words[:limit]
    return cut.rstrip(" ,;:.-–") + "…"


@dataclass(frozen=True)
class QueueRow:
    event: PatientSafetyEvent
    requirement_label: str
    harm_label: str
    category_label: str
    candour: bool
    days_waiting: int
    excerpt: str = ""
    suggestion_label: str = ""
    routine: bool = False  # the plan's suggestion may be accepted from the queue
    judgement: str = ""  # why a person must decide it instead


def queue_rows(
    events: list[PatientSafetyEvent], today: dt.date | None = None, *, user: Any = None
) -> list[QueueRow]:
    """The queue's rows. The excerpt follows the event page's rule for free text: in full
    inside the provider, de-identified outside it."""
    today = today or clock.today()
    plans = plans_for({e.organisation_id for e in events})
    may_triage = write_scope(user) if user is not None else None
    inside: dict[int, bool] = {}
    rows = []
    for e in events:
        requirement = rules.national_requirement(
            e.never_event_type, e.patient_died, e.death_in_care_more_likely_than_not, e.detained_mha
        )
        if e.organisation_id not in inside:
            inside[e.organisation_id] = user is not None and is_inside(
                user, e.organisation, Capability.VIEW_SAFETY_RESPONSES
            )
        text = e.description if inside[e.organisation_id] else deidentify(e.description)
        suggestion, reason = plan_suggestion(e, plans.get(e.organisation_id, []))
        writable = may_triage is not None and may_triage.covers(e.organisation.path)
        rows.append(
            QueueRow(
                e,
                REQUIREMENT_LABELS.get(requirement or "", ""),
                label(
                    MaxHarm.choices,
                    e.max_harm,
                    "Not known" if e.record_type in ("incident", "outcome") else "Not recorded",
                ),
                label(Category.choices, e.category),
                bool(getattr(e, "candour_rank", 0)),
                (today - e.reported_on).days,
                excerpt=excerpt(text or "") or "No description recorded",
                suggestion_label=RESPONSE_LABELS.get(suggestion, "") if suggestion else "",
                routine=writable and reason is None,
                judgement=reason or "",
            )
        )
    return rows


@dataclass(frozen=True)
class RuleLine:
    number: int
    rule: PlanRule
    matches: str
    response_label: str


def rule_lines(rules_: list[PlanRule]) -> list[RuleLine]:
    lines = []
    for i, r in enumerate(rules_, start=1):
        parts = []
        if r.category:
            parts.append(f"category {label(Category.choices, r.category)}")
        if r.min_harm:
            parts.append(f"{label(MaxHarm.choices, r.min_harm).lower()} or worse")
        if r.service_area:
            parts.append(f"service area {label(ServiceArea.choices, r.service_area)}")
        if r.service_id and r.service:
            parts.append(f"service {r.service.name}")
        lines.append(
            RuleLine(
                i,
                r,
                "; ".join(parts) if parts else "Any event (a catch-all)",
                RESPONSE_LABELS.get(r.response, r.response),
            )
        )
    return lines


@dataclass(frozen=True)
class ResponsePage:
    response: LearningResponse
    kind_label: str
    status_label: str
    events: list[PatientSafetyEvent]
    engagements: list[tuple[Any, str, str]]  # (engagement, group label, method label)
    findings: list[Row]
    actions: list[ActionLine]
    may_edit: bool
    inside: bool

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.overdue)


def response_page(user: Any, response: LearningResponse) -> ResponsePage:
    inside = inside_provider(user, response.organisation.path)
    found = {f.factor: f.text for f in response.findings.all()}
    return ResponsePage(
        response=response,
        kind_label=label(psirf.LearningResponseType.choices, response.kind),
        status_label=label(psirf.ResponseStatus.choices, response.status),
        events=list(response.events.order_by("reported_on", "id")),
        engagements=[
            (
                e,
                label(psirf.EngagedGroup.choices, e.group),
                label(psirf.EngagementMethod.choices, e.method),
            )
            for e in response.engagements.all()
        ],
        findings=[
            Row(lbl, found[code]) for code, lbl in psirf.SeipsFactor.choices if code in found
        ],
        actions=[action_line(a) for a in actions_of([response])],
        may_edit=write_scope(user).covers(response.organisation.path),
        inside=inside,
    )


def date_values(name: str, value: dt.date | None) -> dict[str, str]:
    """A stored date as the three boxes of the NHS date input."""
    if value is None:
        return {}
    return {
        f"{name}_day": str(value.day),
        f"{name}_month": str(value.month),
        f"{name}_year": str(value.year),
    }
