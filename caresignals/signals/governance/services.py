"""Every change to escalation, rapid quality reviews and quality risks, audited.

Each function is one transaction with its audit entry; the forms have checked what a person
typed, and these functions check again what must hold whoever calls them (the demo and the
command line too): only the ICB quality lead decides, a rationale is always given, and a
record edited by someone else since it was read is never overwritten (core/concurrency.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, require_actor
from caresignals.audit.services import record_work as record
from caresignals.core import clock
from caresignals.core.cache import bump
from caresignals.core.concurrency import EditConflict, save_if_unchanged
from caresignals.organisations.models import Organisation
from caresignals.organisations.permissions import require_for
from caresignals.organisations.roles import Capability
from caresignals.signals.models import (
    ActionStatus,
    Attendee,
    EscalationChange,
    EscalationLevel,
    ExitCriterion,
    Forum,
    ProviderEscalation,
    QualityRisk,
    RapidQualityReview,
    ReviewAction,
    RiskReview,
    RiskStatus,
)
from caresignals.signals.watchlist import scoring


class GovernanceInvalid(ValueError):
    """What a caller sent breaks a rule the forms also check; `field` says which."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def _authorise(actor: Actor, *organisations: Organisation) -> None:
    """People must hold the ICB quality lead's capability for each organisation the change is
    about; named command-line operators and the demo builder act for the system."""
    require_actor(actor)
    for organisation in organisations if actor.user is not None else ():
        require_for(actor.user, Capability.MANAGE_QUALITY_GOVERNANCE, organisation.path)


def _who(actor: Actor) -> str:
    user = actor.user
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user.display_name)[:150]
    return actor.label[:150] or "system"


def _user(actor: Actor) -> Any:
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


# --------------------------------------------------------------------------- escalation


def change_level(
    actor: Actor,
    provider: Organisation,
    *,
    to_level: str,
    rationale: str,
    decided_on: dt.date,
    forum: str,
    expected_version: int,
    review: RapidQualityReview | None = None,
) -> EscalationChange:
    """Move `provider` to `to_level`. `expected_version` is the version the person read
    (0 for a provider never escalated); EditConflict if it has changed since."""
    _authorise(actor, provider)
    if provider.kind != "provider":
        raise GovernanceInvalid("provider", "Only a provider has an escalation level")
    if to_level not in EscalationLevel.values:
        raise GovernanceInvalid("to_level", "Select the new level")
    if forum not in Forum.values:
        raise GovernanceInvalid("forum", "Select where the decision was made")
    rationale = rationale.strip()
    if not rationale:
        raise GovernanceInvalid("rationale", "Enter why the level is changing")
    with transaction.atomic():
        current = ProviderEscalation.objects.select_for_update().filter(provider=provider).first()
        from_level = current.level if current is not None else EscalationLevel.ROUTINE
        if to_level == from_level:
            raise GovernanceInvalid("to_level", "Select a level different from the current one")
        if current is not None and decided_on < current.since:
            raise GovernanceInvalid(
                "decided_on",
                f"The date of the decision must be on or after {current.since:%-d %B %Y}, "
                "when the current level was decided",
            )
        if current is None:
            if expected_version != 0:
                raise EditConflict(ProviderEscalation(provider=provider))
            try:
                with transaction.atomic():
                    ProviderEscalation.objects.create(
                        provider=provider, level=to_level, since=decided_on
                    )
            except IntegrityError:  # someone else escalated it at the same moment
                raise EditConflict(ProviderEscalation(provider=provider)) from None
        else:
            save_if_unchanged(current, expected_version, level=to_level, since=decided_on)
        change = EscalationChange.objects.create(
            provider=provider,
            from_level=from_level,
            to_level=to_level,
            decided_on=decided_on,
            forum=forum,
            rationale=rationale,
            decided_by=_user(actor),
            decided_by_label=_who(actor),
            review=review,
        )
        record(
            actor,
            Change(
                AuditAction.ESCALATION_CHANGED,
                "provider",
                provider.code,
                provider.path,
                {
                    "from": from_level,
                    "to": to_level,
                    "decided_on": decided_on.isoformat(),
                    "forum": forum,
                    "rationale": rationale,
                    "review": review.pk if review is not None else None,
                },
            ),
        )
        bump()  # the organisation page shows the level
    return change


# --------------------------------------------------------------------------- reviews


@dataclass(frozen=True)
class AttendeeRow:
    name: str
    role: str
    organisation: str


@dataclass(frozen=True)
class ActionRow:
    description: str
    owner: str
    due_on: dt.date
    status: str = ActionStatus.OPEN
    owner_person: Any = None  # None: whoever records the review owns it (ADR 21)


