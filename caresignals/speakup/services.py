"""Every change to speak-up cases, each in one transaction.

Reporters' actions (raising a concern, answering with the access code) write no audit entry
and no time finer than the day: an audit entry's timestamp and actor could identify them.
Guardians' reads and changes are all audited, naming the case but never its content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.core import clock
from caresignals.core.cache import bump_work
from caresignals.core.concurrency import save_if_unchanged
from caresignals.organisations.models import Organisation
from caresignals.speakup import codes, hooks
from caresignals.speakup.models import (
    CATEGORY_FIELDS,
    CaseReading,
    SpeakUpCase,
    SpeakUpMessage,
)
from caresignals.speakup.vocabulary import Author, Route, Status

OBJECT_TYPE = "speakup_case"
EDITABLE_FIELDS = (
    *CATEGORY_FIELDS,
    "professional_group",
    "actions_taken",
    "outcome",
    "suffered_detriment",
    "feedback_speak_up_again",
)


class AlreadyRaised(Exception):
    """The same raising form was sent again: the case exists (its code cannot be shown again)."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


class CaseClosed(Exception):
    """The case is closed: no more messages from the reporter."""


@dataclass(frozen=True)
class Raised:
    case: SpeakUpCase
    access_code: str  # shown once, never stored


def _today() -> Any:
    return clock.today()


def raise_concern(
    *,
    organisation: Organisation,
    route: str,
    concern: str,
    categories: Iterable[str] = (),
    professional_group: str = "",
    user: Any = None,
    submission: str = "",
) -> Raised:
    """Store a new case and return its one-time access code.

    An anonymous case is never linked to `user`, whoever sends it. `submission` is the raising
    form's one-time token: a second case from the same form raises AlreadyRaised."""
    route = Route(route)
    token_hash = codes.submission_hash(submission)
    if token_hash is not None:
        existing = SpeakUpCase.objects.filter(submission_hash=token_hash).first()
        if existing is not None:
            raise AlreadyRaised(existing.reference)
    chosen = set(categories)
    code = codes.new_access_code()
    raised_by = None
    if route != Route.ANONYMOUS and getattr(user, "is_authenticated", False):
        raised_by = user
    case = SpeakUpCase(
        reference=_unused_reference(),
        organisation=organisation,
        route=route,
        raised_by=raised_by,
        concern=concern,
        raised_on=_today(),
        professional_group=professional_group,
        access_code_hash=codes.hash_code(code),
        submission_hash=token_hash,
        **{name: name in chosen for name in CATEGORY_FIELDS},
    )
    try:
        with transaction.atomic():
            case.save()
            bump_work()  # the summaries count cases (core/cache.py, H81)
    except IntegrityError:  # the same form sent twice at once
        existing = SpeakUpCase.objects.filter(submission_hash=token_hash).first()
        if token_hash is None or existing is None:
            raise
        raise AlreadyRaised(existing.reference) from None
    return Raised(case, code)


def _unused_reference() -> str:
    while True:
        reference = codes.new_reference()
        if not SpeakUpCase.objects.filter(reference=reference).exists():
            return reference


def _next_sequence(case: SpeakUpCase) -> int:
    last = case.messages.aggregate(last=Max("sequence"))["last"]
    return (last or 0) + 1


def reporter_message(case: SpeakUpCase, text: str) -> SpeakUpMessage:
    """The reporter answers (with the access code). Not audited, by design."""
    if case.status == Status.CLOSED:
        raise CaseClosed(case.reference)
    with transaction.atomic():
        SpeakUpCase.objects.select_for_update().filter(pk=case.pk).first()
        message = SpeakUpMessage.objects.create(
            case=case,
            sequence=_next_sequence(case),
            author=Author.REPORTER,
            text=text,
            sent_on=_today(),
        )
        transaction.on_commit(
            lambda: hooks.reporter_replied.send(sender=SpeakUpCase, case_id=case.pk)
        )
    return message


