"""Every write to soft intelligence, safety alerts and the SQG's logs: checked and audited.

Each function is one transaction with its audit entry. The forms have already said what to fix
field by field; these functions check again what must hold whoever calls them (the demo too):
who may write, about which organisation, and the rules of each record. Nothing is half stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record, require_actor
from caresignals.core.cache import bump
from caresignals.intelligence.models import (
    AlertAction,
    AlertResponse,
    SafetyAlert,
    SoftIntelligence,
    SqgAction,
    SqgMeeting,
    SurveillanceEntry,
)
from caresignals.intelligence.vocabulary import (
    DONE,
    ActionStatus,
    Credibility,
    IntelligenceStatus,
    LogStatus,
    Severity,
    Source,
)
from caresignals.organisations.models import Organisation, OrganisationKind, ProviderType
from caresignals.organisations.permissions import require_for
from caresignals.organisations.roles import Capability


class Invalid(ValueError):
    """What a caller sent breaks a rule; `field` names the field to fix."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _authorise(actor: Actor, capability: Capability, organisation: Organisation) -> None:
    require_actor(actor)
    if actor.user is not None:
        require_for(actor.user, capability, organisation.path)


def _who(actor: Actor) -> str:
    user = actor.user
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user.display_name)[:150]
    return actor.label[:150] or "system"


