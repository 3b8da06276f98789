"""The audit log is append-only: nothing in the application can change or remove an entry."""

from __future__ import annotations

import pytest

from caresignals.audit.models import AppendOnlyError, AuditAction, AuditEntry
from caresignals.audit.services import Actor, Change, record

pytestmark = pytest.mark.django_db


def make_entry() -> AuditEntry:
    return record(Actor(label="test"), Change(AuditAction.USER_CREATED, "user", "someone"))


def test_entries_cannot_be_changed():
    entry = make_entry()
    entry.object_id = "someone-else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_id="x")
    assert AuditEntry.objects.get(pk=entry.pk).object_id == "someone"


def test_entries_cannot_be_removed():
    entry = make_entry()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def test_command_line_actor_names_the_command():
    actor = Actor.command_line("import areas")
    assert actor.label.endswith("via caresignals import areas")
    entry = record(actor, Change(AuditAction.IMPORT_COMPLETED, "import", "areas"))
    assert entry.actor is None and "import areas" in entry.who
