"""`caresignals deidentify` and `caresignals learning search`."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caresignals.safety.deidentify import deidentify
from tests.learning.helpers import completed_response, lead_of, summary_for

TEXT = (
    "Mrs Agnes Pybus (NHS number 943 476 5919, DOB 03/04/1950) of NE1 4LP fell on Ward 12.\n"
    "Her daughter rang 0191 496 0123; email agnes.p@example.org. Enoxaparin 40 mg was late.\n"
)


def _run(monkeypatch, *args: str, stdin: str = "") -> tuple[str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_deidentify_reads_stdin_and_writes_by_exactly_the_library_rules(monkeypatch):
    out, err = _run(monkeypatch, "deidentify", stdin=TEXT)
    assert out == deidentify(TEXT)
    assert out.endswith("was late.\n") and err == ""
    for gone in ("Agnes", "Pybus", "943 476 5919", "03/04/1950", "NE1 4LP", "0191", "@"):
        assert gone not in out
    assert "Enoxaparin 40 mg" in out and "Ward 12" in out


def test_deidentify_takes_names_from_the_record_and_lists_what_it_removed(monkeypatch):
    out, err = _run(
        monkeypatch,
        "deidentify",
        "--names",
        "Imogen Thwaite",
        "--removed",
        stdin="Imogen Thwaite reviewed it.",
    )
    assert out == "[name] reviewed it."
    assert err.strip() == "[name]\tImogen Thwaite"


@pytest.mark.django_db
def test_learning_search_reads_approved_summaries_as_the_icb_would(monkeypatch, small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    shared = summary_for(completed_response(small_ics.trust_a), user=lead)
    summary_for(
        completed_response(small_ics.trust_b, title="Synthetic: insulin draft"),
        user=lead_of(small_ics.trust_b, "lead-b"),
        approve=False,
    )
    out, _ = _run(monkeypatch, "learning", "search", "insulin handover", "--json")
    found = json.loads(out)
    assert found["total"] == 1
    row = found["results"][0]
    assert row["reference"] == shared.reference and row["organisation"] == "TA"
    assert "<mark>" in row["snippet"] and row["url"] == f"/learning/{shared.reference}/"
    text, _ = _run(monkeypatch, "learning", "search", "insulin")
    assert text.startswith("1 found") and shared.reference in text and "**" in text
    none, _ = _run(monkeypatch, "learning", "search", "insulin", "--category", "falls")
    assert none.strip() == "No approved summaries match."


@pytest.mark.django_db
def test_learning_search_refuses_a_silly_limit(monkeypatch):
    with pytest.raises(CommandError) as raised:
        _run(monkeypatch, "learning", "search", "x", "--limit", "0")
    assert raised.value.returncode == 2
