"""Writing to the library: a summary saved (de-identified every time), approved by a
patient-safety lead before it crosses organisations, and reuse recorded. Every write is
audited (ADR 28)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.learning.models import FACTOR_FIELDS, TEXT_FIELDS, LearningReuse, LearningSummary
from caresignals.learning.queries import START, STOP
from caresignals.learning.vocabulary import Outcome, SummaryStatus
from caresignals.organisations.models import Organisation
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import may, scope_for
from caresignals.safety.deidentify import Removal, deidentify_with_removals
from caresignals.safety.models import LearningResponse
from caresignals.safety.responses.psirf import ActionStatus, ResponseStatus

_UNSTORABLE = re.compile(f"[{START}{STOP}\x00-\x08\x0b\x0c\x0e-\x1f]")
LIMITS = {"title": 200, "what_happened": 6000, "actions": 6000}
FACTOR_LIMIT = 3000


class SummaryInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class NotAllowed(Exception):
    """The person may not do this here (views answer 404 or 403 as the convention says)."""


def clean(text: str) -> str:
    """Text as stored: the search marks and control characters removed, line ends unified."""
    return _UNSTORABLE.sub("", text.replace("\r\n", "\n")).strip()


def known_names(response: LearningResponse) -> list[str]:
    """Names held on the record, each taken out wherever it appears (and its parts, so a
    surname alone goes too)."""
    names: set[str] = set()

    def add(full: str) -> None:
        full = (full or "").strip()
        if not full:
            return
        names.add(full)
        names.update(p for p in full.split() if len(p) > 2 and p[0].isupper())

    add(response.lead)
    if response.owner_person is not None:
        add(response.owner_person.get_full_name())
    for a in response.actions.select_related("owner_person"):
        if a.owner_person is not None:
            add(a.owner_person.get_full_name())
    for e in response.events.select_related("reporter_link__user"):
        link = getattr(e, "reporter_link", None)
        if link is not None:
            add(link.user.get_full_name())
    return sorted(names)


def prefill(response: LearningResponse) -> dict[str, str]:
    """What the team starts from: the response's summary, its findings by SEIPS factor,
    and its safety actions with what their measures showed."""
    values = {"title": response.title, "what_happened": response.summary, "outcome": ""}
    findings = {f.factor: f.text for f in response.findings.all()}
    for factor, name in FACTOR_FIELDS:
        values[name] = findings.get(factor, "")
    lines = []
    for a in response.actions.all():
        status = ActionStatus(a.status).label if a.status in ActionStatus.values else a.status
        line = f"{a.description} Measure: {a.measure_of_effect} ({status})."
        if a.progress:
            line += f" What it showed: {a.progress}"
        lines.append(line)
    values["actions"] = "\n".join(lines)
    return values


@dataclass(frozen=True)
class Preview:
    """The de-identified text of each field and what was taken out of it."""

    text: dict[str, str]
    removed: dict[str, list[Removal]]


def preview(source: dict[str, str], names: list[str]) -> Preview:
    text: dict[str, str] = {}
    removed: dict[str, list[Removal]] = {}
    for name in TEXT_FIELDS:
        text[name], removed[name] = deidentify_with_removals(source.get(name, ""), names)
    return Preview(text, removed)


def _validate(source: dict[str, str], outcome: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not source.get("title"):
        errors["title"] = ["Enter a title for the summary"]
    if not source.get("what_happened"):
        errors["what_happened"] = ["Enter what happened"]
    if not any(source.get(f) for _, f in FACTOR_FIELDS):
        errors["factor_person"] = ["Enter at least one contributory factor"]
    for name, limit in LIMITS.items():
        if len(source.get(name, "")) > limit:
            errors.setdefault(name, []).append(f"Keep this to {limit} characters or fewer")
    for _, name in FACTOR_FIELDS:
        if len(source.get(name, "")) > FACTOR_LIMIT:
            errors.setdefault(name, []).append(f"Keep this to {FACTOR_LIMIT} characters or fewer")
    if outcome not in Outcome.values:
        errors["outcome"] = ["Select what the safety actions' measures showed"]
    return errors


def _category(response: LearningResponse) -> str:
    counts = Counter(response.events.values_list("category", flat=True))
    return counts.most_common(1)[0][0] if counts else ""


@transaction.atomic
def save_summary(
    response: LearningResponse,
    source: dict[str, str],
    outcome: str,
    *,
    user: Any,
    actor: Actor,
) -> LearningSummary:
    """Write or rewrite the response's summary, as a member of its provider's patient-safety
    team, de-identified by rule. Saving always makes it a draft again: changed text leaves
    the library until a lead approves it afresh."""
    if not may(user, Capability.MANAGE_SAFETY_RESPONSES, response.organisation.path):
        raise NotAllowed
    return write_summary(response, source, outcome, written_by=user, actor=actor)


@transaction.atomic
def write_summary(
    response: LearningResponse,
    source: dict[str, str],
    outcome: str,
    *,
    written_by: Any,
    actor: Actor,
) -> LearningSummary:
    """save_summary's work, for callers that have already decided who may write (the demo)."""
    provider = response.organisation
    if response.status != ResponseStatus.COMPLETED:
        raise SummaryInvalid({"response": ["Complete the learning response first"]})
    source = {name: clean(source.get(name, "")) for name in TEXT_FIELDS}
    errors = _validate(source, outcome)
    if errors:
        raise SummaryInvalid(errors)
    shown = preview(source, known_names(response))
    summary = LearningSummary.objects.filter(response=response).first()
    created = summary is None
    if summary is None:
        summary = LearningSummary(response=response, organisation=provider)
    else:
        summary.version += 1
    for name in TEXT_FIELDS:
        setattr(summary, name, shown.text[name])
    summary.title = summary.title[:200]
    summary.outcome = outcome
    summary.category = _category(response)
    summary.service_type = provider.type
    summary.factors = " ".join(f for f, name in FACTOR_FIELDS if shown.text[name])
    summary.search_body = "\n".join(shown.text[n] for n in TEXT_FIELDS if n != "title")
    summary.source = source
    summary.status = SummaryStatus.DRAFT
    summary.approved_by = None
    summary.approver_name = ""
    summary.approved_at = None
    summary.written_by = written_by if getattr(written_by, "is_authenticated", False) else None
    summary.save()
    record(
        actor,
        Change(
            AuditAction.LEARNING_SUMMARY_SAVED,
            "learning_summary",
            summary.reference,
            provider.path,
            {
                "response": response.reference,
                "created": created,
                "version": summary.version,
                "removed": dict(Counter(r.label for rs in shown.removed.values() for r in rs)),
            },
        ),
    )
    return summary


