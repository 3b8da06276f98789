"""The events import carries the Duty of Candour steps a local system holds: optional
columns, checked like the others, stored on the events' candour records."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.safety.models import CandourRecord, PatientSafetyEvent
from tests.safety.test_import_events import COLUMNS, event, fail, run, write

pytestmark = pytest.mark.django_db

CANDOUR = [*COLUMNS, "candour_notified_on", "candour_written_on"]


def harmful(**overrides: str) -> dict[str, str]:
    """Moderate harm at an NHS trust: notifiable by the rules."""
    return event(physical_harm="moderate", **overrides)


def test_a_file_without_candour_columns_imports_as_before(small_ics, tmp_path):
    run(write(tmp_path, [harmful()]))
    assert PatientSafetyEvent.objects.count() == 1
    assert not CandourRecord.objects.exists()


def test_candour_steps_are_stored_and_a_blank_clears_nothing(small_ics, tmp_path):
    rows = [
        harmful(candour_notified_on="2026-03-05", candour_written_on="2026-03-10"),
        harmful(source_id="E2", candour_notified_on="", candour_written_on=""),
    ]
    run(write(tmp_path, rows, CANDOUR))
    record = CandourRecord.objects.get(event__source_id="E1")
    assert record.notified_in_person_on == dt.date(2026, 3, 5)
    assert record.written_notification_on == dt.date(2026, 3, 10)
    assert record.apology_given and record.notification_done
    assert not CandourRecord.objects.filter(event__source_id="E2").exists()
    version = record.version
    # Again with the written step blank: the step recorded stays.
    run(write(tmp_path, [harmful(candour_notified_on="2026-03-05")], CANDOUR))
    record.refresh_from_db()
    assert record.written_notification_on == dt.date(2026, 3, 10)
    assert record.version == version  # nothing changed
    run(write(tmp_path, [harmful(candour_notified_on="2026-03-06")], CANDOUR))
    record.refresh_from_db()
    assert record.notified_in_person_on == dt.date(2026, 3, 6)
    assert record.version == version + 1


def test_candour_dates_are_checked_with_their_row_and_column(small_ics, tmp_path, today):
    future = (today + dt.timedelta(days=1)).isoformat()
    rows = [
        harmful(source_id="E1", candour_notified_on="2026-03-01"),  # before reported_on
        harmful(source_id="E2", candour_written_on=future),
        harmful(source_id="E3", candour_notified_on="2026-03-09", candour_written_on="2026-03-08"),
        harmful(source_id="E4", candour_notified_on="5 March 2026"),
    ]
    err = fail(write(tmp_path, rows, CANDOUR))
    lines = err.splitlines()

    def line(row: int, column: str) -> str:
        return next(x for x in lines if f"row {row}" in x and f"column {column}" in x)

    assert "on or after reported_on" in line(2, "candour_notified_on")
    assert "not in the future" in line(3, "candour_written_on")
    assert "on or after candour_notified_on" in line(4, "candour_written_on")
    assert "YYYY-MM-DD" in line(5, "candour_notified_on")
    assert not PatientSafetyEvent.objects.exists()