def _change(case: SpeakUpCase, action: AuditAction, **details: Any) -> Change:
    return Change(
        action=action,
        object_type=OBJECT_TYPE,
        object_id=case.reference,
        organisation_path=case.organisation.path,
        details=details,
    )


def record_view(user: Any, case: SpeakUpCase, *, page: str) -> None:
    """A guardian read the case: one audit entry per read."""
    with transaction.atomic():
        record(Actor(user=user), _change(case, AuditAction.SPEAKUP_CASE_VIEWED, page=page))


def mark_read(user: Any, case: SpeakUpCase, shown: Iterable[SpeakUpMessage]) -> None:
    """The guardian was shown these messages of the case: none is new to them any more.
    Marks read only up to the last message shown (one sent while the page was drawn stays
    new), and only ever forward, so a stale page cannot make a read message new again."""
    last = max((m.sequence for m in shown), default=0)
    with transaction.atomic():
        reading, _ = CaseReading.objects.select_for_update().get_or_create(case=case, guardian=user)
        if last > reading.read_to:
            reading.read_to = last
            reading.save(update_fields=["read_to"])


def _claim(user: Any, case: SpeakUpCase) -> None:
    """The first guardian to work a case with no owner becomes its owner (ADR 21). Not a
    change to the case's record, so its version (and anyone's open form) is untouched."""
    if SpeakUpCase.objects.filter(pk=case.pk, owner_person__isnull=True).update(owner_person=user):
        case.owner_person = user


def guardian_reply(user: Any, case: SpeakUpCase, text: str) -> SpeakUpMessage:
    with transaction.atomic():
        SpeakUpCase.objects.select_for_update().filter(pk=case.pk).first()
        _claim(user, case)
        message = SpeakUpMessage.objects.create(
            case=case,
            sequence=_next_sequence(case),
            author=Author.GUARDIAN,
            guardian=user,
            text=text,
            sent_on=_today(),
        )
        record(
            Actor(user=user),
            _change(case, AuditAction.SPEAKUP_REPLY_SENT, sequence=message.sequence),
        )
    return message


def update_case(user: Any, case: SpeakUpCase, version: int, values: dict[str, Any]) -> list[str]:
    """Save the guardian's record of the case if nobody else changed it since `version`
    (raises EditConflict otherwise). Returns the names of the fields that changed."""
    changes = {
        name: values[name]
        for name in EDITABLE_FIELDS
        if name in values and getattr(case, name) != values[name]
    }
    with transaction.atomic():
        save_if_unchanged(case, version, **changes)
        _claim(user, case)
        if changes:
            # Field names only: the audit log is not a place for the case's content.
            record(
                Actor(user=user),
                _change(case, AuditAction.SPEAKUP_CASE_UPDATED, fields=sorted(changes)),
            )
            bump_work()
    return sorted(changes)


def close_case(user: Any, case: SpeakUpCase, version: int) -> None:
    with transaction.atomic():
        save_if_unchanged(case, version, status=Status.CLOSED, closed_on=_today())
        record(Actor(user=user), _change(case, AuditAction.SPEAKUP_CASE_CLOSED))
        bump_work()


def reopen_case(user: Any, case: SpeakUpCase, version: int) -> None:
    with transaction.atomic():
        save_if_unchanged(case, version, status=Status.OPEN, closed_on=None)
        record(
            Actor(user=user),
            _change(case, AuditAction.SPEAKUP_CASE_UPDATED, fields=["status"]),
        )
        bump_work()


def record_return_export(user: Any, organisation: Organisation, quarter: str) -> None:
    with transaction.atomic():
        record(
            Actor(user=user),
            Change(
                action=AuditAction.SPEAKUP_RETURN_EXPORTED,
                object_type="organisation",
                object_id=organisation.code,
                organisation_path=organisation.path,
                details={"quarter": quarter},
            ),
        )
