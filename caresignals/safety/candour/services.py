"""Changing Duty of Candour records and referral tasks: one transaction, one audit entry each.

Callers pass values a form has already checked; these functions check what depends on the
stored record (an automatic flag cannot be cleared, the record has not changed since it was
read) and raise CandourRefused or EditConflict, storing nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, require_actor
from caresignals.audit.services import record_work as record
from caresignals.core.concurrency import EditConflict, save_if_unchanged
from caresignals.organisations.permissions import require_for
from caresignals.organisations.roles import Capability
from caresignals.safety.events import rules
from caresignals.safety.models import (
    CandourRecord,
    ContactAttempt,
    PatientSafetyEvent,
    ReferralStatus,
    ReferralTask,
)


def _authorise(actor: Actor, event: PatientSafetyEvent) -> None:
    """A person needs the candour capability for the event's provider; named command-line
    operators and the demo act for the system; nobody else changes a candour record."""
    require_actor(actor)
    if actor.user is not None:
        require_for(actor.user, Capability.MANAGE_CANDOUR, event.organisation.path)


@dataclass
class CandourRefused(Exception):
    """The change does not make sense for this event; `field` and `message` say why."""

    field: str
    message: str


def automatically_notifiable(event: PatientSafetyEvent) -> bool:
    return (
        rules.candour_notifiable(
            event.organisation.type or None, event.physical_harm, event.psychological_harm
        )
        is True
    )


def _save(event: PatientSafetyEvent, expected_version: int, **changes: Any) -> CandourRecord:
    """Apply ``changes`` to the event's candour record, made now if it had none.

    ``expected_version`` 0 means the person read the page when there was no record: a new
    record starts at version 1 with the changes; a record someone made meanwhile conflicts.
    """
    candour, created = CandourRecord.objects.get_or_create(event=event, defaults=changes)
    if created:
        if expected_version != 0:
            raise EditConflict(candour)
        return candour
    if expected_version == 0:
        raise EditConflict(candour)
    save_if_unchanged(candour, expected_version, **changes)
    return candour


def _change(action: AuditAction, event: PatientSafetyEvent, **details: Any) -> Change:
    return Change(action, "event", event.reference, event.organisation.path, details=details)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def set_hand_flag(
    event: PatientSafetyEvent, *, flag: bool, reason: str, version: int, actor: Actor
) -> CandourRecord:
    """Flag the event notifiable by hand (a person's decision), or clear such a flag."""
    _authorise(actor, event)
    automatic = automatically_notifiable(event)
    if flag and automatic:
        raise CandourRefused("reason", "This event is already notifiable by the rules")
    if not flag and automatic:
        raise CandourRefused(
            "reason",
            "This flag cannot be cleared: the harm recorded makes the event notifiable by law. "
            "If the harm was recorded wrongly, correct the event's harm instead.",
        )
    current = getattr(event, "candour", None)
    if not flag and not (current and current.hand_flagged):
        raise CandourRefused("reason", "This event has no hand flag to clear")
    candour = _save(event, version, hand_flagged=flag, hand_flag_reason=reason)
    action = AuditAction.CANDOUR_FLAGGED if flag else AuditAction.CANDOUR_UNFLAGGED
    record(actor, _change(action, event, reason=reason))
    return candour


@transaction.atomic
def assign_candour(
    event: PatientSafetyEvent, owner: Any, *, version: int, actor: Actor
) -> CandourRecord:
    """Name the person who owns the event's candour steps; None hands them back to the
    provider's patient-safety team (ADR 21)."""
    _authorise(actor, event)
    candour = _save(event, version, owner_person=owner)
    record(
        actor,
        _change(
            AuditAction.CANDOUR_STEPS_RECORDED,
            event,
            changed={"owner_person": owner.pk if owner else None},
        ),
    )
    return candour


STEP_FIELDS = (
    "notified_in_person_on",
    "notified_by",
    "apology_given",
    "written_notification_on",
    "results_shared_on",
    "contact_outcome",
    "contact_outcome_on",
)


@transaction.atomic
def record_steps(
    event: PatientSafetyEvent, *, steps: dict[str, Any], version: int, actor: Actor
) -> CandourRecord:
    """Store the notification steps as the form cleaned them (every step field given)."""
    _authorise(actor, event)
    current = getattr(event, "candour", None)
    if not (automatically_notifiable(event) or (current and current.hand_flagged)):
        raise CandourRefused(
            "non_field_errors", "This event is not notifiable: flag it notifiable first"
        )
    values = {name: steps.get(name) for name in STEP_FIELDS}
    values["notified_by"] = values["notified_by"] or ""
    values["apology_given"] = bool(values["apology_given"])
    values["contact_outcome"] = values["contact_outcome"] or ""
    if current is None and not any(values.values()):
        raise CandourRefused("notified_in_person_on", "Enter at least one step to save")
    before = current or CandourRecord()
    changed = {
        name: _iso(value) for name, value in values.items() if getattr(before, name) != value
    }
    candour = _save(event, version, **values)
    record(actor, _change(AuditAction.CANDOUR_STEPS_RECORDED, event, changed=changed))
    return candour


@transaction.atomic
def add_contact_attempt(
    event: PatientSafetyEvent, *, attempted_on: dt.date, method: str, outcome: str, actor: Actor
) -> ContactAttempt:
    """Append one attempt to reach the person (attempts are never edited, only added)."""
    _authorise(actor, event)
    candour, _ = CandourRecord.objects.get_or_create(event=event)
    attempt = ContactAttempt.objects.create(
        candour=candour, attempted_on=attempted_on, method=method, outcome=outcome
    )
    record(
        actor,
        _change(
            AuditAction.CANDOUR_CONTACT_ATTEMPT,
            event,
            attempted_on=attempted_on.isoformat(),
            method=method,
        ),
    )
    return attempt


@transaction.atomic
def add_referral(event: PatientSafetyEvent, *, kind: str, actor: Actor) -> ReferralTask:
    """Add a referral task by hand; refused when the event already has one of that kind."""
    _authorise(actor, event)
    task, created = ReferralTask.objects.get_or_create(
        event=event,
        kind=kind,
        defaults={"organisation_id": event.organisation_id, "by_hand": True},
    )
    if not created:
        raise CandourRefused("kind", "This event already has that referral task")
    record(actor, _change(AuditAction.REFERRAL_TASK_ADDED, event, kind=kind))
    return task


@transaction.atomic
def update_referral(
    task: ReferralTask, *, values: dict[str, Any], version: int, actor: Actor
) -> ReferralTask:
    """Set where a referral stands; only the fields of the chosen status are kept."""
    _authorise(actor, task.event)
    status = values["status"]
    changes = {
        "status": status,
        "referred_on": values.get("referred_on") if status == ReferralStatus.REFERRED else None,
        "receiving_reference": values.get("receiving_reference") or ""
        if status == ReferralStatus.REFERRED
        else "",
        "not_needed_reason": values.get("not_needed_reason") or ""
        if status == ReferralStatus.NOT_NEEDED
        else "",
    }
    save_if_unchanged(task, version, **changes)
    record(
        actor,
        _change(
            AuditAction.REFERRAL_TASK_UPDATED,
            task.event,
            kind=task.kind,
            **{k: _iso(v) for k, v in changes.items()},
        ),
    )
    return task