def _text(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(field_name, message)
    return value


def _choice(value: str, choices: Any, field_name: str, message: str) -> str:
    if value not in choices.values:
        raise Invalid(field_name, message)
    return value


# --------------------------------------------------------------------------- soft intelligence


@dataclass(frozen=True)
class IntelligenceInput:
    organisation: Organisation
    source: str
    credibility: str
    severity: str
    received_on: dt.date
    summary: str
    source_detail: str = ""
    shared_with_provider: bool = False


def log_intelligence(actor: Actor, data: IntelligenceInput, *, today: dt.date) -> SoftIntelligence:
    """Log a piece of intelligence about a provider or a service."""
    org = data.organisation
    if org.kind not in (OrganisationKind.PROVIDER, OrganisationKind.SERVICE):
        raise Invalid("organisation", "Select a provider or a service")
    _authorise(actor, Capability.MANAGE_INTELLIGENCE, org)
    source = _choice(data.source, Source, "source", "Select where the intelligence came from")
    credibility = _choice(data.credibility, Credibility, "credibility", "Select how credible it is")
    severity = _choice(data.severity, Severity, "severity", "Select how severe it is")
    if data.received_on > today:
        raise Invalid("received_on", "The date it was received must be today or in the past")
    summary = _text(data.summary, "summary", "Enter a summary of the intelligence")
    detail = (data.source_detail or "").strip()
    if source == Source.OTHER and not detail:
        raise Invalid("source_detail", "Enter who the other source is")
    with transaction.atomic():
        # The watchlist reads intelligence and alerts: its cached months are out of date.
        bump()
        item = SoftIntelligence.objects.create(
            organisation=org,
            source=source,
            source_detail=detail[:200],
            credibility=credibility,
            severity=severity,
            received_on=data.received_on,
            summary=summary,
            logged_by=actor.user if getattr(actor.user, "is_authenticated", False) else None,
            logged_by_label=_who(actor),
            logged_at=timezone.now(),
            shared_with_provider=data.shared_with_provider,
        )
        record(
            actor,
            Change(
                AuditAction.INTELLIGENCE_LOGGED,
                "soft_intelligence",
                str(item.pk),
                org.path,
                {
                    "source": source,
                    "credibility": credibility,
                    "severity": severity,
                    "received_on": data.received_on.isoformat(),
                    "shared_with_provider": data.shared_with_provider,
                },
            ),
        )
    return item


def update_intelligence(
    actor: Actor,
    item: SoftIntelligence,
    *,
    credibility: str,
    severity: str,
    shared_with_provider: bool,
    status: str,
    outcome: str,
    today: dt.date,
) -> SoftIntelligence:
    """Regrade, share or close a piece of intelligence; closing needs its outcome."""
    _authorise(actor, Capability.MANAGE_INTELLIGENCE, item.organisation)
    credibility = _choice(credibility, Credibility, "credibility", "Select how credible it is")
    severity = _choice(severity, Severity, "severity", "Select how severe it is")
    status = _choice(status, IntelligenceStatus, "status", "Select whether it is open or closed")
    outcome = (outcome or "").strip()
    if status == IntelligenceStatus.CLOSED and not outcome:
        raise Invalid("outcome", "Enter the outcome before closing the intelligence")
    before = {
        "credibility": item.credibility,
        "severity": item.severity,
        "shared_with_provider": item.shared_with_provider,
        "status": item.status,
    }
    with transaction.atomic():
        # The watchlist reads intelligence and alerts: its cached months are out of date.
        bump()
        item.credibility = credibility
        item.severity = severity
        item.shared_with_provider = shared_with_provider
        if status != item.status:
            item.closed_on = today if status == IntelligenceStatus.CLOSED else None
        item.status = status
        item.outcome = outcome
        item.save()
        after = {
            "credibility": credibility,
            "severity": severity,
            "shared_with_provider": shared_with_provider,
            "status": status,
        }
        record(
            actor,
            Change(
                AuditAction.INTELLIGENCE_UPDATED,
                "soft_intelligence",
                str(item.pk),
                item.organisation.path,
                {k: [before[k], v] for k, v in after.items() if before[k] != v},
            ),
        )
    return item


# --------------------------------------------------------------------------- safety alerts


def add_alert(
    actor: Actor,
    system: Organisation,
    *,
    reference: str,
    title: str,
    issued_on: dt.date,
    deadline: dt.date,
    provider_types: Sequence[str],
    actions: Sequence[str],
) -> SafetyAlert:
    """Record a national patient safety alert for every provider of the types it applies to.
    `system` is the integrated care system the ICB quality lead keeps it for."""
    _authorise(actor, Capability.MANAGE_INTELLIGENCE, system)
    reference = _text(reference, "reference", "Enter the alert's reference")
    title = _text(title, "title", "Enter the alert's title")
    if deadline < issued_on:
        raise Invalid("deadline", "The deadline must be on or after the date it was issued")
    types = [t for t in provider_types if t in ProviderType.values]
    if not types or len(types) != len(provider_types):
        raise Invalid("provider_types", "Select the kinds of provider the alert applies to")
    texts = [a.strip() for a in actions if a and a.strip()]
    if not texts:
        raise Invalid("action_1", "Enter at least one action the alert asks for")
    if SafetyAlert.objects.filter(reference__iexact=reference).exists():
        raise Invalid("reference", "An alert with this reference has already been added")
    with transaction.atomic():
        # The watchlist reads intelligence and alerts: its cached months are out of date.
        bump()
        alert = SafetyAlert.objects.create(
            reference=reference,
            title=title,
            issued_on=issued_on,
            deadline=deadline,
            provider_types=types,
            added_by_label=_who(actor),
        )
        AlertAction.objects.bulk_create(
            AlertAction(alert=alert, number=i, text=t) for i, t in enumerate(texts, start=1)
        )
        record(
            actor,
            Change(
                AuditAction.SAFETY_ALERT_ADDED,
                "safety_alert",
                reference,
                system.path,
                {"deadline": deadline.isoformat(), "actions": len(texts), "types": types},
            ),
        )
    return alert


@dataclass(frozen=True)
class ResponseInput:
    action: AlertAction
    status: str
    evidence: str = ""
    reason: str = ""


def record_responses(
    actor: Actor, provider: Organisation, rows: Sequence[ResponseInput], *, today: dt.date
) -> None:
    """A provider's status on each action of one alert, all or nothing. A provider records
    only its own (RESPOND_SAFETY_ALERTS held at that provider)."""
    _authorise(actor, Capability.RESPOND_SAFETY_ALERTS, provider)
    if provider.kind != OrganisationKind.PROVIDER:
        raise Invalid("provider", "Only a provider responds to an alert")
    checked = []
    for row in rows:
        name = f"action_{row.action.number}"
        if provider.type not in row.action.alert.provider_types:
            raise Invalid(name, "This alert does not apply to this provider")
        status = _choice(
            row.status,
            ActionStatus,
            f"{name}_status",
            f"Select the status of action {row.action.number}",
        )
        reason = (row.reason or "").strip()
        evidence = (row.evidence or "").strip()
        if status == ActionStatus.NOT_APPLICABLE and not reason:
            raise Invalid(f"{name}_reason", f"Enter why action {row.action.number} does not apply")
        if status == ActionStatus.COMPLETED and not evidence:
            raise Invalid(
                f"{name}_evidence",
                f"Enter the evidence that action {row.action.number} is complete",
            )
        checked.append((row.action, status, reason, evidence))
    now = timezone.now()
    who = _who(actor)
    with transaction.atomic():
        # The watchlist reads intelligence and alerts: its cached months are out of date.
        bump()
        for action, status, reason, evidence in checked:
            existing = AlertResponse.objects.filter(action=action, provider=provider).first()
            before = existing.status if existing else ActionStatus.NOT_STARTED
            unchanged = existing is not None and (
                existing.status,
                existing.reason,
                existing.evidence,
            ) == (status, reason, evidence)
            if unchanged or (existing is None and status == ActionStatus.NOT_STARTED):
                continue
            done_on = None
            if status in DONE:
                kept = (
                    existing.done_on if existing is not None and existing.status in DONE else None
                )
                done_on = kept or today
            AlertResponse.objects.update_or_create(
                action=action,
                provider=provider,
                defaults={
                    "status": status,
                    "reason": reason if status == ActionStatus.NOT_APPLICABLE else "",
                    "evidence": evidence,
                    "done_on": done_on,
                    "updated_by_label": who,
                    "updated_at": now,
                },
            )
            record(
                actor,
                Change(
                    AuditAction.SAFETY_ALERT_RESPONSE,
                    "safety_alert",
                    action.alert.reference,
                    provider.path,
                    {"action": action.number, "from": before, "to": status},
                ),
            )


# --------------------------------------------------------------------------- SQG logs


def add_meeting(actor: Actor, system: Organisation, held_on: dt.date) -> SqgMeeting:
    _authorise(actor, Capability.MANAGE_INTELLIGENCE, system)
    if SqgMeeting.objects.filter(held_on=held_on).exists():
        raise Invalid("held_on", "A meeting on this date has already been added")
    with transaction.atomic():
        meeting = SqgMeeting.objects.create(held_on=held_on)
        record(
            actor,
            Change(AuditAction.SQG_MEETING_ADDED, "sqg_meeting", held_on.isoformat(), system.path),
        )
    return meeting


def add_surveillance(
    actor: Actor,
    meeting: SqgMeeting,
    organisation: Organisation,
    *,
    concern: str,
    source: str,
    decision: str,
    owner: str,
    review_on: dt.date,
    status: str = LogStatus.OPEN,
) -> SurveillanceEntry:
    _authorise(actor, Capability.MANAGE_INTELLIGENCE, organisation)
    entry = SurveillanceEntry(
        meeting=meeting,
        organisation=organisation,
        concern=_text(concern, "concern", "Enter the concern"),
        source=_text(source, "source", "Enter where the concern came from")[:200],
        decision=_text(decision, "decision", "Enter what the group decided"),
        owner=_text(owner, "owner", "Enter who owns it")[:150],
        review_on=review_on,
        status=_choice(status, LogStatus, "status", "Select the status"),
    )
    if review_on < meeting.held_on:
        raise Invalid("review_on", "The review date must be on or after the meeting")
    with transaction.atomic():
        entry.save()
        record(
            actor,
            Change(
                AuditAction.SQG_LOG_ADDED,
                "sqg_surveillance",
                str(entry.pk),
                organisation.path,
                {"meeting": meeting.held_on.isoformat(), "review_on": review_on.isoformat()},
            ),
        )
    return entry


def add_action(
    actor: Actor,
    meeting: SqgMeeting,
    organisation: Organisation,
    *,
    action: str,
    owner: str,
    due_on: dt.date,
    status: str = LogStatus.OPEN,
) -> SqgAction:
    _authorise(actor, Capability.MANAGE_INTELLIGENCE, organisation)
    row = SqgAction(
        meeting=meeting,
        organisation=organisation,
        action=_text(action, "action", "Enter the action"),
        owner=_text(owner, "owner", "Enter who owns the action")[:150],
        due_on=due_on,
        status=_choice(status, LogStatus, "status", "Select the status"),
    )
    if due_on < meeting.held_on:
        raise Invalid("due_on", "The due date must be on or after the meeting")
    with transaction.atomic():
        row.save()
        record(
            actor,
            Change(
                AuditAction.SQG_LOG_ADDED,
                "sqg_action",
                str(row.pk),
                organisation.path,
                {"meeting": meeting.held_on.isoformat(), "due_on": due_on.isoformat()},
            ),
        )
    return row


def set_log_status(actor: Actor, row: SurveillanceEntry | SqgAction, status: str) -> None:
    """Move a surveillance or action log line on (open, in progress, closed)."""
    _authorise(actor, Capability.MANAGE_INTELLIGENCE, row.organisation)
    status = _choice(status, LogStatus, "status", "Select the status")
    if status == row.status:
        return
    kind = "sqg_surveillance" if isinstance(row, SurveillanceEntry) else "sqg_action"
    with transaction.atomic():
        before = row.status
        row.status = status
        row.save(update_fields=["status"])
        record(
            actor,
            Change(
                AuditAction.SQG_LOG_UPDATED,
                kind,
                str(row.pk),
                row.organisation.path,
                {"status": [before, status]},
            ),
        )
