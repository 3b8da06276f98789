"""`caresignals import feedback`: the docs/import-formats.md columns, all or nothing, idempotent."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.audit.models import AuditEntry
from caresignals.voice.models import Complaint, Feedback

pytestmark = pytest.mark.django_db

HEADER = ["source_id", "org_code", "service_code", "received_on", "kind", "fft_rating", "text"]
GOOD = [
    ["F1", "TA", "TA-MAT", "2026-03-01", "fft", "very_good", "Synthetic: lovely midwives."],
    ["F2", "TA", "", "2026-03-02", "fft", "dont_know", ""],
    ["F3", "TB", "TB-MAT", "2026-03-03", "complaint", "", "Synthetic: discharge was rushed."],
    ["F4", "TB", "", "2026-03-04", "compliment", "", "Synthetic: thank you."],
]


def write(path, rows, header=HEADER):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(path, *extra):
    call_command("import", "feedback", str(path), "--no-progress", *extra)


def test_good_file(tmp_path, small_ics, capsys):
    run(write(tmp_path / "f.csv", GOOD))
    assert "4 created" in capsys.readouterr().out
    assert Feedback.objects.count() == 4
    f1 = Feedback.objects.get(source_id="F1")
    assert f1.service.code == "TA-MAT" and f1.fft_rating == "very_good" and f1.channel == "import"
    assert f1.publication == "not_asked" and not f1.consent_to_publish
    assert Complaint.objects.get().feedback.source_id == "F3"
    assert AuditEntry.objects.filter(action="import.completed").count() == 1


def test_reimport_changes_nothing_and_a_change_is_audited(tmp_path, small_ics, capsys):
    path = write(tmp_path / "f.csv", GOOD)
    run(path)
    refs = dict(Feedback.objects.values_list("source_id", "reference"))
    run(path)
    assert "0 created, 0 updated, 4 unchanged" in capsys.readouterr().out
    changed = [r[:] for r in GOOD]
    changed[0][5] = "poor"
    run(write(tmp_path / "g.csv", changed))
    assert "1 updated, 3 unchanged" in capsys.readouterr().out
    f1 = Feedback.objects.get(source_id="F1")
    assert f1.fft_rating == "poor" and f1.version == 2 and f1.reference == refs["F1"]
    entry = AuditEntry.objects.get(action="feedback.updated")
    assert entry.details["changed"] == ["fft_rating"] and entry.object_id == f1.reference
    assert Complaint.objects.count() == 1


BAD = [
    ["B1", "NOPE", "", "2026-03-01", "fft", "good", ""],
    ["B2", "TA", "TB-MAT", "2026-03-01", "fft", "good", ""],
    ["B3", "TA", "", "2026-03-01", "fft", "", ""],
    ["B4", "TA", "", "2026-03-01", "concern", "good", "x"],
    ["B5", "TA", "", "2026-03-01", "concern", "", ""],
    ["B6", "TA", "", "2099-01-01", "fft", "good", ""],
    ["B7", "TA", "", "2026-02-30", "praise", "good", ""],
]


def test_bad_rows_name_row_and_column_and_nothing_is_stored(tmp_path, small_ics, capsys):
    path = write(tmp_path / "bad.csv", [*GOOD, *BAD, GOOD[0]])
    with pytest.raises(CommandError):
        run(path)
    err = capsys.readouterr().err
    assert (
        "row 6, column org_code: got 'NOPE', expected the code of a provider already imported"
        in err
    )
    assert "row 7, column service_code: got 'TB-MAT', expected a service of TA" in err
    assert "row 8, column fft_rating: got a blank value, expected a rating for an fft row" in err
    assert "row 9, column fft_rating: got 'good', expected a blank value unless kind is fft" in err
    assert "row 10, column text: got a blank value, expected the text of a compliment" in err
    assert "row 11, column received_on: got '2099-01-01', expected a date not in the future" in err
    assert "row 12, column received_on: got '2026-02-30', expected a date as YYYY-MM-DD" in err
    assert "row 12, column kind: got 'praise'" in err
    assert "row 13, column org_code+source_id" in err and "used in row 2" in err
    assert not Feedback.objects.exists() and not AuditEntry.objects.exists()


def test_skip_invalid_loads_the_good_rows(tmp_path, small_ics):
    rejects = tmp_path / "rejects.csv"
    run(write(tmp_path / "bad.csv", [*GOOD, *BAD]), "--skip-invalid", str(rejects))
    assert Feedback.objects.count() == 4
    with rejects.open() as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["source_id"] for r in rows) == [r[0] for r in BAD]
    b1 = next(r for r in rows if r["source_id"] == "B1")
    assert b1["row"] == "6" and "org_code" in b1["reason"]


def test_wrong_header(tmp_path, small_ics, capsys):
    with pytest.raises(CommandError):
        run(write(tmp_path / "h.csv", [], header=[*HEADER[:-1], "comment"]))
    err = capsys.readouterr().err
    assert "unknown column 'comment'" in err and "the required column 'text' is missing" in err


def test_a_stored_complaint_cannot_become_another_kind(tmp_path, small_ics, capsys):
    run(write(tmp_path / "f.csv", GOOD))
    changed = [r[:] for r in GOOD]
    changed[2][4] = "concern"
    with pytest.raises(CommandError):
        run(write(tmp_path / "g.csv", changed))
    err = capsys.readouterr().err
    assert "row 4, column kind: got 'concern', expected complaint, as already stored" in err
    assert Feedback.objects.get(source_id="F3").kind == "complaint"
