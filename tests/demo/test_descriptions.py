"""Generated event descriptions agree with the event's recorded harm, death and category
(issue #18): the words are checked against tests/demo/descriptions.py, which is the test's own
table, on every event of the small region (with plants: the planted harm is the most severe)."""

from __future__ import annotations

from collections import Counter

from caresignals.demo import generator
from tests.demo.descriptions import PHYSICAL_WORDS, PSYCHOLOGICAL_WORDS, description_problems
from tests.demo.test_generator import region

COLUMNS = ["description", "category", "physical_harm", "psychological_harm", "patient_died"]


def test_every_description_matches_its_recorded_harm_death_and_category() -> None:
    rows = region(True).events.select(COLUMNS).to_pylist()
    problems = description_problems(rows)
    assert not problems, f"{len(problems)} contradictions, e.g. {problems[:5]}"
    # Every level is present, so the check above was not vacuous.
    said = Counter(
        level for r in rows for level, words in PHYSICAL_WORDS.items() if words in r["description"]
    )
    assert set(said) == set(PHYSICAL_WORDS)
    assert all(any(w in r["description"] for r in rows) for w in PSYCHOLOGICAL_WORDS.values())


def test_the_check_catches_the_old_contradiction() -> None:
    # A "minor harm" text on an event recorded as severe psychological harm (the finding).
    wrong = {
        "description": "The person disclosed recent self-harm. Minor physical harm; first aid "
        "given.",
        "category": "self_harm",
        "physical_harm": "none",
        "psychological_harm": "severe",
        "patient_died": "false",
    }
    assert len(description_problems([wrong])) == 3  # minor said, none and severe unsaid


def test_descriptions_use_the_category_s_own_phrases() -> None:
    rows = region(True).events.select(
        ["record_type", "category", "never_event_type", "description"]
    )
    for r in rows.to_pylist():
        if r["record_type"] in ("incident", "outcome") and not r["never_event_type"]:
            body = r["description"].removeprefix("Outcome review: ")
            assert body.startswith(generator.CATEGORY_PHRASES[r["category"]]), r
        elif r["record_type"] == "risk":
            assert r["description"].startswith("Risk raised: "), r
            body = r["description"].removeprefix("Risk raised: ")
            assert body.startswith(generator.RISK_PHRASES[r["category"]]), r


def test_a_gp_practice_s_events_happen_in_practice_hours() -> None:
    table = region(True).events
    gp = [
        d
        for d, a in zip(
            table["description"].to_pylist(), table["service_area"].to_pylist(), strict=True
        )
        if a == "gp"
    ]
    assert gp and not [d for d in gp if "night" in d or "handover" in d]
