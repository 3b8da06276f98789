"""De-identification measured on generated text: every kind of identifier the library
promises to take out, among clinical sentences it must leave alone.

Each generated sentence carries its identifiers as labelled spans. Recall is the share of
labelled identifiers of which nothing is left in the output; precision is the share of
removals that took out (part of) a labelled identifier. The figures are printed (run with
-s) and written up in docs/learning-library.md.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from caresignals.safety.deidentify import deidentify_with_removals, nhs_number_is_valid

FIRST = ("Agnes", "Tobias", "Wren", "Ismail", "Bronwen", "Kofi", "Lorna", "Dmitri", "Yusra")
LAST = ("Pybus", "Quill", "Hetherington", "Okonjo", "Ravensworth", "Mbeki", "Tolland")
POSTCODES = ("NE1 4LP", "DH1 3EE", "CA2 7HY", "SR4 7TP", "TS1 3BA", "NE29 0LR")
STREETS = ("Front Street", "Coronation Road", "Albion Terrace", "Beach Avenue")
MONTHS = ("January", "March", "June", "September", "November")
CLINICAL = (
    "Enoxaparin 40 mg was given at 22:00 instead of 18:00.",
    "The NEWS2 score rose from 3 to 7 over 4 hours without escalation.",
    "Blood glucose was 2.8 mmol/L and insulin 10 units had been omitted.",
    "Observations at 02:15: BP 90/60, pulse 118, SpO2 91% on air.",
    "The Waterlow score of 18 was not acted on; a grade 3 pressure ulcer followed.",
    "The fall happened on Ward 12 at night, near the bay 4 toilet.",
    "The Patient Safety Team reviewed the Datix record with the Outreach Team.",
    "Parkinson's medication was given 90 minutes late on two occasions.",
    "Detained under section 3 of the Mental Health Act, the person was on 1:1 observations.",
    "Sepsis screening was late; antibiotics were given after 2 hours 40 minutes.",
    "The syringe driver ran at 5 ml per hour against a prescription of 0.5 ml.",
    "Handover used the SBAR tool but the sheet had no field for anticoagulants.",
    "A 0.9% sodium chloride infusion of 1000 ml ran over 4 hours.",
    "Staffing was 6 registered nurses against a plan of 8 for 32 beds.",
    "The family raised concerns about Lewy body dementia care on 3 occasions.",
)


# Clinical sentences the rules are known to over-remove from (a capitalised service after
# "patient", a ward after "Sister"): kept in the set so precision is measured honestly.
HARD = (
    "Patient Transport Services arrived two hours late for the discharge.",
    "Sister Ward 5 staff were not told about the change.",
    "The family were pointed to the Patient Advice and Liaison Service.",
)


@dataclass
class Labelled:
    text: str
    identifiers: list[tuple[str, str]]  # (kind, text)


def _nhs(rng: random.Random, *, valid: bool) -> str:
    while True:
        digits = "".join(str(rng.randint(0, 9)) for _ in range(10))
        if digits[0] != "0" and nhs_number_is_valid(digits) == valid:
            return digits if rng.random() < 0.5 else f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def _phone(rng: random.Random) -> str:
    n = lambda k: "".join(str(rng.randint(0, 9)) for _ in range(k))  # noqa: E731
    return rng.choice(
        (f"0191 {n(3)} {n(4)}", f"07{n(3)} {n(6)}", f"+44 7{n(3)} {n(6)}", f"01228{n(6)}")
    )


def _date(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1930, 2005)
    return rng.choice((f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d} {MONTHS[m % 5]} {y}"))


def _sentence(rng: random.Random, names: list[str]) -> Labelled:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    kind = rng.randrange(11)
    if kind == 0:
        nhs = _nhs(rng, valid=True)
        return Labelled(f"The wristband showed {nhs} on admission.", [("nhs number", nhs)])
    if kind == 1:
        nhs = _nhs(rng, valid=False)
        return Labelled(f"A number {nhs} was written on the note.", [("invalid nhs", nhs)])
    if kind == 2:
        phone = _phone(rng)
        return Labelled(f"The ward rang the family on {phone} at 03:00.", [("phone", phone)])
    if kind == 3:
        email = f"{first.lower()}.{last.lower()}@example.org"
        return Labelled(f"A complaint came from {email} the next day.", [("email", email)])
    if kind == 4:
        pc = rng.choice(POSTCODES)
        return Labelled(
            f"They were discharged to an address in {pc} without a plan.", [("postcode", pc)]
        )
    if kind == 5:
        dob = _date(rng)
        lead = rng.choice(("born on", "date of birth", "DOB"))
        return Labelled(f"The person, {lead} {dob}, was 80 or over.", [("date of birth", dob)])
    if kind == 6:
        return Labelled(
            f"Mrs {first} {last} was found on the floor.", [("name", first), ("name", last)]
        )
    if kind == 7:
        rel = rng.choice(("daughter", "son", "husband", "carer"))
        return Labelled(f"Her {rel} {first} raised it with the nurse.", [("name", first)])
    if kind == 8:
        name = names[0]
        return Labelled(
            f"{name} reviewed the chart and agreed with the plan.", [("name on the record", name)]
        )
    if kind == 9:
        mrn = f"RX{rng.randint(1000000, 9999999)}"
        return Labelled(
            f"Hospital number {mrn} was on the wrong notes.", [("hospital number", mrn)]
        )
    house = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
    return Labelled(f"The ambulance went to {house} first.", [("address", house)])


def _corpus(seed: int, size: int) -> tuple[list[Labelled], list[str]]:
    rng = random.Random(seed)
    names = ["Imogen Thwaite"]
    out = []
    for i in range(size):
        if i % 3:
            out.append(_sentence(rng, names))
        else:
            out.append(Labelled(rng.choice(HARD if i % 30 == 0 else CLINICAL), []))
    return out, names


def measure(seed: int = 2026, size: int = 600) -> dict[str, float]:
    corpus, names = _corpus(seed, size)
    found = missed = true_removals = false_removals = 0
    clinical_changed = 0
    for item in corpus:
        out, removed = deidentify_with_removals(item.text, names)
        for _kind, ident in item.identifiers:
            parts = [p for p in ident.split() if len(p) > 1] or [ident]
            if any(p in out for p in parts if not p.isdigit() or len(p) > 2):
                missed += 1
            else:
                found += 1
        for r in removed:
            if any(
                r.text in ident or ident in r.text or set(r.text.split()) & set(ident.split())
                for _k, ident in item.identifiers
            ):
                true_removals += 1
            else:
                false_removals += 1
        if not item.identifiers and out != item.text and item.text not in HARD:
            clinical_changed += 1
    return {
        "identifiers": found + missed,
        "recall": found / (found + missed),
        "removals": true_removals + false_removals,
        "precision": true_removals / (true_removals + false_removals),
        "clinical sentences changed": clinical_changed,
    }


def test_every_identifier_goes_and_clinical_text_stays():
    figures = measure()
    print(figures)
    assert figures["identifiers"] > 300
    assert figures["recall"] == 1.0
    assert figures["clinical sentences changed"] == 0
    assert figures["precision"] >= 0.95


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_figures_hold_for_other_seeds(seed):
    figures = measure(seed=seed, size=300)
    assert figures["recall"] == 1.0 and figures["precision"] >= 0.9


def test_valid_and_invalid_nhs_numbers_are_both_taken_out_and_told_apart():
    rng = random.Random(7)
    valid, invalid = _nhs(rng, valid=True), _nhs(rng, valid=False)
    out, removed = deidentify_with_removals(f"Numbers {valid} and {invalid} were on the form.")
    assert valid not in out and invalid not in out
    assert [r.label for r in removed] == ["NHS number", "phone number"]
