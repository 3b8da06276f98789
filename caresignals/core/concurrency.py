"""Optimistic locking: two people editing the same record never silently overwrite each other.

Editable records carry a `version` integer. A form carries the version it was read at; the
service saves with `save_if_unchanged`, which updates only if the row still has that version
and bumps it in the same statement. If someone else saved first, `EditConflict` is raised and
the person is shown the current record to re-apply their change.
"""

from __future__ import annotations

from typing import Any

from django.db import models

# The largest version a PositiveIntegerField holds on every database: a form's hidden version
# beyond it (typed by hand) is a conflict, not a number the database cannot compare.
MAX_VERSION = 2**31 - 1


class EditConflict(Exception):
    """Someone else changed the record after it was read."""

    def __init__(self, record: models.Model) -> None:
        super().__init__(f"{record._meta.verbose_name} was changed by someone else")
        self.record = record


def save_if_unchanged(record: models.Model, expected_version: int, **changes: Any) -> None:
    """Apply `changes` to `record` and save them if its version is still `expected_version`.

    The check and the write are one UPDATE, so it holds across processes and databases.
    """
    if not 0 <= expected_version <= MAX_VERSION:
        raise EditConflict(record)
    model = type(record)
    updated = model._default_manager.filter(pk=record.pk, version=expected_version).update(
        version=models.F("version") + 1, **changes
    )
    if updated != 1:
        raise EditConflict(record)
    for name, value in changes.items():
        setattr(record, name, value)
    record.version = expected_version + 1  # type: ignore[attr-defined]
