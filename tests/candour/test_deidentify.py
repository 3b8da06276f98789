"""Removing identifying details from free text shown outside the provider."""

from __future__ import annotations

import pytest

from caresignals.safety.deidentify import deidentify, nhs_number_is_valid


@pytest.mark.parametrize(
    ("text", "gone", "label"),
    [
        ("NHS number 943 476 5919 on the wristband", "476 5919", "NHS number [NHS number]"),
        ("wristband showed 9434765919 clearly", "9434765919", "[NHS number]"),
        ("wristband showed 943-476-5919", "943-476-5919", "[NHS number]"),
        ("Born 01/02/1950, admitted", "01/02/1950", "[date]"),
        ("DOB: 1950-02-01", "1950-02-01", "[identifier]"),
        ("on 3rd March 2026 at night", "3rd March 2026", "[date]"),
        ("on March 3, 2026 at night", "March 3, 2026", "[date]"),
        ("seen 12.11.26 in clinic", "12.11.26", "[date]"),
        ("call 0191 496 0123 tomorrow", "0191 496 0123", "[phone number]"),
        ("mobile 07700 900123", "07700 900123", "[phone number]"),
        ("ring +44 7700 900123", "+44 7700 900123", "[phone number]"),
        ("lives at NE1 4LP", "NE1 4LP", "[postcode]"),
        ("postcode sr27aa noted", "sr27aa", "[postcode]"),
        ("email jo.bloggs+x@example.nhs.uk now", "jo.bloggs+x@example.nhs.uk", "[email]"),
        ("at 12 Acacia Avenue with family", "12 Acacia Avenue", "[address]"),
        ("at Flat 3, 20 High Street today", "20 High Street", "[address]"),
        ("Mrs Jones fell", "Jones", "Mrs [name]"),
        ("reviewed by Dr. A. Patel later", "Patel", "Dr [name]"),
        ("her daughter, Karen Smith, was told", "Karen Smith", "daughter, [name]"),
        ("Patient John Smith was moved", "John Smith", "Patient [name]"),
        ("a patient called Agnes fell", "Agnes", "called [name]"),
        ("MRN RX1234567 on the notes", "RX1234567", "MRN [identifier]"),
    ],
)
def test_identifying_details_are_removed(text, gone, label):
    out = deidentify(text)
    assert gone not in out
    assert label in out


def test_names_known_from_the_record_are_removed_wherever_they_appear():
    out = deidentify("Agnes said Agnes was fine; AGNES later fell.", known_names=["Agnes"])
    assert "agnes" not in out.lower()
    assert out.count("[name]") == 3


@pytest.mark.parametrize(
    "text",
    [
        "The patient was given 10 mg of morphine at 14:30; 2 staff attended.",
        "The Patient Safety Team met on Ward 4 about bed 12.",
        "Reference PSE-CYX6CAAAB4K7QZ was raised after the fall.",
        "Blood pressure 180/110 was not escalated for 3 hours.",
        "Aged 87, the patient had a fall with a fractured neck of femur.",
        "Insulin 10 units given twice in 24 hours.",
    ],
)
def test_clinical_detail_is_kept(text):
    assert deidentify(text) == text


def test_what_it_cannot_do_is_documented_and_true():
    # A bare name with nothing before it is not recognised (the hazard log says so).
    assert deidentify("Agnes fell in the bathroom.") == "Agnes fell in the bathroom."


def test_nhs_number_check_digit():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("123456789")
    assert not nhs_number_is_valid("12345678a0")
