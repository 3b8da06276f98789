"""The example files in docs/examples/ load through the real import commands, and
docs/import-formats.md names every column the importers accept, so the documentation cannot
drift from the code."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from caresignals.interop.registry import IMPORTERS, importer_class
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.mortality.models import Death
from caresignals.organisations.models import Area, Membership, Organisation, User
from caresignals.safety.models import PatientSafetyEvent
from caresignals.voice.models import Feedback

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = DOCS / "examples"

# In the order they must be imported: each file refers only to what came before it.
ORDER = [
    ("organisations", "organisations.csv"),
    ("people", "people.csv"),
    ("areas", "areas.csv"),
    ("indicators", "indicators.csv"),
    ("measures", "measures.csv"),
    ("events", "events.csv"),
    ("feedback", "feedback.csv"),
    ("deaths", "deaths.csv"),
    ("fhir", "events.fhir.jsonl"),
]


def _import(kind: str, filename: str) -> str:
    out = StringIO()
    call_command("import", kind, str(EXAMPLES / filename), "--no-progress", stdout=out)
    return out.getvalue()


def _data_lines(filename: str) -> int:
    lines = [line for line in (EXAMPLES / filename).read_text().splitlines() if line.strip()]
    return len(lines) - (0 if filename.endswith(".jsonl") else 1)


def test_every_importer_has_an_example_in_the_documented_order():
    assert sorted(kind for kind, _ in ORDER) == sorted(IMPORTERS)
    assert sorted(p.name for p in EXAMPLES.iterdir()) == sorted(name for _, name in ORDER)


@pytest.mark.django_db
def test_the_examples_load_in_order_and_a_second_time_change_nothing():
    for kind, filename in ORDER:
        rows = _data_lines(filename)
        out = _import(kind, filename)
        assert f"{rows} created, 0 updated, 0 unchanged" in out, (filename, out)

    assert Organisation.objects.count() == _data_lines("organisations.csv")
    assert Organisation.objects.get(code="RX1-MAT").path.startswith("/QEX/PL-RIVER/RX1/")
    assert Area.objects.count() == _data_lines("areas.csv")
    codes = [
        line.split(",")[0] for line in (EXAMPLES / "indicators.csv").read_text().splitlines()[1:]
    ]
    assert Indicator.objects.filter(code__in=codes).count() == len(codes)
    assert MeasureValue.objects.filter(indicator__code__in=codes).count() == (
        _data_lines("measures.csv")
    )
    assert PatientSafetyEvent.objects.count() == _data_lines("events.csv") + _data_lines(
        "events.fhir.jsonl"
    )
    assert Feedback.objects.count() == _data_lines("feedback.csv")
    assert Death.objects.filter(source="import").count() == _data_lines("deaths.csv")
    assert Membership.objects.count() == _data_lines("people.csv")
    assert not User.objects.get(username="gus.pike").is_active  # a leaver

    for kind, filename in ORDER:
        rows = _data_lines(filename)
        assert f"0 created, 0 updated, {rows} unchanged" in _import(kind, filename), filename


def _documented_columns() -> set[str]:
    """Every `name` in the first cell of a table row of import-formats.md."""
    text = (DOCS / "import-formats.md").read_text()
    return set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))


@pytest.mark.parametrize("kind", sorted(set(IMPORTERS) - {"fhir"}))
def test_every_column_an_importer_accepts_is_documented(kind):
    missing = {c.name for c in importer_class(kind).columns} - _documented_columns()
    assert not missing, f"docs/import-formats.md does not name {sorted(missing)} ({kind})"


@pytest.mark.parametrize("kind", sorted(set(IMPORTERS) - {"fhir"}))
def test_every_allowed_value_is_documented(kind):
    text = (DOCS / "import-formats.md").read_text()
    for column in importer_class(kind).columns:
        for value in column.choices:
            assert f"`{value}`" in text, f"{kind}.{column.name}: {value!r} is not documented"
