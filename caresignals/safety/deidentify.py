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
from collections.abc import Callable, Iterable
from dataclasses import dataclass

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
    r"case\s+(?:no|number)|DOB|date\s+of\s+birth)\b[\s.:#]*"
    # the identifier, digit groups split by single spaces included ("MRN 123 456")
    r"([A-Z0-9][A-Z0-9/-]{2,}(?:\s\d[A-Z0-9/-]*)*)",
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


@dataclass(frozen=True)
class Removal:
    """One detail taken out: what kind it was (the label put in its place) and the text."""

    label: str
    text: str


class _Recorder:
    """Runs each rule's substitution and keeps what it took out, in the order taken."""

    def __init__(self) -> None:
        self.removed: list[Removal] = []

    def sub(
        self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str], text: str
    ) -> str:
        def keep(match: re.Match[str]) -> str:
            out = replace(match)
            if out != match.group(0):
                self.removed.append(Removal(_label(out), _taken(match.group(0), out)))
            return out

        return pattern.sub(keep, text)


def _label(replacement: str) -> str:
    found = re.search(r"\[([a-zA-Z ]+)\]", replacement)
    return found.group(1) if found else "detail"


def _taken(original: str, replacement: str) -> str:
    """The part of ``original`` a rule took out (rules keep words such as "Mr" or "MRN")."""
    head = replacement.split("[", 1)[0]
    return original[len(head) :] if original.startswith(head) else original


def _fixed(label: str) -> Callable[[re.Match[str]], str]:
    return lambda _m: f"[{label}]"


def _ten_digits(match: re.Match[str]) -> str:
    digits = "".join(match.groups())
    return "[NHS number]" if nhs_number_is_valid(digits) else "[phone number]"


def _introduced(match: re.Match[str]) -> str:
    word, gap, names = match.group(1), match.group(2), match.group(3)
    first = names.split()[0]
    if first in _NOT_NAMES:
        return match.group(0)
    return f"{word}{gap}[name]"


def deidentify_with_removals(
    text: str, known_names: Iterable[str] = ()
) -> tuple[str, list[Removal]]:
    """``text`` de-identified, and every detail taken out of it (to show the person who
    approves it what went, so they can judge whether anything was missed or over-taken)."""
    r = _Recorder()
    out = r.sub(_EMAIL, _fixed("email"), text)
    # Numbers first, so a spaced NHS number after "NHS number" is labelled whole.
    out = r.sub(_TEN_DIGITS, _ten_digits, out)
    out = r.sub(_PHONE, _fixed("phone number"), out)
    out = r.sub(_IDENTIFIER, lambda m: f"{m.group(1)} [identifier]", out)
    for pattern in _DATES:
        out = r.sub(pattern, _fixed("date"), out)
    out = r.sub(_ADDRESS, _fixed("address"), out)
    out = r.sub(_FLAT, _fixed("address"), out)
    out = r.sub(_POSTCODE, _fixed("postcode"), out)
    out = r.sub(_TITLE_NAME, lambda m: f"{m.group(1)} [name]", out)
    out = r.sub(_INTRODUCED_NAME, _introduced, out)
    for name in sorted({n.strip() for n in known_names if n and len(n.strip()) > 1}, key=len)[::-1]:
        out = r.sub(re.compile(rf"\b{re.escape(name)}\b", re.I), _fixed("name"), out)
    return out, r.removed


def deidentify(text: str, known_names: Iterable[str] = ()) -> str:
    """``text`` with identifying details replaced by labels such as [name] and [date]."""
    return deidentify_with_removals(text, known_names)[0]
