"""CSV written by the product never runs as a formula, and reads back exactly (OWASP's advice)."""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from caresignals.core import spreadsheets
from caresignals.interop.importing import RowError
from caresignals.safety.models import PatientSafetyEvent
from tests.safety.test_import_events import COLUMNS, event, run, write

DANGEROUS = ["=1+1", "+44 7700", "-2 falls", "@SUM(A1)", "\tx", "\rx", "'=quoted", "''-two"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_cell_a_spreadsheet_would_run_is_marked_as_text(text):
    cell = spreadsheets.safe_cell(text)
    assert cell == "'" + text
    assert spreadsheets.restore_cell(cell) == text


@pytest.mark.parametrize("text", ["Fall on the ward", "", "'quoted", "a=b", "2026-03-02", "5"])
def test_ordinary_cells_are_left_alone(text):
    assert spreadsheets.safe_cell(text) == text
    assert spreadsheets.restore_cell(text) == text


def test_numbers_and_blanks_pass_through():
    assert spreadsheets.safe_cell(-3) == -3 and spreadsheets.safe_cell(None) is None


@given(st.text())
def test_restoring_a_safe_cell_gives_back_the_text(text):
    assert spreadsheets.restore_cell(spreadsheets.safe_cell(text)) == text


@given(st.text())
def test_a_safe_cell_never_starts_a_formula(text):
    cell = spreadsheets.safe_cell(text)
    assert not cell or cell[0] not in "=+-@\t\r"


def test_writers_neutralise_every_cell_and_cut_long_ones():
    out = io.StringIO()
    writer = spreadsheets.dict_writer(out, fieldnames=["a", "b"], limit=20)
    writer.writeheader()
    writer.writerow({"a": "=HYPERLINK(1)", "b": "x" * 50})
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["a"] == "'=HYPERLINK(1)"
    assert rows[0]["b"].startswith("x" * 20 + "… [cut: 50 characters")


@pytest.mark.django_db
def test_an_export_is_safe_in_a_spreadsheet_and_imports_back_unchanged(small_ics, tmp_path):
    texts = {f"E{i}": text for i, text in enumerate(DANGEROUS)}
    run(write(tmp_path, [event(source_id=k, description=v) for k, v in texts.items()]))
    stored = dict(PatientSafetyEvent.objects.values_list("source_id", "description"))
    # A leading tab or return is whitespace to the import, as it always was; a cell already
    # marked as text by a spreadsheet ("'=…") is read as the text it marks.
    assert stored == {k: spreadsheets.restore_cell(v.strip()) for k, v in texts.items()}
    assert stored["E6"] == "=quoted" and stored["E7"] == "'-two"

    out = StringIO()
    call_command("export", "events", "--format", "csv", stdout=out)
    exported = list(csv.DictReader(StringIO(out.getvalue())))
    for row in exported:
        assert row["description"][0] not in "=+-@\t\r"
        assert row["description"] == spreadsheets.safe_cell(stored[row["source_id"]])

    again = tmp_path / "again.csv"
    with again.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(exported)
    assert f"{len(texts)} unchanged" in run(again)


@pytest.mark.django_db
def test_a_rejects_file_is_safe_and_cuts_what_nobody_can_read(small_ics, tmp_path):
    huge = "y" * 100_000
    path = write(
        tmp_path,
        [
            event(source_id="OK"),
            event(source_id="BAD1", category="nonsense", description="=cmd|' /C calc'!A0"),
            event(source_id="BAD2", physical_harm="=1+1", description=huge),
        ],
    )
    rejects = tmp_path / "rejects.csv"
    out = run(path, "--skip-invalid", str(rejects))
    assert "1 created" in out
    text = rejects.read_text(encoding="utf-8")
    rows = {r["source_id"]: r for r in csv.DictReader(StringIO(text))}
    assert rows["BAD1"]["description"] == "'=cmd|' /C calc'!A0"
    assert rows["BAD2"]["physical_harm"] == "'=1+1"
    assert len(rows["BAD2"]["description"]) < 33_000
    assert "cut: 100,000 characters" in rows["BAD2"]["description"]
    assert len(text) < 40_000


def test_an_error_message_shows_the_start_of_a_long_value():
    message = RowError(row=2, column="description", value="z" * 1_000_000, expected="x").message()
    assert len(message) < 200
    assert "1,000,000 characters" in message


def test_every_csv_writer_in_the_product_is_the_safe_one():
    """A new CSV writer must go through core/spreadsheets.py (the demo's own import files are
    written by the generator from fixed templates and read straight back by the importers)."""
    package = Path(__file__).resolve().parents[2] / "caresignals"
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if ("csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text())
        and path.name != "spreadsheets.py"
        and "demo" not in path.parts
    ]
    assert offenders == []
