"""What an event's description may say, given what the event records (issue #18).

The words are the test's own, not the generator's: each physical and psychological harm level
has words only it may use, so a description can never read "minor" for an event recorded as
severe, and words that belong to one category may appear only in events of that category.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

PHYSICAL_WORDS = {
    "none": "No physical harm",
    "low": "Minor physical harm",
    "moderate": "Moderate physical harm",
    "severe": "Severe physical harm",
    "fatal": "Fatal harm",
}
PSYCHOLOGICAL_WORDS = {
    "low": "Minor psychological harm",
    "moderate": "Moderate psychological harm",
    "severe": "Severe psychological harm",
}
# Words no other category's description may use.
CATEGORY_WORDS = {
    "falls": r"on the floor|slipped|fell while|fell from|trapped in a bed rail|walk safely",
    "maternity": r"fetal|postpartum|labour|obstetric|midwi",
    "pressure_ulcer": r"pressure ulcer|skin damage",
    "self_harm": r"self-harm|harmed themselves|ligature|keep themselves safe",
    "sepsis": r"sepsis",
    "restrictive_practice": r"restraint|seclu|tranquilli",
    "medication": r"medicine|dose|potassium|midazolam|methotrexate|pharmacist",
}


def description_problems(events: Iterable[Mapping[str, object]]) -> list[str]:
    """Every way each event's description contradicts its recorded harm, death or category
    (events as mappings with description, category, physical_harm, psychological_harm and
    patient_died); empty when there is none."""
    problems: list[str] = []
    for e in events:
        text = str(e["description"])
        physical, psych = str(e["physical_harm"] or ""), str(e["psychological_harm"] or "")
        for level, words in PHYSICAL_WORDS.items():
            if (words in text) != (level == physical):
                problems.append(f"physical harm {physical or 'blank'}: {text}")
        for level, words in PSYCHOLOGICAL_WORDS.items():
            if (words in text) != (level == psych):
                problems.append(f"psychological harm {psych or 'blank'}: {text}")
        died = e["patient_died"] in (True, "true")
        if ("died" in text) != died:
            problems.append(f"patient died {died}: {text}")
        for category, pattern in CATEGORY_WORDS.items():
            if e["category"] != category and re.search(pattern, text, re.IGNORECASE):
                problems.append(f"category {e['category']} with {category} words: {text}")
    return problems