@dataclass(frozen=True)
class CriterionRow:
    text: str
    met: bool = False


@dataclass(frozen=True)
class ReviewInput:
    held_on: dt.date
    concern: str
    decision: str
    decision_note: str
    attendees: Sequence[AttendeeRow]
    actions: Sequence[ActionRow] = ()
    criteria: Sequence[CriterionRow] = field(default_factory=tuple)


def record_review(
    actor: Actor, provider: Organisation, data: ReviewInput, *, expected_version: int
) -> RapidQualityReview:
    """Store a rapid quality review; if it decided a different level, apply it through
    `change_level` in the same transaction (so both stand or neither does)."""
    _authorise(actor, provider)
    if not data.concern.strip():
        raise GovernanceInvalid("concern", "Enter the concern the review met about")
    if not data.decision_note.strip():
        raise GovernanceInvalid("decision_note", "Enter the reasons for the decision")
    if not data.attendees:
        raise GovernanceInvalid("attendee_1_name", "Enter at least one person who attended")
    with transaction.atomic():
        review = RapidQualityReview.objects.create(
            provider=provider,
            held_on=data.held_on,
            concern=data.concern.strip(),
            decision=data.decision,
            decision_note=data.decision_note.strip(),
            created_by=_user(actor),
        )
        Attendee.objects.bulk_create(
            Attendee(review=review, name=a.name, role=a.role, organisation=a.organisation)
            for a in data.attendees
        )
        ReviewAction.objects.bulk_create(
            ReviewAction(
                review=review,
                description=a.description,
                owner=a.owner,
                owner_person=a.owner_person or _user(actor),
                due_on=a.due_on,
                status=a.status,
            )
            for a in data.actions
        )
        ExitCriterion.objects.bulk_create(
            ExitCriterion(review=review, text=c.text, met=c.met) for c in data.criteria
        )
        record(
            actor,
            Change(
                AuditAction.QUALITY_REVIEW_RECORDED,
                "quality_review",
                str(review.pk),
                provider.path,
                {
                    "provider": provider.code,
                    "held_on": data.held_on.isoformat(),
                    "decision": data.decision,
                    "attendees": len(data.attendees),
                    "actions": len(data.actions),
                    "exit_criteria": len(data.criteria),
                },
            ),
        )
        current = ProviderEscalation.objects.filter(provider=provider).first()
        level = current.level if current is not None else EscalationLevel.ROUTINE
        if data.decision != level:
            change_level(
                actor,
                provider,
                to_level=data.decision,
                rationale=data.decision_note,
                decided_on=data.held_on,
                forum=Forum.RAPID_QUALITY_REVIEW,
                expected_version=expected_version,
                review=review,
            )
        elif current is not None and current.version != expected_version:
            raise EditConflict(current)
    return review


def update_progress(
    actor: Actor,
    review: RapidQualityReview,
    *,
    done_actions: set[int],
    met_criteria: set[int],
    expected_version: int,
) -> list[str]:
    """Record which actions are done and which exit criteria are met. Returns what changed."""
    _authorise(actor, review.provider)
    changed: list[str] = []
    with transaction.atomic():
        save_if_unchanged(review, expected_version)
        for action in review.actions.all():
            status = ActionStatus.DONE if action.pk in done_actions else ActionStatus.OPEN
            if action.status != status:
                action.status = status
                action.save(update_fields=["status"])
                changed.append(f"action {action.pk}: {status}")
        for criterion in review.exit_criteria.all():
            met = criterion.pk in met_criteria
            if criterion.met != met:
                criterion.met = met
                criterion.save(update_fields=["met"])
                changed.append(f"exit criterion {criterion.pk}: {'met' if met else 'not met'}")
        if changed:
            record(
                actor,
                Change(
                    AuditAction.REVIEW_ACTION_UPDATED,
                    "quality_review",
                    str(review.pk),
                    review.provider.path,
                    {"changes": changed},
                ),
            )
    return changed


# --------------------------------------------------------------------------- risks


@dataclass(frozen=True)
class RiskInput:
    title: str
    description: str
    organisation: Organisation
    consequence: int
    likelihood: int
    target_consequence: int
    target_likelihood: int
    owner: str
    controls: str
    review_on: dt.date
    linked_signals: list[dict[str, str]] = field(default_factory=list)
    linked_action_ids: list[int] = field(default_factory=list)
    status: str = RiskStatus.OPEN
    owner_person: Any = None  # None: whoever saves it owns it (ADR 21)


