"""A first load into an empty event store builds its secondary indexes once, at the end
(ADR 7): afterwards, and after a load that failed, the table has exactly the indexes and
constraints it had before, and the referral tasks held back are created."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from caresignals.safety.models import PatientSafetyEvent, ReferralTask
from tests.safety.test_import_events import event, fail, run, write

pytestmark = pytest.mark.django_db


def _indexes() -> dict[str, Any]:
    """Each index and constraint on the events table: its columns, unique or not."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, PatientSafetyEvent._meta.db_table)
    return {
        name: (tuple(c["columns"]), c["unique"], c["primary_key"])
        for name, c in found.items()
        if c["index"] or c["unique"] or c["primary_key"]
    }


@pytest.fixture
def before(small_ics) -> dict[str, Any]:
    indexes = _indexes()
    assert any(cols == ("service_id", "occurred_on") for cols, _, _ in indexes.values())
    assert any(cols == ("organisation_id", "source_id") and u for cols, u, _ in indexes.values())
    return indexes


def test_a_first_load_leaves_the_same_indexes_and_raises_held_tasks(before, tmp_path):
    rows = [event(source_id=f"E{i}") for i in range(5)]
    rows.append(event(source_id="SG", category="safeguarding"))
    assert "6 created" in run(write(tmp_path, rows))
    assert _indexes() == before
    assert list(ReferralTask.objects.values_list("event__source_id", "kind")) == [
        ("SG", "safeguarding_referral")
    ]
    # The unique key is there again: a second import of the same file changes nothing.
    assert "6 unchanged" in run(write(tmp_path, rows))
    assert ReferralTask.objects.count() == 1


def test_a_failed_first_load_leaves_the_indexes_as_they_were(before, tmp_path):
    fail(write(tmp_path, [event(source_id="E1"), event(source_id="E2", physical_harm="bad")]))
    assert PatientSafetyEvent.objects.count() == 0
    assert _indexes() == before


def test_a_first_load_read_twice_still_ends_with_its_indexes(before, tmp_path):
    # A malformed row makes the exact reader read the file again from the start.
    path = write(tmp_path, [event(source_id="E1"), event(source_id="E2")])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "just,three,values")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run(path, "--skip-invalid", str(tmp_path / "rejects.csv"))
    assert "2 created" in out
    assert _indexes() == before


def test_a_load_into_a_populated_store_keeps_its_indexes(before, tmp_path, monkeypatch):
    run(write(tmp_path, [event(source_id="E1")]))
    from caresignals.interop import bulk

    def refuse(self: Any) -> None:
        raise AssertionError("indexes dropped for a store that has events")

    monkeypatch.setattr(bulk.DeferredIndexes, "drop", refuse)
    assert "1 created" in run(write(tmp_path, [event(source_id="E1"), event(source_id="E2")]))
    assert _indexes() == before


def test_a_first_load_after_deleting_events_in_the_same_transaction(before, tmp_path):
    # Deleting events (and the referral tasks that point at them) leaves foreign-key checks
    # pending until commit; PostgreSQL then refuses to alter the table, so the load keeps
    # its indexes and still succeeds.
    rows = [event(source_id="SG", category="safeguarding")]
    run(write(tmp_path, rows))
    assert ReferralTask.objects.count() == 1
    PatientSafetyEvent.objects.all().delete()
    assert "1 created" in run(write(tmp_path, rows))
    assert ReferralTask.objects.count() == 1
    assert _indexes() == before
