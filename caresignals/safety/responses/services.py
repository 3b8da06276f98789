"""Writes for PSIRF responses: triage, plan rules, learning responses, people engaged and
safety actions. Each runs in one transaction with its audit entry; edits carry the version
they were read at (core/concurrency.py) so nobody silently overwrites somebody else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change
from caresignals.audit.services import record_work as record
from caresignals.core.concurrency import EditConflict, save_if_unchanged
from caresignals.organisations.models import Organisation
from caresignals.safety import hooks
from caresignals.safety.events import rules
from caresignals.safety.models import (
    Engagement,
    Finding,
    LearningResponse,
    PatientSafetyEvent,
    PlanRule,
    SafetyAction,
    TriageDecision,
    TriageOwner,
)
from caresignals.safety.responses import psirf
from caresignals.safety.responses.queries import plan_suggestion, plans_for
from caresignals.safety.vocabulary import HARM_ORDER, Category

NO_REQUIREMENT_MESSAGE = (
    "This event meets a national requirement, so it must have a patient-safety incident "
    "investigation (PSII). This cannot be changed."
)


@dataclass
class ResponseInvalid(Exception):
    """Nothing was stored; ``errors`` maps each field to what to fix."""

    errors: dict[str, list[str]]


def _user(actor: Actor) -> Any:
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def event_requirement(event: PatientSafetyEvent) -> str | None:
    return rules.national_requirement(
        event.never_event_type,
        event.patient_died,
        event.death_in_care_more_likely_than_not,
        event.detained_mha,
    )


# --- triage ------------------------------------------------------------------------------------


@transaction.atomic
def triage_event(
    event: PatientSafetyEvent,
    *,
    response: str,
    note: str,
    expected_version: int,
    actor: Actor,
    physical_harm: str = "",
    category: str = "",
) -> TriageDecision:
    """Record (version 0) or change the triage decision. A national requirement means PSII.

    `physical_harm` and `category`, when given, fill in what a member of the public did not
    know (harm blank, category "not_known", hazard H71); a value already recorded is kept."""
    if response not in rules.PLAN_RESPONSES:
        raise ResponseInvalid({"response": ["Select the learning response"]})
    filled = _fill_not_known(event, physical_harm=physical_harm, category=category)
    if event_requirement(event) and response != "psii":
        raise ResponseInvalid({"response": [NO_REQUIREMENT_MESSAGE]})
    existing = TriageDecision.objects.select_for_update().filter(event=event).first()
    previous = existing.response if existing else None
    if expected_version == 0:
        if existing is not None:
            raise EditConflict(existing)
        try:
            with transaction.atomic():
                decision = TriageDecision.objects.create(
                    event=event, response=response, note=note, decided_by=_user(actor)
                )
        except IntegrityError:  # someone triaged it between our read and write
            raise EditConflict(event) from None
    else:
        if existing is None:
            raise EditConflict(event)
        save_if_unchanged(
            existing,
            expected_version,
            response=response,
            note=note,
            by_plan=False,
            decided_by=_user(actor),
        )
        decision = existing
    record(
        actor,
        Change(
            AuditAction.EVENT_TRIAGED,
            "event",
            event.reference,
            event.organisation.path,
            {"response": response, "previous": previous, **({"set": filled} if filled else {})},
        ),
    )
    return decision


def _fill_not_known(
    event: PatientSafetyEvent, *, physical_harm: str, category: str
) -> dict[str, str]:
    """Set the harm and category the reporter did not know; what was set, by field."""
    filled: dict[str, str] = {}
    if physical_harm:
        if physical_harm not in HARM_ORDER:
            raise ResponseInvalid({"physical_harm": ["Select the harm"]})
        if not event.physical_harm:
            filled["physical_harm"] = physical_harm
    if category:
        if category not in Category.values or category == Category.NOT_KNOWN:
            raise ResponseInvalid({"category": ["Select what it was about"]})
        if event.category == Category.NOT_KNOWN:
            filled["category"] = category
    if not filled:
        return filled
    if "physical_harm" in filled:
        event.physical_harm = physical_harm
        worse = max(HARM_ORDER[physical_harm], HARM_ORDER.get(event.psychological_harm, -1))
        event.max_harm = next(code for code, rank in HARM_ORDER.items() if rank == worse)
    if "category" in filled:
        event.category = category
    event.save(update_fields=["physical_harm", "max_harm", "category", "updated_at"])
    # The aggregates by harm and category are recounted for the event's month.
    hooks.event_recorded.send(
        sender=PatientSafetyEvent,
        provider_months={(event.organisation_id, event.occurred_on.replace(day=1))},
    )
    return filled


@transaction.atomic
def assign_triage(event: PatientSafetyEvent, person: Any, *, actor: Actor) -> None:
    """Name the person of the patient-safety team who is to triage the event; None gives it
    back to the team (ADR 21)."""
    previous = TriageOwner.objects.filter(event=event).values_list("owner_person_id", flat=True)
    before = previous.first()
    if person is None:
        TriageOwner.objects.filter(event=event).delete()
    else:
        TriageOwner.objects.update_or_create(
            event=event, defaults={"owner_person": person, "assigned_by": _user(actor)}
        )
    record(
        actor,
        Change(
            AuditAction.TRIAGE_ASSIGNED,
            "event",
            event.reference,
            event.organisation.path,
            {"owner_person": person.pk if person is not None else None, "previous": before},
        ),
    )


ACCEPTED_NOTE = "The plan's suggestion, accepted from the triage queue."


def accept_plan_for(events: Sequence[PatientSafetyEvent], *, actor: Actor) -> list[TriageDecision]:
    """Accept the plan's suggestion for several routine events at once: all or none.

    Each is its own triage decision with its own audit entry, as if decided one by one. Any
    event needing a person's judgement (psirf.needs_judgement), or already triaged, refuses
    the lot, so a lead never finds half a batch stored.
    """
    plans = plans_for({e.organisation_id for e in events})
    chosen: list[tuple[PatientSafetyEvent, str]] = []
    refused: list[str] = []
    for e in events:
        suggestion, reason = plan_suggestion(e, plans.get(e.organisation_id, []))
        if reason or suggestion is None:
            refused.append(f"{e.reference} needs a person's judgement: {reason}")
        else:
            chosen.append((e, suggestion))
    if refused:
        raise ResponseInvalid({"events": refused})
    decisions = []
    try:
        with transaction.atomic():
            for e, response in chosen:
                decisions.append(
                    TriageDecision.objects.create(
                        event=e,
                        response=response,
                        note=ACCEPTED_NOTE,
                        by_plan=True,
                        decided_by=_user(actor),
                    )
                )
                record(
                    actor,
                    Change(
                        AuditAction.EVENT_TRIAGED,
                        "event",
                        e.reference,
                        e.organisation.path,
                        {"response": response, "previous": None, "accepted_plan": True},
                    ),
                )
    except IntegrityError:  # someone triaged one of them between our read and write
        raise EditConflict(events[0]) from None
    return decisions


def triage_by_plan(
    provider: Organisation, *, reported_before: dt.date, actor: Actor, batch_size: int = 5000
) -> int:
    """Triage every untriaged event the provider reported before a date as its plan says
    (local review where the plan is silent; PSII where a national requirement applies).

    For loading a history in bulk: a few queries and one audit entry, however many events.
    """
    plans = plans_for([provider.pk])
    rows = list(
        PatientSafetyEvent.objects.filter(
            organisation=provider, reported_on__lt=reported_before, triage__isnull=True
        )
        .exclude(record_type="good_care")
        .values_list(
            "id",
            "category",
            "max_harm",
            "service_area",
            "service_id",
            "never_event_type",
            "patient_died",
            "death_in_care_more_likely_than_not",
            "detained_mha",
        )
    )
    if not rows:
        return 0
    ids, cats, harms, areas, services, never, died, due, detained = zip(*rows, strict=True)
    planned = psirf.plan_response_many(
        plans,
        organisation_ids=[provider.pk] * len(ids),
        categories=cats,
        max_harms=harms,
        service_areas=areas,
        service_ids=services,
    )
    required = rules.national_requirement_many(never, died, due, detained)
    decided = rules.psirf_response_many(required, planned).to_pylist()
    # A plain executemany: the ORM's bulk_create spends seconds building 70,000 model
    # instances for a demo history, the insert itself a fraction of that.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    note = "Triaged by the response plan."
    table = connection.ops.quote_name(TriageDecision._meta.db_table)
    # The table name is our own model's, quoted; every value is a parameter.
    columns = "(event_id, response, note, by_plan, decided_at, version)"
    sql = f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s, 1)"  # noqa: S608
    with transaction.atomic():
        with connection.cursor() as cursor:
            for start in range(0, len(ids), batch_size):
                cursor.executemany(
                    sql,
                    [
                        (i, "none" if r == rules.UNDECIDED else r, note, True, now)
                        for i, r in zip(
                            ids[start : start + batch_size],
                            decided[start : start + batch_size],
                            strict=True,
                        )
                    ],
                )
        record(
            actor,
            Change(
                AuditAction.EVENTS_TRIAGED_BY_PLAN,
                "organisation",
                provider.code,
                provider.path,
                {"events": len(ids), "reported_before": reported_before.isoformat()},
            ),
        )
    return len(ids)


# --- the incident response plan --------------------------------------------------------------


@dataclass(frozen=True)
class RuleFields:
    category: str
    min_harm: str
    service_area: str
    service: Organisation | None
    response: str
    position: int | None


def _rule_details(rule: PlanRule) -> dict[str, Any]:
    return {
        "position": rule.position,
        "category": rule.category,
        "min_harm": rule.min_harm,
        "service_area": rule.service_area,
        "service": rule.service.code if rule.service else "",
        "response": rule.response,
    }


@transaction.atomic
def save_plan_rule(
    provider: Organisation,
    rule: PlanRule | None,
    fields: RuleFields,
    *,
    expected_version: int,
    actor: Actor,
) -> PlanRule:
    if fields.service is not None and fields.service.parent_id != provider.pk:
        raise ResponseInvalid({"service": ["Select one of this provider's services"]})
    values: dict[str, Any] = {
        "category": fields.category,
        "min_harm": fields.min_harm,
        "service_area": fields.service_area,
        "service": fields.service,
        "response": fields.response,
    }
    if rule is None:
        last = PlanRule.objects.filter(organisation=provider).aggregate(m=Max("position"))["m"]
        values["position"] = fields.position or (last or 0) + 1
        rule = PlanRule.objects.create(organisation=provider, **values)
        action = AuditAction.PLAN_RULE_CREATED
    else:
        if fields.position:
            values["position"] = fields.position
        save_if_unchanged(rule, expected_version, **values)
        action = AuditAction.PLAN_RULE_UPDATED
    record(actor, Change(action, "plan_rule", str(rule.pk), provider.path, _rule_details(rule)))
    return rule


@transaction.atomic
def remove_plan_rule(rule: PlanRule, *, expected_version: int, actor: Actor) -> None:
    details = _rule_details(rule)
    deleted, _ = PlanRule.objects.filter(pk=rule.pk, version=expected_version).delete()
    if not deleted:
        raise EditConflict(rule)
    record(
        actor,
        Change(
            AuditAction.PLAN_RULE_REMOVED,
            "plan_rule",
            str(rule.pk),
            rule.organisation.path,
            details,
        ),
    )


# --- learning responses ----------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseFields:
    kind: str
    title: str
    terms_of_reference: str
    lead: str
    status: str
    started_on: dt.date | None
    due_on: dt.date | None
    completed_on: dt.date | None
    summary: str
    findings: Mapping[str, str]  # SEIPS factor → what was found (blank: nothing recorded)
    owner_person: Any = None  # the person who leads it; None: whoever saves it (ADR 21)


def _check_events(provider: Organisation, kind: str, events: Sequence[PatientSafetyEvent]) -> None:
    if not events:
        raise ResponseInvalid({"events": ["Enter the reference of at least one event"]})
    if any(e.organisation_id != provider.pk for e in events):
        raise ResponseInvalid({"events": ["Enter references of this provider's events only"]})
    if kind != psirf.LearningResponseType.THEMATIC and len(events) > 1:
        raise ResponseInvalid({"events": ["Only a thematic review can look at several events"]})


@transaction.atomic
def save_learning_response(
    provider: Organisation,
    response: LearningResponse | None,
    fields: ResponseFields,
    events: Sequence[PatientSafetyEvent],
    *,
    expected_version: int,
    actor: Actor,
) -> LearningResponse:
    _check_events(provider, fields.kind, events)
    values = {
        "kind": fields.kind,
        "title": fields.title,
        "terms_of_reference": fields.terms_of_reference,
        "lead": fields.lead,
        "owner_person": fields.owner_person or _user(actor),
        "status": fields.status,
        "started_on": fields.started_on,
        "due_on": fields.due_on,
        "completed_on": fields.completed_on,
        "summary": fields.summary,
    }
    if response is None:
        response = LearningResponse.objects.create(organisation=provider, **values)
        action = AuditAction.LEARNING_RESPONSE_CREATED
    else:
        save_if_unchanged(response, expected_version, **values)
        action = AuditAction.LEARNING_RESPONSE_UPDATED
    response.events.set(events)
    Finding.objects.filter(response=response).delete()
    Finding.objects.bulk_create(
        [
            Finding(response=response, factor=factor, text=text)
            for factor, text in fields.findings.items()
            if text.strip()
        ]
    )
    record(
        actor,
        Change(
            action,
            "learning_response",
            response.reference,
            provider.path,
            {
                "kind": fields.kind,
                "status": fields.status,
                "events": sorted(e.reference for e in events),
                "findings": sorted(f for f, t in fields.findings.items() if t.strip()),
            },
        ),
    )
    return response


@transaction.atomic
def add_engagement(
    response: LearningResponse,
    *,
    group: str,
    who: str,
    method: str,
    engaged_on: dt.date | None,
    actor: Actor,
) -> Engagement:
    engagement = Engagement.objects.create(
        response=response, group=group, who=who, method=method, engaged_on=engaged_on
    )
    record(
        actor,
        Change(
            AuditAction.ENGAGEMENT_ADDED,
            "learning_response",
            response.reference,
            response.organisation.path,
            {"engagement": engagement.pk, "group": group, "method": method},
        ),
    )
    return engagement


@transaction.atomic
def remove_engagement(response: LearningResponse, engagement_id: int, *, actor: Actor) -> bool:
    deleted, _ = Engagement.objects.filter(response=response, pk=engagement_id).delete()
    if deleted:
        record(
            actor,
            Change(
                AuditAction.ENGAGEMENT_REMOVED,
                "learning_response",
                response.reference,
                response.organisation.path,
                {"engagement": engagement_id},
            ),
        )
    return bool(deleted)


# --- safety actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFields:
    description: str
    owner: str
    due_on: dt.date
    measure_of_effect: str
    review_on: dt.date | None
    status: str
    reason_not_taken: str
    owner_person: Any = None  # the person who owns it; None: whoever saves it (ADR 21)


@transaction.atomic
def save_action(
    response: LearningResponse,
    action: SafetyAction | None,
    fields: ActionFields,
    *,
    expected_version: int,
    actor: Actor,
) -> SafetyAction:
    if fields.status == psirf.ActionStatus.NOT_TAKEN_FORWARD and not fields.reason_not_taken:
        raise ResponseInvalid(
            {"reason_not_taken": ["Enter why the action is not being taken forward"]}
        )
    values = {
        "description": fields.description,
        "owner": fields.owner,
        "owner_person": fields.owner_person or _user(actor),
        "due_on": fields.due_on,
        "measure_of_effect": fields.measure_of_effect,
        "review_on": fields.review_on,
        "status": fields.status,
        "reason_not_taken": fields.reason_not_taken,
    }
    if action is None:
        action = SafetyAction.objects.create(
            response=response, organisation=response.organisation, **values
        )
        what = AuditAction.SAFETY_ACTION_CREATED
    else:
        save_if_unchanged(action, expected_version, **values)
        what = AuditAction.SAFETY_ACTION_UPDATED
    record(
        actor,
        Change(
            what,
            "safety_action",
            action.reference,
            response.organisation.path,
            {
                "response": response.reference,
                "status": fields.status,
                "due_on": fields.due_on.isoformat(),
            },
        ),
    )
    return action


# --- owners updating their own work (ADR 21) --------------------------------------------------

#: What the owner of a learning response may set without managing responses: completing one
#: (its summary and findings) stays with the patient-safety team.
OWNER_RESPONSE_STATUSES: Final = (
    psirf.ResponseStatus.PLANNED.value,
    psirf.ResponseStatus.IN_PROGRESS.value,
)


@transaction.atomic
def update_action_progress(
    action: SafetyAction,
    *,
    status: str,
    reason_not_taken: str,
    progress: str,
    expected_version: int,
    actor: Actor,
) -> None:
    """The owner's update of their action: its status and a progress note, nothing else."""
    if status not in psirf.ActionStatus.values:
        raise ResponseInvalid({"status": ["Select the status"]})
    if status == psirf.ActionStatus.NOT_TAKEN_FORWARD and not reason_not_taken:
        raise ResponseInvalid(
            {"reason_not_taken": ["Enter why the action is not being taken forward"]}
        )
    save_if_unchanged(
        action,
        expected_version,
        status=status,
        reason_not_taken=reason_not_taken,
        progress=progress,
    )
    record(
        actor,
        Change(
            AuditAction.SAFETY_ACTION_PROGRESS,
            "safety_action",
            action.reference,
            action.organisation.path,
            {"response": action.response.reference, "status": status, "previous": action.status},
        ),
    )


@transaction.atomic
def update_response_progress(
    response: LearningResponse,
    *,
    status: str,
    progress: str,
    expected_version: int,
    actor: Actor,
) -> None:
    """The owner's update of their learning response: planned or in progress, and a note."""
    if response.status == psirf.ResponseStatus.COMPLETED:
        raise ResponseInvalid({"status": ["This learning response is complete"]})
    if status not in OWNER_RESPONSE_STATUSES:
        raise ResponseInvalid({"status": ["Select planned or in progress"]})
    save_if_unchanged(response, expected_version, status=status, progress=progress)
    record(
        actor,
        Change(
            AuditAction.LEARNING_RESPONSE_PROGRESS,
            "learning_response",
            response.reference,
            response.organisation.path,
            {"status": status, "previous": response.status},
        ),
    )
