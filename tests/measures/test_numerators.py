"""The numerator rules in the definition files: checked on load, with words that say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from caresignals.measures.numerators import NumeratorRule, rules
from caresignals.measures.services import DefinitionError, read_definition

HEAD = """code = "harm_count"
name = "Harm"
why_it_matters = "Because."
numerator = "Incidents with harm"
denominator = "None: a count"
unit = "count"
multiplier = 1
polarity = "lower_is_better"
chart = "xmr"
source = "derived from events"
checked_by = "Synthetic reviewer"
checked_on = 2026-03-02
"""


def load(tmp_path: Path, rule: str, head: str = HEAD) -> NumeratorRule | None:
    path = tmp_path / "harm_count.toml"
    path.write_text(head + "\n[numerator_rule]\n" + rule if rule else head)
    return read_definition(path).numerator_rule


def test_a_rule_loads_and_generates_each_form(tmp_path):
    rule = load(tmp_path, 'source = "events"\nrecord_type = ["incident"]\nnever_event = true\n')
    assert rule is not None and rule.denominator is None
    assert rule.sql() == "record_type = 'incident' AND never_event_type <> ''"
    assert "record_type" in str(rule.q()) and "never_event_type" in str(rule.q())
    assert rule.describe() == (
        "Stored patient-safety events with record type incident and a Never Event type, "
        "counted by the month they occurred"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('source = "letters"\n', "numerator_rule.source must be one of events"),
        ('source = "events"\ncolour = ["red"]\n', "cannot be filtered by 'colour'"),
        ('source = "events"\ncategory = ["fall"]\n', "'fall' not one of"),
        ('source = "events"\ncategory = "falls"\n', "must be a list of values"),
        ('source = "events"\nnever_event = "yes"\n', "must be true or false"),
        ('source = "events"\ndenominator = "admissions"\n', "denominator must be one of"),
        ('source = "events"\ndenominator = "occupied_bed_days"\n', "a count"),
    ],
)
def test_a_wrong_rule_is_refused_naming_file_and_key(tmp_path, rule, message):
    with pytest.raises(DefinitionError, match=r"harm_count\.toml: .*" + message):
        load(tmp_path, rule)


def test_a_rule_needs_a_derived_source(tmp_path):
    head = HEAD.replace('"derived from events"', '"measures import"')
    with pytest.raises(DefinitionError, match="must have source = 'derived from events'"):
        load(tmp_path, 'source = "events"\n', head)
    assert load(tmp_path, "", head) is None


def test_the_reviewed_files_declare_five_event_numerators():
    assert set(rules("events")) == {
        "falls_with_harm",
        "incident_reporting_rate",
        "moderate_harm_rate",
        "never_events",
        "restraint_events",
    }
    assert rules()["moderate_harm_rate"].denominator == "occupied_bed_days"