def _check_risk(data: RiskInput) -> None:
    for name in ("consequence", "likelihood", "target_consequence", "target_likelihood"):
        value = getattr(data, name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise GovernanceInvalid(name, "Select a rating from 1 to 5")
    if scoring.score(data.target_consequence, data.target_likelihood) > scoring.score(
        data.consequence, data.likelihood
    ):
        raise GovernanceInvalid(
            "target_likelihood", "The target score must not be higher than the current score"
        )
    if not data.title.strip():
        raise GovernanceInvalid("title", "Enter a short title for the risk")
    if not data.owner.strip():
        raise GovernanceInvalid("owner", "Enter who owns the risk")


def _risk_fields(data: RiskInput) -> dict[str, Any]:
    return {
        "title": data.title.strip(),
        "description": data.description.strip(),
        "organisation": data.organisation,
        "consequence": data.consequence,
        "likelihood": data.likelihood,
        "target_consequence": data.target_consequence,
        "target_likelihood": data.target_likelihood,
        "owner": data.owner.strip(),
        "controls": data.controls.strip(),
        "review_on": data.review_on,
        "linked_signals": data.linked_signals,
    }


def _audit_details(risk: QualityRisk) -> dict[str, Any]:
    return {
        "title": risk.title,
        "organisation": risk.organisation.code,
        "current": scoring.score(risk.consequence, risk.likelihood),
        "target": scoring.score(risk.target_consequence, risk.target_likelihood),
        "review_on": risk.review_on.isoformat(),
        "status": risk.status,
        "linked_signals": risk.linked_signals,
    }


def create_risk(actor: Actor, data: RiskInput, *, opened_on: dt.date | None = None) -> QualityRisk:
    _authorise(actor, data.organisation)
    _check_risk(data)
    with transaction.atomic():
        risk = QualityRisk.objects.create(
            reference=f"new-{dt.datetime.now().timestamp()}"[:12],
            opened_on=opened_on or clock.today(),
            created_by=_user(actor),
            owner_person=data.owner_person or _user(actor),
            **_risk_fields(data),
        )
        risk.reference = f"QR-{risk.pk:04d}"
        risk.save(update_fields=["reference"])
        risk.linked_actions.set(data.linked_action_ids)
        record(
            actor,
            Change(
                AuditAction.RISK_CREATED,
                "quality_risk",
                risk.reference,
                risk.organisation.path,
                _audit_details(risk),
            ),
        )
    return risk


def update_risk(
    actor: Actor, risk: QualityRisk, data: RiskInput, *, expected_version: int
) -> QualityRisk:
    _authorise(actor, risk.organisation, data.organisation)
    _check_risk(data)
    before = _audit_details(risk)
    changes = _risk_fields(data)
    changes["owner_person"] = data.owner_person or _user(actor)
    changes["status"] = data.status
    if data.status == RiskStatus.CLOSED and risk.closed_on is None:
        changes["closed_on"] = clock.today()
    elif data.status == RiskStatus.OPEN:
        changes["closed_on"] = None
    with transaction.atomic():
        save_if_unchanged(risk, expected_version, **changes)
        risk.linked_actions.set(data.linked_action_ids)
        after = _audit_details(risk)
        record(
            actor,
            Change(
                AuditAction.RISK_UPDATED,
                "quality_risk",
                risk.reference,
                risk.organisation.path,
                {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]},
            ),
        )
    return risk


def review_risk(
    actor: Actor,
    risk: QualityRisk,
    *,
    reviewed_on: dt.date,
    note: str,
    consequence: int,
    likelihood: int,
    next_review_on: dt.date,
    expected_version: int,
) -> RiskReview:
    """A review records what was found and the new current score, and sets the next date."""
    _authorise(actor, risk.organisation)
    if not note.strip():
        raise GovernanceInvalid("note", "Enter what the review found")
    if next_review_on <= reviewed_on:
        raise GovernanceInvalid(
            "next_review_on", "The next review must be after the date of this review"
        )
    scoring.score(consequence, likelihood)
    with transaction.atomic():
        before = scoring.score(risk.consequence, risk.likelihood)
        save_if_unchanged(
            risk,
            expected_version,
            consequence=consequence,
            likelihood=likelihood,
            review_on=next_review_on,
        )
        review = RiskReview.objects.create(
            risk=risk,
            reviewed_on=reviewed_on,
            note=note.strip(),
            consequence=consequence,
            likelihood=likelihood,
            next_review_on=next_review_on,
            reviewed_by_label=_who(actor),
        )
        record(
            actor,
            Change(
                AuditAction.RISK_REVIEWED,
                "quality_risk",
                risk.reference,
                risk.organisation.path,
                {
                    "reviewed_on": reviewed_on.isoformat(),
                    "note": note.strip(),
                    "score": {"from": before, "to": scoring.score(consequence, likelihood)},
                    "next_review_on": next_review_on.isoformat(),
                },
            ),
        )
    return review
