"""Rule-based removal of identifying details from free text shown outside the provider.

What it removes: email addresses; NHS numbers (ten digits, spaced or not; those passing the
modulus-11 check are labelled as NHS numbers, any other ten or eleven digit run is treated as
a phone number); UK phone numbers (0…, +44…); dates in numeric and written forms (which covers
dates of birth); UK postcodes; street addresses that start with a house number or "Flat N";
identifiers introduced by "MRN", "hospital number", "NHS number" and the like; names after a
title (Mr, Mrs, Dr, Nurse …) or after words that introduce a person ("called", "named",
"patient", family relations); and any names the caller knows from the record.

What it cannot do (the hazard log says so too): recognise a bare name with nothing before it
("Agnes fell"), a street without a house number, a rare condition or job that identifies
someone, ages, or misspelt and run-together details. It over-removes rather than under-removes
where the patterns are unsure. No model and no download: plain regular expressions, tested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_TEN_DIGITS = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
_PHONE = re.compile(
    r"(?:(?<![\w+])\+44\s?(?:\(0\)\s?)?|(?<![\w+])0)"  # +44 (0) … or a leading 0
    r"\d(?:[\s-]?\d){8,9}(?!\d)"
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATES = [
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"),
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}\b", re.I),
    re.compile(rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.I),
]
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)
_STREET_WORDS = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|court|ct|crescent|cres|place|pl|"
    r"terrace|way|grove|gardens|gdns|walk|row|square|sq|hill|view|park|mews|green|rise)"
)
_ADDRESS = re.compile(
    rf"\b(?:flat\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+(?:[A-Z][\w'-]*\s+){{1,3}}{_STREET_WORDS}\b",
    re.I,
)
_FLAT = re.compile(r"\bflat\s+\d+[a-z]?\b", re.I)
_IDENTIFIER = re.compile(
    r"\b(MRN|hospital\s+(?:no|number)|NHS\s+(?:no|number)|patient\s+(?:no|number|id)|"
    r"case\s+(?:no|number)|DOB|date\s+of\s+birth)\b[\s.:#]*([A-Z0-9][A-Z0-9/-]{2,})",
    re.I,
)
_TITLE_NAME = re.compile(
    r"\b(Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Nurse|Sister|Matron|Sir|Dame|Master)\.?"
    r"\s+((?:[A-Z][a-z'’-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z'’-]+|[A-Z]\.))*)"
)
_INTRODUCED_NAME = re.compile(
    r"\b((?i:called|named|name is|known as|patient|pt|son|daughter|wife|husband|partner|"
    r"mother|father|mum|dad|brother|sister|carer|grandson|granddaughter))\b(,?\s+)"
    r"([A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)*)",
)
# Capitalised words after an introducing word that are not names ("patient Safety Team").
_NOT_NAMES = frozenset(
    {
        "A",
        "An",
        "The",
        "Was",
        "Is",
        "Had",
        "Has",
        "And",
        "In",
        "On",
        "At",
        "To",
        "Safety",
        "Team",
        "Ward",
        "Services",
        "Service",
    }
)


def nhs_number_is_valid(digits: str) -> bool:
    """The modulus-11 check on a ten-digit NHS number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _ten_digits(match: re.Match[str]) -> str:
    digits = "".join(match.groups())
    return "[NHS number]" if nhs_number_is_valid(digits) else "[phone number]"


def _introduced(match: re.Match[str]) -> str:
    word, gap, names = match.group(1), match.group(2), match.group(3)
    first = names.split()[0]
    if first in _NOT_NAMES:
        return match.group(0)
    return f"{word}{gap}[name]"


def deidentify(text: str, known_names: Iterable[str] = ()) -> str:
    """``text`` with identifying details replaced by labels such as [name] and [date]."""
    out = _EMAIL.sub("[email]", text)
    out = _IDENTIFIER.sub(lambda m: f"{m.group(1)} [identifier]", out)
    out = _TEN_DIGITS.sub(_ten_digits, out)
    out = _PHONE.sub("[phone number]", out)
    for pattern in _DATES:
        out = pattern.sub("[date]", out)
    out = _ADDRESS.sub("[address]", out)
    out = _FLAT.sub("[address]", out)
    out = _POSTCODE.sub("[postcode]", out)
    out = _TITLE_NAME.sub(lambda m: f"{m.group(1)} [name]", out)
    out = _INTRODUCED_NAME.sub(_introduced, out)
    for name in sorted({n.strip() for n in known_names if n and len(n.strip()) > 1}, key=len)[::-1]:
        out = re.sub(rf"\b{re.escape(name)}\b", "[name]", out, flags=re.I)
    return out
