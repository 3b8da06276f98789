"""Writing audit entries. Services call `record` (or `record_many`) inside their transaction."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from caresignals.audit.chain import seal_after_commit
from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.core.cache import bump_work


@dataclass(frozen=True)
class Actor:
    """Who made a change: a signed-in user, or a named command-line operator."""

    user: Any = None
    label: str = ""

    @classmethod
    def command_line(cls, command: str) -> Actor:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return cls(label=f"{who} via caresignals {command}")


@dataclass(frozen=True)
class Change:
    action: AuditAction
    object_type: str
    object_id: str
    organisation_path: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def _entry(actor: Actor, change: Change, at: dt.datetime | None) -> AuditEntry:
    # Every audited write names who made it: a signed-in user or a system label, never nobody.
    require_actor(actor)
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    return AuditEntry(
        at=at or timezone.now(),
        actor=user,
        actor_label=actor.label[:150],
        action=change.action,
        object_type=change.object_type,
        object_id=change.object_id[:60],
        organisation_path=change.organisation_path,
        details=change.details,
    )


def record(actor: Actor, change: Change, *, at: dt.datetime | None = None) -> AuditEntry:
    """`at`: when, if not now (a public report's entries keep only the day)."""
    entry = _entry(actor, change, at)
    entry.save()
    seal_after_commit()
    return entry


def record_work(actor: Actor, change: Change, *, at: dt.datetime | None = None) -> AuditEntry:
    """`record`, for a change to work in progress (a triage decision, a candour step, a risk):
    the page cache is told too, so pages showing the work are recomputed while month-keyed
    figures stay cached (core/cache.py, hazard H81)."""
    entry = record(actor, change, at=at)
    bump_work()
    return entry


def record_many(
    actor: Actor,
    changes: Iterable[Change],
    *,
    batch_size: int = 2000,
    at: dt.datetime | None = None,
) -> int:
    entries = [_entry(actor, c, at) for c in changes]
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
    if entries:
        seal_after_commit()
    return len(entries)


def require_actor(actor: Any) -> None:
    """Services change records only for a signed-in user or a named system label (a command,
    the demo): never for nobody."""
    user = getattr(actor, "user", None)
    if user is not None:
        if not getattr(user, "is_authenticated", False):
            raise PermissionDenied
        return
    if not str(getattr(actor, "label", "") or "").strip():
        raise PermissionDenied