def approve(summary: LearningSummary, *, user: Any, actor: Actor, version: int) -> None:
    """A patient-safety lead of the provider, named, approves the de-identified text for
    every organisation to read. `version` is the one they read: a summary changed since
    cannot be approved unread."""
    if not may(user, Capability.MANAGE_SAFETY_RESPONSES, summary.organisation.path):
        raise NotAllowed
    record_approval(summary, approved_by=user, name=user.display_name, actor=actor, version=version)


@transaction.atomic
def record_approval(
    summary: LearningSummary, *, approved_by: Any, name: str, actor: Actor, version: int
) -> None:
    """approve's work, for callers that have already decided who may approve (the demo)."""
    locked = LearningSummary.objects.select_for_update().get(pk=summary.pk)
    if locked.version != version:
        raise SummaryInvalid(
            {"confirm": ["The summary changed after you opened it: read it again and approve"]}
        )
    if locked.status == SummaryStatus.APPROVED:
        return
    locked.status = SummaryStatus.APPROVED
    locked.approved_by = approved_by
    locked.approver_name = name
    locked.approved_at = timezone.now()
    locked.save()
    record(
        actor,
        Change(
            AuditAction.LEARNING_SUMMARY_APPROVED,
            "learning_summary",
            locked.reference,
            locked.organisation.path,
            {"version": locked.version, "approver": locked.approver_name},
        ),
    )


def reuse_organisations(user: Any, summary: LearningSummary) -> list[Organisation]:
    """The person's own organisations that could say they used this: outside the provider
    that wrote it, and not yet recorded."""
    if not getattr(user, "is_authenticated", False) or summary.status != SummaryStatus.APPROVED:
        return []
    done = set(summary.reuses.values_list("organisation_id", flat=True))
    orgs = Organisation.objects.filter(memberships__user=user).distinct().order_by("name")
    return [
        o
        for o in orgs
        if o.pk not in done
        and not o.path.startswith(summary.organisation.path)
        and scope_for(user).covers(o.path)
    ]


@transaction.atomic
def record_reuse(
    summary: LearningSummary, organisation_id: int, how: str, *, user: Any, actor: Actor
) -> LearningReuse:
    allowed = {o.pk: o for o in reuse_organisations(user, summary)}
    if organisation_id not in allowed:
        raise SummaryInvalid({"organisation": ["Select one of your organisations"]})
    how = clean(how)
    if len(how) > 1000:
        raise SummaryInvalid({"how": ["Keep this to 1000 characters or fewer"]})
    organisation = allowed[organisation_id]
    reuse = LearningReuse.objects.create(
        summary=summary, organisation=organisation, recorded_by=user, how=how
    )
    record(
        actor,
        Change(
            AuditAction.LEARNING_SUMMARY_REUSED,
            "learning_summary",
            summary.reference,
            organisation.path,
            {"organisation": organisation.code},
        ),
    )
    return reuse


def awaiting_summary(user: Any) -> list[LearningResponse]:
    """Completed responses in the person's write scope with no summary yet."""
    scope = scope_for(user, Capability.MANAGE_SAFETY_RESPONSES)
    if scope.is_empty:
        return []
    return list(
        LearningResponse.objects.filter(scope.q("organisation__path"))
        .filter(status=ResponseStatus.COMPLETED, learning_summary__isnull=True)
        .select_related("organisation")
        .order_by("-completed_on", "-id")[:20]
    )
